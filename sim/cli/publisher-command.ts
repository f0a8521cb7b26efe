// `goose-bridge sim publisher`: N GOOSE publishers (IEDs) from options or an SCL file's GoCBs.
// Parses and validates (a bad value stops start-up naming the option, exit 2), runs, prints the
// summary (stderr; --json to stdout). Never calls process.exit.
import { existsSync, writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { EngineConfig } from '../goose/publisher-engine.js';
import { DEFAULT_DATASET, ENTRY_TYPES_HELP, parseDatasetJson, parseDatasetSpec, type EntrySpec } from '../goose/dataset-spec.js';
import { intervalPlan, parsePoisson, parseTimeline, type EventPlan } from '../goose/event-plan.js';
import { formatExpectConfig } from '../goose/expect-config.js';
import { DEFAULT_IDENTITY, deriveIdentities, streamKeyOf } from '../goose/publisher-identities.js';
import { formatPublisherSummary, runPublisher } from '../goose/publisher-runner.js';
import { createSchedule, DEFAULT_TAL_FACTOR, TalPolicy, type ScheduleName } from '../goose/retransmission-schedule.js';
import type { PublisherOutput } from '../core/real-time-loop.js';
import { U32_MAX } from '../core/sequence-numbers.js';
import { publisherSettings } from '../scl/scl-publishers.js';
import { sclPublisherList, type SclPublisherOpts } from './scl-publisher-options.js';
import { addVlanOptions, asConfigError, exclusive, int, named, num, publisherOutput, readText, runPublisherCommand, SimConfigError, typedOptions, vlanOption } from './sim-options.js';

export interface PublisherOpts extends Omit<SclPublisherOpts, 'scl'> {
  interface?: string;
  pcap?: string;
  startTime?: string;
  ndsCom: boolean;
  simulation: boolean;
  dataset: string;
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
}

function parseDataset(value: string): EntrySpec[] {
  const looksLikeFile = value.endsWith('.json') || (existsSync(value) && !/[,()]/.test(value) && !/^[a-z]+[0-9]*(:\d+)?$/i.test(value));
  return named('dataset', () => (looksLikeFile ? parseDatasetJson(readText('dataset', value)) : parseDatasetSpec(value)));
}

/**
 * Validated engine configuration from the publisher's options (pure apart from reading files).
 * `given`: the options typed on the command line (with --scl only those override the file).
 */
export function publisherConfig(o: PublisherOpts, given: ReadonlySet<string> = new Set()): { engine: EngineConfig; output: PublisherOutput } {
  const output = publisherOutput(o);
  exclusive(o, 'event-interval', 'events', false);
  const vlan = vlanOption(o);
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
  return { engine, output };
}

export function registerPublisher(sim: Command): void {
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
    .option('--src-mac <mac>', 'source MAC of publisher 1; publisher i gets + i − 1', DEFAULT_IDENTITY.srcMac);
  addVlanOptions(pub)
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
    await runPublisherCommand(raw, (signal) => runPublisher({ engine: cfg.engine, output: cfg.output, sendLogPath: raw.sendLog, signal }), formatPublisherSummary);
  });
}
