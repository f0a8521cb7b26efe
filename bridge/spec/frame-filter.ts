// The TAP-side gate: decides from a handful of header bytes whether a frame read from goose0
// may go to the WAN. It never decodes the APDU (the hot path must stay cheap) and never
// allocates: the verdict is a small integer and the parsed header fields land on the filter
// object itself, valid until the next call.
//
// Pure: no I/O imports.

import { ETHERTYPE_GOOSE, ETHERTYPE_GSE, ETHERTYPE_SV, ETHERTYPE_VLAN } from '../codec/types.js';

export const ETHERTYPE_QINQ = 0x88a8;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_LLDP = 0x88cc;

/** Verdict 0: forward. Every other verdict indexes FILTER_DROP_REASONS. */
export const FORWARD = 0;

/**
 * Why a frame was not forwarded; the names are counter labels (stats file, metrics) and
 * therefore stable. Index = verdict code.
 */
export const FILTER_DROP_REASONS = [
  'forwarded', // 0: not a drop; keeps indices aligned with verdicts
  'runt', // shorter than Ethernet header + the 8-byte IEC header
  'vlan-stacked', // more than one VLAN tag (QinQ or 0x8100 behind 0x8100)
  'arp',
  'ipv4',
  'ipv6', // includes IPv6 neighbour discovery
  'lldp',
  'other-ethertype',
  'sv-disabled',
  'gse-disabled',
  'length-field', // IEC Length < 8 or larger than the bytes present
  'trailing-bytes', // bytes after Length beyond Ethernet minimum-size padding
  'appid-range', // APPID outside the range of its EtherType (GOOSE/GSE 0x0000–0x3FFF, SV 0x4000–0x7FFF)
  'appid-not-allowed', // not in the configured allow-list
] as const;
export type FilterDropReason = (typeof FILTER_DROP_REASONS)[number];

export const V_RUNT = 1;
export const V_VLAN_STACKED = 2;
export const V_ARP = 3;
export const V_IPV4 = 4;
export const V_IPV6 = 5;
export const V_LLDP = 6;
export const V_OTHER_ETHERTYPE = 7;
export const V_SV_DISABLED = 8;
export const V_GSE_DISABLED = 9;
export const V_LENGTH_FIELD = 10;
export const V_TRAILING_BYTES = 11;
export const V_APPID_RANGE = 12;
export const V_APPID_NOT_ALLOWED = 13;

/** Ethernet minimum frame without FCS (60) — shorter frames are padded, so padding after Length is legitimate up to this size (+4 with a VLAN tag). */
export const ETH_MIN_FRAME = 60;

export interface FrameFilterOptions {
  enableSv: boolean;
  enableGse: boolean;
  /** APPID ranges allowed (inclusive); null = all. */
  appIdAllow: ReadonlyArray<{ lo: number; hi: number }> | null;
  /** Reject APPIDs outside the range of their EtherType (IEC 61850-8-1 / 9-2). */
  checkAppIdRange: boolean;
}

export class FrameFilter {
  /** Fields of the last frame checked (valid when it reached the IEC header). */
  etherType = 0;
  appId = 0;
  /** Offset (from the frame start) of the EtherType that named the IEC protocol: 12 or 16. */
  etherTypeOffset = 0;
  /** Whether the last frame carried one 802.1Q tag. */
  tagged = false;

  private readonly enableSv: boolean;
  private readonly enableGse: boolean;
  private readonly checkAppIdRange: boolean;
  /** One byte per APPID: a lookup instead of a range scan on the hot path. */
  private readonly allow: Uint8Array | null;

  constructor(options: FrameFilterOptions) {
    this.enableSv = options.enableSv;
    this.enableGse = options.enableGse;
    this.checkAppIdRange = options.checkAppIdRange;
    if (options.appIdAllow === null) {
      this.allow = null;
    } else {
      this.allow = new Uint8Array(0x10000);
      for (const { lo, hi } of options.appIdAllow) this.allow.fill(1, lo, hi + 1);
    }
  }

  /** Checks `len` bytes of `buf` starting at `off`. Returns FORWARD or a drop verdict. */
  check(buf: Uint8Array, off: number, len: number): number {
    if (len < 14) return V_RUNT;
    let p = off + 12;
    let etherType = (buf[p]! << 8) | buf[p + 1]!;
    this.tagged = false;
    if (etherType === ETHERTYPE_VLAN) {
      if (len < 18) return V_RUNT;
      p += 4;
      etherType = (buf[p]! << 8) | buf[p + 1]!;
      this.tagged = true;
      if (etherType === ETHERTYPE_VLAN || etherType === ETHERTYPE_QINQ) return V_VLAN_STACKED;
    } else if (etherType === ETHERTYPE_QINQ) {
      return V_VLAN_STACKED;
    }
    this.etherType = etherType;
    this.etherTypeOffset = p - off;
    let appIdLo: number;
    let appIdHi: number;
    if (etherType === ETHERTYPE_GOOSE) {
      appIdLo = 0x0000;
      appIdHi = 0x3fff;
    } else if (etherType === ETHERTYPE_SV) {
      if (!this.enableSv) return V_SV_DISABLED;
      appIdLo = 0x4000;
      appIdHi = 0x7fff;
    } else if (etherType === ETHERTYPE_GSE) {
      if (!this.enableGse) return V_GSE_DISABLED;
      appIdLo = 0x0000;
      appIdHi = 0x3fff;
    } else {
      return etherType === ETHERTYPE_ARP
        ? V_ARP
        : etherType === ETHERTYPE_IPV4
          ? V_IPV4
          : etherType === ETHERTYPE_IPV6
            ? V_IPV6
            : etherType === ETHERTYPE_LLDP
              ? V_LLDP
              : V_OTHER_ETHERTYPE;
    }
    const afterType = p + 2; // first byte of APPID
    const present = off + len - afterType; // bytes from APPID to the end
    if (present < 8) return V_RUNT;
    const appId = (buf[afterType]! << 8) | buf[afterType + 1]!;
    const length = (buf[afterType + 2]! << 8) | buf[afterType + 3]!;
    this.appId = appId;
    if (length < 8 || length > present) return V_LENGTH_FIELD;
    if (length < present && len > ETH_MIN_FRAME + (this.tagged ? 4 : 0)) return V_TRAILING_BYTES;
    if (this.checkAppIdRange && (appId < appIdLo || appId > appIdHi)) return V_APPID_RANGE;
    if (this.allow !== null && this.allow[appId] !== 1) return V_APPID_NOT_ALLOWED;
    return FORWARD;
  }
}

/** Reads the 48-bit destination MAC as a number (exact: < 2^53). */
export function destinationMac48(buf: Uint8Array, off: number): number {
  return (
    (buf[off]! * 0x10000000000 +
      buf[off + 1]! * 0x100000000 +
      ((buf[off + 2]! << 24) >>> 0)) +
    ((buf[off + 3]! << 16) | (buf[off + 4]! << 8) | buf[off + 5]!)
  );
}
