import { expect } from 'chai';
import { skipUnlessRoot } from '../testkit/preconditions.js';
import { createNamespace, deleteNamespace } from '../testkit/netns.js';
import { runProbe } from './testing/netns.js';

interface PacedProbe {
  plan: { rateFps: number; total: number; seqStart: number; slice: number; startUs: number; templates: number };
  offered: number;
  refused: number;
  endUs: number;
  lagUs: number[];
  got: Array<{ template: number; stNum: number; sqNum: number; txUs: number; eventUs: number }>;
  rejected: { message: string } | null;
}

describe('PacketSocket.sendPaced', function () {
  let ns: string | undefined;
  let r: PacedProbe;

  before(async function () {
    skipUnlessRoot(this, 'the paced sender tests (a TAP in a namespace)');
    ns = createNamespace('npaced', { disableIpv6: true });
    r = await runProbe<PacedProbe>(ns, 'paced-send', { tap: 'gbpace0', rateFps: 2000, total: 300 });
  });
  after(() => deleteNamespace(ns));

  it('offers every frame once, in order, round-robin over the templates, with the slice as stNum', () => {
    const { plan } = r;
    expect(r.offered).to.equal(plan.total);
    expect(r.refused).to.equal(0);
    expect(r.got.map((f) => f.sqNum)).to.deep.equal(Array.from({ length: plan.total }, (_, k) => plan.seqStart + k));
    for (const f of r.got) {
      expect(f.template).to.equal(f.sqNum % plan.templates);
      expect(f.stNum).to.equal(plan.slice);
    }
  });

  it('stamps each frame with its schedule (start + k / rate) and is never early', () => {
    const { plan } = r;
    r.got.forEach((f, k) => {
      expect(f.eventUs).to.be.closeTo(plan.startUs + (k * 1e6) / plan.rateFps, 1e-6);
      expect(f.txUs, `frame ${k} sent before it was due`).to.be.at.least(Math.floor(f.eventUs));
      if (k > 0) expect(f.txUs).to.be.at.least(r.got[k - 1]!.txUs);
    });
    expect(r.endUs - plan.startUs).to.be.at.least(((plan.total - 1) * 1e6) / plan.rateFps);
  });

  it('reports each frame’s lateness as its send time minus its schedule', () => {
    expect(r.lagUs).to.have.length(r.offered);
    r.lagUs.forEach((lag, k) => expect(lag).to.equal(Math.max(0, Math.trunc(r.got[k]!.txUs - r.got[k]!.eventUs))));
  });

  it('rejects a field offset outside the frame, naming it', () => {
    expect(r.rejected?.message).to.match(/offTxUs/);
  });
});
