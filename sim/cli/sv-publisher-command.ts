// `goose-bridge sim sv-publisher`: N IEC 61850-9-2LE merging units sampling a three-phase model,
// or the one unit an SCL file's SampledValueControl describes (--scl; options typed here replace
// single fields), live on an interface or into a pcap in virtual time. Parses and validates (a
// bad value stops start-up naming the option, exit 2), runs, prints the summary (stderr; --json
// to stdout).
import { Command, Option } from 'commander';
import type { PublisherOutput } from '../core/real-time-loop.js';
import { DEFAULT_SV_IDENTITY, deriveSvIdentities } from '../sv/sv-identities.js';
import { DEFAULT_SV_MODEL, parseAngles, parseHarmonics, SvModelError, validateModel, type SvModelConfig } from '../sv/sv-model.js';
import type { SvEngineConfig } from '../sv/sv-publisher-engine.js';
import { formatSvPublisherSummary, runSvPublisher } from '../sv/sv-publisher-runner.js';
import { addVlanOptions, asConfigError, int, named, num, publisherOutput, runPublisherCommand, SimConfigError, typedAddressOverrides, typedOptions, typedPicker, vlanOption } from './sim-options.js';
import { loadSclForSim } from './scl-publisher-options.js';
import { selectSvCb, svStreamFromScl, type SclSvOverrides, type SclSvStream } from '../scl/scl-sv-publisher.js';

interface SvPublisherOpts {
  interface?: string;
  pcap?: string;
  startTime?: string;
  streams: number;
  appid: number;
  dstMac: string;
  srcMac: string;
  svId: string;
  vlanId?: number;
  vlanPriority?: number;
  confRev: number;
  smpSynch: number;
  quality: number;
  nominal: string;
  samplesPerCycle: string;
  asdus?: number;
  frequency?: number;
  voltage: number;
  current: number;
  voltageAngles: string;
  currentLag: number;
  harmonics: string;
  faultAt?: number;
  faultPhases: string;
  faultCurrent: number;
  faultVoltage: number;
  faultLag: number;
  duration?: number;
  count?: number;
  rtPriority?: number;
  json: boolean;
  scl?: string;
  ied?: string[];
  svcb?: string;
}

/** Options that cannot be combined with --scl (the file defines one unit). */
const NOT_WITH_SCL = ['streams'];

/** The unit of the chosen SampledValueControl, warnings on `warn`. */
function sclStream(o: SvPublisherOpts, given: ReadonlySet<string>, warn: (line: string) => unknown): SclSvStream {
  for (const k of NOT_WITH_SCL) if (given.has(k)) throw new SimConfigError(k, `does not apply with --scl (the file defines one merging unit)`);
  const pick = typedPicker(o, given);
  const overrides: SclSvOverrides = {
    ...typedAddressOverrides(o, given),
    svID: pick('svId'),
    confRev: pick('confRev'),
    asdus: pick('asdus'),
    samplesPerSecond: given.has('samplesPerCycle') ? Number(o.samplesPerCycle) * Number(o.nominal) : undefined,
  };
  const stream = named('scl', () => {
    const scl = loadSclForSim(o.scl!);
    const cb = selectSvCb(scl, { ieds: o.ied, svcb: o.svcb });
    return svStreamFromScl(scl, cb, Number(o.nominal), overrides, { samplesPerSecond: Number(o.samplesPerCycle) * Number(o.nominal), asdus: defaultAsdus(o) });
  });
  for (const w of stream.warnings) warn(`sim sv-publisher: warning: ${w}\n`);
  return stream;
}

/** 9-2LE: 80 samples/cycle one ASDU per frame, 256 samples/cycle eight. */
function defaultAsdus(o: SvPublisherOpts): number {
  return o.asdus ?? (o.samplesPerCycle === '256' ? 8 : 1);
}

