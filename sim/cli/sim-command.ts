// `goose-bridge sim publisher|subscriber`: parses and validates options (a bad value stops
// start-up with a message naming the option, exit 2), calls the runners, prints results
// (summary/table to stderr, --json to stdout). Never calls process.exit.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { VlanTag } from '../../bridge/codec/types.js';
import { tableStream } from '../../bridge/cli/answer-stream.js';
import { GbError } from '../../native/errors.js';
import { DatasetSpecError, DEFAULT_DATASET, ENTRY_TYPES_HELP, parseDatasetJson, parseDatasetSpec, type EntrySpec } from '../dataset-spec.js';
import { EventPlanError, intervalPlan, parsePoisson, parseTimeline, type EventPlan } from '../event-plan.js';
import { ExpectConfigError, formatExpectConfig, parseExpectConfig } from '../expect-config.js';
import type { EngineConfig } from '../publisher-engine.js';
import { DEFAULT_IDENTITY, deriveIdentities, IdentityError, streamKeyOf } from '../publisher-identities.js';
import { formatPublisherSummary, runPublisher, wallMinusMonotonicUs, type PublisherOutput } from '../publisher-runner.js';
import { setRealtimePriority } from '../realtime-priority.js';
import { createSchedule, DEFAULT_TAL_FACTOR, ScheduleConfigError, TalPolicy, type ScheduleName } from '../retransmission-schedule.js';
import { U32_MAX } from '../sequence-numbers.js';
import { writeJsonReport } from '../report-json.js';
import { formatCsv, formatTable, materialize, planReport } from '../stream-statistics.js';
import { publisherSettings } from '../scl-publishers.js';
import { runSubscriber, type SubscriberInput } from '../subscriber-runner.js';
import { sclPublisherList } from './scl-publisher-options.js';
import { sclSubscriberCheck, type SclSubscriberCheck } from './scl-subscriber-options.js';
import type { StreamKey } from '../stream-tracker.js';
import { registerSvPublisher } from './sv-publisher-command.js';
import { addSvSubscriberOptions, writeSvReport } from './sv-subscriber-options.js';
import { SvReceiver, svTrackerOptions } from '../sv-receiver.js';
import { addMonitorOptions, MonitorConfigError, monitorConfig, type MonitorConfig, type MonitorOpts } from '../monitor/monitor-options.js';
import { MonitorSession } from '../monitor/monitor-session.js';

/** A configuration error naming the option: the CLI turns it into exit code 2. */
export class SimConfigError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`--${option}: ${message}`);
  }
}

export function int(option: string, min: number, max: number): (v: string) => number {
  return (v) => {
    const n = /^0x[0-9a-f]+$/i.test(v.trim()) ? parseInt(v, 16) : /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`--${option} must be a whole number ${min} … ${max} (decimal or 0x hex).`);
    return n;
  };
}

export function num(option: string, min: number, max: number, exclusiveMin = false): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || (exclusiveMin ? n <= min : n < min) || n > max) {
      throw new InvalidArgumentError(`--${option} must be a number ${exclusiveMin ? '>' : '≥'} ${min} and ≤ ${max}.`);
    }
    return n;
  };
}

function readText(option: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new SimConfigError(option, `cannot read ${path}: ${(err as Error).message}`);
  }
}

/** Runs `fn`, turning known configuration errors into a SimConfigError naming `option`. */
export function named<T>(option: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SimConfigError) throw err;
    if (err instanceof DatasetSpecError || err instanceof EventPlanError || err instanceof ExpectConfigError || err instanceof RangeError) {
      throw new SimConfigError(option, err.message);
    }
    if (err instanceof ScheduleConfigError || err instanceof IdentityError) throw new SimConfigError(err.key, err.message);
    throw err;
  }
}

export function exclusive(opts: Record<string, unknown>, a: string, b: string, need: boolean): void {
  const ka = camel(a);
  const kb = camel(b);
  if (opts[ka] !== undefined && opts[kb] !== undefined) throw new SimConfigError(a, `--${a} and --${b} exclude each other`);
  if (need && opts[ka] === undefined && opts[kb] === undefined) throw new SimConfigError(a, `one of --${a} or --${b} is required`);
}

