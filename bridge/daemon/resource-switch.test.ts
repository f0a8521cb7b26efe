// The switch of start, reload and recovery, with the real engine and real sockets (loopback): an
// apply that fails, or an open that fails after another succeeded, leaves no descriptor open
// and the running set in place.
import { readdirSync } from 'node:fs';
import { expect } from 'chai';
import { ForwardingEngine, type EngineConfig } from '../../native/engine.js';
import { skipUnlessRoot } from '../../testkit/preconditions.js';
import { resolveConfig } from '../config/resolve-config.js';
import { engineConfigFor } from './engine-config.js';
import { switchResources } from './resource-switch.js';

const openFds = (): number => readdirSync('/proc/self/fd').length;

describe('resource switch (start, reload, recovery): nothing leaks when a step fails', function () {
  let engine: ForwardingEngine;
  const cfg = resolveConfig({ cli: { group_map: 'appid:0x0010=239.0.1.7' } }).config;
  const good = (): EngineConfig => engineConfigFor(cfg, 1500, null);
  const openWan = (): number =>
    engine.openWan({ groups: cfg.groupMap.groups, join: cfg.groupMap.groups.map(() => false), port: 0, uplinks: [{ address: '127.0.0.1', ifindex: 1 }], ttl: 1, socketBufferBytes: 65536 });

  before(function () {
    skipUnlessRoot(this, 'the resource switch test (multicast sockets with forced buffer sizes)');
  });
  beforeEach(() => {
    engine = new ForwardingEngine({ hi: 7, lo: 7 });
  });
  afterEach(() => engine?.close());

  it('counts descriptors: an opened WAN set that is neither applied nor discarded stays open', () => {
    const before = openFds();
    const h = openWan();
    expect(() => engine.apply({ config: { ...good(), groups: [], rules: [] }, wan: h })).to.throw(/groups is empty/);
    expect(openFds()).to.be.greaterThan(before);
    engine.discard(h);
    expect(openFds()).to.equal(before);
  });

  it('an apply that fails closes the WAN sockets it opened and keeps the running ones', () => {
    const running = switchResources(engine, { openWan, config: good }, null);
    expect(running.wan).to.be.a('number');
    const before = openFds();
    for (let attempt = 0; attempt < 5; attempt++) {
      expect(() => switchResources(engine, { openWan, config: () => ({ ...good(), groups: [], rules: [] }) }, null)).to.throw(/groups is empty/);
    }
    expect(openFds(), 'descriptors after 5 failed switches').to.equal(before);
    expect(engine.groupDatagrams(), 'the running WAN set (one counter per group)').to.have.length(2);
  });

  it('an L2 side that cannot be opened closes the WAN sockets opened before it', () => {
    const before = openFds();
    const openL2 = (): never => {
      throw new Error('TAP gone');
    };
    expect(() => switchResources(engine, { openWan, openL2, config: good }, null)).to.throw('TAP gone');
    expect(openFds()).to.equal(before);
  });

  it('a configuration that cannot be built (after the opens) closes what was opened', () => {
    const before = openFds();
    const config = (): EngineConfig => {
      throw new Error('no engine configuration');
    };
    expect(() => switchResources(engine, { openWan, config }, null)).to.throw('no engine configuration');
    expect(openFds()).to.equal(before);
  });
});
