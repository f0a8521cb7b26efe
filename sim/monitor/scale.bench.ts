// npm run bench:monitor-scale [-- --scale | --signal] [--runs N] — the subscriber with many
// streams (root): a veth pair in a throw-away namespace; a capture replayed onto one end
// (pcap-replay.ts, paced by its timestamps), `sim subscriber --json` on the other, both real
// processes. Reported as figures:
//   --scale: 20,000 streams (heartbeats every second, `--duration 10`), N runs (default 3): wall
//     time from start and from "receiving on" to exit, streams in the JSON report, frames
//     received / not judged / dropped by the kernel, peak RSS (VmHWM);
//   --signal: 100,000 streams (one frame each, sent over ~4 s): SIGINT, then SIGTERM, while
//     frames still arrive: time to the "stopping on signal" line and to exit, streams in the
//     JSON written before it, peak RSS.
// Both by default. BENCH_STREAMS (default 20000), BENCH_SIGINT_STREAMS (default 100000),
// BENCH_DURATION_S (10); BENCH_CPU_PROF=DIR writes the subscribers' CPU profiles (node --cpu-prof) there.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readCapture, PcapWriter } from '../../bridge/pcap/index.js';
import { destroyNamespaceSync, makeRunId, ManagedProcess, namespaceName, registerCleanup, runSync } from '../../testkit/topology/index.js';
import { isRoot } from '../../testkit/preconditions.js';

const streams = Number(process.env.BENCH_STREAMS ?? 20_000);
const sigintStreams = Number(process.env.BENCH_SIGINT_STREAMS ?? 100_000);
const durationS = Number(process.env.BENCH_DURATION_S ?? 10);
const { values: argv } = parseArgs({ options: { scale: { type: 'boolean', default: false }, signal: { type: 'boolean', default: false }, runs: { type: 'string', default: '3' } } });
const both = !argv.scale && !argv.signal;
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

/** Streams in the JSON report and those it says it left out (-1: no valid JSON). */
function streamsInJson(file: string): { rows: number; notWritten: number } {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as { streams: unknown[]; totals: { streams_not_written: number } };
    return { rows: r.streams.length, notWritten: r.totals.streams_not_written };
  } catch {
    return { rows: -1, notWritten: -1 };
  }
}

