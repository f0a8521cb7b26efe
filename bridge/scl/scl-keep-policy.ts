// What the SCL reader keeps of a file while it streams through it, in two passes: first the
// Communication section's GSE/SMV addresses (an Address's P elements folded into attributes) and
// the DataTypeTemplates; then one IED at a time, resolved and let go as it closes: its LDevices'
// LLN0 (datasets named by a control block, the GSEControl and SampledValueControl elements) and
// the logical nodes an FCDA refers to. Instance values, substation topology, reports, logs,
// private data and everything else are parsed and dropped. A DataSet no control block names is
// dropped when its LLN0 closes, a logical node no FCDA names when its Server closes, so memory
// follows the model and not the file: the tree never holds more than the context and one IED.
import { subtreeSize, type KeepPolicy, type XmlElement } from './xml-tree.js';

export class SclFormatError extends Error {
  override readonly name = 'SclFormatError';
}

/** Child elements kept, by the kept parent's name. */
const KEPT_CHILDREN: Record<string, ReadonlySet<string>> = Object.fromEntries(
  Object.entries({
    Communication: ['SubNetwork'],
    SubNetwork: ['ConnectedAP'],
    ConnectedAP: ['GSE', 'SMV'],
    GSE: ['Address', 'MinTime', 'MaxTime'],
    SMV: ['Address'],
    Address: ['P'],
    IED: ['AccessPoint'],
    AccessPoint: ['Server'],
    Server: ['LDevice'],
    LDevice: ['LN0', 'LN'],
    LN0: ['DataSet', 'GSEControl', 'SampledValueControl'],
    DataSet: ['FCDA'],
    SampledValueControl: ['SmvOpts'],
    DataTypeTemplates: ['LNodeType', 'DOType', 'DAType', 'EnumType'],
    LNodeType: ['DO'],
    DOType: ['DA', 'SDO', 'DO'],
    DAType: ['BDA'],
    // only the first EnumVal is read (a simulated IED's starting value)
    EnumType: ['EnumVal'],
  }).map(([parent, tags]) => [parent, new Set(tags)]),
);

const TEXT_KEPT: ReadonlySet<string> = new Set(['P', 'MinTime', 'MaxTime']);

export function lnKey(ldInst: string | undefined, prefix: string | undefined, lnClass: string | undefined, inst: string | undefined): string {
  return `${ldInst ?? ''}|${prefix ?? ''}|${lnClass ?? ''}|${inst ?? ''}`;
}

/** A GSE/SMV Address's P elements become its attributes, by type (`{ APPID: '0021', … }`): four elements fewer per address. */
function foldParameters(address: XmlElement): number {
  const params: Record<string, string> = {};
  for (const p of address.children) if (p.attrs.type !== undefined) params[p.attrs.type] = p.text.trim();
  const dropped = address.children.length;
  address.attrs = params;
  address.children = [];
  return dropped;
}

/** Drops the DataSets no control block of this LLN0 names; returns how many elements went. */
function pruneLn0(ln0: XmlElement): number {
  const named = new Set(ln0.children.filter((c) => c.tag !== 'DataSet').map((c) => c.attrs.datSet));
  let dropped = 0;
  ln0.children = ln0.children.filter((c) => {
    const keep = c.tag !== 'DataSet' || named.has(c.attrs.name);
    if (!keep) dropped += subtreeSize(c);
    return keep;
  });
  return dropped;
}

/** Drops the LNs (not LLN0) no FCDA of this server names; returns how many went. */
function pruneServer(server: XmlElement): number {
  const named = new Set<string>();
  for (const ld of server.children) {
    for (const ds of ld.children.find((c) => c.tag === 'LN0')?.children ?? []) {
      for (const f of ds.tag === 'DataSet' ? ds.children : []) named.add(lnKey(f.attrs.ldInst, f.attrs.prefix, f.attrs.lnClass, f.attrs.lnInst));
    }
  }
  let dropped = 0;
  for (const ld of server.children) {
    const before = ld.children.length;
    ld.children = ld.children.filter((c) => c.tag !== 'LN' || named.has(lnKey(ld.attrs.inst, c.attrs.prefix, c.attrs.lnClass, c.attrs.inst)));
    dropped += before - ld.children.length;
  }
  return dropped;
}

/**
 * What a pass keeps. `context`: the Communication section and the DataTypeTemplates, which every
 * IED's control blocks are resolved against. `ieds`: each IED, handed to `onIed` when it closes
 * (resolved, then let go: its elements no longer count as kept).
 */
export function sclKeepPolicy(pass: 'context' | 'ieds', onIed: (ied: XmlElement) => void = () => undefined): KeepPolicy {
  const topLevel: ReadonlySet<string> = new Set(pass === 'context' ? ['Communication', 'DataTypeTemplates'] : ['IED']);
  return {
    root(tag) {
      if (tag !== 'SCL') throw new SclFormatError(`the root element is <${tag}>, not <SCL>: not an SCL file`);
    },
    keep(parent, tag) {
      if (parent.tag === 'SCL') return topLevel.has(tag);
      if (!KEPT_CHILDREN[parent.tag]?.has(tag)) return false;
      return parent.tag !== 'EnumType' || parent.children.length === 0;
    },
    keepText: (tag) => TEXT_KEPT.has(tag),
    closed(el) {
      if (el.tag === 'Address') return foldParameters(el);
      if (el.tag === 'LN0') return pruneLn0(el);
      if (el.tag === 'Server') return pruneServer(el);
      if (el.tag !== 'IED' || pass !== 'ieds') return 0;
      onIed(el);
      const dropped = subtreeSize(el) - 1;
      el.children = [];
      return dropped;
    },
  };
}
