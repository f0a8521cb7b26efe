import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { skipUnlessRoot, skipUnlessTshark } from '../testkit/preconditions.js';
import { createNamespace, deleteNamespace } from '../testkit/netns.js';
import { execIn, ipIn, runProbe } from './testing/netns.js';

const GROUP = '239.77.1.2';

/** Starts tshark in the namespace and resolves once it is capturing; `done` gives its stdout. */
function startCapture(ns: string, iface: string, filter: string, count: number): Promise<{ child: ChildProcess; done: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'ip',
      ['netns', 'exec', ns, 'tshark', '-i', iface, '-f', filter, '-c', String(count), '-a', 'duration:10', '-T', 'fields',
        '-E', 'separator=;', '-e', 'eth.dst', '-e', 'ip.dst', '-e', 'ip.ttl', '-e', 'ip.dsfield', '-e', 'ip.opt.type',
        '-e', 'ip.opt.ra', '-e', 'igmp.version', '-e', 'igmp.type', '-e', 'igmp.maddr', '-e', 'igmp.checksum.status'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const done = new Promise<string>((res) => child.on('close', () => res(out)));
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('Capturing on')) resolve({ child, done });
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (!err.includes('Capturing on')) reject(new Error(`tshark did not start (code ${code}): ${err}`));
    });
  });
}

interface MdbEntry {
  port: string;
  grp: string;
  timer: string;
}
function mdbEntry(ns: string): MdbEntry | undefined {
  const j = JSON.parse(execIn(ns, 'bridge', '-s', '-j', 'mdb', 'show')) as Array<{ mdb: MdbEntry[] }>;
  return j.flatMap((x) => x.mdb).find((e) => e.grp === GROUP && e.port === 'gbhv0p');
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sendIgmpV2Report', function () {
  let ns: string | undefined;

  before(function () {
    skipUnlessRoot(this, 'the native I/O tests');
    skipUnlessTshark(this, 'the IGMP report tests');
    ns = createNamespace('ngigmp', { disableIpv6: true });
    // A snooping Linux bridge (the Transit Gateway stand-in) with a 4 s membership interval,
    // and a host port whose end gbhv0 sends the reports.
    ipIn(ns, 'link', 'add', 'gbbr0', 'type', 'bridge', 'mcast_snooping', '1', 'mcast_igmp_version', '2',
      'mcast_membership_interval', '400', 'stp_state', '0');
    ipIn(ns, 'link', 'add', 'gbhv0', 'type', 'veth', 'peer', 'name', 'gbhv0p');
    ipIn(ns, 'link', 'set', 'gbhv0p', 'master', 'gbbr0');
    for (const i of ['gbbr0', 'gbhv0', 'gbhv0p']) ipIn(ns, 'link', 'set', i, 'up');
    ipIn(ns, 'addr', 'add', '10.99.0.2/24', 'dev', 'gbhv0');
  });
  after(() => deleteNamespace(ns));

  it('sends an IGMPv2 membership report tshark decodes: type 0x16, TTL 1, TOS 0xc0, Router Alert, good checksum', async () => {
    const cap = await startCapture(ns!, 'gbhv0p', `igmp and dst host ${GROUP}`, 1);
    await runProbe(ns!, 'igmp', { ifname: 'gbhv0', group: GROUP });
    const lines = (await cap.done).trim().split('\n');
    expect(lines).to.have.length(1);
    const [ethDst, ipDst, ttl, tos, optType, ra, version, type, maddr, checksum] = lines[0]!.split(';');
    expect(ethDst).to.equal('01:00:5e:4d:01:02');
    expect(ipDst).to.equal(GROUP);
    expect(ttl).to.equal('1');
    expect(tos).to.equal('0xc0');
    expect(optType).to.equal('148'); // Router Alert, copied flag set
    expect(ra).to.equal('0');
    expect(version).to.equal('2');
    expect(type).to.equal('0x16');
    expect(maddr).to.equal(GROUP);
    expect(checksum).to.equal('1'); // Good
  });

  it("refreshes a snooping bridge's mdb entry (no Leave needed)", async () => {
    await runProbe(ns!, 'igmp', { ifname: 'gbhv0', group: GROUP });
    await sleep(1500);
    const aged = mdbEntry(ns!);
    expect(aged, 'mdb entry after the first report').to.not.equal(undefined);
    await runProbe(ns!, 'igmp', { ifname: 'gbhv0', group: GROUP });
    const refreshed = mdbEntry(ns!);
    expect(refreshed, 'mdb entry after the second report').to.not.equal(undefined);
    // The membership timer restarted from the full interval (4 s) instead of running down.
    expect(Number(refreshed!.timer)).to.be.greaterThan(Number(aged!.timer) + 1);
  });

  it('sendIgmpV2Leave sends a Leave (0x17 to 224.0.0.2) that a fast-leave port acts on', async () => {
    await runProbe(ns!, 'igmp', { ifname: 'gbhv0', group: GROUP });
    expect(mdbEntry(ns!)).to.not.equal(undefined);
    execIn(ns!, 'bridge', 'link', 'set', 'dev', 'gbhv0p', 'fastleave', 'on');
    const cap = await startCapture(ns!, 'gbhv0p', 'igmp and dst host 224.0.0.2', 1);
    await runProbe(ns!, 'igmp', { ifname: 'gbhv0', group: GROUP, leave: true });
    const fields = (await cap.done).trim().split(';');
    expect(fields[1]).to.equal('224.0.0.2');
    expect(fields[7]).to.equal('0x17');
    expect(fields[8]).to.equal(GROUP);
    expect(fields[9]).to.equal('1');
    expect(mdbEntry(ns!)).to.equal(undefined);
  });

  it('names the bad group or the missing interface', async () => {
    const r = await runProbe<Record<string, { code: string; message: string }>>(ns!, 'igmp-errors', { ifname: 'gbhv0' });
    expect(r.badGroup!.code).to.equal('GB_ERR_IGMP');
    expect(r.badGroup!.message).to.contain('10.0.0.1');
    expect(r.noInterface!.code).to.equal('GB_ERR_NO_INTERFACE');
    expect(r.noInterface!.message).to.contain('nosuchif0');
  });

  it('fails with GB_ERR_PERMISSION without CAP_NET_RAW (and hasCapNetRaw() says so)', async () => {
    const r = await runProbe<{ hasCapNetRaw: boolean; igmp: { code: string } | null; packet: { code: string } | null }>(
      ns!,
      'unprivileged',
      { ifname: 'gbhv0' },
      { dropCapabilities: ['net_raw'] },
    );
    expect(r.hasCapNetRaw).to.equal(false);
    expect(r.igmp?.code).to.equal('GB_ERR_PERMISSION');
    expect(r.packet?.code).to.equal('GB_ERR_PERMISSION');
  });
});
