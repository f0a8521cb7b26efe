import { expect } from 'chai';
import { skipUnlessRoot } from '../testkit/preconditions.js';
import { createNamespace, deleteNamespace } from '../testkit/netns.js';
import { ipIn, runProbe } from './testing/netns.js';
import { TEST_FRAMES } from './testing/test-frames.js';

interface RoundTrip {
  tapWrites: boolean[];
  psSends: boolean[];
  atPacket: string[];
  atPacketAll: string[];
  atTap: string[];
  batchesOk: boolean;
  rxTimesMonotonic: boolean;
  rxTimeInRange: boolean;
  tapStats: { framesRead: number; framesWritten: number; writeDrops: number };
  psStats: { framesRead: number; framesWritten: number; outgoingSkipped: number; vlanTagsRestored: number };
}
interface ProbeError {
  code?: string;
  message: string;
  isGbError: boolean;
}

const names = Object.keys(TEST_FRAMES);
const frames = Object.values(TEST_FRAMES);

describe('TapDevice and PacketSocket on one TAP (in a network namespace)', function () {
  let ns: string | undefined;
  let rt: RoundTrip;

  before(async function () {
    skipUnlessRoot(this, 'the native I/O tests');
    ns = createNamespace('ntap', { disableIpv6: true });
    rt = await runProbe<RoundTrip>(ns, 'roundtrip', { tap: 'gbtap0', frames });
  });
  after(() => deleteNamespace(ns));

  it('accepts every frame written into the TAP and sent on the packet socket', () => {
    expect(rt.tapWrites).to.deep.equal(frames.map(() => true));
    expect(rt.psSends).to.deep.equal(frames.map(() => true));
  });

  names.forEach((name, i) => {
    it(`TAP write → packet socket read is byte-identical: ${name}`, () => {
      expect(rt.atPacket[i]).to.equal(frames[i]);
    });
    it(`packet socket send → TAP read is byte-identical: ${name}`, () => {
      expect(rt.atTap[i]).to.equal(frames[i]);
    });
  });

  it('delivers each frame once and in order (no extra frames)', () => {
    expect(rt.atPacket).to.deep.equal(frames);
    expect(rt.atTap).to.deep.equal(frames);
  });

  it('skips copies of its own transmissions unless includeOutgoing is set', () => {
    // psAll sees the frames coming in from the TAP and ps's own sends going out.
    expect(rt.atPacketAll).to.deep.equal([...frames, ...frames]);
  });

  it('hands out consistent batches with CLOCK_MONOTONIC receive times', () => {
    expect(rt.batchesOk).to.equal(true);
    expect(rt.rxTimesMonotonic).to.equal(true);
    expect(rt.rxTimeInRange).to.equal(true);
  });

  it('counts what it read and wrote', () => {
    expect(rt.tapStats.framesWritten).to.equal(frames.length);
    expect(rt.psStats.framesWritten).to.equal(frames.length);
    expect(rt.psStats.framesRead).to.equal(frames.length);
    expect(rt.tapStats.writeDrops).to.equal(0);
  });

  it('restored the tags the kernel stripped from every tagged frame (the re-insertion path ran)', () => {
    const tagged = frames.filter((h) => ['8100', '88a8'].includes(h.slice(24, 28))).length;
    expect(tagged).to.be.greaterThan(0);
    expect(rt.psStats.vlanTagsRestored).to.equal(tagged);
  });
});

describe('TapDevice.create', function () {
  let ns: string | undefined;

  before(function () {
    skipUnlessRoot(this, 'the native I/O tests');
    ns = createNamespace('ntapc', { disableIpv6: true });
  });
  after(() => deleteNamespace(ns));

  it('fails with GB_ERR_TAP_EXISTS when the name belongs to a veth', async () => {
    ipIn(ns!, 'link', 'add', 'gbveth0', 'type', 'veth', 'peer', 'name', 'gbveth1');
    const r = await runProbe<{ error: ProbeError | null }>(ns!, 'tap-exists', { name: 'gbveth0' });
    expect(r.error).to.not.equal(null);
    expect(r.error!.isGbError).to.equal(true);
    expect(r.error!.code).to.equal('GB_ERR_TAP_EXISTS');
    expect(r.error!.message).to.contain('gbveth0');
    // …and leaves the veth alone.
    expect(ipIn(ns!, '-o', 'link', 'show', 'gbveth0')).to.contain('veth');
  });

  it('fails with GB_ERR_TAP_EXISTS when the TAP is already held', async () => {
    const r = await runProbe<{ error: ProbeError | null }>(ns!, 'tap-twice', { name: 'gbheld0' });
    expect(r.error?.code).to.equal('GB_ERR_TAP_EXISTS');
  });

  it('brings the TAP up, and close() removes it (idempotently, refusing later writes, keeping final stats)', async () => {
    const r = await runProbe<{
      existedWhileOpen: boolean;
      up: boolean;
      existsAfterClose: boolean;
      secondClose: ProbeError | null;
      writeAfterClose: ProbeError | null;
      finalStats: { framesWritten: number };
    }>(ns!, 'close-removes', { name: 'gbclose0' });
    expect(r.existedWhileOpen).to.equal(true);
    expect(r.up).to.equal(true);
    expect(r.existsAfterClose).to.equal(false);
    expect(r.secondClose).to.equal(null);
    expect(r.writeAfterClose?.message).to.match(/after close/);
    expect(r.finalStats.framesWritten, 'stats() after close() gives the final counters').to.equal(1);
  });

  it('never calls the handler again once close() returned, even when closed inside it under load', async () => {
    const r = await runProbe<{ batches: number; callsAfterClose: number; closed: boolean }>(ns!, 'close-under-load', { tap: 'gbload0' });
    expect(r.closed).to.equal(true);
    expect(r.batches).to.equal(3);
    expect(r.callsAfterClose).to.equal(0);
  });

  it('stops running readers when their environment goes away (worker terminated without close())', async () => {
    const r = await runProbe<{ existsAfter: boolean[] }>(ns!, 'worker-terminate', { tap: 'gbwork0' });
    // The probe exiting normally (no crash, no hang) is half the test; the TAP going away the other.
    expect(r.existsAfter).to.deep.equal([false, false, false]);
  });

  it('tells onError when the TAP is deleted under a running reader, and later writes are counted drops', async () => {
    const r = await runProbe<{ error?: { code: string; message: string }; fatalErrno: number; writeAfterDelete: unknown; writeDrops: number }>(
      ns!,
      'reader-stops-when-deleted',
      { name: 'gbgone0' },
    );
    expect(r.error?.code).to.equal('GB_ERR_TAP_OPEN');
    // A write racing with the loss is a counted drop, not an exception in the caller's hot path.
    expect(r.writeAfterDelete).to.equal(false);
    expect(r.writeDrops).to.be.at.least(1);
    expect(r.error?.message).to.contain('gbgone0');
    expect(r.fatalErrno).to.not.equal(0);
  });
});
