// The kernel tier on live interfaces: two namespaces, each with an L2 side (a veth pair) and one
// end of an uplink veth. Bridge A's to_wan sits on its L2 side's egress, bridge B's from_wan on
// its uplink's ingress (attached with tc, as the daemon does with libbpf). GOOSE frames sent on
// A's L2 side must come out of B's L2 side byte for byte, carried as GB1 over UDP multicast, with
// no user-space process in the path; tshark checks the datagrams on the wire.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerCleanup } from '../testkit/cleanup.js';
import { runSync, sleep, spawnArgv } from '../testkit/exec.js';
import { createNamespace, deleteNamespace } from '../testkit/netns.js';
import { hasTshark, isRoot, skipUnless } from '../testkit/preconditions.js';
import { KernelPathObject, kernelPathSupport, type KernelPathConfig } from './kernel-path.js';

const ENGINE = { enableSv: true, enableGse: false, checkAppIdRange: true, appIdAllow: null, groups: ['239.1.1.1'], rules: [], maxFrame: 1456, maxDatagram: 2048, l2Mtu: 1500, gateway: false };

const inNs = (ns: string, argv: string[]): string => runSync(['nsenter', `--net=/var/run/netns/${ns}`, ...argv]);
const link = (ns: string, dev: string): { ifindex: number; address: string } => JSON.parse(runSync(['ip', '-n', ns, '-j', 'link', 'show', dev]))[0];
const ifindex = (ns: string, dev: string): number => link(ns, dev).ifindex;
const macOf = (ns: string, dev: string): string => link(ns, dev).address;

/** GOOSE frames with distinct contents (stNum in the APDU), 62 to 300 bytes. */
const frames = Array.from({ length: 20 }, (_, i) => {
  const apdu = Buffer.alloc(40 + i * 12, 0x30);
  apdu[0] = 0x61;
  apdu.writeUInt16BE(i, 2);
  const head = Buffer.from('010ccd010010' + '020000000001' + '88b8' + '0001', 'hex');
  const length = Buffer.alloc(6);
  length.writeUInt16BE(8 + apdu.length, 0);
  return Buffer.concat([head, length, apdu]);
});

/** The packets of a classic pcap file (tcpdump -w), in order. */
function pcapRecords(path: string): Buffer[] {
  const b = readFileSync(path);
  const out: Buffer[] = [];
  for (let at = 24; at + 16 <= b.length; ) {
    const len = b.readUInt32LE(at + 8);
    out.push(b.subarray(at + 16, at + 16 + len));
    at += 16 + len;
  }
  return out;
}

