// One short run of each scenario kind on the real stand-in (namespaces, Linux bridge, nftables,
// raw IGMP reports) at scale 120, and both real-mode roles in two namespaces. ~1.5 minutes.
import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { skipUnlessRoot } from '../../testkit/preconditions.js';
import { Topology } from '../../testkit/topology/topology.js';
import { IGMP_COLUMNS, runIgmpSuite, type IgmpRow, type WindowRow } from './index.js';
import { TGW_BRIDGE } from '../../testkit/topology/commands.js';
import { igmpTiming } from './scenario-timing.js';
import { REPO_ROOT } from './stream-worker-process.js';

const SCALE = 120;
const gmiTgwS = igmpTiming(SCALE).membershipTimeoutS * SCALE;

function row(rows: IgmpRow[], scenario: string, fastLeave: 'on' | 'off'): IgmpRow {
  const r = rows.find((x) => x.scenario === scenario && x.fast_leave === fastLeave);
  if (r === undefined) throw new Error(`no row ${scenario}/${fastLeave} in ${JSON.stringify(rows.map((x) => x.scenario))}`);
  return r;
}

describe('suite:igmp on the stand-in (scale 120, short runs)', function () {
  this.timeout(240_000);
  let dir = '';
  const rows: IgmpRow[] = [];
  const windows: WindowRow[] = [];
  /** The stand-in's membership interval as the kernel reports it, in TGW seconds. */
  let kernelGmiTgwS = 0;

  before(async function () {
    skipUnlessRoot(this, 'the IGMP suite');
    dir = await mkdtemp(join(tmpdir(), 'igmp-suite-'));
    // Fast leave off where the scenario's point does not depend on it; on where it does.
    const off = await runIgmpSuite({ scale: SCALE, intervals: 1, outDir: join(dir, 'off'), scenarios: [1, 2, 5, 6], fastLeave: [false] });
    const on = await runIgmpSuite({ scale: SCALE, intervals: 1, outDir: join(dir, 'on'), scenarios: [3, 4], fastLeave: [true] });
    rows.push(...off.rows, ...on.rows);
    windows.push(...off.windows, ...on.windows);
    // Read back from the kernel what the stand-in's bridge really uses (centiseconds), rather
    // than trusting the configuration the expectation was computed from.
    const t = await Topology.create({ hosts: 1, scale: SCALE });
    try {
      const link = JSON.parse(await t.exec(t.tgwNs, ['ip', '-j', '-d', 'link', 'show', TGW_BRIDGE])) as Array<{ linkinfo?: { info_data?: { mcast_membership_intvl?: number } } }>;
      const cs = link[0]?.linkinfo?.info_data?.mcast_membership_intvl;
      if (typeof cs !== 'number') throw new Error(`ip -d link show ${TGW_BRIDGE}: no mcast_membership_intvl`);
      kernelGmiTgwS = (cs / 100) * SCALE;
    } finally {
      await t.destroy();
    }
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('counts lost frames as the numbers missing from the receiver\'s sequence space, on every row', () => {
    expect(rows).to.have.length(7);
    for (const r of rows) {
      expect(r.frames_sent, r.scenario).to.be.above(100);
      const missing = windows.filter((w) => w.scenario === r.scenario && w.fast_leave === r.fast_leave).reduce((n, w) => n + w.lost, 0);
      expect(r.frames_lost, `${r.scenario}: sent − received vs the loss windows`).to.equal(missing);
    }
  });

  it('1: a member that answers queries loses nothing', () => {
    expect(row(rows, '1-healthy', 'off')).to.include({ frames_lost: 0, loss_windows: 0 });
  });

  it('2: with queries dropped the traffic stops about one membership interval after the last report', () => {
    const r = row(rows, '2-queries-blocked', 'off');
    expect(r.frames_lost).to.be.above(0);
    // Against the interval the kernel reports, not the configuration the expectation came from.
    expect(kernelGmiTgwS).to.be.above(0);
    expect(r.expected_time_to_loss_s).to.be.closeTo(kernelGmiTgwS, 0.01 * kernelGmiTgwS);
    // Kernel timers are exact to ~0.3 s wall; allow a quarter interval either way on a busy machine.
    expect(r.time_to_loss_s).to.be.a('number').within(0.75 * kernelGmiTgwS, 1.25 * kernelGmiTgwS);
  });

  it('3: re-joining by drop + add loses frames when the port leaves at once (fast leave)', () => {
    const r = row(rows, '3-keepalive-rejoin', 'on');
    expect(r.keepalive).to.equal('daemon-rejoin');
    expect(r.loss_windows).to.be.at.least(1);
    expect(r.time_to_loss_s).to.equal(''); // the gaps are the Leaves', not a timeout
  });

  it('4: a report without a Leave holds the membership and loses nothing, even with fast leave', () => {
    expect(row(rows, '4-keepalive-report', 'on')).to.include({ keepalive: 'daemon-report', frames_lost: 0, loss_windows: 0 });
  });

  it('5: a keepalive slower than the membership timeout opens a loss window that closes again', () => {
    const r = row(rows, '5-keepalive-too-slow', 'off');
    expect(r.loss_windows).to.be.at.least(1);
    expect(r.time_to_loss_s).to.be.a('number').within(0.75 * gmiTgwS, 1.25 * gmiTgwS);
    expect(r.time_to_recover_s).to.be.a('number').above(0);
  });

  it('6: after a restart and after an uplink flap the stream comes back', () => {
    for (const id of ['6-daemon-restart', '6-uplink-flap']) {
      const r = row(rows, id, 'off');
      expect(r.time_to_recover_s, id).to.be.a('number').above(0);
    }
  });

  it('writes igmp.csv with the documented columns and a timeline with bins and membership events', async () => {
    const csv = await readFile(join(dir, 'off', 'igmp.csv'), 'utf8');
    expect(csv.split('\n')[0]).to.equal(IGMP_COLUMNS.join(','));
    expect(csv.trim().split('\n')).to.have.length(1 + 5);
    const timeline = await readFile(join(dir, 'on', 'igmp-timeline.csv'), 'utf8');
    for (const ev of ['report', 'query', 'leave', 'mdb-added', 'mdb-deleted', 'keepalive-rejoin', 'keepalive-report']) {
      expect(timeline, ev).to.contain(`,${ev},`);
    }
  });
});

describe('suite:igmp --real, both roles in two namespaces', function () {
  this.timeout(90_000);
  let topo: Topology | undefined;
  let dir = '';

  before(function () {
    skipUnlessRoot(this, 'the IGMP real mode');
  });
  after(async () => {
    await topo?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('receives the sender\'s numbered stream, keeps it alive by report and writes honest CSVs', async () => {
    // The stand-in runs fast so the test does not wait out a 60 s querier start-up; the roles
    // themselves use unscaled timers (the hosts' sysctls are not touched by real mode).
    topo = await Topology.create({ hosts: 2, scale: SCALE });
    await topo.waitUntilForwarding();
    dir = await mkdtemp(join(tmpdir(), 'igmp-real-'));
    const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
    const role = (ns: string, args: string[], label: string) =>
      topo!.spawn(ns, [process.execPath, '--import', 'tsx', cli, '--real', ...args], label, { cwd: REPO_ROOT });
    const [h1, h2] = [topo.host(1), topo.host(2)];
    const sender = role(h1.ns, ['--role', 'sender', '--mcast-if', h1.uplink, '--duration', '8', '--rate', '200'], 'real sender');
    const receiver = role(
      h2.ns,
      ['--role', 'receiver', '--mcast-if', h2.uplink, '--duration', '4', '--scenario', '4', '--keepalive-interval', '1', '--out', dir],
      'real receiver',
    );
    const rx = await receiver.exited;
    expect(rx.code, receiver.describe()).to.equal(0);
    await sender.stop();
    const csv = (await readFile(join(dir, 'igmp.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).to.equal(IGMP_COLUMNS.join(','));
    const cells = Object.fromEntries(IGMP_COLUMNS.map((c, i) => [c, csv[1]!.split(',')[i]]));
    expect(cells).to.include({ scenario: '4-keepalive-report', fast_leave: 'tgw', keepalive: 'report', scale: '1', membership_timeout_s: '420' });
    const sent = Number(cells.frames_sent);
    expect(sent).to.be.above(300); // ~4 s at 200 frames/s, from the first arrival
    expect(Number(cells.frames_lost)).to.equal(0);
    expect(Number(cells.loss_windows), 'no gap in the receiver\'s sequence space').to.equal(0);
    const timeline = await readFile(join(dir, 'igmp-timeline.csv'), 'utf8');
    expect(timeline).to.contain(',keepalive-report,');
    expect(timeline).to.match(new RegExp(`,report,224\\.0\\.1\\.100,${h2.address.replace(/\./g, '\\.')}`));
  });
});
