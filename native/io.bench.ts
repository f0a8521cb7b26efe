// Throughput of the native I/O layer, as root, inside a throw-away network namespace:
//   1. TAP write  → packet socket read (what an application sending on goose0 looks like to us)
//   2. packet socket send → TAP read   (what the daemon reads from goose0)
// Prints frames/s offered and received, loss and the reader's batch sizes.
//   npx tsx native/io.bench.ts [--frames N] [--size BYTES] [--rate FRAMES_PER_S] [--json]
// The outer process creates the namespace and re-runs itself inside it with --inner.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PacketSocket, TapDevice, monotonicUs, type FrameBatch } from './index.js';
import { createNamespace, deleteNamespace } from '../testkit/netns.js';

interface DirectionResult {
  direction: string;
  frames_offered: number;
  frames_sent: number;
  frames_received: number;
  frames_lost: number;
  out_of_order: number;
  send_rate_fps: number;
  receive_rate_fps: number;
  mean_batch: number;
  kernel_drops: number;
  write_drops: number;
  rss_mb: number;
  /** Time from the reader thread's read() of a batch's first frame to the JS handler running. */
  dispatch_delay_p50_us: number;
  dispatch_delay_p99_us: number;
}

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name}: '${process.argv[i + 1]}' is not a positive number`);
  return v;
}

function makeFrames(count: number, size: number, tagged: boolean): Buffer[] {
  // Distinct frames (sequence number at a fixed offset) so loss and order are measurable.
  const frames: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const f = Buffer.alloc(size);
    Buffer.from('010ccd010001020000000001', 'hex').copy(f, 0);
    let o = 12;
    if (tagged) {
      f.writeUInt16BE(0x8100, 12);
      f.writeUInt16BE(0x8005, 14);
      o = 16;
    }
    f.writeUInt16BE(0x88b8, o);
    f.writeUInt32BE(i, o + 2);
    frames.push(f);
  }
  return frames;
}

type Sender = { write(frame: Uint8Array): boolean; writeMany(frames: Uint8Array[]): number; stats(): { writeDrops: number } };
type Receiver = { start(cb: (b: FrameBatch) => void): void; stats(): { kernelDrops: number } };

function percentile(xs: number[], q: number): number {
  if (xs.length === 0) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function runDirection(
  direction: string,
  sender: Sender,
  receiver: Receiver,
  frameCount: number,
  size: number,
  seqOffset: number,
  oneByOne: boolean,
  rate: number,
): Promise<DirectionResult> {
  const pool = makeFrames(4096, size, true);
  let received = 0;
  let outOfOrder = 0;
  let last = -1;
  let batches = 0;
  let firstRx = 0;
  let lastRx = 0;
  const delays: number[] = [];
  receiver.start((b) => {
    batches++;
    delays.push(monotonicUs() - b.rxTimeUs[0]!);
    for (let i = 0; i < b.count; i++) {
      const off = b.offsets[i]!;
      if (b.data.readUInt16BE(off + 16) !== 0x88b8) continue; // ignore stray kernel frames
      const seq = b.data.readUInt32BE(off + seqOffset);
      if (seq <= last) outOfOrder++;
      last = seq;
      received++;
      if (firstRx === 0) firstRx = b.rxTimeUs[i]!;
      lastRx = b.rxTimeUs[i]!;
    }
  });
  // At low rates (≤ 2000 frames/s) frames go out one at a time with the event loop idle in
  // between, so the dispatch delay is that of an otherwise quiet daemon.
  const quiet = rate > 0 && rate <= 2000;
  const chunkSize = quiet ? 1 : 64;
  const chunk: Buffer[] = new Array<Buffer>(chunkSize);
  let sent = 0;
  const t0 = monotonicUs();
  for (let base = 0; base < frameCount; base += chunkSize) {
    const n = Math.min(chunkSize, frameCount - base);
    for (let k = 0; k < n; k++) {
      const f = pool[(base + k) % pool.length]!;
      f.writeUInt32BE(base + k, seqOffset);
      chunk[k] = f;
    }
    if (oneByOne) {
      for (let k = 0; k < n; k++) if (sender.write(chunk[k]!)) sent++;
    } else {
      sent += sender.writeMany(n === chunkSize ? chunk : chunk.slice(0, n));
    }
    // Let the event loop deliver batches now and then, as a daemon would; with --rate, also
    // whenever we are ahead of the schedule.
    if (base % 1024 === 0) await new Promise((r) => setImmediate(r));
    if (rate > 0) {
      while (base + n > ((monotonicUs() - t0) * rate) / 1e6) {
        await new Promise((r) => (quiet ? setTimeout(r, 1) : setImmediate(r)));
      }
    }
  }
  const t1 = monotonicUs();
  // Wait for the receiver to go quiet.
  let prev = -1;
  while (received !== prev) {
    prev = received;
    await new Promise((r) => setTimeout(r, 100));
  }
  const rxSpan = Math.max(1, lastRx - firstRx);
  return {
    direction,
    frames_offered: frameCount,
    frames_sent: sent,
    frames_received: received,
    frames_lost: sent - received,
    out_of_order: outOfOrder,
    send_rate_fps: Math.round((sent * 1e6) / Math.max(1, t1 - t0)),
    receive_rate_fps: Math.round((received * 1e6) / rxSpan),
    mean_batch: Math.round((received / Math.max(1, batches)) * 10) / 10,
    kernel_drops: receiver.stats().kernelDrops,
    write_drops: sender.stats().writeDrops,
    rss_mb: Math.round(process.memoryUsage.rss() / 1e5) / 10,
    dispatch_delay_p50_us: percentile(delays, 0.5),
    dispatch_delay_p99_us: percentile(delays, 0.99),
  };
}

async function inner(): Promise<void> {
  const frames = arg('--frames', 500_000);
  const size = arg('--size', 128);
  const rate = process.argv.includes('--rate') ? arg('--rate', 1) : 0;
  const results: DirectionResult[] = [];
  for (const oneByOne of [true, false]) {
    const how = oneByOne ? 'write' : 'writeMany';
    {
      const tap = TapDevice.create('gbbench0');
      const ps = PacketSocket.open('gbbench0');
      results.push(await runDirection(`tap_${how}_to_packet_read`, tap, ps, frames, size, 18, oneByOne, rate));
      ps.close();
      tap.close();
    }
    {
      const tap = TapDevice.create('gbbench1');
      const ps = PacketSocket.open('gbbench1');
      results.push(await runDirection(`packet_${how}_to_tap_read`, ps, tap, frames, size, 18, oneByOne, rate));
      ps.close();
      tap.close();
    }
  }
  process.stdout.write(JSON.stringify({ frames, size, rate, results }) + '\n');
}

function outer(): void {
  if (process.getuid?.() !== 0) {
    process.stderr.write('io.bench needs root (network namespace, TAP device, packet socket)\n');
    process.exitCode = 1;
    return;
  }
  const ns = createNamespace('iobench');
  try {
    const self = fileURLToPath(import.meta.url);
    const passArgs = process.argv.slice(2).filter((a) => a !== '--json');
    const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', self, '--inner', ...passArgs], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (r.status !== 0) throw new Error(`bench child failed with status ${r.status}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { frames: number; size: number; rate: number; results: DirectionResult[] };
    if (process.argv.includes('--json')) {
      process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    } else {
      const lines = [`native I/O bench: ${out.frames} frames of ${out.size} bytes (VLAN-tagged), ${out.rate > 0 ? `paced at ${out.rate} frames/s` : 'as fast as possible'}, sender and receiver in one process`];
      for (const x of out.results) {
        lines.push(
          `${x.direction.padEnd(30)} sent ${x.frames_sent} (${x.send_rate_fps} frames/s)  received ${x.frames_received} (${x.receive_rate_fps} frames/s)  lost ${x.frames_lost}  out-of-order ${x.out_of_order}  mean batch ${x.mean_batch}  kernel drops ${x.kernel_drops}  write drops ${x.write_drops}  rss ${x.rss_mb} MB  dispatch delay p50 ${x.dispatch_delay_p50_us} µs p99 ${x.dispatch_delay_p99_us} µs`,
        );
      }
      process.stderr.write(lines.join('\n') + '\n');
    }
  } finally {
    deleteNamespace(ns);
  }
}

if (process.argv.includes('--inner')) {
  await inner();
} else {
  outer();
}
