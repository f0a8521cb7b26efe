// The L2-side gate of the reference model: decides from a handful of header bytes whether a
// frame read from the L2 side may go to the WAN, as the native engine's tx thread does
// (native/src/engine/). It never decodes the APDU and never allocates, like the engine: the verdict
// is FORWARD or a to-WAN drop code (verdicts.ts, the engine's numbering) and the parsed header
// fields land on the filter object itself, valid until the next call.
//
// Pure: no I/O imports.

import { ETHERTYPE_GOOSE, ETHERTYPE_GSE, ETHERTYPE_SV, ETHERTYPE_VLAN } from '../codec/types.js';
import { FORWARD, ToWanDrop } from './verdicts.js';

export const ETHERTYPE_QINQ = 0x88a8;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_LLDP = 0x88cc;

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
  /** One byte per APPID, as the engine holds the allow-list: a lookup instead of a range scan. */
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

  /** Checks `len` bytes of `buf` starting at `off`. Returns FORWARD or a to-WAN drop code. */
  check(buf: Uint8Array, off: number, len: number): number {
    if (len < 14) return ToWanDrop.kRunt;
    let p = off + 12;
    let etherType = (buf[p]! << 8) | buf[p + 1]!;
    this.tagged = false;
    if (etherType === ETHERTYPE_VLAN) {
      if (len < 18) return ToWanDrop.kRunt;
      p += 4;
      etherType = (buf[p]! << 8) | buf[p + 1]!;
      this.tagged = true;
      if (etherType === ETHERTYPE_VLAN || etherType === ETHERTYPE_QINQ) return ToWanDrop.kVlanStacked;
    } else if (etherType === ETHERTYPE_QINQ) {
      return ToWanDrop.kVlanStacked;
    }
    this.etherType = etherType;
    this.etherTypeOffset = p - off;
    let appIdLo: number;
    let appIdHi: number;
    if (etherType === ETHERTYPE_GOOSE) {
      appIdLo = 0x0000;
      appIdHi = 0x3fff;
    } else if (etherType === ETHERTYPE_SV) {
      if (!this.enableSv) return ToWanDrop.kSvDisabled;
      appIdLo = 0x4000;
      appIdHi = 0x7fff;
    } else if (etherType === ETHERTYPE_GSE) {
      if (!this.enableGse) return ToWanDrop.kGseDisabled;
      appIdLo = 0x0000;
      appIdHi = 0x3fff;
    } else {
      return etherType === ETHERTYPE_ARP
        ? ToWanDrop.kArp
        : etherType === ETHERTYPE_IPV4
          ? ToWanDrop.kIpv4
          : etherType === ETHERTYPE_IPV6
            ? ToWanDrop.kIpv6
            : etherType === ETHERTYPE_LLDP
              ? ToWanDrop.kLldp
              : ToWanDrop.kOtherEthertype;
    }
    const afterType = p + 2; // first byte of APPID
    const present = off + len - afterType; // bytes from APPID to the end
    if (present < 8) return ToWanDrop.kRunt;
    const appId = (buf[afterType]! << 8) | buf[afterType + 1]!;
    const length = (buf[afterType + 2]! << 8) | buf[afterType + 3]!;
    this.appId = appId;
    if (length < 8 || length > present) return ToWanDrop.kLengthField;
    if (length < present && len > ETH_MIN_FRAME + (this.tagged ? 4 : 0)) return ToWanDrop.kTrailingBytes;
    if (this.checkAppIdRange && (appId < appIdLo || appId > appIdHi)) return ToWanDrop.kAppidRange;
    if (this.allow !== null && this.allow[appId] !== 1) return ToWanDrop.kAppidNotAllowed;
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
