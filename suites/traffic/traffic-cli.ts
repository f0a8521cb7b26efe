// The lean traffic endpoints the suites run inside host namespaces (one process each):
//   send-constant: fixed-rate probe frames (round-robin over publishers), pre-encoded templates
//                  paced, patched and sent natively (PacketSocket.sendPaced, one sendmmsg for what
//                  is due); with --serve, one slice per stdin request;
//   send-goose:    publishers following the GOOSE retransmission schedule (sim's schedule) with a
//                  state change every --event-interval-ms;
//   recv:          counts probe frames, records one-way latency (CLOCK_MONOTONIC, same clock as
//                  the sender's stamps) into HdrHistograms: actual send → receive and, per slice,
//                  also scheduled send → receive; in GOOSE mode each state's first delivery.
// Each prints one JSON object on stdout when done (recv: on SIGTERM/SIGINT or --duration).
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import * as hdr from 'hdr-histogram-js';
import { PacketSocket, monotonicUs } from '../../native/index.js';
import { buildProbeTemplate, readProbeInto, writeProbeFields, writeProbeTal, type ProbeFields, type ProbeLayout } from './probe-frame.js';
import { createSchedule, TalPolicy } from '../../sim/goose/retransmission-schedule.js';
import { SeqBitmap } from './seq-bitmap.js';
import { newLatencyHistogram } from '../stats/latency-summary.js';

/** Frames of one state whose delay is recorded separately (a 1 s window holds 9 of the schedule's). */
const MAX_SQ_HISTOGRAMS = 16;
const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const immediate = (): Promise<void> => new Promise((r) => setImmediate(r));
/**
 * Waits until about `waitUs` from now. Sleeps rather than spins unless the next frame is due
 * within 300 µs: on a 2-core machine a spinning generator takes a whole core from the bridges
 * it measures (measured: bridge p99 6.9–26.5 ms spinning, 2.2–4.7 ms sleeping). The lateness this
 * causes is measured, not hidden: every frame carries its scheduled and its actual send time.
 */
const waitFor = (waitUs: number): Promise<void> =>
  waitUs > 1500 ? tick(Math.floor(waitUs / 1000) - 1) : waitUs > 300 ? tick(0) : immediate();

interface ConstantOpts {
  interface: string;
  rate: number;
  duration: number;
  size: number;
  publishers: number;
  /** First sequence number: several senders in turn can feed one receiver without duplicates. */
  seqStart: number;
  /** Written as stNum into every frame: the receiver keeps one histogram per slice. */
  slice: number;
}

async function sendConstant(o: ConstantOpts & { serve: boolean }): Promise<void> {
  const sock = PacketSocket.open(o.interface, { etherTypes: [0x88b8] });
  const probes = Array.from({ length: o.publishers }, (_, p) => buildProbeTemplate(o.size, p));
  const templates = probes.map((t) => t.frame);
  const layout = probes[0]!.layout;
  try {
    if (!o.serve) {
      out(await sendPaced(sock, templates, layout, o));
      return;
    }
    // Serve mode: one process sends many slices on request ("<slice> <seqStart> <durationS>" per
    // stdin line, one JSON result line each), so interleaved slices do not pay a start-up each.
    process.stderr.write('ready\n');
    const lines = createInterface({ input: process.stdin });
    for await (const line of lines) {
      const [slice, seqStart, duration] = line.trim().split(/\s+/).map(Number);
      if (![slice, seqStart, duration].every((x) => Number.isFinite(x))) throw new Error(`serve: bad request line "${line}"`);
      out(await sendPaced(sock, templates, layout, { ...o, slice: slice!, seqStart: seqStart!, duration: duration! }));
    }
  } finally {
    sock.close();
  }
}

/**
 * Open loop: frame k is scheduled at start + k / rate and is offered exactly once. Each frame
 * carries its actual send time (txUs) and its scheduled time (eventUs); the receiver records both,
 * so the generator's own lateness is measured (scheduled → receive), never synthesised. A frame
 * the kernel refuses is not retried: it counts as offered and lost, whatever the path. The timing
 * and sending run natively (PacketSocket.sendPaced): it sleeps until a frame is due and sends what
 * is due in one sendmmsg, so neither the event loop nor a spinning wait sets the ceiling.
 */
