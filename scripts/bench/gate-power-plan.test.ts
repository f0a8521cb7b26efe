import { expect } from 'chai';
import { knobEnv, powerTable, runOrder, suiteOfFile, suitesFor, type PowerRun } from './gate-power-plan.js';

const FIG = { p50Us: 120, p99Us: 3000, rateFps: 200_000 };

describe('gate-power plan', () => {
  it('sizes each perturbation from the bridge\'s figures, and turns test knobs on only for perturbations', () => {
    expect(knobEnv('none', FIG)).to.deep.equal({});
    expect(knobEnv('p50+25%', FIG)).to.deep.equal({ GB_TEST_KNOBS: '1', GB_CALIBRATION_SPIN_NS: '30000' });
    // a 6 ms stall (2 × p99) every 300 ms (100 × p99)
    expect(knobEnv('p99+50%', FIG)).to.deep.equal({ GB_TEST_KNOBS: '1', GB_CALIBRATION_STALL: '300000:6000000' });
    // a quarter of the 5 µs frame time
    expect(knobEnv('throughput-20%', FIG)).to.deep.equal({ GB_TEST_KNOBS: '1', GB_CALIBRATION_SPIN_NS: '1250' });
  });
  it('interleaves the perturbations round by round, reversing every other round, until each has its runs', () => {
    const order = runOrder({ none: 3, 'p50+25%': 2 }).map((x) => `${x.perturbation}#${x.run}`);
    expect(order).to.deep.equal(['none#1', 'p50+25%#1', 'p50+25%#2', 'none#2', 'none#3']);
  });
  it('counts hits for perturbations and false alarms for unchanged runs, with the effect against the unchanged median', () => {
    const run = (perturbation: PowerRun['perturbation'], failed: boolean, p50: number, rule = ''): PowerRun => ({
      perturbation, run: 1, knob: '', suite_failed: rule === 'suite', gate_failed: failed, failed_rules: rule, bridge_p50_us: p50, bridge_p99_us: 1000, bridge_rate_fps: 2e5, load_avg: '1/1/1',
    });
    const table = powerTable([run('none', false, 100), run('none', true, 110, 'a'), run('p50+25%', true, 130, 'b'), run('p50+25%', false, 120)]);
    const byRule = powerTable([run('none', false, 100), run('p50+25%', true, 130, 'latency-slices.csv:bridge/vxlan:latency_p50_us')]);
    expect(byRule[1]).to.include({ hits: '1 of 1', hits_by_intended_rule: '1 of 1' });
    // Suites that failed under a perturbation measured nothing; unchanged, they are a CI false alarm.
    const crashed = powerTable([run('none', true, 100, 'suite'), run('p50+25%', true, 130, 'suite')]);
    expect(crashed.map((r) => [r.runs, r.suite_failures, r.hits, r.false_alarms])).to.deep.equal([[1, 1, '', '1 of 1'], [0, 1, '0 of 0', '']]);
    expect(table).to.deep.equal([
      { perturbation: 'none', runs: 2, suite_failures: 0, hits: '', hits_by_intended_rule: '', false_alarms: '1 of 2', measured_effect: '', rules_that_failed: 'a' },
      { perturbation: 'p50+25%', runs: 2, suite_failures: 0, hits: '1 of 2', hits_by_intended_rule: '0 of 2', false_alarms: '', measured_effect: '+19 %', rules_that_failed: 'b' },
    ]);
  });
  it('runs only the aimed suite under a perturbation, and every chosen suite unchanged', () => {
    const chosen = ['latency', 'throughput', 'loss'];
    expect(suitesFor('p50+25%', chosen)).to.deep.equal(['latency']);
    expect(suitesFor('p99+50%', chosen)).to.deep.equal(['latency']);
    expect(suitesFor('throughput-20%', chosen)).to.deep.equal(['throughput']);
    expect(suitesFor('none', chosen)).to.deep.equal(chosen);
    // a perturbation whose suite was not chosen runs what was chosen (its rules then say "missing")
    expect(suitesFor('throughput-20%', ['latency'])).to.deep.equal(['latency']);
  });
  it('maps report files to the suite that writes them', () => {
    expect(['latency-slices.csv', 'throughput.csv', 'loss.csv', 'igmp.csv', 'sv.csv'].map(suiteOfFile)).to.deep.equal(['latency', 'throughput', 'loss', 'igmp', 'sv']);
  });
});
