// A merging unit from an SCL SampledValueControl: the SMV address (APPID, destination MAC, VLAN
// id and priority), smvID as svID, datSet, confRev, the sample rate from smpRate and smpMod,
// nofASDU as ASDUs per frame, and the optional ASDU fields SmvOpts asks for (datSet, smpRate).
// The unit samples the three-phase model of sv-model.ts, so the control block's dataset must be
// IEC 61850-9-2LE's 8 × (INT32, Quality): IA IB IC IN VA VB VC VN. Options given on the command
// line replace single fields. Pure; errors name the option that fills the gap.
import type { VlanTag } from '../../bridge/codec/types.js';
import type { ControlBlock, SclFile, SclType } from '../../bridge/scl/scl-model.js';
import { IdentityError } from '../core/identity-range.js';
import { datasetBroken } from './scl-publishers.js';
import type { SvIdentityBase } from '../sv/sv-identities.js';
import { SV_CHANNELS } from '../sv/sv-model.js';

export interface SclSvSelection {
  ieds?: string[];
  /** SampledValueControl name or full svcbRef. */
  svcb?: string;
}

/** Fields given on the command line; each replaces the file's value. */
export interface SclSvOverrides {
  appId?: number;
  dstMac?: string;
  vlanId?: number;
  vlanPriority?: number;
  svID?: string;
  confRev?: number;
  asdus?: number;
  samplesPerSecond?: number;
}

export interface SclSvStream {
  cb: ControlBlock;
  /** Identity of the unit, srcMac left to the caller (SCL does not carry it). */
  identity: Omit<SvIdentityBase, 'srcMac'>;
  confRev: number;
  samplesPerSecond: number;
  asdusPerFrame: number;
  /** Optional ASDU fields SmvOpts asks for. */
  datSet?: string;
  smpRate?: number;
  /** What the file leaves to chance or asks for that is not simulated. */
  warnings: string[];
}

/** The one SampledValueControl chosen by IED and name; an unknown or ambiguous one is an error. */
export function selectSvCb(scl: SclFile, sel: SclSvSelection): ControlBlock {
  for (const ied of sel.ieds ?? []) if (!scl.ieds.includes(ied)) throw new IdentityError('ied', `IED "${ied}" is not in the SCL file (it has: ${scl.ieds.join(', ')})`);
  const inIeds = scl.controlBlocks.filter((cb) => cb.kind === 'sv' && (!sel.ieds?.length || sel.ieds.includes(cb.ied)));
  const hits = sel.svcb === undefined ? inIeds : inIeds.filter((cb) => cb.name === sel.svcb || cb.ref === sel.svcb);
  const among = inIeds.map((cb) => cb.ref).join(', ');
  if (hits.length === 0) {
    if (sel.svcb !== undefined) throw new IdentityError('svcb', `SampledValueControl "${sel.svcb}" is not among ${among || 'no SVCB'}`);
    throw sel.ieds?.length ? new IdentityError('ied', `no SampledValueControl in IED ${sel.ieds.join(', ')}`) : new IdentityError('scl', 'no SampledValueControl in the SCL file');
  }
  if (hits.length > 1) throw new IdentityError('svcb', `${sel.svcb === undefined ? 'the file has several SampledValueControls' : `"${sel.svcb}" is in several IEDs`} (${hits.map((cb) => cb.ref).join(', ')}): choose one with --svcb (name or full svcbRef) and --ied`);
  return hits[0]!;
}

function leaves(t: SclType): string[] {
  if (t.kind === 'struct') return t.members.flatMap((m) => leaves(m.type));
  return [t.kind === 'enum' ? 'Enum' : t.bType];
}

const LE_TYPES = SV_CHANNELS.flatMap(() => ['INT32', 'Quality']).join(',');

function checkDataset(scl: SclFile, cb: ControlBlock): void {
  if (datasetBroken(scl, cb)) throw new IdentityError('scl', `${cb.ref}: dataset ${cb.datSetName || '(none)'} does not resolve (goose-bridge scl FILE lists why)`);
  const types = cb.members.flatMap((m) => leaves(m.type)).join(',');
  if (types !== LE_TYPES) {
    throw new IdentityError('scl', `${cb.ref}: dataset ${cb.datSetName} is ${types || 'empty'}; sv-publisher sends IEC 61850-9-2LE's 8 × (INT32, Quality) (${SV_CHANNELS.join(' ')})`);
  }
}

