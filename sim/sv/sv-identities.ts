// N merging units from one set of base values, as publisher-identities.ts does for GOOSE:
// unit i (0-based) gets APPID base + i (SV range 0x4000–0x7FFF), source MAC base + i,
// destination MAC base + i kept inside the SV multicast range 01-0C-CD-04-00-00 … 01-FF, and
// svID with "{n}" replaced by i + 1 (or "_<i+1>" appended when N > 1). Pure.
import type { VlanTag } from '../../bridge/codec/types.js';
import { IdentityError, macToNumber, named, numberToMac } from '../goose/publisher-identities.js';
import type { SvStreamIdentity } from './sv-frame-template.js';

export interface SvIdentityBase {
  appId: number;
  dstMac: string;
  srcMac: string;
  svID: string;
  vlan?: VlanTag;
}

export const DEFAULT_SV_IDENTITY: SvIdentityBase = {
  appId: 0x4000,
  dstMac: '01:0c:cd:04:00:00',
  srcMac: '02:00:00:00:40:01',
  svID: 'SIM{n}MU01',
};

const SV_APPID_FIRST = 0x4000;
const SV_APPID_LAST = 0x7fff;
const SV_DST_FIRST = 0x010ccd040000;
const SV_DST_COUNT = 0x200;

export function deriveSvIdentities(base: SvIdentityBase, count: number): SvStreamIdentity[] {
  if (!Number.isInteger(count) || count < 1) throw new IdentityError('streams', `streams must be a whole number ≥ 1, got ${count}`);
  if (base.appId < SV_APPID_FIRST || base.appId + count - 1 > SV_APPID_LAST) {
    throw new IdentityError('appid', `appid 0x${base.appId.toString(16)} … + ${count} streams must stay within 0x4000–0x7FFF (SV)`);
  }
  const src = macToNumber(base.srcMac, 'src-mac');
  if (Math.floor(src / 2 ** 40) & 1) throw new IdentityError('src-mac', `src-mac ${base.srcMac} is a multicast address; a source MAC must be unicast`);
  if (src + count - 1 > 0xffffffffffff) throw new IdentityError('src-mac', `src-mac ${base.srcMac} + ${count} streams overflows 48 bits`);
  const dst = macToNumber(base.dstMac, 'dst-mac');
  const dstInRange = dst >= SV_DST_FIRST && dst < SV_DST_FIRST + SV_DST_COUNT;
  return Array.from({ length: count }, (_, i) => {
    const svID = named(base.svID, i, count);
    if (!/^[\x20-\x7e]{1,129}$/.test(svID)) throw new IdentityError('sv-id', `svID must be 1 … 129 printable ASCII characters, got "${svID}"`);
    const id: SvStreamIdentity = {
      index: i,
      appId: base.appId + i,
      dst: numberToMac(dstInRange ? SV_DST_FIRST + ((dst - SV_DST_FIRST + i) % SV_DST_COUNT) : dst),
      src: numberToMac(src + i),
      svID,
    };
    if (base.vlan) id.vlan = base.vlan;
    return id;
  });
}
