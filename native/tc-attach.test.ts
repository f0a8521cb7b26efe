import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { skipUnless, skipUnlessRoot } from '../testkit/preconditions.js';
import { createNamespace, deleteNamespace } from '../testkit/netns.js';
import { ipIn } from './testing/netns.js';
import { tcSupport } from './tc-attach.js';

interface Probe {
  attachedA: number;
  egressA: number;
  queryA: number;
  shownA: string;
  replacedB: number;
  queryB: number;
  shownB: string;
  detached: boolean;
  detachedAgain: boolean;
  queryAfter: number;
  shownAfter: string;
  egressStill: number;
  egressDetached: boolean;
}

const PROBE = fileURLToPath(new URL('./testing/tc-probe.ts', import.meta.url));

describe('tc attach/detach of the kernel tier (clsact, in a network namespace)', function () {
  let ns: string | undefined;
  let p: Probe;

  before(function () {
    skipUnlessRoot(this, 'the tc attach tests');
    const support = tcSupport();
    skipUnless(this, support.ok, support.ok ? '' : support.reason);
    ns = createNamespace('ntc');
    ipIn(ns, 'link', 'add', 'gbtc0', 'type', 'veth', 'peer', 'name', 'gbtc1');
    ipIn(ns, 'link', 'set', 'gbtc0', 'up');
    const out = execFileSync('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', PROBE, 'gbtc0'], { encoding: 'utf8', timeout: 30_000 });
    p = JSON.parse(out.trim().split('\n').pop()!) as Probe;
  });
  after(() => deleteNamespace(ns));

  it('attaches a program on ingress and egress, and tc shows it under goose-bridge\'s handle and priority', () => {
    expect(p.attachedA).to.be.greaterThan(0);
    expect(p.egressA).to.equal(p.attachedA);
    expect(p.queryA).to.equal(p.attachedA);
    expect(p.shownA).to.match(/pref 177 bpf .*handle 0x4742/);
    expect(p.shownA).to.include(`id ${p.attachedA}`);
  });

  it('replaces the program in place (one filter, the new program): how a leftover of a crashed daemon is taken over', () => {
    expect(p.replacedB).to.be.greaterThan(0).and.not.equal(p.attachedA);
    expect(p.queryB).to.equal(p.replacedB);
    expect(p.shownB.match(/handle 0x4742/g)).to.have.length(1);
    expect(p.shownB).to.include(`id ${p.replacedB}`);
  });

  it('detaches only the hook asked for, once; a second detach finds nothing', () => {
    expect(p.detached).to.equal(true);
    expect(p.detachedAgain).to.equal(false);
    expect(p.queryAfter).to.equal(0);
    expect(p.shownAfter).not.to.include('0x4742');
    expect(p.egressStill).to.equal(p.attachedA);
    expect(p.egressDetached).to.equal(true);
  });
});
