import { expect } from 'chai';
import { skipUnlessRoot } from '../testkit/preconditions.js';
import { createNamespace, deleteNamespace } from '../testkit/netns.js';
import { runProbe } from './testing/netns.js';
import { TEST_FRAMES } from './testing/test-frames.js';

describe('PacketSocket.open with etherTypes', function () {
  let ns: string | undefined;

  before(function () {
    skipUnlessRoot(this, 'the native I/O tests');
    ns = createNamespace('npacket', { disableIpv6: true });
  });
  after(() => deleteNamespace(ns));

  it('delivers only the asked-for EtherTypes, outer or behind one VLAN tag, filtering in the kernel', async () => {
    const frames = Object.values(TEST_FRAMES);
    const r = await runProbe<{ received: string[]; stats: { kernelPackets: number } }>(ns!, 'ethertype-filter', {
      tap: 'gbfilt0',
      frames,
      etherTypes: [0x88b8],
    });
    const wanted = frames.filter((h) => {
      const f = Buffer.from(h, 'hex');
      const outer = f.readUInt16BE(12);
      return outer === 0x88b8 || ((outer === 0x8100 || outer === 0x88a8) && f.readUInt16BE(16) === 0x88b8);
    });
    expect(wanted.length).to.be.greaterThan(2);
    expect(r.received).to.deep.equal(wanted);
    // PACKET_STATISTICS counts what passed the socket's BPF filter: only the wanted frames.
    expect(r.stats.kernelPackets).to.equal(wanted.length);
  });

  it('tells onError when its interface is deleted under a running reader', async () => {
    const r = await runProbe<{ error?: { code: string; message: string }; fatalErrno: number }>(ns!, 'packet-reader-stops-when-deleted', {
      name: 'gbpveth0',
    });
    expect(r.error?.code).to.equal('GB_ERR_PACKET_SOCKET');
    expect(r.error?.message).to.contain('gbpveth0');
    expect(r.fatalErrno).to.not.equal(0);
  });

  it('names the interface when it does not exist (GB_ERR_NO_INTERFACE)', async () => {
    const r = await runProbe<{ packetNoInterface: { code: string; message: string } }>(ns!, 'igmp-errors', { ifname: 'lo' });
    expect(r.packetNoInterface.code).to.equal('GB_ERR_NO_INTERFACE');
    expect(r.packetNoInterface.message).to.contain('nosuchif0');
  });
});
