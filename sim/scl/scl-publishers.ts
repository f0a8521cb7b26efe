// Publishers from SCL: the chosen GoCBs (by IED and GSEControl name) with the addresses,
// references, confRev, goID and dataset layout of the file, MinTime/MaxTime as t1/t0. Options
// given on the command line replace single fields for every chosen GoCB. Each IED gets its own
// source MAC (SCL does not carry it): the base + the IED's position among the chosen ones.
// Pure; errors name the option to fix.
import type { VlanTag } from '../../bridge/codec/types.js';
import type { ControlBlock, SclFile } from '../../bridge/scl/scl-model.js';
import { formatMac48, parseMac48 } from '../../bridge/wan/group-map.js';
import type { EntrySpec } from '../goose/dataset-spec.js';
import type { PublisherSettings } from '../goose/publisher-engine.js';
import { IdentityError } from '../core/identity-range.js';
import { deriveIdentities, type PublisherIdentity } from '../goose/publisher-identities.js';
import { datasetFromScl, SclDatasetError } from './scl-dataset.js';

export interface SclSelection {
  ieds?: string[];
  /** GSEControl names or full gocbRefs. */
  gocbs?: string[];
}

/** Fields given on the command line; each replaces the SCL's value for every chosen GoCB. */
export interface SclOverrides {
  appId?: number;
  dstMac?: string;
  vlanId?: number;
  vlanPriority?: number;
  gocbRef?: string;
  datSet?: string;
  goID?: string;
  confRev?: number;
  dataset?: EntrySpec[];
  t0Ms?: number;
  t1Ms?: number;
}

export interface SclPublisher {
  identity: PublisherIdentity;
  dataset: EntrySpec[];
  confRev: number;
  t0Ms?: number;
  t1Ms?: number;
}

/** The GOOSE control blocks chosen by IED and GoCB name; an unknown name is an error. */
export function selectGoCbs(scl: SclFile, sel: SclSelection): ControlBlock[] {
  for (const ied of sel.ieds ?? []) if (!scl.ieds.includes(ied)) throw new IdentityError('ied', `IED "${ied}" is not in the SCL file (it has: ${scl.ieds.join(', ')})`);
  const inIeds = scl.controlBlocks.filter((cb) => cb.kind === 'goose' && (sel.ieds === undefined || sel.ieds.length === 0 || sel.ieds.includes(cb.ied)));
  if (sel.gocbs === undefined || sel.gocbs.length === 0) {
    if (inIeds.length === 0) throw sel.ieds?.length ? new IdentityError('ied', `no GSEControl in IED ${sel.ieds.join(', ')}`) : new IdentityError('scl', 'no GSEControl in the SCL file');
    return inIeds;
  }
  return sel.gocbs.map((g) => {
    const hits = inIeds.filter((cb) => cb.name === g || cb.ref === g);
    if (hits.length === 0) throw new IdentityError('gocb', `GSEControl "${g}" is not among ${inIeds.map((cb) => cb.ref).join(', ') || 'no GoCB'}`);
    if (hits.length > 1) throw new IdentityError('gocb', `GSEControl "${g}" is in several IEDs (${hits.map((cb) => cb.ref).join(', ')}): give the full gocbRef or --ied`);
    return hits[0]!;
  });
}

/** True when an inconsistency of the file leaves this control block's dataset incomplete. */
export function datasetBroken(scl: SclFile, cb: ControlBlock): boolean {
  const ln0 = cb.path.slice(0, cb.path.lastIndexOf('/'));
  return scl.issues.some((i) => (i.code === 'dataset-missing' && i.path === cb.path) || (i.code === 'member-missing' && i.path.startsWith(`${ln0}/DataSet[name=${cb.datSetName}]/`)));
}

