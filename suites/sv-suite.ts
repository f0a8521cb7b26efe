// `suite:sv`: N 9-2LE merging units at 4000 samples/s each (`sim sv-publisher`) on host 1,
// `sim subscriber` on host 2, through the bridge pair (daemons with --enable-sv) and through
// kernel VXLAN in the same run. The paths are measured in alternating slices (A B B A …) with
// both up the whole time, so load bursts of a shared machine hit both alike (as latency-suite).
//
// Figures per path (sv.csv): frames sent (publisher) vs distinct frames received (subscriber),
// loss; latency = receive time − sampling instant (both CLOCK_MONOTONIC on one host: the
// publisher puts smpCnt 0 on the clock's whole seconds), which includes how late the publisher
// sent (its own p99 is in the row); jitter = |Δrx − Δsample time| between consecutive frames of
// a stream (RFC 3393 delay variation).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import type { SvPublisherSummary } from '../sim/sv/sv-publisher-runner.js';
import type { SvReport } from '../sim/sv/sv-report.js';
import { BridgePath } from './paths/bridge-path.js';
import type { L2Path, PathName } from './paths/l2-path.js';
import { VxlanPath } from './paths/vxlan-path.js';
import type { Row } from './report/csv.js';
import { writeCsv } from './report/csv.js';
import type { Progress } from './report/progress.js';
import { renderTable } from './report/table.js';
import { withTopology, type SuiteCommon } from './suite-context.js';
import { registerCleanup, sleep, type ManagedProcess, type Topology } from '../testkit/topology/index.js';

const BIN = fileURLToPath(new URL('../bin/goose-bridge.js', import.meta.url));
const REPO = fileURLToPath(new URL('../', import.meta.url));
const SAMPLES_PER_S = 4000;

export interface SvSuiteOptions extends SuiteCommon {
  streams: number;
  /** Seconds of SV per path, split over the slices. */
  durationS: number;
  /** Alternating slices per path. */
  rounds: number;
  /**
   * Publisher and subscriber under SCHED_FIFO at this priority (0: normal priority). The
   * instruments stand in for hardware merging units and a test set, whose timing does not
   * depend on the host's load; the paths under test (daemons, kernel) keep normal priority.
   */
  rtPriority: number;
  progress?: Progress;
}

const PCT = [
  ['p50', 50],
  ['p97_5', 97.5],
  ['p99', 99],
  ['p99_9', 99.9],
] as const;

export const SV_COLUMNS = [
  'path', 'streams', 'samples_per_s', 'duration_s', 'sent', 'received', 'lost', 'loss_percent',
  'gaps', 'duplicates', 'out_of_order', 'receiver_kernel_drops', 'send_failures',
  ...PCT.map(([k]) => `latency_${k}_us`), 'latency_max_us',
  ...PCT.map(([k]) => `jitter_${k}_us`), 'jitter_max_us',
  'publisher_send_error_p99_us', 'publisher_send_error_max_us',
] as const;

interface PathTotals {
  sent: number;
  received: number;
  gaps: number;
  duplicates: number;
  outOfOrder: number;
  kernelDrops: number;
  sendFailures: number;
  durationUs: number;
  latency: Histogram;
  jitter: Histogram;
  sendErrorP99: number;
  sendErrorMax: number;
}

function newTotals(): PathTotals {
  const h = (): Histogram => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  return { sent: 0, received: 0, gaps: 0, duplicates: 0, outOfOrder: 0, kernelDrops: 0, sendFailures: 0, durationUs: 0, latency: h(), jitter: h(), sendErrorP99: 0, sendErrorMax: 0 };
}

function simArgv(args: string[]): string[] {
  return [process.execPath, BIN, 'sim', ...args];
}

