// R-GOOSE replay protection over service life, between real daemons through the TGW stand-in:
// a recording of the WAN is refused after the receiver restarts or crashes, after a key rotation
// and its grace period, after a long quiet; two bridges forwarding the same stream deliver each
// message once, and either may stop without a gap. Figures are printed (lost frames, gaps).
import { expect } from 'chai';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { skipUnlessEthtool } from '../../testkit/preconditions.js';
import { sleep, type Host } from '../../testkit/topology/index.js';
import { DaemonUnderTest, FrameCapture, FrameInjector, FRAME_TOOL, TSX, sendUdpFromHost, waitUntil } from '../../testkit/daemon/bridge-under-test.js';
import { useTestBed } from '../../testkit/daemon/netns-test-bed.js';
import { gooseTestFrame } from '../../testkit/frames/goose-test-frames.js';
import { decodeFrame, encodeFrame, type GooseFrame } from '../codec/index.js';
import { typicalGooseFrame } from '../../testkit/frames/sample-frames.js';
import type { StatsSnapshot } from './bridge-counters.js';

const GROUP = '224.0.1.100';
const PORT = 102;
const GRACE_S = 3;
const KEY7 = { id: 7, signature: 'hmac-sha256-128', encryption: 'none', key: '11'.repeat(32) };
const KEY9 = { id: 9, signature: 'hmac-sha256-128', encryption: 'none', key: '33'.repeat(32) };

/** GOOSE frames of one stream, numbered by sqNum (a heartbeat) from `first`. */
function heartbeats(count: number, first: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => {
    const f = typicalGooseFrame();
    const { vlan: _tagged, ...eth } = f.eth;
    const frame: GooseFrame = { ...f, eth: { ...eth, dst: '01:0c:cd:01:10:10' }, pdu: { ...f.pdu, stNum: 1, sqNum: first + i } };
    return Buffer.from(encodeFrame(frame));
  });
}

/** UDP payloads to PORT in IPv4 frames captured on an uplink. */
function payloads(frames: Buffer[]): Buffer[] {
  return frames
    .filter((f) => f.readUInt16BE(12) === 0x0800 && f[23] === 17)
    .map((f) => ({ udp: 14 + (f[14]! & 0x0f) * 4, f }))
    .filter(({ udp, f }) => f.readUInt16BE(udp + 2) === PORT)
    .map(({ udp, f }) => Buffer.from(f.subarray(udp + 8, 14 + f.readUInt16BE(16))));
}

/** Key id of an SPDU without IV (offset 22). */
const keyIdOf = (spdu: Buffer): number => spdu.readUInt32BE(22);