/** Samples per second from smpRate and smpMod; undefined when the file gives no smpRate. */
function rateOf(cb: ControlBlock, nominalHz: number): number | undefined {
  const sv = cb.sv!;
  if (sv.smpRate === undefined) return undefined;
  if (sv.smpMod === 'SecPerSmp') throw new IdentityError('scl', `${cb.ref}: smpMod SecPerSmp (seconds per sample) is not simulated; give --samples-per-cycle`);
  const rate = sv.smpMod === 'SmpPerSec' ? sv.smpRate : sv.smpRate * nominalHz;
  if (!Number.isInteger(rate) || rate < 1 || rate > 65_535) throw new IdentityError('scl', `${cb.ref}: smpRate ${sv.smpRate} (${sv.smpMod}) gives ${rate} samples/s, not 1 … 65535 (smpCnt is 16 bits)`);
  return rate;
}

/**
 * @param nominalHz the power system's nominal frequency (smpMod SmpPerPeriod counts per period)
 * @param defaults the rate and ASDUs per frame used when the file gives none
 */
export function svStreamFromScl(scl: SclFile, cb: ControlBlock, nominalHz: number, o: SclSvOverrides, defaults: { samplesPerSecond: number; asdus: number }): SclSvStream {
  const warnings: string[] = [];
  const a = cb.address ?? {};
  const appId = o.appId ?? a.appId;
  const dstMac = o.dstMac ?? a.mac;
  if (appId === undefined || dstMac === undefined) {
    throw new IdentityError('scl', `${cb.ref} has no ${appId === undefined ? 'APPID' : 'MAC-Address'} in the Communication section (${cb.path}); give --${appId === undefined ? 'appid' : 'dst-mac'}`);
  }
  checkDataset(scl, cb);
  const sv = cb.sv!;
  let samplesPerSecond = o.samplesPerSecond ?? rateOf(cb, nominalHz);
  if (samplesPerSecond === undefined) {
    samplesPerSecond = defaults.samplesPerSecond;
    warnings.push(`${cb.ref}: the SCL file gives no smpRate; ${samplesPerSecond} samples/s (--samples-per-cycle × --nominal) used`);
  }
  let asdusPerFrame = o.asdus ?? sv.nofASDU;
  if (asdusPerFrame === undefined) {
    asdusPerFrame = defaults.asdus;
    warnings.push(`${cb.ref}: the SCL file gives no nofASDU; ${asdusPerFrame} ASDU(s) per frame (--asdus) used`);
  }
  if (asdusPerFrame < 1 || asdusPerFrame > 16) throw new IdentityError('asdus', `${cb.ref}: nofASDU ${asdusPerFrame} is not 1 … 16`);
  if (sv.opts.refreshTime) warnings.push(`${cb.ref}: SmvOpts refreshTime is set; refrTm is not sent by the simulator`);
  if (sv.opts.security) warnings.push(`${cb.ref}: SmvOpts security is set; the simulator sends no security extension`);
  let vlan: VlanTag | undefined;
  const vid = o.vlanId ?? a.vlanId;
  const pcp = o.vlanPriority ?? a.vlanPriority;
  if (vid !== undefined || pcp !== undefined) vlan = { pcp: pcp ?? 4, dei: false, vid: vid ?? 0 };
  const stream: SclSvStream = {
    cb,
    identity: { appId, dstMac, svID: o.svID ?? cb.appID, ...(vlan ? { vlan } : {}) },
    confRev: o.confRev ?? cb.confRev,
    samplesPerSecond,
    asdusPerFrame,
    warnings,
  };
  if (sv.opts.dataSet) stream.datSet = cb.datSetRef;
  if (sv.opts.sampleRate) stream.smpRate = sv.smpMod === 'SmpPerSec' ? samplesPerSecond : Math.round(samplesPerSecond / nominalHz);
  return stream;
}
