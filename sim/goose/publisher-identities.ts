// N simulated IEDs from one set of base values: publisher i (0-based) gets
//   APPID      base + i                       (must stay within the GOOSE range 0x0000–0x3FFF)
//   src MAC    base + i (48-bit addition)
//   dst MAC    base + (i mod 512), kept inside the GOOSE multicast range 01-0C-CD-01-00-00 … 01-FF
//   gocbRef, datSet, goID: "{n}" in the base is replaced by i + 1; without "{n}" and N > 1,
//   "_<i+1>" is appended (so every stream key APPID + gocbRef + src MAC is distinct).
// Pure; the subscriber derives its --expect list with the same function.
import type { VlanTag } from '../../bridge/codec/types.js';
import type { StreamKey } from './stream-tracker.js';

export interface IdentityBase {
  appId: number;
  dstMac: string;
  srcMac: string;
  gocbRef: string;
  datSet: string;
  goID: string;
  vlan?: VlanTag;
}

export interface PublisherIdentity {
  index: number;
  appId: number;
  dst: string;
  src: string;
  gocbRef: string;
  datSet: string;
  goID: string;
  vlan?: VlanTag;
}

export const DEFAULT_IDENTITY: IdentityBase = {
  appId: 0x1000,
  dstMac: '01:0c:cd:01:00:00',
  srcMac: '02:00:00:00:00:01',
  gocbRef: 'SIM{n}LD0/LLN0$GO$gcb01',
  datSet: 'SIM{n}LD0/LLN0$DS01',
  goID: 'SIM{n}_gcb01',
};

const GOOSE_APPID_MAX = 0x3fff;
const GOOSE_DST_FIRST = 0x010ccd010000;
const GOOSE_DST_COUNT = 0x200;

export class IdentityError extends Error {
  override readonly name = 'IdentityError';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

export function macToNumber(mac: string, key: string): number {
  if (!/^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$/.test(mac)) throw new IdentityError(key, `${key} must be a MAC address like 01:0c:cd:01:00:01, got "${mac}"`);
  return parseInt(mac.replace(/[:-]/g, ''), 16);
}

export function numberToMac(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return hex.match(/../g)!.join(':');
}

export function named(base: string, i: number, count: number): string {
  if (base.includes('{n}')) return base.replaceAll('{n}', String(i + 1));
  return count > 1 ? `${base}_${i + 1}` : base;
}

export function deriveIdentities(base: IdentityBase, count: number): PublisherIdentity[] {
  if (!Number.isInteger(count) || count < 1) throw new IdentityError('publishers', `publishers must be a whole number ≥ 1, got ${count}`);
  if (!Number.isInteger(base.appId) || base.appId < 0 || base.appId > GOOSE_APPID_MAX) {
    throw new IdentityError('appid', `appid must be 0x0000–0x3FFF (GOOSE), got ${base.appId}`);
  }
  if (base.appId + count - 1 > GOOSE_APPID_MAX) {
    throw new IdentityError('appid', `appid 0x${base.appId.toString(16)} + ${count} publishers passes 0x3FFF, the end of the GOOSE APPID range`);
  }
  const src = macToNumber(base.srcMac, 'src-mac');
  if (src + count - 1 > 0xffffffffffff) throw new IdentityError('src-mac', `src-mac ${base.srcMac} + ${count} publishers overflows 48 bits`);
  if (Math.floor(src / 2 ** 40) & 1) throw new IdentityError('src-mac', `src-mac ${base.srcMac} is a multicast address; a source MAC must be unicast`);
  const dst = macToNumber(base.dstMac, 'dst-mac');
  const dstInRange = dst >= GOOSE_DST_FIRST && dst < GOOSE_DST_FIRST + GOOSE_DST_COUNT;
  const out: PublisherIdentity[] = [];
  for (let i = 0; i < count; i++) {
    // outside the GOOSE range (a user's choice) the dst MAC is used as given for everyone
    const d = dstInRange ? GOOSE_DST_FIRST + ((dst - GOOSE_DST_FIRST + i) % GOOSE_DST_COUNT) : dst;
    const id: PublisherIdentity = {
      index: i,
      appId: base.appId + i,
      dst: numberToMac(d),
      src: numberToMac(src + i),
      gocbRef: named(base.gocbRef, i, count),
      datSet: named(base.datSet, i, count),
      goID: named(base.goID, i, count),
    };
    if (base.vlan) id.vlan = base.vlan;
    out.push(id);
  }
  return out;
}

export function streamKeyOf(id: PublisherIdentity): StreamKey {
  return { appId: id.appId, gocbRef: id.gocbRef, src: id.src };
}