describe('rgoose replay protection over service life (restart, crash, rotation, quiet, two senders)', function () {
  this.timeout(400_000);
  const bed = useTestBed('the rgoose replay netns tests', { hosts: 3, uplinkGso: false, needs: [skipUnlessEthtool] });
  let daemonA: DaemonUnderTest;
  let daemonB: DaemonUnderTest;
  let daemonC: DaemonUnderTest | null = null;
  let injectA: FrameInjector;
  let captureB: FrameCapture;
  let uplinkA: FrameCapture;
  const keyFile = join(bed.dir, 'keys.json');
  // The TAPs persist (the default): captures and injectors stay attached across a daemon's crash
  // and restart; the namespaces take them away at the end.
  const args = ['--encapsulation', 'rgoose', '--rgoose-keys', keyFile, '--rgoose-key-grace', String(GRACE_S), '--port', String(PORT)];

  const writeKeys = (active: number): void => {
    writeFileSync(keyFile, JSON.stringify({ active, keys: [KEY7, KEY9] }), { mode: 0o600 });
    chmodSync(keyFile, 0o600);
  };
  const spawn = async (host: Host, name: string): Promise<DaemonUnderTest> => {
    const d = DaemonUnderTest.spawn(bed.topo, host, join(bed.dir, `${name}.json`), args);
    await d.started();
    return d;
  };
  const reload = (d: DaemonUnderTest): Promise<void> => d.reload();
  /** B's stats once nothing more is being written. */
  const quietB = (): Promise<StatsSnapshot> => daemonB.statsWhenQuiet();
  /**
   * Sends recorded datagrams from `from` and checks that none reached B's goose0, each counted
   * under one of `reasons` (a recording inside a window is `replay`, one behind it `stale`).
   */
  const replay = async (what: string, datagrams: Buffer[], reasons: string[], from: Host = bed.a): Promise<number> => {
    const counted = (s: StatsSnapshot): number => reasons.reduce((n, r) => n + (s.from_wan.drops[r] ?? 0), 0);
    const before = await quietB();
    captureB.fresh();
    await sendUdpFromHost(bed.topo, from, GROUP, PORT, datagrams);
    const after = await daemonB.statsWhen(`${what}: drops counted`, (s) => counted(s) >= counted(before) + datagrams.length, 15_000).catch((err: Error) => {
      const now = daemonB.stats();
      throw new Error(`${err.message}; B wrote ${now.from_wan.frames_written - before.from_wan.frames_written} frames, drops before ${JSON.stringify(before.from_wan.drops)}, now ${JSON.stringify(now.from_wan.drops)}`);
    });
    await sleep(300);
    const written = captureB.fresh().length;
    expect(written, `${what}: frames on B's goose0`).to.equal(0);
    expect(after.from_wan.frames_written - before.from_wan.frames_written, `${what}: frames written`).to.equal(0);
    expect(counted(after) - counted(before), `${what}: ${reasons.join(' or ')}`).to.equal(datagrams.length);
    const by = reasons.map((r) => `${(after.from_wan.drops[r] ?? 0) - (before.from_wan.drops[r] ?? 0)} ${r}`).join(', ');
    console.log(`      ${what}: ${datagrams.length} replayed, ${written} written, counted ${by}`);
    return written;
  };
  /** Sends `frames` into A's goose0 and returns the SPDUs A put on its uplink for them. */
  const record = async (frames: Buffer[]): Promise<Buffer[]> => {
    uplinkA.fresh();
    await injectA.send(frames);
    await waitUntil('SPDUs on the uplink', () => payloads(uplinkA.frames().map((f) => f.frame)).length >= frames.length);
    await sleep(200);
    return payloads(uplinkA.fresh());
  };
  /** Frames of `frames` (by sqNum) B wrote; sends them into A until one arrives, returns how many were refused first. */
  const deliveredAfterRestart = async (first: number): Promise<number> => {
    captureB.fresh();
    for (let i = 0; i < 400; i++) {
      await injectA.send(heartbeats(1, first + i));
      await sleep(20);
      if (captureB.fresh().length > 0) return i;
    }
    throw new Error('no frame delivered after the restart');
  };

  before(async function () {
    writeKeys(7);
    await bed.topo.waitUntilForwarding();
    [daemonA, daemonB] = await Promise.all([spawn(bed.a, 'a'), spawn(bed.b, 'b')]);
    await bed.topo.waitForMembers(GROUP, [bed.a.tgwPort, bed.b.tgwPort]);
    [injectA, captureB, uplinkA] = await Promise.all([
      FrameInjector.start(bed.topo, bed.a.ns, 'goose0'),
      FrameCapture.start(bed.topo, bed.b.ns, 'goose0', '88b8'),
      FrameCapture.start(bed.topo, bed.a.ns, bed.a.uplink, '0800', true),
    ]);
  });

  it('(a) a WAN recording replayed after the receiver crashed, and after it restarted cleanly: 0 written, each counted', async () => {
    const recorded = await record(heartbeats(30, 1000));
    expect(recorded).to.have.length(30);
    await waitUntil('recording delivered at B', async () => (await quietB()).from_wan.frames_written >= 30);
    // The state file's marks follow the stream's rate down, one halving a second, while it is quiet.
    await sleep(10_000);
    // Crash: SIGKILL, no final write. The state written within the last second must hold.
    await daemonB.proc.stop(0, 'SIGKILL');
    daemonB = await spawn(bed.b, 'b');
    await replay('after a receiver crash, from the sender\'s address', recorded, ['replay', 'stale']);
    await replay('after a receiver crash, from another address', recorded, ['unconfirmed-sender'], bed.c);
    const lostAfterCrash = await deliveredAfterRestart(2000);
    console.log(`      live sender after the receiver crash: ${lostAfterCrash} frames refused before delivery resumed (bound: the window's gap)`);
    // Clean restart: exact marks written at stop, nothing lost.
    const written = (await quietB()).from_wan.frames_written;
    const recorded2 = await record(heartbeats(30, 3000));
    // Stopped once it wrote them all: an SPDU still in flight at the stop was never accepted.
    await waitUntil('second recording delivered at B', async () => (await quietB()).from_wan.frames_written >= written + 30);
    await daemonB.proc.stop(10_000);
    daemonB = await spawn(bed.b, 'b');
    await replay('after a clean receiver restart', [...recorded, ...recorded2], ['replay', 'stale']);
    const lostAfterClean = await deliveredAfterRestart(4000);
    console.log(`      live sender after a clean receiver restart: ${lostAfterClean} frames refused`);
    expect(lostAfterClean, 'frames lost by a live sender across a clean receiver restart').to.equal(0);
  });

  it('(b) rotation under 1000 frames/s loses nothing; the old key\'s recording is refused after the grace period and after 65 s of quiet', async () => {
    const len = 100;
    const stream = bed.topo.spawn(bed.a.ns, [TSX, FRAME_TOOL, 'stream', 'goose0', gooseTestFrame({ n: 0, totalLength: len }).toString('hex'), '1'], 'stream goose0');
    const counters = (): number[] => captureB.frames().filter((f) => f.frame.length === len).map((f) => f.frame.readUInt32BE(len - 4));
    let oldKey: Buffer[] = [];
    let newKey: Buffer[] = [];
    try {
      uplinkA.fresh();
      await waitUntil('stream at B', () => counters().length > 300, 30_000);
      const from = Math.max(...counters());
      writeKeys(9);
      await reload(daemonA); // senders first: receivers list key 9 already
      await reload(daemonB);
      await sleep(1000);
      const seen = new Set(counters().filter((n) => n >= from));
      const top = Math.max(...seen);
      let missing = 0;
      for (let n = from; n <= top; n++) if (!seen.has(n)) missing++;
      console.log(`      rotation 7 → 9 at ~1000 frames/s: ${top - from + 1} frames across it, ${missing} lost`);
      expect(top - from, 'frames across the rotation').to.be.greaterThan(200);
      expect(missing, 'frames lost across the rotation').to.equal(0);
    } finally {
      await stream.stop(1000);
    }
    await sleep(300);
    const spdus = payloads(uplinkA.fresh());
    oldKey = spdus.filter((d) => keyIdOf(d) === 7).slice(-50);
    newKey = spdus.filter((d) => keyIdOf(d) === 9).slice(-50);
    expect(oldKey).to.have.length(50);
    expect(newKey).to.have.length(50);
    await sleep(GRACE_S * 1000 + 500);
    await replay(`old key after the ${GRACE_S} s grace`, oldKey, ['expired-key']);
    await sleep(65_000);
    await replay('old key after 65 s of quiet', oldKey, ['expired-key']);
    await replay('current key after 65 s of quiet', newKey, ['replay', 'stale']);
  });

  it('(c) two bridges forwarding the same IED: each message once; stopping either leaves no gap', async () => {
    daemonC = await spawn(bed.c, 'c');
    await bed.topo.waitForMembers(GROUP, [bed.a.tgwPort, bed.b.tgwPort, bed.c.tgwPort]);
    const injectC = await FrameInjector.start(bed.topo, bed.c.ns, 'goose0');
    const HEARTBEAT_MS = 100;
    let sq = 10_000;
    const publish = async (n: number, to: FrameInjector[]): Promise<number[]> => {
      const sent: number[] = [];
      for (let i = 0; i < n; i++, sq++) {
        const [f] = heartbeats(1, sq);
        await Promise.all(to.map((inj) => inj.send([f!])));
        sent.push(sq);
        await sleep(HEARTBEAT_MS);
      }
      return sent;
    };
    const sqNums = (frames: Array<{ rxUs: number; frame: Buffer }>): Array<{ rxUs: number; sq: number }> =>
      frames.map((f) => ({ rxUs: f.rxUs, sq: sqNumOf(f.frame) })).filter((f) => f.sq >= 10_000);
    const start = captureB.frames().length;
    const phaseStarts: number[] = [];
    const sent: number[] = [];
    const phase = async (): Promise<void> => {
      phaseStarts.push(sq);
      sent.push(...(await publish(30, [injectA, injectC])));
    };
    await phase();
    await daemonA.proc.stop(0, 'SIGKILL'); // A stops (crash): C carries on
    await phase();
    daemonA = await spawn(bed.a, 'a');
    await phase();
    await daemonC.proc.stop(10_000); // C stops cleanly: A carries on
    await phase();
    await sleep(500);
    const got = sqNums(captureB.frames().slice(start));
    const counts = new Map<number, number>();
    for (const g of got) counts.set(g.sq, (counts.get(g.sq) ?? 0) + 1);
    const missing = sent.filter((s) => !counts.has(s));
    const twice = [...counts.values()].filter((n) => n > 1).length;
    // Gaps between consecutive messages published back to back (not across the test's own pauses
    // while it stops or starts a daemon).
    const arrival = new Map(got.map((g) => [g.sq, g.rxUs]));
    let maxGapMs = 0;
    for (const sq of sent) {
      if (phaseStarts.includes(sq + 1) || !arrival.has(sq) || !arrival.has(sq + 1)) continue;
      maxGapMs = Math.max(maxGapMs, (arrival.get(sq + 1)! - arrival.get(sq)!) / 1000);
    }
    console.log(`      two senders, each stopped once: ${sent.length} messages, ${got.length} written, ${missing.length} missing, ${twice} twice, largest gap ${maxGapMs.toFixed(0)} ms (heartbeat ${HEARTBEAT_MS} ms)`);
    expect(missing, 'messages that never arrived').to.deep.equal([]);
    expect(twice, 'messages written twice').to.equal(0);
    await injectC.stop();
  });
});

/** sqNum of a GOOSE frame (-1 for anything else). */
function sqNumOf(frame: Buffer): number {
  const r = decodeFrame(frame);
  return r.ok && r.value.kind === 'goose' ? r.value.pdu.sqNum : -1;
}