const stat = (re: RegExp, text: string): number => Number(re.exec(text)?.[1] ?? -1);

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
    const out: Record<string, unknown> = {};
    const lines: string[] = [];

    if (both || argv.scale) {
      // heartbeats only (t1 = t0 = 1 s): the steady load of that many IEDs, ~N frames/s
      const beats = await streamsCapture(dir, 'beats', streams, ['--duration', String(durationS + 2), '--t1', '1000']);
      const runs: Record<string, number>[] = [];
      for (let run = 1; run <= Number(argv.runs); run++) {
        // the replay loads first and starts when told: --duration is spent on traffic, not on loading it
        const go = join(dir, `go-${run}`);
        const gen = inNs('replay', [replay, a, beats, go]);
        await until('the replay to load', gen, () => gen.stderr.includes('loaded'), 120_000);
        const spawnedAt = Date.now();
        const json = join(dir, `report-${run}.json`);
        const sub = inNs('subscriber', [bundled, 'sim', 'subscriber', '--interface', b, '--duration', String(durationS), '--json', '--view', 'plain'], json);
        await until('receiving on', sub, () => sub.stderr.includes('receiving on'), 60_000);
        const receivingAt = Date.now();
        writeFileSync(go, '');
        let peak = 0;
        while (sub.running) {
          peak = Math.max(peak, peakRssBytes(sub.pid) || 0);
          await new Promise((r) => setTimeout(r, 50));
        }
        const endedAt = Date.now();
        await gen.stop(2000);
        const inJson = streamsInJson(json);
        const r = {
          end_s_from_start: (endedAt - spawnedAt) / 1000,
          end_s_from_receiving: (endedAt - receivingAt) / 1000,
          streams_reported: inJson.rows,
          frames_received: stat(/frames (\d+):/, sub.stderr),
          frames_not_judged: Math.max(0, stat(/not judged (\d+)/, sub.stderr)),
          kernel_drops: Math.max(0, stat(/kernel drops (\d+)/, sub.stderr)),
          peak_rss_mib: Math.round(peak / MIB),
          exit_code: sub.exit?.code ?? -1,
        };
        runs.push(r);
        lines.push(
          `  ${streams} streams, --duration ${durationS} --json, run ${run}: ended ${r.end_s_from_start} s after start (${r.end_s_from_receiving} s after "receiving on"), ` +
            `${r.streams_reported} streams reported, frames received ${r.frames_received} (not judged ${r.frames_not_judged}, kernel drops ${r.kernel_drops}), peak RSS ${r.peak_rss_mib} MiB, exit ${r.exit_code}`,
        );
        process.stderr.write(`${lines.at(-1)}\n`);
      }
      out.streams_sent = streams;
      out.scale_runs = runs;
    }

    if (both || argv.signal) {
      const once = await streamsCapture(dir, 'once', sigintStreams, ['--count', '1', '--t0', '4000']);
      const signals: Record<string, number | string>[] = [];
      for (const sig of ['SIGINT', 'SIGTERM'] as const) {
        const json = join(dir, `report-${sig}.json`);
        const sub = inNs(`subscriber 100k ${sig}`, [bundled, 'sim', 'subscriber', '--interface', b, '--json', '--view', 'plain'], json);
        // the "stopping" line is found in the stream itself: event lines may push it out of the kept tail
        let stoppingMs = NaN;
        let sentAt = NaN;
        sub.child.stderr?.on('data', (d: Buffer) => {
          if (Number.isNaN(stoppingMs) && !Number.isNaN(sentAt) && d.toString().includes('stopping on signal')) stoppingMs = performance.now() - sentAt;
        });
        const go = join(dir, `go-${sig}`);
        const gen = inNs('replay 100k', [replay, a, once, go]);
        await until('the replay to load', gen, () => gen.stderr.includes('loaded'), 120_000);
        await until('receiving on', sub, () => sub.stderr.includes('receiving on'), 60_000);
        writeFileSync(go, '');
        await until('the replay to send', gen, () => gen.stderr.includes('replaying'), 60_000);
        await new Promise((r) => setTimeout(r, 2000)); // mid-way through the 4 s of sending
        let peak = 0;
        sentAt = performance.now();
        sub.child.kill(sig);
        while (sub.running) {
          peak = Math.max(peak, peakRssBytes(sub.pid) || 0);
          await new Promise((r) => setTimeout(r, 2));
        }
        const exitMs = Math.round(performance.now() - sentAt);
        await gen.stop(2000);
        const inJson = streamsInJson(json);
        const r = {
          signal: sig,
          to_stopping_line_ms: Math.round(stoppingMs),
          to_exit_ms: exitMs,
          streams_in_json: inJson.rows,
          streams_not_written: inJson.notWritten,
          frames_received: stat(/frames (\d+):/, sub.stderr),
          frames_not_judged: Math.max(0, stat(/not judged (\d+)/, sub.stderr)),
          peak_rss_mib: Math.round(peak / MIB),
          exit_code: sub.exit?.code ?? -1,
        };
        signals.push(r);
        lines.push(
          `  ${sigintStreams} streams (one frame each), ${sig} while they arrive: "stopping" after ${r.to_stopping_line_ms} ms, exit after ${r.to_exit_ms} ms, ` +
            `${r.streams_in_json} streams in its JSON (${r.streams_not_written} left out), frames received ${r.frames_received} (not judged ${r.frames_not_judged}), peak RSS ${r.peak_rss_mib} MiB, exit ${r.exit_code}`,
        );
        process.stderr.write(`${lines.at(-1)}\n`);
      }
      out.signal_streams_sent = sigintStreams;
      out.signals = signals;
    }

    process.stderr.write(`bench:monitor-scale\n${lines.join('\n')}\n`);
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } finally {
    destroyNamespaceSync(ns);
    unregister();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
