// End to end as root: `sim sv-publisher` (2 merging units, a phase-B fault 1.3 s in) on one end
// of a veth pair in a throw-away namespace, `sim subscriber` on the other, both real CLI
// processes. The subscriber must see both streams without a counter error, the fault at the
// smpCnt the publisher reports, and the post-fault RMS of the model.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRoot, skipUnless, skipUnlessRoot } from '../testkit/preconditions.js';
import { addonBuilt } from './bench-veth.js';
import type { SvPublisherSummary } from './sv-publisher-runner.js';
import type { SvReport } from './sv-report.js';
import { createVethNamespace, startSim, teardown, waitForStderr, type SimProc } from './test-support/sim-processes.js';

describe('sim sv-publisher → veth → sim subscriber (root, network namespace)', function () {
  this.timeout(90_000);
  let ns = '';
  let a = '';
  let b = '';
  let dir = '';
  const procs: SimProc[] = [];

  before(function () {
    skipUnlessRoot(this, 'the SV end-to-end test over veth');
    skipUnless(this, !isRoot() || addonBuilt(), 'the SV end-to-end test needs the native addon (npm run prepare)');
    dir = mkdtempSync(join(tmpdir(), 'gb-sv-e2e-'));
    ({ ns, a, b } = createVethNamespace('sve'));
  });

  after(async () => {
    await teardown(ns, procs);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('2 units with a fault: no counter errors, the fault at the published smpCnt, post-fault RMS of the model', async () => {
    const svJson = join(dir, 'sv.json');
    const sub = startSim(ns, ['subscriber', '--interface', b, '--sv-json', svJson, '--table-rows', '0']);
    procs.push(sub);
    await waitForStderr(sub, 'sim subscriber: receiving on', 20_000);
    const pub = startSim(ns, ['sv-publisher', '--interface', a, '--streams', '2', '--duration', '2', '--fault-at', '1.3', '--fault-phases', 'B', '--fault-current', '8', '--json']);
    procs.push(pub);
    expect(await pub.exited, pub.stderr).to.equal(0);
    const summary = JSON.parse(pub.stdout) as SvPublisherSummary;
    await new Promise((r) => setTimeout(r, 500));
    sub.child.kill('SIGTERM');
    expect(await sub.exited, sub.stderr).to.equal(0);
    const report = JSON.parse(readFileSync(svJson, 'utf8')) as SvReport;
    expect(report.frames).to.equal(summary.frames);
    expect(report.streams.map((s) => s.sv_id)).to.have.members(['SIM1MU01', 'SIM2MU01']);
    for (const s of report.streams) {
      expect(s).to.include({ samples: 8000, missing: 0, gaps: 0, duplicates: 0, out_of_order: 0, wrap_errors: 0, smp_synch: 1, quality_or: '0x00000000' });
      expect(s.first_disturbance_smp_cnt).to.equal(summary.fault_smp_cnt);
      expect(Number(s.ib_fund_rms_a)).to.be.closeTo(8, 8 * 0.005);
      expect(Number(s.ia_fund_rms_a)).to.be.closeTo(1, 0.005);
      expect(Number(s.va_rms_v)).to.be.closeTo(63.5, 63.5 * 0.005);
    }
    expect(summary.fault_smp_cnt).to.be.within(0, 3999);
  });
});