async function waitForText(p: ManagedProcess, text: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!p.stderr.includes(text)) {
    if (!p.running) throw new Error(`${p.describe()}: exited before "${text}"`);
    if (Date.now() > until) throw new Error(`${p.describe()}: no "${text}" within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** One slice: subscriber on host 2, publisher on host 1 for `seconds`, then the subscriber's report. */
async function runSlice(o: SvSuiteOptions, topo: Topology, path: L2Path, seconds: number, dir: string, tag: string): Promise<{ pub: SvPublisherSummary; sv: SvReport; kernelDrops: number }> {
  const svJson = join(dir, `${tag}.json`);
  const rt = o.rtPriority > 0 ? ['chrt', '--fifo', String(o.rtPriority)] : [];
  const sub = topo.spawn(topo.host(2).ns, [...rt, ...simArgv(['subscriber', '--interface', path.ifname, '--sv-json', svJson, '--json', '--table-rows', '0'])], `sv subscriber h2 ${path.name}`, { cwd: REPO });
  try {
    await waitForText(sub, 'receiving on', 30_000);
    const pubArgs = ['sv-publisher', '--interface', path.ifname, '--streams', String(o.streams), '--duration', String(seconds), '--json'];
    if (o.rtPriority > 0) pubArgs.push('--rt-priority', String(o.rtPriority));
    const pub = topo.spawn(topo.host(1).ns, simArgv(pubArgs), `sv publisher h1 ${path.name}`, { cwd: REPO });
    const exit = await pub.exited;
    // exit 1 = some frames refused by the kernel (counted in the summary); anything else is a failure
    if (exit.code !== 0 && exit.code !== 1) throw new Error(`${pub.describe()}`);
    const summary = JSON.parse(pub.stdout) as SvPublisherSummary;
    await sleep(500); // frames still in flight through the path
    // a subscriber that fell behind drains its backlog before it reports
    await sub.stop(60_000);
    if (!existsSync(svJson)) throw new Error(`${sub.describe()}: wrote no SV report (${svJson})`);
    const sv = JSON.parse(readFileSync(svJson, 'utf8')) as SvReport;
    const drops = /"kernel_drops":\s*(\d+)/.exec(sub.stdout);
    return { pub: summary, sv, kernelDrops: drops ? Number(drops[1]) : 0 };
  } finally {
    if (sub.running) await sub.stop(2000);
  }
}

function addSlice(t: PathTotals, r: { pub: SvPublisherSummary; sv: SvReport; kernelDrops: number }): void {
  t.sent += r.pub.frames;
  t.sendFailures += r.pub.send_failures;
  t.durationUs += r.pub.duration_us;
  t.sendErrorP99 = Math.max(t.sendErrorP99, r.pub.send_error_p99_us);
  t.sendErrorMax = Math.max(t.sendErrorMax, r.pub.send_error_max_us);
  t.kernelDrops += r.kernelDrops;
  for (const s of r.sv.streams) {
    // one ASDU per frame: distinct frames = samples less duplicates
    t.received += Number(s.samples) - Number(s.duplicates);
    t.gaps += Number(s.gaps);
    t.duplicates += Number(s.duplicates);
    t.outOfOrder += Number(s.out_of_order);
  }
  t.latency.add(hdr.decodeFromCompressedBase64(r.sv.age_histogram));
  t.jitter.add(hdr.decodeFromCompressedBase64(r.sv.jitter_histogram));
}

export function svRowOf(path: PathName, o: Pick<SvSuiteOptions, 'streams'>, t: PathTotals): Row {
  const lost = Math.max(0, t.sent - t.received);
  const row: Row = {
    path, streams: o.streams, samples_per_s: SAMPLES_PER_S, duration_s: Math.round(t.durationUs / 1e4) / 100,
    sent: t.sent, received: t.received, lost, loss_percent: t.sent > 0 ? Math.round((lost / t.sent) * 1e6) / 1e4 : 0,
    gaps: t.gaps, duplicates: t.duplicates, out_of_order: t.outOfOrder, receiver_kernel_drops: t.kernelDrops, send_failures: t.sendFailures,
    publisher_send_error_p99_us: t.sendErrorP99, publisher_send_error_max_us: t.sendErrorMax,
  };
  for (const [name, h] of [['latency', t.latency], ['jitter', t.jitter]] as const) {
    for (const [k, p] of PCT) row[`${name}_${k}_us`] = h.totalCount > 0 ? h.getValueAtPercentile(p) : null;
    row[`${name}_max_us`] = h.totalCount > 0 ? h.maxValue : null;
  }
  return row;
}

/** The paths that carry Sampled Values: the bridge in either tier (daemons with --enable-sv) and VXLAN. */
export const SV_PATHS: readonly PathName[] = ['bridge', 'bridge-user', 'vxlan'];

/** The requested paths the suite measures, and those it cannot (said on stderr, not an error: `suite:all` shares one list). */
export function svPathNames(requested: readonly PathName[]): { measured: PathName[]; skipped: PathName[] } {
  const measured = requested.filter((n) => SV_PATHS.includes(n));
  if (measured.length === 0) throw new Error(`--paths: none of ${requested.join(', ')} carries Sampled Values (${SV_PATHS.join(', ')} do)`);
  return { measured, skipped: requested.filter((n) => !SV_PATHS.includes(n)) };
}

function svPath(name: PathName, topology: Topology): L2Path {
  const extraArgs = ['--enable-sv', 'true'];
  if (name === 'bridge') return new BridgePath({ topology, extraArgs });
  if (name === 'bridge-user') return BridgePath.userDataPlane({ topology, extraArgs });
  return new VxlanPath({ topology });
}

export interface SvSuiteResult {
  rows: Row[];
  files: string[];
  table: string;
}

export async function runSvSuite(o: SvSuiteOptions): Promise<SvSuiteResult> {
  const rounds = Math.max(1, Math.min(o.rounds, Math.floor(o.durationS / 2)));
  const sliceS = o.durationS / rounds;
  const totals = new Map<PathName, PathTotals>();
  const { measured, skipped } = svPathNames(o.paths);
  if (skipped.length > 0) o.log(`sv: ${skipped.join(', ')} not measured (Sampled Values go through ${SV_PATHS.join(', ')})`);
  const dir = mkdtempSync(join(tmpdir(), 'gb-sv-suite-'));
  const unregister = registerCleanup(`sv suite dir ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  try {
    await withTopology(o, 2, async (topo) => {
      o.progress?.step(`sv: starting ${measured.join(' + ')}`);
      const paths: L2Path[] = [];
      try {
        for (const name of measured) {
          const p = svPath(name, topo);
          paths.push(p);
          await p.start();
          totals.set(name, newTotals());
        }
        for (let r = 0; r < rounds; r++) {
          for (const path of r % 2 === 0 ? paths : [...paths].reverse()) {
            o.progress?.step(`sv ${path.name} slice ${r + 1}/${rounds} (${o.streams} × ${SAMPLES_PER_S}/s × ${sliceS.toFixed(1)} s)`);
            const res = await runSlice(o, topo, path, sliceS, dir, `${path.name}-${r}`);
            addSlice(totals.get(path.name)!, res);
          }
        }
        for (const p of paths) {
          // where frames went missing: the path's own drop counters (daemon stats / interface)
          for (const [host, c] of await p.counters()) {
            const drops = Object.entries(c).filter(([k, v]) => v > 0 && /drop|gap|overrun|refused/i.test(k));
            if (drops.length > 0) o.log(`sv ${p.name} h${host} counters: ${drops.map(([k, v]) => `${k} ${v}`).join(', ')}`);
          }
        }
      } finally {
        for (const p of paths) {
          await p.stop();
          if (p instanceof BridgePath) p.dispose();
        }
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    unregister();
  }
  const rows = [...totals].map(([path, t]) => svRowOf(path, o, t));
  for (const r of rows) o.log(`sv ${r.path}: sent ${r.sent}, received ${r.received}, lost ${r.lost} (${r.loss_percent} %), receiver kernel drops ${r.receiver_kernel_drops}, publisher send error p99 ${r.publisher_send_error_p99_us} µs`);
  const files = [writeCsv(o.out, 'sv.csv', SV_COLUMNS, rows)];
  const table = renderTable(
    [
      'path', 'sent', 'received', 'lost', { key: 'loss_percent', label: 'loss %' },
      { key: 'latency_p50_us', label: 'lat 50% µs' }, { key: 'latency_p99_us', label: 'lat 99% µs' }, { key: 'latency_p99_9_us', label: 'lat 99.9% µs' },
      { key: 'jitter_p50_us', label: 'jit 50% µs' }, { key: 'jitter_p99_us', label: 'jit 99% µs' }, { key: 'jitter_max_us', label: 'jit max µs' },
      { key: 'publisher_send_error_p99_us', label: 'pub late 99% µs' },
    ],
    rows,
  );
  return { rows, files, table };
}
