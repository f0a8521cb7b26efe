// R-GOOSE mode between two hosts through the TGW stand-in: the datagrams on the uplink are
// IEC 61850-90-5 SPDUs tshark dissects, the frames arrive, and every attack that works against an
// unauthenticated WAN (replay, forged or corrupted SPDUs, a sender-table flood, a local
// unprivileged sender) changes nothing on the far goose0 and nothing in the loss counters.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { skipUnlessEthtool } from '../../testkit/preconditions.js';
import { sleep } from '../../testkit/topology/index.js';
import { CLI, DaemonUnderTest, FrameCapture, FrameInjector, FRAME_TOOL, TSX, execInNamespace, sendUdpFromHost, startDaemonPair, waitUntil } from '../../testkit/daemon/bridge-under-test.js';
import { useTestBed } from '../../testkit/daemon/netns-test-bed.js';
import { gooseTestFrame } from '../../testkit/frames/goose-test-frames.js';
import { encodeFrame, type GooseFrame } from '../codec/index.js';
import { typicalGooseFrame } from '../../testkit/frames/sample-frames.js';
import { find, parsePdml } from '../../testkit/oracles/pdml-parser.js';
import { PcapWriter } from '../pcap/index.js';
import { createNativeKeyring } from '../../native/rgoose.js';
import { Gb1Encapsulation } from '../spec/gb1-encapsulation.js';
import type { StatsSnapshot } from './bridge-counters.js';

const GROUP = '224.0.1.100';
const PORT = 102; // the 90-5 convention; tshark's R-GOOSE heuristic reads it
const HMAC = { id: 7, signature: 'hmac-sha256-128', encryption: 'none', key: '11'.repeat(32) };
const GCM = { id: 8, signature: 'none', encryption: 'aes-128-gcm', key: '22'.repeat(16) };
const HMAC256 = { id: 9, signature: 'hmac-sha256-256', encryption: 'none', key: '33'.repeat(32) };

/** Real GOOSE frames (stNum/sqNum numbered) that tshark decodes field by field. */
function gooseFrames(count: number, first: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => {
    const f = typicalGooseFrame();
    const { vlan: _tagged, ...eth } = f.eth;
    const frame: GooseFrame = { ...f, eth: { ...eth, dst: '01:0c:cd:01:10:10' }, pdu: { ...f.pdu, stNum: first + i, sqNum: i } };
    return Buffer.from(encodeFrame(frame));
  });
}

/** UDP payloads to the group's port in IPv4 frames captured on the uplink. */
function payloads(frames: Buffer[]): Buffer[] {
  return frames
    .filter((f) => f.readUInt16BE(12) === 0x0800 && f[23] === 17)
    .map((f) => {
      const udp = 14 + (f[14]! & 0x0f) * 4;
      return { port: f.readUInt16BE(udp + 2), data: f.subarray(udp + 8, 14 + f.readUInt16BE(16)) };
    })
    .filter((p) => p.port === PORT)
    .map((p) => Buffer.from(p.data));
}

async function tshark(dir: string, frames: Buffer[]): Promise<ReturnType<typeof parsePdml>> {
  const path = join(dir, `uplink-${Date.now()}.pcap`);
  const w = await PcapWriter.open(path);
  frames.forEach((f, i) => w.write(f, 1_700_000_000_000_000 + i));
  await w.close();
  const { stdout } = await promisify(execFile)('tshark', ['-n', '--disable-heuristic', 'wg', '-r', path, '-T', 'pdml'], { maxBuffer: 64 * 1024 * 1024 });
  return parsePdml(stdout);
}

