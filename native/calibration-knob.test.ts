// The gate-calibration knob (native/src/engine/calibration.h) is a test knob: the engine refuses
// to start when it is set without GB_TEST_KNOBS=1 or set to a malformed value, and
// starts when it is allowed; the kernel tier's to_wan reads the same knob when it is configured.
// Its effect on the data plane is measured by scripts/bench/gate-power.ts.
import { expect } from 'chai';
import { isRoot, skipUnless } from '../testkit/preconditions.js';
import { ForwardingEngine, type EngineConfig } from './engine.js';
import { KernelPathObject, kernelPathSupport, TC_ACT_REDIRECT } from './kernel-path.js';

const VARS = ['GB_TEST_KNOBS', 'GB_CALIBRATION_SPIN_NS', 'GB_CALIBRATION_STALL'] as const;

function withEnv<T>(env: Partial<Record<(typeof VARS)[number], string>>, run: () => T): T {
  const saved = VARS.map((k) => [k, process.env[k]] as const);
  for (const k of VARS) delete process.env[k];
  Object.assign(process.env, env);
  try {
    return run();
  } finally {
    for (const [k, v] of saved) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

function startWith(env: Partial<Record<(typeof VARS)[number], string>>): void {
  withEnv(env, () => {
    const engine = new ForwardingEngine({ hi: 1, lo: 2 });
    try {
      engine.start(() => {});
    } finally {
      engine.close();
    }
  });
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

describe('gate-calibration knob in the kernel tier', () => {
  const OWN = { hi: 1, lo: 2 };
  const cfg: EngineConfig = { enableSv: false, enableGse: false, checkAppIdRange: true, appIdAllow: null, groups: ['239.1.1.1'], rules: [], maxFrame: 1456, maxDatagram: 2048, l2Mtu: 1500, gateway: false };
  const goose = Buffer.from('010ccd010001020000000001' + '88b800010030' + '00000000' + '61'.repeat(40), 'hex');
  let kp: KernelPathObject;

  before(function () {
    skipUnless(this, isRoot(), 'kernel tier knob: BPF_PROG_TEST_RUN needs root; run as root to include it');
    const s = kernelPathSupport();
    skipUnless(this, s.ok, `kernel tier knob: ${s.ok ? '' : s.reason}`);
    kp = KernelPathObject.load();
  });
  after(() => kp?.close());

  /** How long to_wan takes on one GOOSE frame with the knob as configured from `env`, in ms (it still forwards it). */
  function toWanMs(env: Partial<Record<(typeof VARS)[number], string>>, generation: number): number {
    withEnv(env, () => kp.configure({ engine: cfg, ownSender: OWN, seqSlots: [0], port: 10000, ttl: 16, uplinks: [{ ifindex: 1, address: '10.0.0.1', mac: '02:00:00:00:00:01' }], l2: { ifindex: 1, ingress: true }, generation }));
    const t0 = process.hrtime.bigint();
    expect(kp.testRun('to_wan', goose).action).to.equal(TC_ACT_REDIRECT);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  }

  // Lower bounds only: a busy-wait can take longer on a loaded machine, never shorter.
  it('busy-waits GB_CALIBRATION_SPIN_NS on every frame to_wan handles when allowed', () => {
    expect(toWanMs({ GB_TEST_KNOBS: '1', GB_CALIBRATION_SPIN_NS: '8000000' }, 1)).to.be.at.least(8);
    expect(toWanMs({ GB_TEST_KNOBS: '1', GB_CALIBRATION_SPIN_NS: '8000000' }, 2)).to.be.at.least(8);
  });
  it('stalls once per period with GB_CALIBRATION_STALL', () => {
    const first = toWanMs({ GB_TEST_KNOBS: '1', GB_CALIBRATION_STALL: '60000000:9000000' }, 3);
    expect(first, 'the first frame meets the stall').to.be.at.least(9);
  });
});
