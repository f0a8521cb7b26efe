// Reads an SCL file (SCD, CID, ICD; editions 2003 and 2007) in two streaming passes, keeping only
// what the model needs (scl-keep-policy.ts), and resolves every GSEControl and SampledValueControl of every IED and access point: its
// Communication-section address, its dataset and each FCDA's type through the
// DataTypeTemplates. What cannot be resolved becomes an issue with its SCL path; the reader
// itself only fails on a file that is not XML or not SCL. Pure (text in, model out).
import { addressKey, readCommunication, type CommAddress } from './communication.js';
import { checkAddresses } from './scl-checks.js';
import type { ControlBlock, DatasetMember, SclFile, SclIssue, SvAttributes } from './scl-model.js';
import { MissingMember, TypeTemplates } from './type-templates.js';
import { lnKey, sclKeepPolicy } from './scl-keep-policy.js';
import { DEFAULT_SCL_LIMITS } from './scl-limits.js';
import { childrenNamed, firstChild, XmlTreeBuilder, type XmlElement, type XmlLimits } from './xml-tree.js';

export { SclFormatError } from './scl-keep-policy.js';

/** An LDevice of a server: its logical nodes' lnType by `prefix|lnClass|inst`, and its LLN0. */
interface LDeviceIndex {
  lns: Map<string, string>;
  ln0: XmlElement | undefined;
  path: string;
}

function indexServer(server: XmlElement, apPath: string): Map<string, LDeviceIndex> {
  const out = new Map<string, LDeviceIndex>();
  for (const ld of childrenNamed(server, 'LDevice')) {
    const lns = new Map<string, string>();
    const ln0 = firstChild(ld, 'LN0');
    if (ln0) lns.set(lnKey('', '', 'LLN0', ''), ln0.attrs.lnType ?? '');
    for (const ln of childrenNamed(ld, 'LN')) lns.set(lnKey('', ln.attrs.prefix, ln.attrs.lnClass, ln.attrs.inst), ln.attrs.lnType ?? '');
    out.set(ld.attrs.inst ?? '', { lns, ln0, path: `${apPath}/Server/LDevice[inst=${ld.attrs.inst ?? ''}]` });
  }
  return out;
}

/** One flat string: a large SCD has ~0.3 M members, and a string built from a dozen pieces costs a dozen links until flattened. */
function fcdaRef(f: Record<string, string>): string {
  return [f.ldInst ?? '', '/', f.prefix ?? '', f.lnClass ?? '', f.lnInst ?? '', '.', f.doName ?? '', f.daName ? `.${f.daName}` : '', ' [', f.fc ?? '', ']'].join('');
}

function resolveMembers(dataSet: XmlElement, dsPath: string, lds: Map<string, LDeviceIndex>, templates: TypeTemplates, issues: SclIssue[]): DatasetMember[] {
  const members: DatasetMember[] = [];
  childrenNamed(dataSet, 'FCDA').forEach((fcda, i) => {
    const f = fcda.attrs;
    const path = `${dsPath}/FCDA[${i + 1}]`;
    const ref = fcdaRef(f);
    const ld = lds.get(f.ldInst ?? '');
    const lnType = ld?.lns.get(lnKey('', f.prefix, f.lnClass, f.lnInst));
    try {
      if (ld === undefined) throw new MissingMember(`LDevice "${f.ldInst ?? ''}" is not in this access point's server`, path);
      if (lnType === undefined) throw new MissingMember(`LN ${f.prefix ?? ''}${f.lnClass ?? ''}${f.lnInst ?? ''} is not in LDevice "${f.ldInst ?? ''}"`, path);
      if (!f.doName || !f.fc) throw new MissingMember('the FCDA has no doName or no fc', path);
      members.push({ ref, fc: f.fc, type: templates.resolve(lnType, f.doName, f.daName ?? '', f.fc), fcda: i + 1 });
    } catch (err) {
      if (!(err instanceof MissingMember)) throw err;
      issues.push({ code: 'member-missing', message: `${ref}: ${err.message}${err.path === path ? '' : ` (at ${err.path})`}`, path });
    }
  });
  return members;
}

