// npm run bench:sim — timer accuracy of the publisher: 2000 publishers at heartbeat (t0 1 s,
// doubling from t1 2 ms after each event), 10 events/s across them (Poisson), and the p99 of
// |actual − scheduled| send time (goal ≤ 1 ms).
//
// As root with the native addon built, frames really leave through a packet socket on one end
// of a veth pair in a throw-away network namespace (created and removed here), and the run is
// made twice: under SCHED_FIFO (the publisher's --rt-priority 20, how to run a publisher that
// must keep time on a shared machine) and at normal priority. Otherwise the scheduler loop is measured with a
// no-op sink. The output says which.
//   BENCH_SECONDS (default 20), BENCH_PUBLISHERS (default 2000) override the scenario.
import { spawnSync } from 'node:child_process';
import { withVethNamespace } from '../../testkit/netns.js';
import { addonBuilt } from '../../testkit/preconditions.js';
import { DEFAULT_DATASET, parseDatasetSpec } from './dataset-spec.js';
import { DEFAULT_IDENTITY, deriveIdentities } from './publisher-identities.js';
import { runPublisher, type PublisherSummary } from './publisher-runner.js';
import { setRealtimePriority } from '../core/realtime-priority.js';
import { createSchedule, TalPolicy } from './retransmission-schedule.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const publishers = Number(process.env.BENCH_PUBLISHERS ?? 2000);
const EVENTS_PER_S_TOTAL = 10;
const CHILD_ENV = 'GB_SIM_BENCH_IF';

/** One measured run; ifname undefined → no-op sink. */
async function measure(ifname: string | undefined): Promise<PublisherSummary> {
  const engine = {
    identities: deriveIdentities(DEFAULT_IDENTITY, publishers),
    schedule: createSchedule('doubling', { t0Us: 1_000_000, t1Us: 2000 }),
    tal: new TalPolicy(2),
    dataset: parseDatasetSpec(DEFAULT_DATASET),
    confRev: 1,
    ndsCom: false,
    simulation: false,
    events: { kind: 'poisson' as const, ratePerS: EVENTS_PER_S_TOTAL / publishers },
    seed: 1,
    initialStNum: 1,
    durationUs: seconds * 1e6,
  };
  return ifname !== undefined
    ? runPublisher({ engine, output: { kind: 'interface', ifname } })
    : runPublisher({ engine, output: { kind: 'interface', ifname: 'none' }, sendFrame: () => true });
}

function line(label: string, s: PublisherSummary): string {
  return (
    `  ${label}: frames ${s.frames} (${s.frames_per_s}/s), events ${s.events}, send failures ${s.send_failures}\n` +
    `    |actual − scheduled|: p50 ${s.send_error_p50_us} µs, p97.5 ${s.send_error_p97_5_us} µs, p99 ${s.send_error_p99_us} µs, ` +
    `p99.9 ${s.send_error_p99_9_us} µs, max ${s.send_error_max_us} µs — goal p99 ≤ 1000 µs ${s.send_error_p99_us <= 1000 ? 'met' : 'NOT met'}\n`
  );
}

const header = `bench:sim — ${publishers} publishers, t0 1000 ms, t1 2 ms doubling, ${EVENTS_PER_S_TOTAL} events/s across them (Poisson), ${seconds} s per run\n`;

if (process.env[CHILD_ENV] !== undefined) {
  // child: inside the namespace, report one JSON line
  if (process.env.GB_SIM_BENCH_RT !== undefined) setRealtimePriority(Number(process.env.GB_SIM_BENCH_RT));
  process.stdout.write(`${JSON.stringify(await measure(process.env[CHILD_ENV]))}\n`);
} else if (process.getuid?.() === 0 && addonBuilt()) {
  const results: Record<string, PublisherSummary> = {};
  withVethNamespace('simb', ({ ns, a }) => {
    const node = [process.execPath, ...process.execArgv, process.argv[1]!];
    for (const [label, rt] of [
      ['sched_fifo_20', { GB_SIM_BENCH_RT: '20' }],
      ['normal_priority', {}],
    ] as const) {
      const r = spawnSync('ip', ['netns', 'exec', ns, ...node], { env: { ...process.env, ...rt, [CHILD_ENV]: a }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      if (r.status !== 0) throw new Error(`bench child (${label}) failed with status ${r.status}`);
      results[label] = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as PublisherSummary;
    }
  });
  process.stderr.write(`${header}sink: packet socket on a veth in a throw-away netns\n`);
  process.stderr.write(line('SCHED_FIFO 20 (--rt-priority 20)', results.sched_fifo_20!));
  process.stderr.write(line('normal priority', results.normal_priority!));
  process.stdout.write(`${JSON.stringify({ bench: 'sim', sink: 'packet-socket', publishers, seconds, ...results })}\n`);
} else {
  const s = await measure(undefined);
  process.stderr.write(`${header}sink: no-op (not root or native addon not built: the scheduler loop only)\n${line('normal priority', s)}`);
  process.stdout.write(`${JSON.stringify({ bench: 'sim', sink: 'no-op', publishers, seconds, normal_priority: s })}\n`);
}
