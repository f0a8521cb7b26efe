// The gate-calibration knob (native/src/engine/calibration.h) is a test knob: the engine refuses
// to start when it is set without GB_TEST_KNOBS=1 or set to a malformed value, and
// starts when it is allowed. Its effect on the data plane is measured by scripts/bench/gate-power.ts.
import { expect } from 'chai';
import { ForwardingEngine } from './engine.js';

const VARS = ['GB_TEST_KNOBS', 'GB_CALIBRATION_SPIN_NS', 'GB_CALIBRATION_STALL'] as const;

function startWith(env: Partial<Record<(typeof VARS)[number], string>>): void {
  const saved = VARS.map((k) => [k, process.env[k]] as const);
  for (const k of VARS) delete process.env[k];
  Object.assign(process.env, env);
  const engine = new ForwardingEngine({ hi: 1, lo: 2 });
  try {
    engine.start(() => {});
  } finally {
    engine.close();
    for (const [k, v] of saved) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

describe('gate-calibration knob', () => {
  it('refuses to start when set without GB_TEST_KNOBS=1, naming the variable', () => {
    expect(() => startWith({ GB_CALIBRATION_SPIN_NS: '1000' })).to.throw(/GB_ERR_TEST_KNOB: GB_CALIBRATION_SPIN_NS .*GB_TEST_KNOBS=1/);
    expect(() => startWith({ GB_CALIBRATION_STALL: '100000:5000000', GB_TEST_KNOBS: '0' })).to.throw(/GB_CALIBRATION_STALL/);
  });
  it('refuses malformed values even when allowed', () => {
    for (const bad of [{ GB_CALIBRATION_SPIN_NS: 'fast' }, { GB_CALIBRATION_SPIN_NS: '99999999999' }, { GB_CALIBRATION_STALL: '0:1000' }, { GB_CALIBRATION_STALL: '100' }]) {
      expect(() => startWith({ ...bad, GB_TEST_KNOBS: '1' }), JSON.stringify(bad)).to.throw(/GB_ERR_TEST_KNOB/);
    }
  });
  it('starts when allowed and well-formed, and when not set at all', () => {
    expect(() => startWith({ GB_TEST_KNOBS: '1', GB_CALIBRATION_SPIN_NS: '2000', GB_CALIBRATION_STALL: '100000:5000000' })).to.not.throw();
    expect(() => startWith({})).to.not.throw();
  });
});
