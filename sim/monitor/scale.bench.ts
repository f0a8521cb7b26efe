// npm run bench:monitor-scale — the subscriber with many streams (root): a veth pair in a
// throw-away namespace; a capture replayed onto one end (pcap-replay.ts, paced by its
// timestamps), `sim subscriber --json` on the other, both real processes. Reported as figures:
//   20,000 streams (heartbeats every second, `--duration 10`): wall time from start and from
//     "receiving on" to exit, streams in the JSON report, peak RSS (VmHWM);
//   100,000 streams (one frame each, sent over ~4 s): SIGINT while frames still arrive, time to
//     the "stopping on signal" line and to exit, streams in the JSON written after it.
// BENCH_STREAMS (default 20000), BENCH_SIGINT_STREAMS (default 100000), BENCH_DURATION_S (10);
// BENCH_CPU_PROF=DIR writes the subscribers' CPU profiles (node --cpu-prof) there.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture, PcapWriter } from '../../bridge/pcap/index.js';
import { destroyNamespaceSync, makeRunId, ManagedProcess, namespaceName, registerCleanup, runSync } from '../../testkit/topology/index.js';
import { isRoot } from '../../testkit/preconditions.js';

const streams = Number(process.env.BENCH_STREAMS ?? 20_000);
const sigintStreams = Number(process.env.BENCH_SIGINT_STREAMS ?? 100_000);
const durationS = Number(process.env.BENCH_DURATION_S ?? 10);
const cli = join(import.meta.dirname, '..', '..', 'bin', 'cli.ts');
/** The subscriber runs as users run it: the bundled CLI (`npm run bench:monitor-scale` bundles first). */
const bundled = join(import.meta.dirname, '..', '..', 'bin', 'goose-bridge.js');
const replay = join(import.meta.dirname, 'pcap-replay.ts');
/** Publishers per `sim publisher --pcap` run: APPIDs from 0 stay in the GOOSE range. */
const PER_RUN = 12_500;
const MIB = 1024 * 1024;
/** All runs of a capture share one timeline (the default start is "now", which differs per run). */
const START = '2026-01-01T00:00:00Z';
const cpuProf = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];

function peakRssBytes(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** `n` distinct streams (runs of PER_RUN publishers, each with its own MACs and gocbRefs) in one capture. */
async function streamsCapture(dir: string, name: string, n: number, args: string[]): Promise<string> {
  const parts: string[] = [];
  for (let run = 0; run * PER_RUN < n; run++) {
    const part = join(dir, `${name}-${run}.pcap`);
    const count = Math.min(PER_RUN, n - run * PER_RUN);
    const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'sim', 'publisher', '--pcap', part, '--publishers', String(count), '--appid', '0',
      '--src-mac', `02:${run.toString(16).padStart(2, '0')}:00:00:00:01`, '--gocb-ref', `R${run}IED{n}LD0/LLN0$GO$gcb01`, '--start-time', START, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`sim publisher --pcap: ${r.stderr}`);
    parts.push(part);
  }
  const frames = (await Promise.all(parts.map((p) => readCapture(p)))).flatMap((c) => c.frames).sort((a, b) => a.timestampUs - b.timestampUs);
  const out = join(dir, `${name}.pcap`);
  const w = await PcapWriter.open(out);
  for (const f of frames) w.write(f.data, f.timestampUs);
  await w.close();
  for (const p of parts) rmSync(p);
  return out;
}

