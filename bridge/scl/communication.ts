// The Communication section: SubNetwork → ConnectedAP (iedName, apName) → GSE / SMV (ldInst,
// cbName) → Address/P (MAC-Address, APPID, VLAN-ID, VLAN-PRIORITY), MinTime, MaxTime. Values
// that cannot be read are reported as `bad-value` issues with their SCL path.
import type { SclAddress, SclIssue } from './scl-model.js';
import { childrenNamed, firstChild, type XmlElement } from './xml-tree.js';

export interface CommAddress {
  subNetwork: string;
  address: SclAddress;
  minTimeMs?: number;
  maxTimeMs?: number;
  /** SCL path of the GSE/SMV element. */
  path: string;
}

export function addressKey(kind: 'GSE' | 'SMV', ied: string, ap: string, ldInst: string, cbName: string): string {
  return `${kind}|${ied}|${ap}|${ldInst}|${cbName}`;
}

const MAC_RE = /^[0-9a-fA-F]{2}([-:][0-9a-fA-F]{2}){5}$/;
/**
 * tP_GSE's MinTime/MaxTime are tDurationInMilliSec: unit "s", multiplier fixed to "m", so a
 * file that writes neither means milliseconds. A multiplier that is written is honoured.
 */
const MS_PER_UNIT: Record<string, number> = { '': 1000, d: 100, c: 10, m: 1, u: 1e-3, n: 1e-6, k: 1e6 };

function hex(text: string, max: number): number | undefined {
  if (!/^[0-9a-fA-F]{1,8}$/.test(text)) return undefined;
  const v = parseInt(text, 16);
  return v <= max ? v : undefined;
}

function readAddress(addr: XmlElement | undefined, at: string, issues: SclIssue[]): SclAddress {
  const out: SclAddress = {};
  // the reader keeps an Address's P elements as its attributes, by type (scl-keep-policy.ts)
  for (const [type, v] of Object.entries(addr?.attrs ?? {})) {
    const path = `${at}/Address/P[type=${type}]`;
    const bad = (what: string): void => void issues.push({ code: 'bad-value', message: `${type} "${v}" is not ${what}`, path });
    if (type === 'MAC-Address') {
      if (MAC_RE.test(v)) out.mac = v.toLowerCase().replaceAll('-', ':');
      else bad('a MAC address like 01-0C-CD-01-00-01');
    } else if (type === 'APPID') {
      const n = hex(v, 0xffff);
      if (n === undefined) bad('4 hex digits');
      else out.appId = n;
    } else if (type === 'VLAN-ID') {
      const n = hex(v, 0xfff);
      if (n === undefined) bad('3 hex digits (0 … FFF)');
      else {
        out.vlanId = n;
        out.vlanIdText = v;
      }
    } else if (type === 'VLAN-PRIORITY') {
      if (/^[0-7]$/.test(v)) out.vlanPriority = Number(v);
      else bad('a digit 0 … 7');
    }
  }
  return out;
}

function readTimeMs(el: XmlElement | undefined, at: string, issues: SclIssue[]): number | undefined {
  if (el === undefined) return undefined;
  const v = Number(el.text.trim());
  const mult = MS_PER_UNIT[el.attrs.multiplier ?? 'm'];
  if (el.text.trim() === '' || !Number.isFinite(v) || v <= 0 || mult === undefined || (el.attrs.unit ?? 's') !== 's') {
    issues.push({ code: 'bad-value', message: `${el.tag} "${el.text.trim()}" (unit ${el.attrs.unit ?? '-'}, multiplier ${el.attrs.multiplier ?? '-'}) is not a positive time`, path: `${at}/${el.tag}` });
    return undefined;
  }
  return v * mult;
}

/** Every GSE/SMV address of the file, by addressKey. */
export function readCommunication(root: XmlElement, issues: SclIssue[]): { addresses: Map<string, CommAddress>; subNetworks: string[] } {
  const addresses = new Map<string, CommAddress>();
  const subNetworks: string[] = [];
  const comm = firstChild(root, 'Communication');
  for (const sn of comm ? childrenNamed(comm, 'SubNetwork') : []) {
    const snName = sn.attrs.name ?? '';
    subNetworks.push(snName);
    for (const cap of childrenNamed(sn, 'ConnectedAP')) {
      const ied = cap.attrs.iedName ?? '';
      const ap = cap.attrs.apName ?? '';
      const capPath = `SCL/Communication/SubNetwork[name=${snName}]/ConnectedAP[iedName=${ied},apName=${ap}]`;
      for (const el of cap.children) {
        if (el.tag !== 'GSE' && el.tag !== 'SMV') continue;
        const ld = el.attrs.ldInst ?? '';
        const cb = el.attrs.cbName ?? '';
        const path = `${capPath}/${el.tag}[ldInst=${ld},cbName=${cb}]`;
        const entry: CommAddress = { subNetwork: snName, address: readAddress(firstChild(el, 'Address'), path, issues), path };
        if (el.tag === 'GSE') {
          const [minEl, maxEl] = [firstChild(el, 'MinTime'), firstChild(el, 'MaxTime')];
          const absent = [minEl ? '' : 'MinTime', maxEl ? '' : 'MaxTime'].filter(Boolean);
          if (absent.length > 0) issues.push({ code: 'min-max-time-missing', message: `${ied}${ld}/LLN0$GO$${cb}: its GSE address has no ${absent.join(' and no ')} (a publisher then uses a default of its own)`, path });
          const min = readTimeMs(minEl, path, issues);
          const max = readTimeMs(maxEl, path, issues);
          if (min !== undefined) entry.minTimeMs = min;
          if (max !== undefined) entry.maxTimeMs = max;
        }
        addresses.set(addressKey(el.tag, ied, ap, ld, cb), entry);
      }
    }
  }
  return { addresses, subNetworks };
}