async function sendPaced(sock: PacketSocket, templates: Buffer[], layout: ProbeLayout, o: ConstantOpts): Promise<Record<string, unknown>> {
  const total = Math.max(1, Math.round(o.rate * o.duration));
  const startUs = monotonicUs() + 20_000;
  const r = await sock.sendPaced({
    templates, offStNum: layout.offStNum, offSqNum: layout.offSqNum, offTxUs: layout.offTxUs, offEventUs: layout.offEventUs,
    rateFps: o.rate, total, seqStart: o.seqStart, slice: o.slice, startUs,
  });
  if (r.stalledErrno !== 0) throw new Error(`${o.interface} refused every frame for 5 s (interface gone?), errno ${r.stalledErrno}`);
  // Generator lag: actual send time − scheduled time, one sample per frame offered.
  const lag = newLatencyHistogram();
  for (const v of r.lagUs) lag.recordValue(Math.max(1, v));
  return {
    mode: 'constant',
    offered: r.offered,
    refused: r.refused,
    rateFps: o.rate,
    achievedFps: (r.offered * 1e6) / Math.max(1, r.endUs - startUs),
    durationS: (r.endUs - startUs) / 1e6,
    startUs,
    endUs: r.endUs,
    lagHistogram: hdr.encodeIntoCompressedBase64(lag),
  };
}

interface GooseOpts {
  interface: string;
  publishers: number;
  duration: number;
  size: number;
  eventIntervalMs: number;
  t1Ms: number;
  t0Ms: number;
  /** States whose change happened later than this before the end are not counted (their window is cut). */
  windowMs: number;
  seed: number;
}

async function sendGoose(o: GooseOpts): Promise<void> {
  const sock = PacketSocket.open(o.interface, { etherTypes: [0x88b8] });
  const schedule = createSchedule('doubling', { t0Us: o.t0Ms * 1000, t1Us: o.t1Ms * 1000 });
  const tal = new TalPolicy(2);
  let rnd = o.seed >>> 0 || 1;
  const random = (): number => {
    // xorshift32: reproducible stagger without a dependency
    rnd ^= rnd << 13;
    rnd >>>= 0;
    rnd ^= rnd >>> 17;
    rnd ^= rnd << 5;
    rnd >>>= 0;
    return rnd / 2 ** 32;
  };
  const startUs = monotonicUs() + 20_000;
  const endUs = startUs + o.duration * 1e6;
  const lastCountedEventUs = endUs - o.windowMs * 1000;
  const intervalUs = o.eventIntervalMs * 1000;
  const pubs = Array.from({ length: o.publishers }, (_, p) => {
    const t = buildProbeTemplate(o.size, p);
    const firstEvent = startUs + Math.floor(random() * intervalUs);
    return {
      frame: t.frame,
      layout: t.layout as ProbeLayout,
      stNum: 0,
      sqNum: 0,
      framesInState: 0,
      lastScheduledUs: firstEvent,
      nextUs: firstEvent,
      nextEventUs: firstEvent,
      eventUs: 0,
      countedStates: 0,
    };
  });
  let sent = 0;
  let refused = 0;
  // How late retransmissions left against the schedule (µs): timer resolution and machine load
  // delay them, and the 4 ms / 10 ms delivery figures depend on it.
  const lateness: number[] = [];
  for (;;) {
    const now = monotonicUs();
    if (now >= endUs) break;
    let soonest = Infinity;
    for (const p of pubs) {
      if (p.nextUs <= now) {
        const isEvent = p.nextEventUs <= p.nextUs;
        const scheduled = isEvent ? p.nextEventUs : p.nextUs;
        if (isEvent) {
          p.stNum++;
          p.sqNum = 0;
          p.framesInState = 0;
          p.eventUs = now;
          if (scheduled <= lastCountedEventUs) p.countedStates = p.stNum;
          // Next change a full interval later (± 10 % jitter so publishers do not lock step).
          p.nextEventUs = scheduled + intervalUs * (0.9 + 0.2 * random());
        }
        if (!isEvent) lateness.push(Math.max(0, now - scheduled));
        const gap = schedule.gapAfter(p.framesInState);
        writeProbeTal(p.frame, p.layout, tal.talMs(gap));
        writeProbeFields(p.frame, p.layout, { stNum: p.stNum, sqNum: p.sqNum, txUs: monotonicUs(), eventUs: p.eventUs });
        if (sock.send(p.frame)) sent++;
        else refused++;
        p.sqNum++;
        p.framesInState++;
        p.lastScheduledUs = scheduled;
        const nextRetx = schedule.next({ framesInState: p.framesInState, lastScheduledUs: scheduled }, now);
        p.nextUs = Math.min(nextRetx, p.nextEventUs);
      }
      if (p.nextUs < soonest) soonest = p.nextUs;
    }
    await waitFor(soonest - monotonicUs());
  }
  sock.close();
  lateness.sort((a, b) => a - b);
  const pct = (q: number): number => Math.round(lateness[Math.min(lateness.length - 1, Math.floor(q * lateness.length))] ?? 0);
  out({
    mode: 'goose',
    sent,
    refused,
    retransmissionLateP50Us: pct(0.5),
    retransmissionLateP99Us: pct(0.99),
    durationS: o.duration,
    publishers: pubs.map((p, i) => ({ publisher: i, states: p.stNum, countedStates: p.countedStates })),
  });
}