describe('rgoose mode: authenticated WAN between two hosts', function () {
  this.timeout(180_000);
  const bed = useTestBed('the rgoose netns tests', {
    // The uplink captures must show each datagram as a wire carries it: on veth a UDP GSO run
    // would show as one packet, so the uplinks cut runs as a NIC without segmentation offload.
    uplinkGso: false,
    needs: [skipUnlessEthtool],
  });
  let daemonA: DaemonUnderTest;
  let daemonB: DaemonUnderTest;
  let injectA: FrameInjector;
  let captureB: FrameCapture;
  let uplinkA: FrameCapture;
  const keyFile = join(bed.dir, 'keys.json');
  const confA = join(bed.dir, 'a.conf');

  const writeKeys = (active: number): void => {
    writeFileSync(keyFile, JSON.stringify({ active, keys: [HMAC, GCM, HMAC256] }), { mode: 0o600 });
    chmodSync(keyFile, 0o600);
  };
  const reloadA = (): Promise<void> => daemonA.reload();
  /** B's stats once nothing is being written any more (frames of an earlier test may still be in flight). */
  const quietB = (): Promise<StatsSnapshot> => daemonB.statsWhenQuiet();
  /** Sends `datagrams` from host A's address and checks that none reached B's goose0. */
  const attack = async (what: string, datagrams: Buffer[], reason: keyof StatsSnapshot['from_wan']['drops'] | string): Promise<void> => {
    const before = await quietB();
    captureB.fresh();
    await sendUdpFromHost(bed.topo, bed.a, GROUP, PORT, datagrams);
    const after = await daemonB.statsWhen(`${what}: drops counted`, (s) => (s.from_wan.drops[reason] ?? 0) >= (before.from_wan.drops[reason] ?? 0) + datagrams.length);
    await sleep(200);
    expect(captureB.fresh(), `${what}: frames on B's goose0`).to.have.length(0);
    expect(after.from_wan.frames_written, `${what}: frames written`).to.equal(before.from_wan.frames_written);
    expect(after.from_wan.gap_frames, `${what}: loss counter`).to.equal(before.from_wan.gap_frames);
    expect(after.from_wan.drops[reason]! - (before.from_wan.drops[reason] ?? 0), `${what}: ${reason}`).to.equal(datagrams.length);
  };

  before(async function () {
    writeKeys(7);
    writeFileSync(confA, `[DEFAULT]\nencapsulation = rgoose\nrgoose_keys = ${keyFile}\n`);
    const common = ['--port', String(PORT), '--remove-tap-on-exit', 'true'];
    [daemonA, daemonB] = await startDaemonPair(bed.topo, bed.dir, GROUP,
      { extra: ['--config', confA, ...common] },
      { extra: ['--encapsulation', 'rgoose', '--rgoose-keys', keyFile, ...common] });
    [injectA, captureB, uplinkA] = await Promise.all([
      FrameInjector.start(bed.topo, bed.a.ns, 'goose0'),
      FrameCapture.start(bed.topo, bed.b.ns, 'goose0', '88b8'),
      FrameCapture.start(bed.topo, bed.a.ns, bed.a.uplink, '0800', true),
    ]);
  });

  it('refuses to start with a key file others can read, naming the file and its mode', () => {
    const loose = join(bed.dir, 'loose.json');
    writeFileSync(loose, JSON.stringify({ active: 7, keys: [HMAC] }));
    chmodSync(loose, 0o644);
    const r = execInNamespace(bed.b.ns, [process.execPath, CLI, 'run', '--interface', 'gbx0', '--mcast-if', bed.b.uplink, '--encapsulation', 'rgoose', '--rgoose-keys', loose, '--stats-file', 'none']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include(loose);
    expect(r.stderr).to.match(/644/);
    expect(r.stderr).not.to.include(HMAC.key);
  });

  it('signs with HMAC-SHA256: tshark reads every uplink datagram as R-GOOSE with the frames\' GOOSE fields; the APDUs arrive byte-identical', async () => {
    const seen = captureB.frames().length;
    captureB.fresh();
    uplinkA.fresh();
    const frames = gooseFrames(20, 100);
    await injectA.send(frames);
    await waitUntil('frames at host B', () => captureB.frames().length >= seen + frames.length);
    await sleep(200);
    const got = captureB.fresh();
    expect(got.map((f) => f.subarray(14).toString('hex'))).to.deep.equal(frames.map((f) => f.subarray(14).toString('hex')));
    expect(got.every((f) => f.subarray(0, 6).toString('hex') === '010ccd011010'), 'destination MAC from the APPID').to.equal(true);
    const uplink = uplinkA.fresh().filter((f) => payloads([f]).length === 1);
    expect(uplink).to.have.length(frames.length);
    const packets = await tshark(bed.dir, uplink);
    packets.forEach((p, i) => {
      const r = find(p, 'r-goose');
      expect(r, `datagram ${i} dissected as R-GOOSE`).not.to.equal(undefined);
      expect(Number(find(r!, 'rgoose.key_id')?.attrs.show)).to.equal(HMAC.id);
      expect(find(p, 'goose.gocbRef')?.attrs.show).to.equal('IED1PROT/LLN0$GO$gcbTrip');
      expect(Number(find(p, 'goose.stNum')?.attrs.show)).to.equal(100 + i);
      expect(JSON.stringify(p)).not.to.match(/malformed|_ws\.expert/i);
    });
  });

  it('drops a byte-for-byte replay and copies with a corrupted signature, each counted under its reason', async () => {
    uplinkA.fresh();
    await injectA.send(gooseFrames(10, 200));
    await waitUntil('datagrams on the uplink', () => payloads(uplinkA.frames().map((f) => f.frame)).length >= 10);
    const recorded = payloads(uplinkA.fresh());
    await sleep(300);
    await attack('replay', recorded, 'replay');
    const corrupted = recorded.map((d) => {
      const c = Buffer.from(d);
      c[c.length - 1]! ^= 0x01;
      return c;
    });
    await attack('corrupted signature', corrupted, 'bad-signature');
  });

  it('encrypts with AES-128-GCM: tshark shows the session header, the far side decrypts', async () => {
    writeKeys(8);
    await reloadA();
    const seen = captureB.frames().length;
    captureB.fresh();
    uplinkA.fresh();
    const frames = gooseFrames(10, 300);
    await injectA.send(frames);
    await waitUntil('frames at host B', () => captureB.frames().length >= seen + frames.length);
    expect(captureB.fresh().map((f) => f.subarray(14).toString('hex'))).to.deep.equal(frames.map((f) => f.subarray(14).toString('hex')));
    const uplink = uplinkA.fresh().filter((f) => payloads([f]).length === 1);
    const packets = await tshark(bed.dir, uplink);
    expect(packets).to.have.length(frames.length);
    for (const p of packets) {
      const r = find(p, 'r-goose');
      expect(r).not.to.equal(undefined);
      expect(Number(find(r!, 'rgoose.key_id')?.attrs.show)).to.equal(GCM.id);
      expect(find(p, 'goose.gocbRef'), 'the GOOSE PDU is not readable on the wire').to.equal(undefined);
    }
  });

  it('rotates the active key by SIGHUP under 1000 frames/s without losing a frame', async () => {
    const len = 100;
    const stream = bed.topo.spawn(bed.a.ns, [TSX, FRAME_TOOL, 'stream', 'goose0', gooseTestFrame({ n: 0, totalLength: len }).toString('hex'), '1'], 'stream goose0');
    const counters = (): number[] => captureB.frames().filter((f) => f.frame.length === len).map((f) => f.frame.readUInt32BE(len - 4));
    try {
      await waitUntil('stream at B', () => counters().length > 200, 30_000);
      const from = Math.max(...counters());
      writeKeys(9);
      await reloadA();
      writeKeys(7);
      await reloadA();
      await sleep(1000);
      const seen = new Set(counters().filter((n) => n >= from));
      const top = Math.max(...seen);
      let missing = 0;
      for (let n = from; n <= top; n++) if (!seen.has(n)) missing++;
      expect(top - from, 'frames across the rotations').to.be.greaterThan(500);
      expect(missing, 'frames lost across two key rotations').to.equal(0);
    } finally {
      await stream.stop(1000);
    }
  });

  it('accepts nothing forged: unsigned, unknown-key, GB1 and junk datagrams, a table flood, a local unprivileged sender', async () => {
    const apdu = gooseFrames(1, 4_000_000_000)[0]!.subarray(22);
    const unsigned = createNativeKeyring([], undefined).encode({ spduNumber: 0x7fffffff, appid: 0x1010, simulation: false }, apdu)!;
    await attack('unsigned SPDU with a trip', [unsigned], 'unsigned');
    const stranger = createNativeKeyring([{ id: 99, signature: 'hmac-sha256-128', encryption: 'none', key: Buffer.alloc(32, 0x44) }], 99);
    await attack('SPDU signed with an unknown key', [stranger.encode({ spduNumber: 5, appid: 0x1010, simulation: false }, apdu)!], 'unknown-key');
    const gb1 = Buffer.alloc(16 + 120);
    new Gb1Encapsulation({ hi: 1, lo: 2 }, 2048).encapsulate(gb1, gooseTestFrame({ n: 1 }), 0, 120, 1);
    await attack('GB1 datagram', [gb1], 'malformed-spdu');
    const junk = Array.from({ length: 300 }, (_, i) => Buffer.concat([Buffer.from([0x01, 0x40, 0xa1]), Buffer.alloc(60, i)]));
    await attack('300 junk datagrams', junk, 'malformed-spdu');
    // A recorded burst replayed after the flood is still refused: the flood created no entry.
    uplinkA.fresh();
    await injectA.send(gooseFrames(5, 500));
    await waitUntil('datagrams on the uplink', () => payloads(uplinkA.frames().map((f) => f.frame)).length >= 5);
    const recorded = payloads(uplinkA.fresh());
    await sleep(300);
    await attack('replay after the flood', recorded, 'replay');
    // An unprivileged local user on host B (uid 65534, no capabilities) sending to the group.
    const before = await quietB();
    captureB.fresh();
    const r = execInNamespace(bed.b.ns, ['setpriv', '--reuid', '65534', '--regid', '65534', '--clear-groups', '--inh-caps', '-all', process.execPath, '-e',
      `const s=require('dgram').createSocket('udp4');s.bind(0,()=>{s.setMulticastLoopback(true);s.send(Buffer.from('${unsigned.toString('hex')}','hex'),${PORT},'${GROUP}',()=>s.close());});`]);
    expect(r.code, r.stderr).to.equal(0);
    const after = await daemonB.statsWhen('local datagram counted', (s) => s.from_wan.datagrams_received > before.from_wan.datagrams_received);
    await sleep(200);
    expect(captureB.fresh()).to.have.length(0);
    expect(after.from_wan.frames_written).to.equal(before.from_wan.frames_written);
  });
});
