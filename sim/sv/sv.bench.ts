// npm run bench:sv — send-time accuracy of the SV publisher: p99 of |actual − scheduled| for
// 1 and 24 merging units at 4000 samples/s (one sendmmsg per sample instant carries every
// unit's frame), goal p99 ≤ 250 µs (one sample interval: a frame later than that is behind
// its successor's schedule).
//
// As root with the native addon built, frames leave through a packet socket on one end of a
// veth pair in a throw-away network namespace (created and removed here), once under
// SCHED_FIFO (--rt-priority 20) and once at normal priority. Otherwise the scheduler loop and
// frame patching are measured with a no-op sink. The output says which.
//   BENCH_SECONDS (default 10), BENCH_SV_STREAMS (default "1,24") override the scenario.
import { spawnSync } from 'node:child_process';
import { withVethNamespace } from '../../testkit/netns.js';
import { addonBuilt } from '../../testkit/preconditions.js';
import { setRealtimePriority } from '../core/realtime-priority.js';
import { DEFAULT_SV_IDENTITY, deriveSvIdentities } from './sv-identities.js';
import { DEFAULT_SV_MODEL } from './sv-model.js';
import { runSvPublisher, type SvPublisherSummary } from './sv-publisher-runner.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const streamCounts = (process.env.BENCH_SV_STREAMS ?? '1,24').split(',').map(Number);
const CHILD_ENV = 'GB_SV_BENCH_IF';
const GOAL_US = 250;

function measure(streams: number, ifname: string | undefined): Promise<SvPublisherSummary> {
  const engine = {
    streams: deriveSvIdentities(DEFAULT_SV_IDENTITY, streams),
    samplesPerSecond: 4000,
    asdusPerFrame: 1,
    confRev: 1,
    smpSynch: 1,
    quality: 0,
    model: DEFAULT_SV_MODEL,
    durationUs: seconds * 1e6,
  };
  return ifname !== undefined
    ? runSvPublisher({ engine, output: { kind: 'interface', ifname } })
    : runSvPublisher({ engine, output: { kind: 'interface', ifname: 'none' }, sendBatch: (f) => f.length });
}

function line(label: string, s: SvPublisherSummary): string {
  return (
    `  ${label}: ${s.streams} streams, frames ${s.frames} (${s.frames_per_s}/s), send failures ${s.send_failures}, largest wake-up ${s.max_batch_frames} frames\n` +
    `    |actual − scheduled|: p50 ${s.send_error_p50_us} µs, p97.5 ${s.send_error_p97_5_us} µs, p99 ${s.send_error_p99_us} µs, ` +
    `p99.9 ${s.send_error_p99_9_us} µs, max ${s.send_error_max_us} µs — goal p99 ≤ ${GOAL_US} µs ${s.send_error_p99_us <= GOAL_US ? 'met' : 'NOT met'}\n`
  );
}

const header = `bench:sv — 9-2LE, 4000 samples/s per stream, ${seconds} s per run\n`;

if (process.env[CHILD_ENV] !== undefined) {
  // child: inside the namespace, one JSON line
  if (process.env.GB_SV_BENCH_RT !== undefined) setRealtimePriority(Number(process.env.GB_SV_BENCH_RT));
  process.stdout.write(`${JSON.stringify(await measure(Number(process.env.GB_SV_BENCH_STREAMS), process.env[CHILD_ENV]))}\n`);
} else if (process.getuid?.() === 0 && addonBuilt()) {
  const results: Record<string, SvPublisherSummary> = {};
  withVethNamespace('svb', ({ ns, a }) => {
    const node = [process.execPath, ...process.execArgv, process.argv[1]!];
    for (const streams of streamCounts) {
      for (const [label, rt] of [
        ['sched_fifo_20', { GB_SV_BENCH_RT: '20' }],
        ['normal_priority', {}],
      ] as const) {
        const env = { ...process.env, ...rt, [CHILD_ENV]: a, GB_SV_BENCH_STREAMS: String(streams) };
        const r = spawnSync('ip', ['netns', 'exec', ns, ...node], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
        if (r.status !== 0) throw new Error(`bench child (${label}, ${streams} streams) failed with status ${r.status}`);
        results[`${label}_${streams}_streams`] = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as SvPublisherSummary;
      }
    }
  });
  process.stderr.write(`${header}sink: packet socket on a veth in a throw-away netns\n`);
  for (const [k, s] of Object.entries(results)) process.stderr.write(line(k.startsWith('sched') ? 'SCHED_FIFO 20 (--rt-priority 20)' : 'normal priority', s));
  process.stdout.write(`${JSON.stringify({ bench: 'sv', sink: 'packet-socket', seconds, ...results })}\n`);
} else {
  const results: Record<string, SvPublisherSummary> = {};
  for (const streams of streamCounts) results[`normal_priority_${streams}_streams`] = await measure(streams, undefined);
  process.stderr.write(`${header}sink: no-op (not root or native addon not built: the scheduler loop and frame patching only)\n`);
  for (const s of Object.values(results)) process.stderr.write(line('normal priority', s));
  process.stdout.write(`${JSON.stringify({ bench: 'sv', sink: 'no-op', seconds, ...results })}\n`);
}