function intAttr(el: XmlElement, name: string, fallback: number, path: string, issues: SclIssue[]): number {
  const v = el.attrs[name];
  if (v === undefined) return fallback;
  if (/^\d{1,10}$/.test(v) && Number(v) <= 0xffffffff) return Number(v);
  issues.push({ code: 'bad-value', message: `${name} "${v}" is not a whole number 0 … 4294967295`, path });
  return fallback;
}

const SMP_MODS: readonly SvAttributes['smpMod'][] = ['SmpPerPeriod', 'SmpPerSec', 'SecPerSmp'];

/** A SampledValueControl's sampling attributes and its SmvOpts (which optional ASDU fields are sent). */
function svAttributes(el: XmlElement, path: string, issues: SclIssue[]): SvAttributes {
  const mod = el.attrs.smpMod ?? 'SmpPerPeriod';
  const opts = firstChild(el, 'SmvOpts')?.attrs ?? {};
  const sv: SvAttributes = {
    smpMod: SMP_MODS.find((m) => m === mod) ?? 'SmpPerPeriod',
    multicast: el.attrs.multicast !== 'false',
    opts: {
      refreshTime: opts.refreshTime === 'true',
      sampleSynchronized: opts.sampleSynchronized === 'true',
      sampleRate: opts.sampleRate === 'true',
      dataSet: opts.dataSet === 'true',
      security: opts.security === 'true',
    },
  };
  if (!SMP_MODS.includes(mod as SvAttributes['smpMod'])) issues.push({ code: 'bad-value', message: `smpMod "${mod}" is not one of ${SMP_MODS.join(', ')}`, path });
  if (el.attrs.smpRate !== undefined) sv.smpRate = intAttr(el, 'smpRate', 0, path, issues);
  if (el.attrs.nofASDU !== undefined) sv.nofASDU = intAttr(el, 'nofASDU', 1, path, issues);
  return sv;
}

function controlBlock(
  el: XmlElement,
  ctx: { ied: string; ap: string; ldInst: string; ldPath: string; ln0: XmlElement; lds: Map<string, LDeviceIndex>; templates: TypeTemplates; addresses: Map<string, CommAddress> },
  issues: SclIssue[],
): ControlBlock {
  const kind = el.tag === 'GSEControl' ? 'goose' : 'sv';
  const name = el.attrs.name ?? '';
  const path = `${ctx.ldPath}/LN0/${el.tag}[name=${name}]`;
  const prefix = `${ctx.ied}${ctx.ldInst}/LLN0`;
  const svTag = el.attrs.multicast === 'false' ? 'US' : 'MS';
  const datSetName = el.attrs.datSet ?? '';
  const cb: ControlBlock = {
    kind,
    ied: ctx.ied,
    accessPoint: ctx.ap,
    ldInst: ctx.ldInst,
    name,
    ref: `${prefix}$${kind === 'goose' ? 'GO' : svTag}$${name}`,
    datSetName,
    datSetRef: datSetName ? `${prefix}$${datSetName}` : '',
    appID: (kind === 'goose' ? el.attrs.appID : el.attrs.smvID) ?? '',
    // the 2003 schema's default; 2007 files carry confRev explicitly
    confRev: intAttr(el, 'confRev', 0, path, issues),
    members: [],
    path,
  };
  if (kind === 'sv') cb.sv = svAttributes(el, path, issues);
  const dataSet = childrenNamed(ctx.ln0, 'DataSet').find((d) => d.attrs.name === datSetName);
  if (dataSet === undefined) {
    issues.push({ code: 'dataset-missing', message: `${cb.ref}: datSet "${datSetName}" is not a DataSet of ${ctx.ied} ${ctx.ldInst}/LLN0`, path });
  } else {
    cb.members = resolveMembers(dataSet, `${ctx.ldPath}/LN0/DataSet[name=${datSetName}]`, ctx.lds, ctx.templates, issues);
  }
  const comm = ctx.addresses.get(addressKey(kind === 'goose' ? 'GSE' : 'SMV', ctx.ied, ctx.ap, ctx.ldInst, name));
  if (comm === undefined) {
    issues.push({ code: 'address-missing', message: `${cb.ref}: no ${kind === 'goose' ? 'GSE' : 'SMV'} element for ${ctx.ied}/${ctx.ap} ${ctx.ldInst}/${name} in the Communication section`, path });
  } else {
    cb.subNetwork = comm.subNetwork;
    cb.address = comm.address;
    if (comm.minTimeMs !== undefined) cb.minTimeMs = comm.minTimeMs;
    if (comm.maxTimeMs !== undefined) cb.maxTimeMs = comm.maxTimeMs;
  }
  return cb;
}