interface RecvOpts {
  interface: string;
  size: number;
  duration: number;
  firstDeliveries: boolean;
}

async function recv(o: RecvOpts): Promise<void> {
  const layout = buildProbeTemplate(o.size, 0).layout;
  const newHist = newLatencyHistogram;
  const hist = newHist();
  // Constant mode: per slice (stNum), actual send → receive and scheduled send → receive.
  const slices = new Map<number, { distinct: number; actual: hdr.Histogram; sched: hdr.Histogram }>();
  // GOOSE mode: delay from the state change to the arrival of its k-th frame (k = sqNum), which
  // folds the generator's lateness and the path's latency into one measured distribution per k.
  const bySq: hdr.Histogram[] = [];
  const seen = new SeqBitmap();
  const seenGoose = new Set<number>();
  const first = new Map<number, number>(); // (publisher << 32 | stNum) as number key → first delay µs
  let received = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  let foreign = 0;
  let maxSeq = -1;
  let firstRxUs = 0;
  let lastRxUs = 0;
  const sock = PacketSocket.open(o.interface, { etherTypes: [0x88b8], rcvbufBytes: 64 * 1024 * 1024 });
  const f: ProbeFields = { publisher: 0, stNum: 0, sqNum: 0, txUs: 0, eventUs: 0 };
  let last: { stNum: number; slice: { distinct: number; actual: hdr.Histogram; sched: hdr.Histogram } } | null = null;
  sock.start((batch) => {
    for (let i = 0; i < batch.count; i++) {
      if (!readProbeInto(batch.data, batch.offsets[i]!, batch.lengths[i]!, layout, f)) {
        foreign++;
        continue;
      }
      const rx = batch.rxTimeUs[i]!;
      if (firstRxUs === 0) firstRxUs = rx;
      lastRxUs = rx;
      received++;
      const latency = Math.max(1, Math.round(rx - f.txUs));
      if (o.firstDeliveries) {
        // GOOSE mode: (publisher, stNum, sqNum) identifies a frame.
        const key = f.publisher * 2 ** 40 + f.stNum * 2 ** 20 + Math.min(f.sqNum, 2 ** 20 - 1);
        if (seenGoose.has(key)) {
          duplicates++;
          continue;
        }
        seenGoose.add(key);
        const sk = f.publisher * 2 ** 32 + f.stNum;
        if (!first.has(sk)) first.set(sk, Math.max(0, Math.round(rx - f.eventUs)));
        if (f.sqNum < MAX_SQ_HISTOGRAMS) (bySq[f.sqNum] ??= newHist()).recordValue(Math.max(1, Math.round(rx - f.eventUs)));
        hist.recordValue(latency);
      } else {
        if (!seen.add(f.sqNum)) {
          duplicates++;
          continue;
        }
        if (f.sqNum < maxSeq) outOfOrder++;
        else maxSeq = f.sqNum;
        // The whole run's histogram is the sum of the slices' (added up at the end).
        if (last === null || last.stNum !== f.stNum) {
          let found = slices.get(f.stNum);
          if (!found) slices.set(f.stNum, (found = { distinct: 0, actual: newHist(), sched: newHist() }));
          last = { stNum: f.stNum, slice: found };
        }
        const sl = last.slice;
        sl.distinct++;
        sl.actual.recordValue(latency);
        sl.sched.recordValue(Math.max(1, Math.round(rx - f.eventUs)));
      }
    }
  });
  process.stderr.write('ready\n');
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
    if (o.duration > 0) setTimeout(resolve, o.duration * 1000);
  });
  // Let the reader hand over what it already read.
  await tick(50);
  const st = sock.stats();
  sock.close();
  for (const x of slices.values()) hist.add(x.actual);
  out({
    mode: 'recv',
    received,
    distinct: received - duplicates,
    duplicates,
    outOfOrder,
    foreign,
    kernelDrops: st.kernelDrops,
    firstRxUs,
    lastRxUs,
    histogram: hdr.encodeIntoCompressedBase64(hist),
    slices: [...slices].map(([slice, x]) => ({
      slice,
      distinct: x.distinct,
      histogram: hdr.encodeIntoCompressedBase64(x.actual),
      schedHistogram: hdr.encodeIntoCompressedBase64(x.sched),
    })),
    frameDelays: bySq.map((h, sq) => ({ sq, histogram: hdr.encodeIntoCompressedBase64(h) })).filter((x) => x !== undefined),
    firstDeliveries: o.firstDeliveries
      ? [...first].map(([k, d]) => [Math.floor(k / 2 ** 32), k % 2 ** 32, d])
      : [],
  });
}

