// Checks across control blocks: APPIDs and destination MACs must be unique (a subscriber
// filters on them, and the bridge maps streams to groups by them) and inside the ranges of
// their EtherType (IEC 61850-8-1 / 9-2). Pure.
import { formatAppId, type ControlBlock, type SclIssue } from './scl-model.js';

const APPID_RANGE = { goose: [0x0000, 0x3fff], sv: [0x4000, 0x7fff] } as const;
const MAC_PREFIX = { goose: '01:0c:cd:01:', sv: '01:0c:cd:04:' } as const;


function duplicates(cbs: ControlBlock[], keyOf: (cb: ControlBlock) => string | undefined, describe: (key: string) => string, code: 'duplicate-appid' | 'duplicate-mac'): SclIssue[] {
  const seen = new Map<string, ControlBlock>();
  const out: SclIssue[] = [];
  for (const cb of cbs) {
    const key = keyOf(cb);
    if (key === undefined) continue;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, cb);
    else out.push({ code, message: `${describe(key)} of ${cb.ref} is already used by ${first.ref} (${first.path})`, path: cb.path });
  }
  return out;
}

export function checkAddresses(cbs: ControlBlock[]): SclIssue[] {
  const issues: SclIssue[] = [];
  for (const cb of cbs) {
    const a = cb.address;
    if (a?.appId !== undefined) {
      const [lo, hi] = APPID_RANGE[cb.kind];
      if (a.appId < lo || a.appId > hi) {
        issues.push({ code: 'appid-range', message: `${cb.ref}: APPID ${formatAppId(a.appId)} is outside the ${cb.kind === 'goose' ? 'GOOSE' : 'SV'} range ${formatAppId(lo)}–${formatAppId(hi)}`, path: cb.path });
      }
    }
    if (a?.mac !== undefined && !a.mac.startsWith(MAC_PREFIX[cb.kind])) {
      issues.push({ code: 'mac-range', message: `${cb.ref}: MAC ${a.mac} is outside the ${cb.kind === 'goose' ? 'GOOSE' : 'SV'} range ${MAC_PREFIX[cb.kind]}xx:xx`, path: cb.path });
    }
  }
  issues.push(
    ...duplicates(cbs, (cb) => (cb.address?.appId === undefined ? undefined : `${cb.kind}|${cb.address.appId}`), (k) => `APPID ${formatAppId(Number(k.split('|')[1]))}`, 'duplicate-appid'),
    ...duplicates(cbs, (cb) => cb.address?.mac, (k) => `MAC ${k}`, 'duplicate-mac'),
  );
  return issues;
}
