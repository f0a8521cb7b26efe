import { expect } from 'chai';
import { OutageWatch } from './outage-watch.js';

describe('OutageWatch', () => {
  it('logs an uplink outage once when it starts and once when it ends, with its length', () => {
    const w = new OutageWatch();
    expect(w.tick(0, 0, true)).to.deep.equal([]);
    expect(w.tick(1000, 0, false)).to.deep.equal([{ event: 'uplink-down' }]);
    expect(w.tick(2000, 0, false)).to.deep.equal([]);
    expect(w.tick(3000, 0, null), 'unknown state changes nothing').to.deep.equal([]);
    expect(w.tick(4000, 0, true)).to.deep.equal([{ event: 'uplink-up', durationMs: 3000 }]);
    expect(w.tick(5000, 0, true)).to.deep.equal([]);
  });

  it('turns a burst of refused sends into one start and one end line with the count', () => {
    const w = new OutageWatch();
    w.tick(0, 10, true);
    expect(w.tick(1000, 60, true)).to.deep.equal([{ event: 'send-errors-started', count: 50 }]);
    expect(w.tick(2000, 205, true)).to.deep.equal([]);
    expect(w.tick(3000, 205, true)).to.deep.equal([{ event: 'send-errors-ended', durationMs: 2000, count: 195 }]);
    expect(w.tick(4000, 205, true)).to.deep.equal([]);
  });
});
