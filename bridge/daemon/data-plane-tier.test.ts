// Which tier forwards and why, said once per change; the counts it reports are the engine's while
// user space forwards alone. (Loading the kernel tier itself: kernel-tier netns tests.)
import { expect } from 'chai';
import { pino } from 'pino';
import { ForwardingEngine } from '../../native/engine.js';
import { resolveConfig } from '../config/resolve-config.js';
import { BridgeCounters } from './bridge-counters.js';
import { DataPlaneTier } from './data-plane-tier.js';
import { engineConfigFor } from './engine-config.js';

describe('data-plane tier: the choice and its reason', () => {
  let engine: ForwardingEngine;
  let logged: Array<{ event: string; level: number; msg: string; reason?: string }>;
  let counters: BridgeCounters;
  let tier: DataPlaneTier;
  const config = (cli: Record<string, string>) => resolveConfig({ cli: { group_map: 'appid:0x0010=239.0.1.7', ...cli } }).config;
  const apply = (cfg: ReturnType<typeof config>, starting: boolean) => tier.apply({ cfg, l2: null, uplinks: [] }, engineConfigFor(cfg, 1500, null), starting);

  beforeEach(() => {
    engine = new ForwardingEngine({ hi: 3, lo: 4 });
    logged = [];
    counters = new BridgeCounters();
    tier = new DataPlaneTier(engine, { hi: 3, lo: 4 }, counters, pino({ level: 'debug' }, { write: (line: string) => void logged.push(JSON.parse(line)) }));
  });
  afterEach(() => engine.close());

  it('data_plane = user: user space, said once at start, not again on a reload that keeps it; counts are the engine’s', () => {
    const cfg = config({ data_plane: 'user' });
    tier.load(cfg);
    apply(cfg, true);
    apply(cfg, false);
    expect(tier.loaded).to.equal(null);
    expect(tier.choice).to.deep.equal({ tier: 'user', requested: 'user', reason: null });
    expect(logged.map((l) => l.msg)).to.deep.equal(['data plane: user space (data_plane = user)']);
    expect(tier.counts()).to.deep.equal(engine.counts());
    expect(tier.groupDatagrams('239.1.1.1')).to.equal(0);
  });

  it('data_plane = auto with R-GOOSE: user space, with the reason, and the kernel tier is not loaded', () => {
    const cfg = config({ data_plane: 'auto', encapsulation: 'rgoose' });
    tier.load(cfg);
    apply(cfg, true);
    expect(tier.loaded).to.equal(null);
    expect(tier.choice).to.deep.equal({ tier: 'user', requested: 'auto', reason: 'encapsulation = rgoose: the kernel tier carries GB1 only' });
    expect(logged).to.have.length(1);
    expect(logged[0]).to.deep.include({ event: 'data-plane', level: 30 });
  });

  it('data_plane = kernel without the kernel tier loaded at start: after start, user space forwards and an error says why', () => {
    const cfg = config({ data_plane: 'kernel' });
    apply(cfg, false);
    expect(tier.choice).to.deep.equal({ tier: 'user', requested: 'kernel', reason: 'the tier is chosen at start: restart to use the kernel tier' });
    expect(logged.map((l) => [l.event, l.level])).to.deep.equal([['data-plane', 50]]);
  });
});
