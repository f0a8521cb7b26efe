// The bridge path on a real topology: ready only once its own daemons run, and nothing of its
// interface left for the next path that uses the same one (the loss suite's scenarios follow
// each other on goose0).
import { expect } from 'chai';
import { skipUnlessRoot } from '../../testkit/preconditions.js';
import { Topology } from '../../testkit/topology/index.js';
import { portsRegisteredFor } from '../../testkit/topology/mdb.js';
import { BRIDGE_DEFAULTS, BridgePath } from './bridge-path.js';
import { interfaceIsUp } from './l2-path.js';

describe('bridge path (netns)', function () {
  this.timeout(180_000);
  before(function () {
    skipUnlessRoot(this, 'the bridge path test');
  });

  it('is not ready on a TAP a previous daemon left up; started, its daemons joined; stopped, it leaves no TAP', async () => {
    const topo = await Topology.create({ hosts: 2, scale: 60 });
    try {
      // What a previous daemon leaves by default: a persistent TAP, up, with nobody behind it.
      for (const h of topo.hosts) {
        await topo.exec(h.ns, ['ip', 'tuntap', 'add', 'dev', BRIDGE_DEFAULTS.ifname, 'mode', 'tap']);
        await topo.exec(h.ns, ['ip', 'link', 'set', BRIDGE_DEFAULTS.ifname, 'up']);
      }
      const path = new BridgePath({ topology: topo });
      try {
        for (const h of topo.hosts) {
          expect(await interfaceIsUp(h.ns, path.ifname), 'the leftover TAP is up').to.equal(true);
          expect(await path.daemonReady(h.index), 'no daemon yet').to.equal(false);
        }
        await path.start();
        for (const h of topo.hosts) expect(await path.daemonReady(h.index)).to.equal(true);
        expect([...portsRegisteredFor(await topo.mdb(), path.group)].sort()).to.deep.equal(topo.hosts.map((h) => h.tgwPort).sort());
      } finally {
        await path.stop();
        path.dispose();
      }
      for (const h of topo.hosts) {
        const left = await topo.exec(h.ns, ['ip', '-j', 'link', 'show']);
        expect(left, `h${h.index}`).to.not.include(`"${BRIDGE_DEFAULTS.ifname}"`);
      }
    } finally {
      await topo.destroy();
    }
  });
});