function model(o: SvPublisherOpts, rate: number): SvModelConfig {
  try {
    const m: SvModelConfig = {
      frequencyHz: o.frequency ?? Number(o.nominal),
      voltageRmsV: o.voltage,
      currentRmsA: o.current,
      voltageAnglesDeg: parseAngles(o.voltageAngles),
      currentLagDeg: o.currentLag,
      harmonics: parseHarmonics(o.harmonics),
    };
    if (o.faultAt !== undefined) {
      m.fault = { atS: o.faultAt, phases: o.faultPhases.toUpperCase(), currentRmsA: o.faultCurrent, voltageRmsV: o.faultVoltage, currentLagDeg: o.faultLag };
    }
    validateModel(m, rate);
    return m;
  } catch (err) {
    if (err instanceof SvModelError) throw new SimConfigError(err.key, err.message.replace(`--${err.key}: `, ''));
    throw err;
  }
}

/**
 * Validated engine configuration and output from the options. `given`: the options typed on the
 * command line (with --scl only those replace the file's values); warnings of --scl go to `warn`.
 */
export function svPublisherConfig(o: SvPublisherOpts, given: ReadonlySet<string> = new Set(), warn = (line: string): unknown => process.stderr.write(line)): { engine: SvEngineConfig; output: PublisherOutput } {
  const output = publisherOutput(o, true);
  if (o.scl === undefined && (o.ied !== undefined || o.svcb !== undefined)) throw new SimConfigError(o.ied ? 'ied' : 'svcb', 'only applies with --scl');
  const fromScl = o.scl === undefined ? undefined : sclStream(o, given, warn);
  const rate = fromScl?.samplesPerSecond ?? Number(o.samplesPerCycle) * Number(o.nominal);
  const asdus = fromScl?.asdusPerFrame ?? defaultAsdus(o);
  const vlan = vlanOption(o);
  const base = fromScl ? { ...fromScl.identity, srcMac: o.srcMac } : { appId: o.appid, dstMac: o.dstMac, srcMac: o.srcMac, svID: o.svId, ...(vlan ? { vlan } : {}) };
  const streams = named('streams', () => deriveSvIdentities(base, fromScl ? 1 : o.streams));
  const engine: SvEngineConfig = {
    streams,
    samplesPerSecond: rate,
    asdusPerFrame: asdus,
    ...(fromScl?.datSet !== undefined ? { datSet: fromScl.datSet } : {}),
    ...(fromScl?.smpRate !== undefined ? { smpRate: fromScl.smpRate } : {}),
    confRev: fromScl?.confRev ?? o.confRev,
    smpSynch: o.smpSynch,
    quality: o.quality,
    model: model(o, rate),
  };
  if (o.duration !== undefined) engine.durationUs = Math.round(o.duration * 1e6);
  if (o.count !== undefined) engine.countPerStream = o.count;
  return { engine, output };
}

