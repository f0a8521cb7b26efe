// N simulated IEDs from one set of base values (core/identity-range.ts): publisher i (0-based) gets
//   APPID      base + i                       (must stay within the GOOSE range 0x0000–0x3FFF)
//   src MAC    base + i (48-bit addition)
//   dst MAC    base + (i mod 512), kept inside the GOOSE multicast range 01-0C-CD-01-00-00 … 01-FF
//   gocbRef, datSet, goID: "{n}" in the base is replaced by i + 1; without "{n}" and N > 1,
//   "_<i+1>" is appended (so every stream key APPID + gocbRef + src MAC is distinct).
// Pure; the subscriber derives its --expect list with the same function.
import type { VlanTag } from '../../bridge/codec/types.js';
import { deriveAddresses, named, type AddressPlan } from '../core/identity-range.js';
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

const GOOSE_ADDRESSES: AddressPlan = { unit: 'publishers', protocol: 'GOOSE', appIdFirst: 0x0000, appIdLast: 0x3fff, dstFirst: 0x010ccd010000, dstCount: 0x200 };

export function deriveIdentities(base: IdentityBase, count: number): PublisherIdentity[] {
  return deriveAddresses(GOOSE_ADDRESSES, base, count).map((a, i) => ({
    ...a,
    gocbRef: named(base.gocbRef, i, count),
    datSet: named(base.datSet, i, count),
    goID: named(base.goID, i, count),
    ...(base.vlan ? { vlan: base.vlan } : {}),
  }));
}

export function streamKeyOf(id: PublisherIdentity): StreamKey {
  return { appId: id.appId, gocbRef: id.gocbRef, src: id.src };
}