function out(obj: unknown): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

const num = (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`not a number: ${v}`);
  return n;
};

const program = new Command('traffic').exitOverride();
program
  .command('send-constant')
  .requiredOption('--interface <if>')
  .requiredOption('--rate <fps>', 'frames/s', num)
  .requiredOption('--duration <s>', 'seconds', num)
  .option('--size <bytes>', 'frame size', num, 200)
  .option('--publishers <n>', 'streams', num, 1)
  .option('--seq-start <n>', 'first sequence number', num, 0)
  .option('--slice <n>', 'slice number written into every frame (stNum)', num, 1)
  .option('--serve', 'send slices on request: stdin lines "<slice> <seqStart> <durationS>", a JSON line each', false)
  .action((o: ConstantOpts & { serve: boolean }) => sendConstant(o));
program
  .command('send-goose')
  .requiredOption('--interface <if>')
  .requiredOption('--duration <s>', 'seconds', num)
  .option('--publishers <n>', 'streams', num, 20)
  .option('--size <bytes>', 'frame size', num, 200)
  .option('--event-interval-ms <ms>', 'time between state changes', num, 1500)
  .option('--t1-ms <ms>', 'first retransmission gap', num, 2)
  .option('--t0-ms <ms>', 'heartbeat', num, 1000)
  .option('--window-ms <ms>', 'states changing later than this before the end are not counted', num, 1100)
  .option('--seed <n>', 'stagger seed', num, 1)
  .action((o: GooseOpts) => sendGoose(o));
program
  .command('recv')
  .requiredOption('--interface <if>')
  .option('--size <bytes>', 'frame size', num, 200)
  .option('--duration <s>', 'stop after (0 = on SIGTERM)', num, 0)
  .option('--first-deliveries', 'GOOSE mode: record each state’s first delivery', false)
  .action((o: RecvOpts) => recv(o));

await program.parseAsync(process.argv);
