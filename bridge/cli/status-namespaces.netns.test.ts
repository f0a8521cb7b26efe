// Bridges in several network namespaces of one host share /run: each writes its own default stats
// file (net<inode>-<interface>.json), and `status`/`doctor` in a namespace find the bridges of that
// namespace only. The real CLI, real daemons, the harness topology.
import { rmSync, statSync } from 'node:fs';
import { expect } from 'chai';
import { skipUnlessRoot } from '../../testkit/preconditions.js';
import { Topology, type Host } from '../../testkit/topology/index.js';
import { CLI, DaemonUnderTest, execInNamespace, waitUntil } from '../../testkit/daemon/bridge-under-test.js';
import { instanceStatsPath } from '../daemon/stats-file.js';

/** A daemon with the default stats file (no --stats-file), and the path it must write. */
function spawnDefault(topo: Topology, host: Host, iface: string, extra: string[] = []): DaemonUnderTest {
  const path = instanceStatsPath(iface, statSync(`/run/netns/${host.ns}`).ino);
  const argv = [process.execPath, CLI, 'run', '--interface', iface, '--mcast-if', host.uplink, '--stats-interval', '0.2', '--log-format', 'json', ...extra];
  return new DaemonUnderTest(topo.spawn(host.ns, argv, `goose-bridge ${iface}@${host.ns}`), path);
}

function status(ns: string, ...args: string[]) {
  return execInNamespace(ns, [process.execPath, CLI, 'status', ...args]);
}

describe('status and doctor with a bridge in each of two network namespaces (default stats files)', function () {
  this.timeout(180_000);
  let topo: Topology;
  let a: Host;
  let b: Host;
  const daemons: DaemonUnderTest[] = [];

  before(async function () {
    skipUnlessRoot(this, 'the per-namespace status test');
    topo = await Topology.create({ hosts: 2, scale: 60 });
    [a, b] = [topo.host(1), topo.host(2)];
    daemons.push(spawnDefault(topo, a, 'goose0'), spawnDefault(topo, b, 'goose0'));
    await Promise.all(daemons.map((d) => d.started()));
    await Promise.all(daemons.map((d) => d.statsWhen('first stats file', () => true)));
  });

  after(async function () {
    await topo?.destroy();
    for (const d of daemons) rmSync(d.statsFile, { force: true });
  });

  it('each namespace writes its own file, and `status` there shows its own bridge (and `status | grep sent` finds the line)', () => {
    const [da, db] = daemons as [DaemonUnderTest, DaemonUnderTest];
    expect(da.statsFile).to.not.equal(db.statsFile);
    const [pidA, pidB] = [da.stats().pid, db.stats().pid];
    for (const [host, mine, theirs] of [[a, pidA, pidB], [b, pidB, pidA]] as const) {
      const r = status(host.ns);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.include(`running, pid ${mine},`).and.not.include(`pid ${theirs},`);
      expect(r.stdout).to.include(`via ${host.uplink}`);
      expect(r.stderr).to.equal('');
      const grep = execInNamespace(host.ns, ['sh', '-c', `'${process.execPath}' '${CLI}' status | grep sent`]);
      expect(grep.code).to.equal(0);
      expect(grep.stdout).to.match(/^\s+sent \d+ datagrams/);
    }
  });

  it('doctor in a namespace checks that namespace\'s bridge: its uplink, its stats file', () => {
    const r = execInNamespace(b.ns, [process.execPath, CLI, 'doctor', '--json']);
    const findings = (JSON.parse(r.stdout) as { findings: Array<{ check: string; level: string; detail: string }> }).findings;
    expect(findings.find((f) => f.check === 'uplink')?.level, 'a foreign uplink').to.not.equal('fail');
    expect(findings.find((f) => f.check === 'uplink up')?.detail).to.equal(`${b.uplink} is up`);
    const daemon = findings.find((f) => f.check === 'daemon')!;
    expect(daemon).to.include({ level: 'ok', detail: `stats file ${daemons[1]!.statsFile} is fresh` });
  });

  it('two bridges in one namespace: status shows both; --json and monitor ask for --interface; --interface picks one', async () => {
    // auto: the uplink carries the first bridge's kernel tier (one per interface), so this one forwards in user space
    const second = spawnDefault(topo, a, 'goose1', ['--data-plane', 'auto']);
    daemons.push(second);
    await second.started();
    await second.statsWhen('goose1 stats', () => true);
    const both = status(a.ns);
    expect(both.code, both.stderr).to.equal(0);
    expect(both.stdout.match(/^goose-bridge running/gm)).to.have.length(2);
    expect(both.stdout).to.match(/^ {2}goose0 ⇄/m).and.match(/^ {2}goose1 ⇄/m);
    const json = status(a.ns, '--json');
    expect(json.code).to.equal(2);
    expect(json.stderr).to.include('2 bridges run in this network namespace').and.include('goose0 (pid').and.include('goose1 (pid').and.include('--interface');
    const monitor = execInNamespace(a.ns, [process.execPath, CLI, 'monitor']);
    expect(monitor.code).to.equal(2);
    expect(monitor.stderr).to.include('choose one with --interface NAME');
    const one = status(a.ns, '--json', '--interface', 'goose1');
    expect(one.code, one.stderr).to.equal(0);
    expect((JSON.parse(one.stdout) as { interface: string; pid: number }).pid).to.equal(second.stats().pid);
    // Stopped: its file stays (its last stats, read with --interface) but it is no longer listed.
    await second.proc.stop(5000);
    await waitUntil('goose1 gone from status', () => (status(a.ns).stdout.match(/^goose-bridge running/gm) ?? []).length === 1, 15_000, 200);
    const stopped = status(a.ns, '--interface', 'goose1');
    expect(stopped.code).to.equal(1);
    expect(stopped.stdout).to.include('NOT RUNNING');
  });
});