export function registerSvPublisher(sim: Command): void {
  const cmd = sim
    .command('sv-publisher')
    .description(
      'simulate N IEC 61850-9-2LE merging units (Sampled Values): svID, smpCnt wrapping at the sample rate, confRev, smpSynch,\n' +
        '8 × (INT32 value, quality) = IA IB IC IN (1 mA/LSB) VA VB VC VN (10 mV/LSB) from a three-phase model.\n' +
        'Units share one sample grid: smpCnt 0 at every whole second (CLOCK_MONOTONIC live; the --start-time second in a pcap).',
    )
    .option('-i, --interface <if>', 'send raw frames on this interface (needs root / CAP_NET_RAW)')
    .option('--pcap <file>', 'write frames to a pcap instead, in virtual time (exact sample times), no root')
    .option('--start-time <iso>', 'with --pcap: wall-clock second of the first sample (default: now, whole second)')
    .option('--streams <n>', 'number of merging units', int('streams', 1, 512), 1)
    .addOption(new Option('--appid <n>', 'APPID of unit 1; unit i gets APPID + i − 1').argParser(int('appid', 0x4000, 0x7fff)).default(DEFAULT_SV_IDENTITY.appId, '0x4000'))
    .option('--dst-mac <mac>', 'destination multicast MAC of unit 1 (+ i − 1 within 01:0c:cd:04:00:00 … 01:ff)', DEFAULT_SV_IDENTITY.dstMac)
    .option('--src-mac <mac>', 'source MAC of unit 1; unit i gets + i − 1', DEFAULT_SV_IDENTITY.srcMac)
    .option('--sv-id <id>', 'svID; "{n}" becomes the unit number, else "_<n>" is appended when N > 1', DEFAULT_SV_IDENTITY.svID);
  addVlanOptions(cmd)
    .option('--conf-rev <n>', 'confRev', int('conf-rev', 0, 0xffffffff), 1)
    .option('--smp-synch <0|1|2>', 'smpSynch: 0 none, 1 local clock, 2 global (PPS/PTP)', int('smp-synch', 0, 255), 1)
    .option('--quality <n>', 'quality of every channel (hex with 0x; 0 = good, 0x1 invalid, 0x3 questionable, 0x800 test)', int('quality', 0, 0xffffffff), 0)
    .addOption(new Option('--nominal <hz>', 'nominal frequency: sets the sample rate').choices(['50', '60']).default('50'))
    .addOption(new Option('--samples-per-cycle <n>', '80 (protection, 1 ASDU/frame) or 256 (metering, 8 ASDUs/frame)').choices(['80', '256']).default('80'))
    .option('--asdus <n>', 'ASDUs per frame (default 1 at 80, 8 at 256 samples/cycle)', int('asdus', 1, 16))
    .option('--frequency <hz>', 'signal frequency (default: the nominal)', num('frequency', 0, 10_000, true))
    .option('--voltage <V>', 'phase-to-neutral voltage, V rms', num('voltage', 0, 1e6), DEFAULT_SV_MODEL.voltageRmsV)
    .option('--current <A>', 'phase current, A rms', num('current', 0, 1e5), DEFAULT_SV_MODEL.currentRmsA)
    .option('--voltage-angles <a,b,c>', 'phase angles of VA, VB, VC in degrees', '0,-120,120')
    .option('--current-lag <deg>', 'current lags its voltage by this angle', num('current-lag', -360, 360), DEFAULT_SV_MODEL.currentLagDeg)
    .option('--harmonics <list>', 'ORDER:PERCENT,… added to every channel (e.g. 3:5,5:2)', '')
    .option('--fault-at <s>', 'fault step this many seconds after the first sample', num('fault-at', 0, 31 * 24 * 3600))
    .option('--fault-phases <ABC>', 'faulted phases', 'A')
    .option('--fault-current <A>', 'fault current of faulted phases, A rms', num('fault-current', 0, 1e5), 10)
    .option('--fault-voltage <V>', 'voltage of faulted phases during the fault, V rms', num('fault-voltage', 0, 1e6), 20)
    .option('--fault-lag <deg>', 'fault current lags its voltage by this angle', num('fault-lag', -360, 360), 80)
    .option('--duration <s>', 'stop after <s> seconds', num('duration', 0, 31 * 24 * 3600, true))
    .option('--count <n>', 'stop after <n> frames per unit', int('count', 1, 0xffffffff))
    .option('--rt-priority <1-99>', 'run the send loop under SCHED_FIFO (root; recommended when timing matters on a busy host)', int('rt-priority', 1, 99))
    .option('--json', 'print the summary as JSON on stdout', false)
    .option('--scl <file>', 'publish the SampledValueControl of this SCL file (SCD/CID): APPID, MAC, VLAN, smvID, datSet, confRev, smpRate, nofASDU, SmvOpts; options typed here override single fields')
    .option('--ied <name...>', 'with --scl: the SVCB is in one of these IEDs')
    .option('--svcb <name>', 'with --scl: SampledValueControl name or full svcbRef (needed when the file has several)');
  cmd.action(async (raw: SvPublisherOpts) => {
    let cfg: ReturnType<typeof svPublisherConfig>;
    try {
      cfg = svPublisherConfig(raw, typedOptions(cmd));
    } catch (err) {
      asConfigError(cmd, err);
    }
    await runPublisherCommand(raw, (signal) => runSvPublisher({ engine: cfg.engine, output: cfg.output, signal }), formatSvPublisherSummary);
  });
}
