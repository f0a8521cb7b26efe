// `goose-bridge sim subscriber`: receives GOOSE (and SV) on an interface or from a pcap, judges
// every stream, and reports (table, --csv, --json) on exit and on SIGINT/SIGTERM; the monitor's
// options (events, captures, --fail-on) come from monitor/monitor-options.ts. Never calls process.exit.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { tableStream } from '../../bridge/cli/answer-stream.js';
import { wallMinusMonotonicUs } from '../core/real-time-loop.js';
import { parseExpectConfig } from '../goose/expect-config.js';
import { writeJsonReport } from '../goose/report-json.js';
import { formatCsv, formatTable, materialize, planReport } from '../goose/stream-statistics.js';
import type { StreamKey } from '../goose/stream-tracker.js';
import { runSubscriber, type SubscriberInput } from '../goose/subscriber-runner.js';
import { SvReceiver, svTrackerOptions } from '../sv/sv-receiver.js';
import { addMonitorOptions, monitorConfig, type MonitorConfig, type MonitorOpts } from '../monitor/monitor-options.js';
import { MonitorSession } from '../monitor/monitor-session.js';
import { sclSubscriberCheck, type SclSubscriberCheck } from './scl-subscriber-options.js';
import { abortOnSignals, asConfigError, exclusive, int, named, num, readText, reportRunError, SimConfigError } from './sim-options.js';
import { addSvSubscriberOptions, writeSvReport } from './sv-subscriber-options.js';

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

/**
 * After SIGINT/SIGTERM the subscriber's JSON rows are written for at most this long (ms) from
 * the signal; the totals and the exit follow well within the second a signal is honoured in.
 */
export const SIGNAL_ROWS_MS = 400;

export function registerSubscriber(sim: Command): void {
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
      exclusive(o, 'interface', 'pcap', true);
      input = o.pcap !== undefined ? { kind: 'pcap', path: o.pcap } : { kind: 'interface', ifname: o.interface! };
      // live receive times are CLOCK_MONOTONIC, a capture's are wall-clock already
      if (input.kind === 'interface') sv.wallOffsetUs = wallMinusMonotonicUs();
      if (o.expect !== undefined) expected = named('expect', () => parseExpectConfig(readText('expect', o.expect!), o.expect!));
      monitorCfg = monitorConfig(o, { jsonOnStdout: o.json });
    } catch (err) {
      asConfigError(sub, err);
    }
    const { signal, dispose } = abortOnSignals();
    // said at once: the report of many streams follows
    let signalledAt = Infinity;
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