function publisherOf(scl: SclFile, cb: ControlBlock, srcMac: string, o: SclOverrides): SclPublisher {
  const a = cb.address ?? {};
  const appId = o.appId ?? a.appId;
  const dstMac = o.dstMac ?? a.mac;
  if (appId === undefined || dstMac === undefined) {
    throw new IdentityError('scl', `${cb.ref} has no ${appId === undefined ? 'APPID' : 'MAC-Address'} in the Communication section (${cb.path}); give --${appId === undefined ? 'appid' : 'dst-mac'}`);
  }
  let dataset = o.dataset;
  if (dataset === undefined) {
    if (datasetBroken(scl, cb)) throw new IdentityError('scl', `${cb.ref}: dataset ${cb.datSetName || '(none)'} does not resolve (goose-bridge scl FILE lists why); give --dataset`);
    try {
      dataset = datasetFromScl(cb.members);
    } catch (err) {
      if (err instanceof SclDatasetError) throw new IdentityError('scl', `${cb.ref}: ${err.message}`);
      throw err;
    }
  }
  let vlan: VlanTag | undefined;
  const vid = o.vlanId ?? a.vlanId;
  const pcp = o.vlanPriority ?? a.vlanPriority;
  if (vid !== undefined || pcp !== undefined) vlan = { pcp: pcp ?? 4, dei: false, vid: vid ?? 0 };
  const [identity] = deriveIdentities(
    { appId, dstMac, srcMac, gocbRef: o.gocbRef ?? cb.ref, datSet: o.datSet ?? cb.datSetRef, goID: o.goID ?? cb.appID, ...(vlan ? { vlan } : {}) },
    1,
  );
  return { identity: identity!, dataset, confRev: o.confRev ?? cb.confRev, t0Ms: o.t0Ms ?? cb.maxTimeMs, t1Ms: o.t1Ms ?? cb.minTimeMs };
}

/** One publisher per chosen GoCB, in file order, numbered 0 … N−1. */
export function sclPublishers(scl: SclFile, sel: SclSelection, overrides: SclOverrides, srcMacBase: string, cbs = selectGoCbs(scl, sel)): SclPublisher[] {
  const iedIndex = new Map<string, number>();
  for (const cb of cbs) if (!iedIndex.has(cb.ied)) iedIndex.set(cb.ied, iedIndex.size);
  return cbs.map((cb, i) => {
    const src = parseMac48(srcMacBase);
    if (src === null) throw new IdentityError('src-mac', `src-mac must be a MAC address like 02:00:00:00:00:01, got "${srcMacBase}"`);
    const p = publisherOf(scl, cb, formatMac48(src + iedIndex.get(cb.ied)!), overrides);
    p.identity.index = i;
    return p;
  });
}

/**
 * What the file leaves to chance for the chosen GoCBs, one line each: an APPID another GoCB of
 * the file also uses (published anyway, as an IED would be; a subscriber filtering on APPID
 * alone cannot tell the two apart), a MinTime/MaxTime the file does not give (and the value used
 * instead).
 */
export function sclWarnings(scl: SclFile, cbs: readonly ControlBlock[], used: { t0Ms: number; t1Ms: number }, o: SclOverrides): string[] {
  const out: string[] = [];
  for (const cb of cbs) {
    for (const i of scl.issues) {
      if (i.code === 'duplicate-appid' && o.appId === undefined && (i.path === cb.path || i.message.includes(`used by ${cb.ref} (`))) out.push(`${cb.ref}: ${i.message}; published anyway`);
    }
    if (cb.address === undefined) continue;
    if (cb.minTimeMs === undefined && o.t1Ms === undefined) out.push(`${cb.ref}: the SCL file gives no MinTime; t1 ${used.t1Ms} ms (--t1) used`);
    if (cb.maxTimeMs === undefined && o.t0Ms === undefined) out.push(`${cb.ref}: the SCL file gives no MaxTime; t0 ${used.t0Ms} ms (--t0) used`);
  }
  return out;
}

/** Engine settings of the publishers, with the schedule built from each one's t0/t1. */
export function publisherSettings(pubs: readonly SclPublisher[], schedule: (t0Ms: number | undefined, t1Ms: number | undefined) => PublisherSettings['schedule']): PublisherSettings[] {
  return pubs.map((p) => ({ dataset: p.dataset, confRev: p.confRev, schedule: schedule(p.t0Ms, p.t1Ms) }));
}