/** Hands the document to `sink` in pieces; called once per pass. */
export type SclSource = (sink: (piece: string) => void) => void;

/**
 * Reads and resolves an SCL document in two streaming passes (scl-keep-policy.ts): memory holds
 * the Communication section, the DataTypeTemplates, the model and one IED's elements at a time.
 */
export function readSclFrom(source: SclSource, limits: XmlLimits = DEFAULT_SCL_LIMITS): SclFile {
  const first = new XmlTreeBuilder(sclKeepPolicy('context'), limits);
  source((piece) => first.write(piece));
  const resolver = new SclResolver(first.close());
  const second = new XmlTreeBuilder(
    sclKeepPolicy('ieds', (ied) => resolver.ied(ied)),
    limits,
  );
  source((piece) => second.write(piece));
  return resolver.finish(second.close());
}

/** Reads and resolves a whole SCL document. */
export function readScl(text: string, limits: XmlLimits = DEFAULT_SCL_LIMITS): SclFile {
  return readSclFrom((sink) => sink(text), limits);
}

/** Resolves each IED's control blocks against the context (Communication, DataTypeTemplates) as the IED is read. */
class SclResolver {
  private readonly issues: SclIssue[] = [];
  private readonly templates: TypeTemplates;
  private readonly addresses: Map<string, CommAddress>;
  private readonly subNetworks: string[];
  private readonly controlBlocks: ControlBlock[] = [];
  private readonly ieds: string[] = [];

  constructor(context: XmlElement) {
    this.templates = new TypeTemplates(firstChild(context, 'DataTypeTemplates'));
    ({ addresses: this.addresses, subNetworks: this.subNetworks } = readCommunication(context, this.issues));
  }

  ied(ied: XmlElement): void {
    const iedName = ied.attrs.name ?? '';
    this.ieds.push(iedName);
    for (const ap of childrenNamed(ied, 'AccessPoint')) {
      const apName = ap.attrs.name ?? '';
      const apPath = `SCL/IED[name=${iedName}]/AccessPoint[name=${apName}]`;
      const server = firstChild(ap, 'Server');
      if (server === undefined) continue;
      const lds = indexServer(server, apPath);
      for (const [ldInst, ld] of lds) {
        if (ld.ln0 === undefined) continue;
        for (const el of ld.ln0.children) {
          if (el.tag !== 'GSEControl' && el.tag !== 'SampledValueControl') continue;
          const ctx = { ied: iedName, ap: apName, ldInst, ldPath: ld.path, ln0: ld.ln0, lds, templates: this.templates, addresses: this.addresses };
          this.controlBlocks.push(controlBlock(el, ctx, this.issues));
        }
      }
    }
  }

  finish(root: XmlElement): SclFile {
    const { issues, ieds, subNetworks, controlBlocks } = this;
    issues.push(...checkAddresses(controlBlocks));
    // 2003-edition files carry no version; the listing says so rather than guessing
    return { edition: root.attrs.version === undefined ? '' : `${root.attrs.version}${root.attrs.revision ?? ''}`, ieds, subNetworks, controlBlocks, issues };
  }
}
