import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { skipUnlessRoot } from '../preconditions.js';
import { Topology } from './topology.js';
import { runSync, sleep } from './exec.js';
import { parseNetnsList } from './stale.js';
import { lossTable, securityGroupDropQueriesTable } from './nft-rules.js';

const PROBE = new URL('./mcast-probe.ts', import.meta.url).pathname;
const nsList = (): string[] => parseNetnsList(runSync(['ip', 'netns', 'list']));

function waitLine(p: { child: { stderr: NodeJS.ReadableStream | null } }, text: string): Promise<void> {
  return new Promise((resolve) => {
    let buf = '';
    p.child.stderr?.on('data', (d: Buffer | string) => {
      buf += String(d);
      if (buf.includes(text)) resolve();
    });
  });
}

describe('Topology (TGW stand-in in network namespaces)', function () {
  this.timeout(60_000);
  before(function () {
    skipUnlessRoot(this, 'the topology test');
  });

  it('carries multicast between two hosts only after a join, and removes everything afterwards', async () => {
    const topo = await Topology.create({ hosts: 2, scale: 60 });
    const names = [topo.tgwNs, ...topo.hosts.map((h) => h.ns)];
    try {
      expect(nsList()).to.include.members(names);
      const [h1, h2] = [topo.host(1), topo.host(2)];
      const group = '224.0.1.100';
      const port = 61850;
      const watcher = topo.watchMdb();
      const recv = topo.spawn(h2.ns, ['node', '--import', 'tsx', PROBE, 'recv', group, String(port), h2.address, '2500'], 'probe recv');
      await waitLine(recv, 'ready');
      await topo.waitUntilForwarding();
      await topo.waitForMembers(group, [h2.tgwPort]);
      // h1 never joined, so its port must not be registered (snooping, not flooding).
      const mdb = await topo.mdb();
      expect(mdb.some((e) => e.port === h1.tgwPort && e.group === group)).to.equal(false);
      const send = await topo.exec(h1.ns, ['node', '--import', 'tsx', PROBE, 'send', group, String(port), h1.address, '50', '5']);
      expect(JSON.parse(send)).to.deep.equal({ sent: 50 });
      await recv.exited;
      const got = JSON.parse(recv.stdout) as { received: number; distinct: number };
      // A real network may lose a datagram; the stand-in on one machine should not, but the
      // assertion that matters is that multicast crossed at all and nothing was duplicated.
      expect(got.received).to.be.greaterThan(40);
      expect(got.distinct).to.equal(got.received);
      await sleep(100);
      const events = await watcher.stop();
      expect(events.some((e) => e.action === 'added' && e.port === h2.tgwPort && e.group === group)).to.equal(true);
    } finally {
      await topo.destroy();
    }
    const left = nsList();
    for (const n of names) expect(left).to.not.include(n);
  });

  it('drops injected random loss and counts it; nft tables install in hosts too', async () => {
    const topo = await Topology.create({ hosts: 2, scale: 60 });
    try {
      const [h1, h2] = [topo.host(1), topo.host(2)];
      const group = '224.0.1.101';
      const table = lossTable('gbh_loss', { ports: [h2.tgwPort], group, udpPort: 61851, lossPercent: 50 });
      await topo.applyNft(topo.tgwNs, table);
      await topo.applyNft(h2.ns, securityGroupDropQueriesTable());
      const recv = topo.spawn(h2.ns, ['node', '--import', 'tsx', PROBE, 'recv', group, '61851', h2.address, '3000'], 'probe recv');
      await waitLine(recv, 'ready');
      await topo.waitUntilForwarding();
      await topo.waitForMembers(group, [h2.tgwPort]);
      await topo.exec(h1.ns, ['node', '--import', 'tsx', PROBE, 'send', group, '61851', h1.address, '200', '2']);
      await recv.exited;
      const got = JSON.parse(recv.stdout) as { received: number };
      const dropped = await topo.nftCounterPackets(topo.tgwNs, table);
      expect(got.received + dropped).to.equal(200);
      expect(dropped).to.be.within(50, 150); // 50 % of 200: > 7 σ either side
      await topo.removeNft(topo.tgwNs, table);
    } finally {
      await topo.destroy();
    }
  });

  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130], ['throw', 1]] as const) {
  it(`is removed by the process-level handler when the owner ${signal === 'throw' ? 'dies of an uncaught exception' : `gets ${signal}`}`, async () => {
    // A child process builds a topology and is terminated; its namespaces must disappear.
    const script = new URL('./fixtures/hold-topology.ts', import.meta.url).pathname;
    expect(existsSync(script)).to.equal(true);
    const { spawn } = await import('node:child_process');
    const child = spawn('node', ['--import', 'tsx', script, signal], { stdio: ['ignore', 'pipe', 'ignore'] });
    const prefix = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const m = /^ready (\S+)$/m.exec(buf);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (c) => reject(new Error(`holder exited before it was ready (${c})`)));
    });
    expect(nsList().filter((n) => n.startsWith(prefix)).length).to.equal(3);
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    if (signal !== 'throw') child.kill(signal);
    expect(await exited).to.equal(code);
    expect(nsList().filter((n) => n.startsWith(prefix))).to.deep.equal([]);
  });
  }

  it('cleans a dead run’s leftovers (owner pid gone) before building a new topology', async () => {
    // Fake a crashed run: namespaces carrying a pid that cannot be alive.
    const deadPid = 4_000_000; // above pid_max's maximum (2^22)
    const stale = `gbh-${deadPid}-dead01-tgw`;
    runSync(['ip', 'netns', 'add', stale]);
    const topo = await Topology.create({ hosts: 1, scale: 60 });
    try {
      expect(nsList()).to.not.include(stale);
    } finally {
      await topo.destroy();
    }
  });
});
