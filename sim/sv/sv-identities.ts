// N merging units from one set of base values (core/identity-range.ts, as for GOOSE publishers):
// unit i (0-based) gets APPID base + i (SV range 0x4000–0x7FFF), source MAC base + i,
// destination MAC base + i kept inside the SV multicast range 01-0C-CD-04-00-00 … 01-FF, and
// svID with "{n}" replaced by i + 1 (or "_<i+1>" appended when N > 1). Pure.
import type { VlanTag } from '../../bridge/codec/types.js';
import { deriveAddresses, IdentityError, named, type AddressPlan } from '../core/identity-range.js';
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

const SV_ADDRESSES: AddressPlan = { unit: 'streams', protocol: 'SV', appIdFirst: 0x4000, appIdLast: 0x7fff, dstFirst: 0x010ccd040000, dstCount: 0x200 };

export function deriveSvIdentities(base: SvIdentityBase, count: number): SvStreamIdentity[] {
  return deriveAddresses(SV_ADDRESSES, base, count).map((a, i) => {
    const svID = named(base.svID, i, count);
    if (!/^[\x20-\x7e]{1,129}$/.test(svID)) throw new IdentityError('sv-id', `svID must be 1 … 129 printable ASCII characters, got "${svID}"`);
    return { ...a, svID, ...(base.vlan ? { vlan: base.vlan } : {}) };
  });
}