describe('kernel tier on live interfaces (netns)', function () {
  this.timeout(60_000);
  let a: string | undefined, b: string | undefined;
  const objects: KernelPathObject[] = [];
  const pins = `/sys/fs/bpf/gbkp-${process.pid}`;
  let dir = '';
  let pinned = false;

  before(function () {
    skipUnless(this, isRoot(), 'kernel tier netns test: needs root (namespaces, bpf()); run as root to include it');
    const s = kernelPathSupport();
    skipUnless(this, s.ok, `kernel tier netns test: ${s.ok ? '' : s.reason}`);
    skipUnless(this, hasTshark(), 'kernel tier netns test: needs tshark');
    registerCleanup(`bpf pins ${pins}`, () => rmSync(pins, { recursive: true, force: true }));
    mkdirSync(pins, { recursive: true });
    pinned = true;
    dir = mkdtempSync(join(tmpdir(), 'gbkp-'));
    registerCleanup(`captures ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
    // No IPv6: the kernel's own router solicitations would be frames on the L2 side too.
    a = createNamespace('kpa', { disableIpv6: true });
    b = createNamespace('kpb', { disableIpv6: true });
    runSync(['ip', '-n', a, 'link', 'add', 'l2a', 'type', 'veth', 'peer', 'name', 'l2b']);
    runSync(['ip', '-n', a, 'link', 'add', 'upa', 'type', 'veth', 'peer', 'name', 'upb', 'netns', b]);
    runSync(['ip', '-n', b, 'link', 'add', 'l2c', 'type', 'veth', 'peer', 'name', 'l2d']);
    for (const [ns, dev] of [[a, 'l2a'], [a, 'l2b'], [a, 'upa'], [b, 'upb'], [b, 'l2c'], [b, 'l2d']] as const) runSync(['ip', '-n', ns, 'link', 'set', dev, 'up']);
    runSync(['ip', '-n', a, 'addr', 'add', '10.9.0.1/24', 'dev', 'upa']);
    runSync(['ip', '-n', b, 'addr', 'add', '10.9.0.2/24', 'dev', 'upb']);
    const base = { engine: ENGINE, seqSlots: [0], port: 10000, ttl: 16, generation: 1 };
    const sender: KernelPathConfig = { ...base, ownSender: { hi: 1, lo: 2 }, uplinks: [{ ifindex: ifindex(a, 'upa'), address: '10.9.0.1', mac: macOf(a, 'upa') }], l2: { ifindex: ifindex(a, 'l2a'), ingress: true } };
    const receiver: KernelPathConfig = { ...base, ownSender: { hi: 3, lo: 4 }, uplinks: [{ ifindex: ifindex(b, 'upb'), address: '10.9.0.2', mac: macOf(b, 'upb') }], l2: { ifindex: ifindex(b, 'l2c'), ingress: true } };
    for (const [cfg, prog, ns, dev, dir] of [[sender, 'to_wan', a, 'l2a', 'egress'], [receiver, 'from_wan', b, 'upb', 'ingress']] as const) {
      const o = KernelPathObject.load();
      objects.push(o);
      o.configure(cfg);
      o.pin(prog, `${pins}/${prog}`);
      inNs(ns, ['tc', 'qdisc', 'add', 'dev', dev, 'clsact']);
      inNs(ns, ['tc', 'filter', 'add', 'dev', dev, dir, 'bpf', 'object-pinned', `${pins}/${prog}`, 'direct-action']);
    }
  });

  after(() => {
    for (const o of objects) o.close();
    deleteNamespace(a);
    deleteNamespace(b);
    if (pinned) rmSync(pins, { recursive: true, force: true });
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  it('carries GOOSE frames from one L2 side to the other in the kernel: GB1 over UDP multicast, byte for byte, counted', async () => {
    const [wire, delivered] = [join(dir, 'wire.pcap'), join(dir, 'delivered.pcap')];
    const captures = [
      spawnArgv(['nsenter', `--net=/var/run/netns/${b}`, 'tcpdump', '-U', '-i', 'upb', '-w', wire, '-c', String(frames.length), 'udp']),
      spawnArgv(['nsenter', `--net=/var/run/netns/${b}`, 'tcpdump', '-U', '-i', 'l2c', '-w', delivered, '-c', String(frames.length), 'ether', 'proto', '0x88b8']),
    ];
    try {
      await sleep(1500);
      const send = `import socket,sys\ns=socket.socket(socket.AF_PACKET,socket.SOCK_RAW)\ns.bind(('l2a',0))\nfor h in sys.stdin.read().split():\n  s.send(bytes.fromhex(h))\n`;
      runSync(['nsenter', `--net=/var/run/netns/${a}`, 'python3', '-c', send], { input: frames.map((f) => f.toString('hex')).join('\n') });
      await Promise.race([Promise.all(captures.map((c) => new Promise((r) => c.on('exit', r)))), sleep(5000)]);
    } finally {
      for (const c of captures) c.kill();
    }

    expect(pcapRecords(delivered).map((f) => f.toString('hex')), 'delivered frames').to.deep.equal(frames.map((f) => f.toString('hex')));
    const datagrams = runSync(['tshark', '-r', wire, '-o', 'udp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-T', 'fields', '-e', 'ip.dst', '-e', 'udp.dstport', '-e', 'ip.checksum.status', '-e', 'udp.checksum.status', '-e', 'data.data'])
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(datagrams).to.have.length(frames.length);
    datagrams.forEach(([dst, port, ipOk, udpOk, data], i) => {
      expect([dst, port, ipOk, udpOk], `datagram ${i}`).to.deep.equal(['239.1.1.1', '10000', '1', '1']);
      expect(data!.slice(32), `datagram ${i} carries frame ${i}`).to.equal(frames[i]!.toString('hex'));
    });
    const raw = runSync(['tshark', '-r', delivered, '-T', 'fields', '-e', 'frame.protocols']).trim().split('\n');
    expect(raw.every((p) => p.includes('goose')), 'tshark decodes the delivered frames as GOOSE').to.equal(true);
    const [sent, received] = [objects[0]!.counters(), objects[1]!.counters()];
    expect([sent.l2_frames_read, sent.wan_datagrams_sent]).to.deep.equal([frames.length, frames.length]);
    expect([received.wan_datagrams_received, received.l2_frames_written, received.senders_seen]).to.deep.equal([frames.length, frames.length, 1]);
  });
});
