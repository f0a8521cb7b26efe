// Every datagram a receiving bridge reads is accounted for: 10^5 fuzzed datagrams (mutations of
// valid R-GOOSE SPDUs, random bytes, zero-length ones) into an rgoose bridge, and GB1 datagrams with
// zero-length ones into a gb1 bridge: received = written + dropped exactly, every drop under a
// reason, and received + kernel receive-buffer drops = sent.
import { expect } from 'chai';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNativeKeyring } from '../../native/rgoose.js';
import { skipUnlessRoot } from '../../testkit/preconditions.js';
import { Topology, type Host } from '../../testkit/topology/index.js';
import { DaemonUnderTest, sendUdpFileFromHost, waitUntil } from '../../testkit/daemon/bridge-under-test.js';
import { gooseTestFrame } from '../../testkit/frames/goose-test-frames.js';
import { Gb1Encapsulation } from '../spec/gb1-encapsulation.js';
import type { StatsSnapshot } from './bridge-counters.js';

const GROUP = '239.192.7.7';
const TOTAL = 100_000;
const ZERO_LENGTH = 200;
const HMAC = { id: 3, signature: 'hmac-sha256-128', encryption: 'none', key: '31'.repeat(32) } as const;
const GCM = { id: 4, signature: 'hmac-sha256-80', encryption: 'aes-128-gcm', key: '41'.repeat(48) } as const;

/** xorshift32: a fuzz stream replayable from its seed. */
function rng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n: number): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

function mutate(d: Buffer, r: (n: number) => number): Buffer {
  const m = Buffer.from(d);
  switch (r(6)) {
    case 0: // a few bit flips anywhere
      for (let k = 1 + r(8); k > 0; k--) m[r(m.length)]! ^= 1 << r(8);
      return m;
    case 1: // cut short
      return m.subarray(0, r(m.length));
    case 2: // extended
      return Buffer.concat([m, Buffer.from(Array.from({ length: 1 + r(40) }, () => r(256)))]);
    case 3: // a header byte (lengths, key id, IV length, user-data length) set at random
      m[r(Math.min(m.length, 48))] = r(256);
      return m;
    case 4: // a 32-bit length field set at random
      m.writeUInt32BE(r(0x7fffffff) * 2 + r(2), [6, 27, 39][r(3)]! % Math.max(1, m.length - 4));
      return m;
    default: // zero-length
      return Buffer.alloc(0);
  }
}

function randomDatagram(r: (n: number) => number): Buffer {
  const d = Buffer.from(Array.from({ length: r(1400) }, () => r(256)));
  if (d.length >= 3 && r(2) === 0) d.set([0x01, 0x40, 0xa1]); // looks like an SPDU
  return d;
}

/** `valid` in order (so the replay window accepts each), the rest of `total` fuzz around them. */
function fuzzStream(valid: Buffer[], total: number, zeroLength: number, seed: number): Buffer[] {
  const r = rng(seed);
  const out: Buffer[] = [];
  const junk = total - valid.length - zeroLength;
  const every = Math.max(1, Math.floor(junk / valid.length));
  let v = 0;
  for (let i = 0; i < junk; i++) {
    if (i % every === 0 && v < valid.length) out.push(valid[v++]!);
    out.push(r(4) === 0 ? randomDatagram(r) : mutate(valid[r(valid.length)]!, r));
  }
  while (v < valid.length) out.push(valid[v++]!);
  for (let i = 0; i < zeroLength; i++) out.splice(r(out.length + 1), 0, Buffer.alloc(0));
  return out;
}

function writeDatagramFile(path: string, datagrams: Buffer[]): void {
  const parts: Buffer[] = [];
  for (const d of datagrams) {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(d.length);
    parts.push(len, d);
  }
  writeFileSync(path, Buffer.concat(parts));
}

function checkAccounting(s: StatsSnapshot, sent: number, where: string): void {
  const w = s.from_wan;
  const byReason = Object.values(w.drops).reduce((a, b) => a + b, 0);
  expect(w.datagrams_received + w.kernel_rcvbuf_drops, `${where}: received + kernel receive-buffer drops = sent`).to.equal(sent);
  expect(w.dropped, `${where}: dropped = sum of the reasons`).to.equal(byReason);
  // A mutation can turn a datagram into a well-formed gateway heartbeat: heard, carrying no frame.
  expect(w.datagrams_received, `${where}: received = written + dropped + heartbeats`).to.equal(w.frames_written + w.dropped + w.control_datagrams);
}