async function until(what: string, p: ManagedProcess, cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (!p.running) throw new Error(`${p.label} ended while waiting for ${what}: ${p.stderr.slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function streamsInJson(file: string): number {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { streams: unknown[] }).streams.length;
  } catch {
    return -1;
  }
}

async function main(): Promise<void> {
  if (!isRoot()) {
    process.stderr.write('bench:monitor-scale needs root (network namespace, veth, raw sockets): skipped\n');
    return;
  }
  const id = makeRunId();
  const ns = namespaceName(id, 'mscl');
  const [a, b] = [`msa${id.tag}`, `msb${id.tag}`];
  const dir = mkdtempSync(join(tmpdir(), 'gb-monitor-scale-'));
  const unregister = registerCleanup(`namespace ${ns}`, () => destroyNamespaceSync(ns));
  /** A process in the namespace; its stdout goes to `stdoutFile` when given (a report of 100,000 streams is large). */
  const inNs = (label: string, args: string[], stdoutFile?: string): ManagedProcess => {
    const fd = stdoutFile ? openSync(stdoutFile, 'w') : undefined;
    const loader = args[0] === bundled ? [] : ['--import', 'tsx'];
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...cpuProf, ...loader, ...args], { stdio: ['ignore', fd ?? 'pipe', 'pipe'] });
    if (fd !== undefined) closeSync(fd);
    return new ManagedProcess(label, ns, child);
  };
  try {
    runSync(['ip', 'netns', 'add', ns]);
    runSync(['ip', '-n', ns, 'link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
    for (const l of [a, b]) runSync(['ip', '-n', ns, 'link', 'set', l, 'up']);
    const out: Record<string, number> = {};

    // 1. many streams, heartbeats, --duration
    // heartbeats only (t1 = t0 = 1 s): the steady load of that many IEDs, ~N frames/s
    const beats = await streamsCapture(dir, 'beats', streams, ['--duration', String(durationS + 2), '--t1', '1000']);
    const spawnedAt = Date.now();
    const json1 = join(dir, 'report-1.json');
    const sub = inNs('subscriber', [bundled, 'sim', 'subscriber', '--interface', b, '--duration', String(durationS), '--json', '--view', 'plain'], json1);
    await until('receiving on', sub, () => sub.stderr.includes('receiving on'), 60_000);
    const receivingAt = Date.now();
    const gen = inNs('replay', [replay, a, beats]);
    let peak = 0;
    while (sub.running) {
      peak = Math.max(peak, peakRssBytes(sub.pid) || 0);
      await new Promise((r) => setTimeout(r, 50));
    }
    const endedAt = Date.now();
    process.stderr.write(sub.stderr.split('\n').filter((l) => /^(streams|frames|verdict|sim subscriber)/.test(l)).map((l) => `  subscriber: ${l}\n`).join(''));
    await gen.stop(2000);
    out.streams_sent = streams;
    out.streams_reported = streamsInJson(json1);
    out.kernel_drops = Number(/kernel drops (\d+)/.exec(sub.stderr)?.[1] ?? 0);
    out.frames_received = Number(/frames (\d+):/.exec(sub.stderr)?.[1] ?? -1);
    out.end_s_from_start = (endedAt - spawnedAt) / 1000;
    out.end_s_from_receiving = (endedAt - receivingAt) / 1000;
    out.peak_rss_mib = Math.round(peak / MIB);
    out.exit_code = sub.exit?.code ?? -1;

    // 2. SIGINT while 100,000 streams arrive
    const once = await streamsCapture(dir, 'once', sigintStreams, ['--count', '1', '--t0', '4000']);
    const json2 = join(dir, 'report-2.json');
    const sub2 = inNs('subscriber 100k', [bundled, 'sim', 'subscriber', '--interface', b, '--json', '--view', 'plain'], json2);
    // the "stopping" line is found in the stream itself: event lines may push it out of the kept tail
    let stoppingMs = NaN;
    let sigintAt = NaN;
    sub2.child.stderr?.on('data', (d: Buffer) => {
      if (Number.isNaN(stoppingMs) && !Number.isNaN(sigintAt) && d.toString().includes('stopping on signal')) stoppingMs = performance.now() - sigintAt;
    });
    await until('receiving on', sub2, () => sub2.stderr.includes('receiving on'), 60_000);
    const gen2 = inNs('replay 100k', [replay, a, once]);
    await until('the replay to send', gen2, () => gen2.stderr.includes('replaying'), 60_000);
    await new Promise((r) => setTimeout(r, 2000)); // mid-way through the 4 s of sending
    let peak2 = 0;
    sigintAt = performance.now();
    sub2.child.kill('SIGINT');
    while (sub2.running) {
      peak2 = Math.max(peak2, peakRssBytes(sub2.pid) || 0);
      await new Promise((r) => setTimeout(r, 2));
    }
    out.sigint_streams_sent = sigintStreams;
    out.sigint_to_stopping_line_ms = Math.round(stoppingMs);
    out.sigint_to_exit_ms = Math.round(performance.now() - sigintAt);
    out.sigint_streams_reported = streamsInJson(json2);
    out.sigint_frames_received = Number(/frames (\d+):/.exec(sub2.stderr)?.[1] ?? -1);
    out.sigint_peak_rss_mib = Math.round(peak2 / MIB);
    out.sigint_exit_code = sub2.exit?.code ?? -1;
    await gen2.stop(2000);

    process.stderr.write(
      `bench:monitor-scale\n` +
        `  ${streams} streams, sim subscriber --duration ${durationS} --json: ended ${out.end_s_from_start} s after start (${out.end_s_from_receiving} s after "receiving on"), ` +
        `${out.streams_reported} streams reported (${out.frames_received} frames received, kernel drops ${out.kernel_drops}), peak RSS ${out.peak_rss_mib} MiB, exit ${out.exit_code}\n` +
        `  ${sigintStreams} streams (one frame each), SIGINT while they arrive: "stopping" after ${out.sigint_to_stopping_line_ms} ms, exit after ${out.sigint_to_exit_ms} ms, ` +
        `${out.sigint_streams_reported} streams in its JSON, peak RSS ${out.sigint_peak_rss_mib} MiB, exit ${out.sigint_exit_code}\n`,
    );
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    destroyNamespaceSync(ns);
    unregister();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
