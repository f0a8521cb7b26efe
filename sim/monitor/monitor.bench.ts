// npm run bench:monitor — the monitor under load: 2000 publishers (t0 1 s, 10 events/s across
// them) on one end of a veth pair in a throw-away namespace, `sim subscriber` with a capture
// ring on the other, both real CLI processes. Sampled while it runs: the ring folder's bytes on
// disk (must never exceed --ring-max-mb) and the subscriber's RSS (must stay flat). Root only.
//   BENCH_SECONDS (default 120), BENCH_PUBLISHERS (default 2000), BENCH_RING_MB (default 8);
//   BENCH_CAPTURE=0 runs without --capture-dir (memory without the capture buffers).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedProcess } from '../../testkit/topology/index.js';
import { createVethNamespace, deleteNamespace } from '../../testkit/netns.js';
import { isRoot } from '../../testkit/preconditions.js';
import { waitFor } from '../../testkit/wait.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 120);
const publishers = Number(process.env.BENCH_PUBLISHERS ?? 2000);
const ringMb = Number(process.env.BENCH_RING_MB ?? 8);
const MIB = 1024 * 1024;
const cli = join(import.meta.dirname, '..', '..', 'bin', 'cli.ts');

function bytesIn(dir: string): number {
  try {
    return readdirSync(dir).reduce((s, f) => {
      try {
        return s + statSync(join(dir, f)).size;
      } catch {
        return s; // deleted between the listing and the stat
      }
    }, 0);
  } catch {
    return 0;
  }
}

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

async function main(): Promise<void> {
  if (!isRoot()) {
    process.stderr.write('bench:monitor needs root (network namespace, veth, raw sockets): skipped\n');
    return;
  }
  const { ns, a, b } = createVethNamespace('monb');
  const dir = mkdtempSync(join(tmpdir(), 'gb-monitor-bench-'));
  const sim = (label: string, args: string[]): ManagedProcess =>
    new ManagedProcess(label, ns, spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', cli, 'sim', ...args], { stdio: ['ignore', 'pipe', 'pipe'] }), { keepStdout: false });
  try {
    const ring = join(dir, 'cap', 'ring');
    const capture = process.env.BENCH_CAPTURE === '0' ? [] : ['--capture-dir', join(dir, 'cap'), '--ring-max-mb', String(ringMb), '--ring-file-mb', String(ringMb / 8), '--snippet-seconds', '2', '--snippet-max-mb', '32'];
    const sub = sim('subscriber', ['subscriber', '--interface', b, '--view', 'plain', '--event-log', join(dir, 'events.jsonl'), ...capture]);
    await waitFor('the subscriber to receive', () => {
      if (!sub.running) throw new Error(`subscriber ended: ${sub.stderr}`);
      return sub.stderr.includes('receiving on');
    }, 60_000, 100);
    const pub = sim('publisher', ['publisher', '--interface', a, '--publishers', String(publishers), '--duration', String(seconds), '--events', `poisson:${10 / publishers}`, '--tal-factor', '3']);
    const started = Date.now();
    let maxRing = 0;
    const rss: { t: number; bytes: number }[] = [];
    let lastRss = 0;
    while (pub.running) {
      maxRing = Math.max(maxRing, bytesIn(ring));
      if (Date.now() - lastRss >= 1000) {
        lastRss = Date.now();
        rss.push({ t: (lastRss - started) / 1000, bytes: rssBytes(sub.pid) });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    // the end-of-run report of 2000 streams takes a while on a busy machine (latency percentiles)
    const exit = await sub.stop(300_000);
    if (exit.code !== 0) process.stderr.write(`subscriber exit ${JSON.stringify(exit)}: ${sub.stderr.slice(-2000)}\n`);
    const frames = /frames (\d+):/.exec(sub.stderr)?.[1] ?? '?';
    const ringFiles = capture.length ? readdirSync(ring).length : 0;
    const kinds = new Map<string, number>();
    for (const l of readFileSync(join(dir, 'events.jsonl'), 'utf8').split('\n')) {
      if (l === '') continue;
      const k = (JSON.parse(l) as { kind: string }).kind;
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
    }
    const events = [...kinds.values()].reduce((s, n) => s + n, 0);
    // RSS once the run has settled (after the first quarter) vs at the end: flat means no growth
    const settled = rss.filter((s) => s.t >= seconds / 4);
    const mib = (x: number): string => (x / MIB).toFixed(1);
    const first = settled[0]?.bytes ?? NaN;
    const last = settled.at(-1)?.bytes ?? NaN;
    const peak = Math.max(...settled.map((s) => s.bytes));
    process.stderr.write(
      `bench:monitor — ${publishers} publishers, ${seconds} s, ring cap ${ringMb} MiB (files of ${ringMb / 8} MiB)\n` +
        `  subscriber: ${/capture .*: (ring .*)/.exec(sub.stderr)?.[1] ?? 'no capture line'}\n` +
        `  subscriber: ${frames} frames received, ${events} events logged (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'})\n` +
        `  ring on disk: max ${mib(maxRing)} MiB of ${ringMb} MiB cap — ${maxRing <= ringMb * MIB ? 'never exceeded' : 'EXCEEDED'}; ${ringFiles} files at the end, ${mib(bytesIn(ring))} MiB\n` +
        `  subscriber RSS: ${mib(first)} MiB at ${settled[0]?.t.toFixed(0)} s, ${mib(last)} MiB at ${settled.at(-1)?.t.toFixed(0)} s, peak ${mib(peak)} MiB ` +
        `(growth ${mib(last - first)} MiB over the last three quarters)\n` +
        `  RSS by quarter of the run: ${[0.25, 0.5, 0.75, 1].map((q) => mib(rss[Math.min(rss.length - 1, Math.floor(q * (rss.length - 1)))]?.bytes ?? NaN)).join(', ')} MiB\n`,
    );
    process.stdout.write(`${JSON.stringify({ publishers, duration_s: seconds, frames: Number(frames), events, events_by_kind: Object.fromEntries(kinds), ring_cap_bytes: ringMb * MIB, ring_max_bytes: maxRing, rss_settled_start_bytes: first, rss_end_bytes: last, rss_peak_bytes: peak })}\n`);
    if (maxRing > ringMb * MIB) process.exitCode = 1;
  } finally {
    deleteNamespace(ns);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
