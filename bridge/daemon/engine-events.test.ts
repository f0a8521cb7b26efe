// The engine's events: each logged and counted once where it repeats, and a lost resource asked to
// be recreated once per loss, counted as recovered when the switch opens it again.
import { expect } from 'chai';
import { pino } from 'pino';
import { resolveConfig } from '../config/resolve-config.js';
import { BridgeCounters } from './bridge-counters.js';
import { EngineEvents } from './engine-events.js';

function setup(cli: Record<string, string> = {}) {
  const cfg = resolveConfig({ cli: { group_map: 'appid:0x0010=239.0.1.7', ...cli } }).config;
  const counters = new BridgeCounters();
  const logged: Array<{ event: string; level: number; msg: string }> = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
  const asked = { saveReplayState: 0, recreateL2: 0, recreateWan: 0 };
  const events = new EngineEvents(log, counters, () => cfg, {
    saveReplayState: () => void asked.saveReplayState++,
    recreateL2: () => void asked.recreateL2++,
    recreateWan: () => void asked.recreateWan++,
  });
  return { events, counters, logged, asked };
}

describe('engine events: logged, counted, and what they leave lost', () => {
  it('a failed multicast socket is counted and recreated once, however many sockets report it, until the WAN set is reopened', () => {
    const { events, counters, logged, asked } = setup();
    events.handle('wan-error', 105);
    events.handle('wan-error', 105);
    expect(events.wanLost).to.equal(true);
    expect(asked.recreateWan).to.equal(1);
    expect(counters.errors).to.deep.equal({ socket: 1 });
    expect(logged.filter((l) => l.event === 'socket-error')).to.have.length(1);
    events.wanOpened();
    expect(events.wanLost).to.equal(false);
    expect(counters.recoveries).to.deep.equal({ socket: 1 });
    events.handle('wan-error', 105);
    expect(asked.recreateWan).to.equal(2);
    expect(counters.errors).to.deep.equal({ socket: 2 });
  });

  it('a lost L2 side is counted under tap-lost and logged naming the interface; reopening it counts a tap recovery', () => {
    const { events, counters, logged, asked } = setup({ interface: 'gbtest7' });
    events.handle('l2-lost', 19);
    expect(events.l2Lost).to.equal(true);
    expect(events.wanLost).to.equal(false);
    expect(asked).to.deep.include({ recreateL2: 1, recreateWan: 0 });
    expect(counters.errors).to.deep.equal({ 'tap-lost': 1 });
    expect(logged.find((l) => l.event === 'tap-lost')?.msg).to.equal('gbtest7 was lost; recreating');
    events.l2Opened();
    expect(counters.recoveries).to.deep.equal({ tap: 1 });
  });

  it('opening a resource that was not lost (start, reload) counts no recovery', () => {
    const { events, counters } = setup();
    events.l2Opened();
    events.wanOpened();
    expect(counters.recoveries).to.deep.equal({});
  });

  it('SCHED_FIFO refused by both threads is one warning naming rt_priority; GSO and io_uring refusals are notes, not errors', () => {
    const { events, counters, logged } = setup({ rt_priority: '10' });
    events.handle('rt-priority-failed', 1);
    events.handle('rt-priority-failed', 1);
    events.handle('gso-refused', 5);
    events.handle('io-uring-unavailable', 38);
    expect(logged.map((l) => [l.event, l.level])).to.deep.equal([
      ['rt-priority-failed', 40],
      ['gso-refused', 30],
      ['io-uring-unavailable', 30],
    ]);
    expect(logged[0]).to.deep.include({ rtPriority: 10 });
    expect(counters.errors).to.deep.equal({});
  });

  it('replay-state-due asks for the state file to be written and logs nothing', () => {
    const { events, logged, asked } = setup();
    events.handle('replay-state-due', 0);
    expect(asked.saveReplayState).to.equal(1);
    expect(logged).to.deep.equal([]);
  });
});
