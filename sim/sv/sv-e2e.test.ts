// End to end as root: `sim sv-publisher` (2 merging units, a phase-B fault 1.3 s in) on one end
// of a veth pair in a throw-away namespace, `sim subscriber` on the other, both real CLI
// processes. The subscriber must see both streams without a counter error, the fault at the
// smpCnt, sample index and wall-clock time (within one cycle) the publisher reports, and the
// pre-fault and fault RMS of every phase of the model.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simVethRig } from '../../testkit/sim-processes.js';
import type { SvPublisherSummary } from './sv-publisher-runner.js';
import type { SvReport } from './sv-report.js';

/** Pre-fault (the model's 1 A / 63.5 V) and fault (phase B: 8 A, 20 V) RMS of each phase. */
const FAULT_RMS: Record<string, number> = {
  prefault_ia_rms_a: 1, prefault_ib_rms_a: 1, prefault_ic_rms_a: 1, prefault_va_rms_v: 63.5, prefault_vb_rms_v: 63.5, prefault_vc_rms_v: 63.5,
  fault_ia_rms_a: 1, fault_ib_rms_a: 8, fault_ic_rms_a: 1, fault_va_rms_v: 63.5, fault_vb_rms_v: 20, fault_vc_rms_v: 63.5,
};

describe('sim sv-publisher → veth → sim subscriber (root, network namespace)', function () {
  this.timeout(90_000);
  const rig = simVethRig('sve', 'the SV end-to-end test');

  it('2 units with a fault: no counter errors, the fault at the published sample and time, pre-fault and fault RMS of the model', async () => {
    const svJson = join(rig.dir, 'sv.json');
    const sub = await rig.startSubscriber(['--sv-json', svJson, '--table-rows', '0']);
    const pub = rig.start(['sv-publisher', '--interface', rig.a, '--streams', '2', '--duration', '2', '--fault-at', '1.3', '--fault-phases', 'B', '--fault-current', '8', '--fault-voltage', '20', '--json']);
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
      expect(s).to.include({ fault_channel: 'IB', fault_smp_cnt: summary.fault_smp_cnt, fault_sample_index: summary.fault_sample_index });
      // receive time vs scheduled send time of the same sample, both wall clock: within one 50 Hz cycle
      expect(Math.abs(Number(s.fault_utc_us) - summary.fault_utc_us), `${s.fault_utc} vs ${summary.fault_utc}`).to.be.at.most(20_000);
      for (const [key, want] of Object.entries(FAULT_RMS)) expect(Number(s[key]), key).to.be.closeTo(want, want * 0.005 + 0.002);
    }
    expect(summary.fault_smp_cnt).to.be.within(0, 3999);
    expect(summary.fault_sample_index).to.equal(1.3 * 4000);
  });
});