/** Options the user typed (command line or environment), not commander's defaults. */
export function typedOptions(cmd: Command): Set<string> {
  return new Set(cmd.options.map((opt) => opt.attributeName()).filter((k) => ['cli', 'env'].includes(cmd.getOptionValueSource(k) ?? '')));
}

function camel(s: string): string {
  return s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * After SIGINT/SIGTERM the subscriber's JSON rows are written for at most this long (ms) from
 * the signal; the totals and the exit follow well within the second a signal is honoured in.
 */
export const SIGNAL_ROWS_MS = 400;

/** Installs SIGINT/SIGTERM handlers that abort the run; returns the signal and a remover. */
export function abortOnSignals(): { signal: AbortSignal; dispose: () => void } {
  const ac = new AbortController();
  const handler = (): void => ac.abort();
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: ac.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

export interface PublisherOpts {
  interface?: string;
  pcap?: string;
  startTime?: string;
  appid: number;
  dstMac: string;
  srcMac: string;
  vlanId?: number;
  vlanPriority?: number;
  gocbRef: string;
  datasetRef: string;
  goId: string;
  confRev: number;
  ndsCom: boolean;
  simulation: boolean;
  dataset: string;
  t0: number;
  t1: number;
  schedule: string;
  talFactor: number;
  eventInterval?: number;
  events?: string;
  duration?: number;
  count?: number;
  publishers: number;
  seed: number;
  stNum: number;
  sendLog?: string;
  expectOut?: string;
  rtPriority?: number;
  json: boolean;
  scl?: string;
  ied?: string[];
  gocb?: string[];
}

function parseDataset(value: string): EntrySpec[] {
  const looksLikeFile = value.endsWith('.json') || (existsSync(value) && !/[,()]/.test(value) && !/^[a-z]+[0-9]*(:\d+)?$/i.test(value));
  return named('dataset', () => (looksLikeFile ? parseDatasetJson(readText('dataset', value)) : parseDatasetSpec(value)));
}

/**
 * --interface or --pcap (virtual time, needs an end; --start-time only there). `wholeSecond`:
 * the start time must fall on a whole second (SV's smpCnt 0).
 */
export function publisherOutput(o: { interface?: string; pcap?: string; startTime?: string; duration?: number; count?: number }, wholeSecond = false): PublisherOutput {
  if (o.pcap === undefined) {
    if (o.startTime !== undefined) throw new SimConfigError('start-time', 'only applies to --pcap (virtual time)');
    return { kind: 'interface', ifname: o.interface! };
  }
  if (o.duration === undefined && o.count === undefined) throw new SimConfigError('pcap', 'a --pcap run is written in virtual time and needs --duration or --count');
  const output: PublisherOutput = { kind: 'pcap', path: o.pcap };
  if (o.startTime !== undefined) {
    const ms = Date.parse(o.startTime);
    if (Number.isNaN(ms) || (wholeSecond && ms % 1000 !== 0)) {
      throw new SimConfigError('start-time', `must be an ISO-8601 time${wholeSecond ? ' on a whole second' : ''} like 2026-01-01T00:00:00Z, got "${o.startTime}"`);
    }
    output.startWallUs = ms * 1000;
  }
  return output;
}

/**
 * Validated engine configuration from the publisher's options (pure apart from reading files).
 * `given`: the options typed on the command line (with --scl only those override the file).
 */
export function publisherConfig(o: PublisherOpts, given: ReadonlySet<string> = new Set()): { engine: EngineConfig; output: PublisherOutput } {
  exclusive(o as unknown as Record<string, unknown>, 'interface', 'pcap', true);
  exclusive(o as unknown as Record<string, unknown>, 'event-interval', 'events', false);
  exclusive(o as unknown as Record<string, unknown>, 'duration', 'count', false);
  let vlan: VlanTag | undefined;
  if (o.vlanId !== undefined || o.vlanPriority !== undefined) vlan = { pcp: o.vlanPriority ?? 4, dei: false, vid: o.vlanId ?? 0 };
  if (o.scl === undefined && (o.ied !== undefined || o.gocb !== undefined)) throw new SimConfigError(o.ied ? 'ied' : 'gocb', 'only applies with --scl');
  const fromScl = o.scl === undefined ? undefined : named('scl', () => sclPublisherList({ ...o, scl: o.scl! }, given, () => parseDataset(o.dataset)));
  const identities = fromScl?.map((p) => p.identity) ?? named('publishers', () =>
    deriveIdentities(
      { appId: o.appid, dstMac: o.dstMac, srcMac: o.srcMac, gocbRef: o.gocbRef, datSet: o.datasetRef, goID: o.goId, ...(vlan ? { vlan } : {}) },
      o.publishers,
    ),
  );
  for (const [opt, v] of [['gocb-ref', identities[0]!.gocbRef], ['dataset-ref', identities[0]!.datSet], ['go-id', identities[0]!.goID]] as const) {
    if (!/^[\x20-\x7e]+$/.test(v) || v.length > 129) throw new SimConfigError(opt, `must be 1 … 129 printable ASCII characters, got "${v}"`);
  }
  if (o.schedule !== 'doubling' && o.schedule !== 'fixed') throw new SimConfigError('schedule', `must be doubling or fixed, got "${o.schedule}"`);
  const scheduleOf = (t0Ms = o.t0, t1Ms = o.t1) => named('t0', () => createSchedule(o.schedule as ScheduleName, { t0Us: Math.round(t0Ms * 1000), t1Us: Math.round(t1Ms * 1000) }));
  const perPublisher = fromScl && publisherSettings(fromScl, scheduleOf);
  const schedule = perPublisher?.[0]?.schedule ?? scheduleOf();
  const tal = named('tal-factor', () => new TalPolicy(o.talFactor));
  const maxTal = Math.max(...(perPublisher ?? [{ schedule }]).map((p) => tal.talMs(p.schedule.params.t0Us)));
  if (maxTal > U32_MAX) throw new SimConfigError('tal-factor', `TAL of ${maxTal} ms does not fit the PDU's 32-bit field`);
  let events: EventPlan = { kind: 'none' };
  if (o.eventInterval !== undefined) events = named('event-interval', () => intervalPlan(o.eventInterval!));
  if (o.events !== undefined) {
    const ev = o.events;
    events = named('events', () => parsePoisson(ev) ?? parseTimeline(readText('events', ev), identities.length, ev));
  }
  const engine: EngineConfig = {
    identities,
    ...(perPublisher ? { perPublisher } : {}),
    schedule,
    tal,
    dataset: perPublisher?.[0]?.dataset ?? parseDataset(o.dataset),
    confRev: perPublisher?.[0]?.confRev ?? o.confRev,
    ndsCom: o.ndsCom,
    simulation: o.simulation,
    events,
    seed: o.seed,
    initialStNum: o.stNum,
  };
  if (o.duration !== undefined) engine.durationUs = Math.round(o.duration * 1e6);
  if (o.count !== undefined) engine.countPerPublisher = o.count;
  const output = publisherOutput(o);
  return { engine, output };
}

interface SubscriberOpts extends MonitorOpts {
  interface?: string;
  pcap?: string;
  duration?: number;
  csv?: string;
  record?: string;
  expect?: string;
  recvLog?: string;
  json: boolean;
  tableRows: number;
  scl?: string;
  ied?: string[];
  svRate: number;
  svNominal?: string;
  svCsv?: string;
  svJson?: string;
}

/** Start-up failures that are the invocation's fault (wrong interface, unreadable file, not root). */
const BAD_INVOCATION = new Set(['GB_ERR_NO_INTERFACE', 'GB_ERR_PCAP', 'GB_ERR_PERMISSION', 'GB_ERR_CONFIG']);

/** A GbError (stable code, clear message) is reported without a stack; others propagate. */
export function reportRunError(err: unknown): void {
  if (err instanceof GbError) {
    process.stderr.write(`goose-bridge sim: ${err.message}\n`);
    process.exitCode = BAD_INVOCATION.has(err.code) ? 2 : 1;
    return;
  }
  throw err;
}

export function asConfigError(cmd: Command, err: unknown): never {
  if (err instanceof SimConfigError || err instanceof MonitorConfigError) cmd.error(`error: ${err.message}`, { exitCode: 2, code: 'GB_ERR_CONFIG' });
  throw err;
}

export function register(program: Command): void {
  const sim = program.command('sim').description('GOOSE publisher/subscriber simulator (IEC 61850-8-1 retransmission schedule)');

  const pub = sim
    .command('publisher')
    .description(
      'simulate N GOOSE publishers (IEDs): raw frames on an interface (root), or a pcap written in virtual time.\n' +
        'On each event stNum += 1 (wraps to 1), sqNum = 0, t = event time; retransmissions repeat the state with sqNum += 1.',
    )
    .option('-i, --interface <if>', 'send raw Ethernet frames on this existing interface (needs root / CAP_NET_RAW)')
    .option('--pcap <file>', 'write frames to a pcap instead, in virtual time: exact schedule timestamps, no root')
    .option('--start-time <iso>', 'with --pcap: wall-clock time of the first frame (default: now, whole second)')
    .addOption(new Option('--appid <n>', 'APPID of publisher 1; publisher i gets APPID + i − 1').argParser(int('appid', 0, 0x3fff)).default(DEFAULT_IDENTITY.appId, '0x1000'))
    .option('--dst-mac <mac>', 'destination multicast MAC of publisher 1 (+ i − 1 within 01:0c:cd:01:00:00 … 01:ff)', DEFAULT_IDENTITY.dstMac)
    .option('--src-mac <mac>', 'source MAC of publisher 1; publisher i gets + i − 1', DEFAULT_IDENTITY.srcMac)
    .option('--vlan-id <vid>', '802.1Q VLAN id (a tag is sent only if --vlan-id or --vlan-priority is given)', int('vlan-id', 0, 4095))
    .option('--vlan-priority <pcp>', '802.1Q priority 0 … 7 (default 4 when tagged)', int('vlan-priority', 0, 7))
    .option('--gocb-ref <ref>', 'gocbRef; "{n}" becomes the publisher number, else "_<n>" is appended when N > 1', DEFAULT_IDENTITY.gocbRef)
    .option('--dataset-ref <ref>', 'datSet reference ("{n}" as for --gocb-ref)', DEFAULT_IDENTITY.datSet)
    .option('--go-id <id>', 'goID ("{n}" as for --gocb-ref)', DEFAULT_IDENTITY.goID)
    .option('--conf-rev <n>', 'confRev', int('conf-rev', 0, U32_MAX), 1)
    .option('--nds-com', 'set ndsCom (needs commissioning)', false)
    .option('--simulation', 'set the simulation flag (PDU field and Reserved1 bit 15)', false)
    .option('--dataset <spec|file.json>', `dataset entries: ${ENTRY_TYPES_HELP}; or a JSON file`, DEFAULT_DATASET)
    .option('--t0 <ms>', 'heartbeat: longest interval between frames', num('t0', 0, 3_600_000, true), 1000)
    .option('--t1 <ms>', 'first retransmission interval after an event', num('t1', 0, 3_600_000, true), 2)
    .addOption(new Option('--schedule <name>', 'doubling: t1, 2·t1, 4·t1 … capped at t0; fixed: 3 × t1 then t0 (libiec61850)').choices(['doubling', 'fixed']).default('doubling'))
    .option('--tal-factor <x>', 'timeAllowedToLive = ceil(x × interval to the next frame), x > 1', num('tal-factor', 1, 1000, true), DEFAULT_TAL_FACTOR)
    .option('--event-interval <ms>', 'a state change every <ms> per publisher', num('event-interval', 0, 31 * 24 * 3600 * 1000, true))
    .option('--events <poisson:RATE|file>', 'poisson:RATE = Poisson state changes, RATE per second per publisher; or a JSON timeline file')
    .option('--duration <s>', 'stop after <s> seconds', num('duration', 0, 31 * 24 * 3600, true))
    .option('--count <n>', 'stop each publisher after <n> frames', int('count', 1, U32_MAX))
    .option('--publishers <n>', 'number of simulated IEDs', int('publishers', 1, 0x4000), 1)
    .option('--seed <n>', 'seed of event times and value changes', int('seed', 0, U32_MAX), 1)
    .option('--st-num <n>', 'stNum of the initial state (e.g. 4294967295 to see the wrap)', int('st-num', 1, U32_MAX), 1)
    .option('--rt-priority <1-99>', 'run the send loop under SCHED_FIFO at this priority (root; recommended when timing matters on a busy host)', int('rt-priority', 1, 99))
    .option('--send-log <file.csv>', 'per-frame log: publisher,appid,src_mac,st_num,sq_num,scheduled_us,sent_us')
    .option('--expect-out <file.json>', 'write the stream list for `sim subscriber --expect`')
    .option('--json', 'print the summary as JSON on stdout', false)
    .option('--scl <file>', 'publish GoCBs of this SCL file (SCD/CID): addresses, refs, confRev, goID, dataset, MinTime/MaxTime as t1/t0; options typed here override single fields')
    .option('--ied <name...>', 'with --scl: only GoCBs of these IEDs')
    .option('--gocb <name...>', 'with --scl: only these GSEControl names (or full gocbRefs)');
  pub.action(async (raw: PublisherOpts) => {
    let cfg: ReturnType<typeof publisherConfig>;
    try {
      cfg = publisherConfig(raw, typedOptions(pub));
    } catch (err) {
      asConfigError(pub, err);
    }
    if (raw.expectOut) writeFileSync(raw.expectOut, formatExpectConfig(cfg.engine.identities.map(streamKeyOf)));
    if (raw.rtPriority !== undefined && raw.pcap !== undefined) {
      asConfigError(pub, new SimConfigError('rt-priority', 'only applies to --interface (a --pcap run is virtual time)'));
    }
    const { signal, dispose } = abortOnSignals();
    try {
      if (raw.rtPriority !== undefined) setRealtimePriority(raw.rtPriority);
      const summary = await runPublisher({ engine: cfg.engine, output: cfg.output, sendLogPath: raw.sendLog, signal });
      tableStream(raw.json).write(formatPublisherSummary(summary));
      if (raw.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      if (summary.send_failures > 0) process.exitCode = 1;
    } catch (err) {
      reportRunError(err);
    } finally {
      dispose();
    }
  });

  registerSvPublisher(sim);

  const sub = sim
    .command('subscriber')
    .description(
      'receive GOOSE on an interface (root) or read a pcap, judge every stream (APPID + gocbRef + source MAC):\n' +
        'lost, duplicate, out-of-order, TAL expiry, stNum backwards, confRev/dataset changes, ndsCom/simulation, decode errors.\n' +
        'Prints a per-stream table and totals on exit and on SIGINT/SIGTERM (stdout; with --json or --event-log - the table goes to stderr).\n' +
        'Sampled Values streams are checked too (smpCnt, smpSynch, quality, jitter, RMS/phasors): --sv-* options.',
    )
    .option('-i, --interface <if>', 'receive raw frames on this interface (needs root / CAP_NET_RAW)')
    .option('--pcap <file>', 'read frames from a pcap/pcapng file (its timestamps are the receive times)')
    .option('--duration <s>', 'stop after <s> seconds (default: until SIGINT/SIGTERM, or the end of the pcap)', num('duration', 0, 31 * 24 * 3600, true))
    .option('--csv <file>', 'write one row per stream (columns in docs/results-schema.md, units in their names)')
    .option('--record <file.pcap>', 'record every received frame to a pcap')
    .option('--expect <config.json>', 'streams that must be seen: {"streams":[…]} or {"publishers":N,…}; missing ones are "never-seen"')
    .option('--recv-log <file.csv>', 'per-message log: rx_us,appid,src_mac,st_num,sq_num,verdict (rx_us on CLOCK_MONOTONIC for --interface)')
    .option('--table-rows <n>', 'streams shown in the table (problems first)', int('table-rows', 0, 1_000_000), 50)
    .option('--json', 'print the report as JSON on stdout', false)
    .option('--scl <file>', 'check every GOOSE message against its GoCB in this SCL file: APPID, MAC, VLAN, datSet, goID, confRev, entry count/types, ndsCom')
    .option('--ied <name...>', 'with --scl: only GoCBs of these IEDs are expected');
  addSvSubscriberOptions(sub);
  addMonitorOptions(sub);
  sub.action(async (o: SubscriberOpts) => {
    let input: SubscriberInput;
    let expected: StreamKey[] | undefined;
    let sclCheck: SclSubscriberCheck | undefined;
    let sv: SvReceiver;
    let monitorCfg: MonitorConfig;
    try {
      if (o.ied !== undefined && o.scl === undefined) throw new SimConfigError('ied', 'only applies with --scl');
      if (o.scl !== undefined) sclCheck = named('scl', () => sclSubscriberCheck(o.scl!, o.ied));
      sv = named('sv-rate', () => new SvReceiver(svTrackerOptions(o.svRate, o.svNominal === undefined ? undefined : Number(o.svNominal))));
      exclusive(o as unknown as Record<string, unknown>, 'interface', 'pcap', true);
      input = o.pcap !== undefined ? { kind: 'pcap', path: o.pcap } : { kind: 'interface', ifname: o.interface! };
      // live receive times are CLOCK_MONOTONIC, a capture's are wall-clock already
      if (input.kind === 'interface') sv.wallOffsetUs = wallMinusMonotonicUs();
      if (o.expect !== undefined) expected = named('expect', () => parseExpectConfig(readText('expect', o.expect!), o.expect!));
      monitorCfg = monitorConfig(o, { jsonOnStdout: o.json });
    } catch (err) {
      asConfigError(sub, err);
    }
    const { signal, dispose } = abortOnSignals();
    let signalledAt = Infinity;
    // said at once: the report of many streams follows
    signal.addEventListener(
      'abort',
      () => {
        signalledAt = performance.now();
        process.stderr.write('sim subscriber: stopping on signal, writing the report\n');
      },
      { once: true },
    );
    let session: MonitorSession | undefined;
    try {
      session = await MonitorSession.open(monitorCfg, { expected, memberNames: sclCheck?.memberNames, live: input.kind === 'interface', err: process.stderr, onQuit: () => process.kill(process.pid, 'SIGINT') });
      const run = await runSubscriber({
        input,
        durationUs: o.duration === undefined ? undefined : Math.round(o.duration * 1e6),
        recordPath: o.record,
        recvLogPath: o.recvLog,
        expected,
        decode: sclCheck?.decode,
        onSv: (f, rx) => sv.handleSv(f, rx),
        signal,
        judge: session.judge,
        onReady: () => {
          process.stderr.write(`sim subscriber: receiving on ${o.interface}\n`);
          session!.started();
        },
      });
      const findings = await session.finish(run);
      const report = planReport(session.monitor!, { kernelDrops: run.kernelDrops, backlogDrops: run.backlogDrops });
      // stdout may already carry JSON: the report (--json) or the event log (--event-log -).
      const jsonOnStdout = o.json || o.eventLog === '-';
      tableStream(jsonOnStdout).write(formatTable(report, o.tableRows));
      if (sclCheck) tableStream(jsonOnStdout).write(sclCheck.table());
      if (o.csv) writeFileSync(o.csv, formatCsv(materialize(report)));
      if (o.json) {
        // after a signal the rows stop at the exit budget: the process is gone within a second
        const stopRows = (): boolean => performance.now() > signalledAt + SIGNAL_ROWS_MS;
        const written = writeJsonReport((chunk) => process.stdout.write(chunk), report, { extra: sclCheck?.json(), stopRows });
        if (written < report.rows.length) process.stderr.write(`sim subscriber: ${report.rows.length - written} of ${report.rows.length} streams left out of the JSON to exit in time (totals.streams_not_written)\n`);
      }
      writeSvReport(sv, { ...o, json: jsonOnStdout });
      if (findings.length > 0) {
        process.stderr.write(`sim subscriber: --fail-on ${o.failOn}: ${findings.join(', ')}\n`);
        process.exitCode = 1;
      }
    } catch (err) {
      session?.stopView();
      reportRunError(err);
    } finally {
      dispose();
    }
  });
}