describe('WAN receive accounting under fuzz: received = written + dropped, exactly', function () {
  this.timeout(600_000);
  const seed = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0;
  let topo: Topology;
  let a: Host;
  let b: Host;
  const dir = join(tmpdir(), `gb-wan-fuzz-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);

  let running: DaemonUnderTest | null = null;
  const runDaemon = async (name: string, extra: string[]): Promise<DaemonUnderTest> => {
    const d = DaemonUnderTest.spawn(topo, b, join(dir, `${name}.json`), ['--group', GROUP, '--remove-tap-on-exit', 'true', ...extra]);
    running = d;
    await d.started();
    await topo.waitForMembers(GROUP, [b.tgwPort]);
    return d;
  };
  const stop = async (d: DaemonUnderTest): Promise<void> => {
    d.proc.child.kill('SIGTERM');
    await waitUntil('daemon exit', () => !d.proc.running, 30_000);
  };
  const send = async (name: string, port: number, datagrams: Buffer[]): Promise<void> => {
    const file = join(dir, `${name}.bin`);
    writeDatagramFile(file, datagrams);
    await sendUdpFileFromHost(topo, a, GROUP, port, file);
  };

  before(async function () {
    skipUnlessRoot(this, 'the WAN fuzz accounting netns test');
    mkdirSync(dir, { recursive: true });
    topo = await Topology.create({ hosts: 2, scale: 60 });
    a = topo.host(1);
    b = topo.host(2);
    await topo.waitUntilForwarding();
  });

  // A failed test must not leave its daemon holding goose0 for the next one.
  afterEach(async () => {
    if (running?.proc.running) await stop(running);
    running = null;
  });

  after(async function () {
    await topo?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`rgoose: ${TOTAL.toLocaleString('en')} fuzzed datagrams (${ZERO_LENGTH} zero-length): every one received, written or dropped by reason; the valid ones written`, async () => {
    const keys = join(dir, 'keys.json');
    writeFileSync(keys, JSON.stringify({ active: HMAC.id, keys: [HMAC, GCM] }), { mode: 0o600 });
    const daemon = await runDaemon('rgoose', ['--encapsulation', 'rgoose', '--rgoose-keys', keys]);
    const rings = [HMAC, GCM].map((k) => createNativeKeyring([{ ...k, key: Buffer.from(k.key, 'hex') }], k.id));
    // Distinct messages (a GOOSE stream's sqNum moves on): the same APDU again would be the same message.
    const valid = Array.from({ length: 1000 }, (_, i) => {
      const frame = gooseTestFrame({ n: i });
      const iv = Buffer.alloc(12);
      iv.writeUInt32BE(i + 1, 8);
      return rings[i % 2]!.encode({ spduNumber: i + 1, appid: 0x3001, iv }, frame.subarray(22, 14 + frame.readUInt16BE(16)))!;
    });
    const stream = fuzzStream(valid, TOTAL, ZERO_LENGTH, seed);
    expect(stream).to.have.length(TOTAL);
    await send('rgoose', 102, stream);
    const where = `seed ${seed} (replay: FC_SEED=${seed})`;
    const s = await daemon.statsWhen('every datagram counted', (x) => x.from_wan.datagrams_received + x.from_wan.kernel_rcvbuf_drops >= TOTAL, 60_000);
    checkAccounting(s, TOTAL, where);
    // A receiver lets a new sender's window run only a little ahead of what its state file holds
    // (replay protection across a crash): in a flood faster than the file is written, the excess of
    // the valid SPDUs is refused and counted as state-not-saved, and nothing else refuses them.
    if (s.from_wan.kernel_rcvbuf_drops === 0) {
      expect(s.from_wan.frames_written, `${where}: valid SPDUs written`).to.be.greaterThan(0);
      expect(s.from_wan.frames_written + (s.from_wan.drops['state-not-saved'] ?? 0), `${where}: valid SPDUs written or state-not-saved`).to.be.at.least(valid.length);
    }
    expect(s.from_wan.drops['malformed-spdu'], `${where}: zero-length among malformed-spdu`).to.be.at.least(ZERO_LENGTH);

    // Zero-length alone: each one received and dropped as malformed-spdu.
    await send('rgoose-empty', 102, Array.from({ length: ZERO_LENGTH }, () => Buffer.alloc(0)));
    const z = await daemon.statsWhen('zero-length counted', (x) => x.from_wan.datagrams_received + x.from_wan.kernel_rcvbuf_drops >= TOTAL + ZERO_LENGTH, 30_000);
    checkAccounting(z, TOTAL + ZERO_LENGTH, where);
    expect(z.from_wan.drops['malformed-spdu']! - s.from_wan.drops['malformed-spdu']!).to.equal(ZERO_LENGTH - (z.from_wan.kernel_rcvbuf_drops - s.from_wan.kernel_rcvbuf_drops));
    await stop(daemon);
  });

  it(`gb1: mutated GB1 datagrams and ${ZERO_LENGTH} zero-length ones: received = written + dropped, zero-length ones as bad-length`, async () => {
    const daemon = await runDaemon('gb1', []);
    const gb1 = new Gb1Encapsulation({ hi: 0x0a0b0c0d, lo: 1 }, 2048);
    const valid = Array.from({ length: 500 }, (_, i) => {
      const frame = gooseTestFrame({ n: i });
      const out = Buffer.alloc(16 + frame.length);
      gb1.encapsulate(out, frame, 0, frame.length, i + 1);
      return out;
    });
    const stream = fuzzStream(valid, 10_000, 0, seed);
    await send('gb1', 61850, stream);
    const s = await daemon.statsWhen('every GB1 datagram counted', (x) => x.from_wan.datagrams_received + x.from_wan.kernel_rcvbuf_drops >= stream.length, 60_000);
    checkAccounting(s, stream.length, `seed ${seed}`);
    await send('gb1-empty', 61850, Array.from({ length: ZERO_LENGTH }, () => Buffer.alloc(0)));
    const z = await daemon.statsWhen('zero-length counted', (x) => x.from_wan.datagrams_received + x.from_wan.kernel_rcvbuf_drops >= stream.length + ZERO_LENGTH, 30_000);
    checkAccounting(z, stream.length + ZERO_LENGTH, `seed ${seed}`);
    expect(z.from_wan.drops['bad-length']! - s.from_wan.drops['bad-length']!).to.equal(ZERO_LENGTH - (z.from_wan.kernel_rcvbuf_drops - s.from_wan.kernel_rcvbuf_drops));
    await stop(daemon);
  });
});
