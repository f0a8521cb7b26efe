import { expect } from 'chai';
import { EventPlanError, intervalPlan, parsePoisson, parseTimeline } from './event-plan.js';

describe('event plans', () => {
  it('parses poisson:RATE and rejects a bad rate naming --events', () => {
    expect(parsePoisson('poisson:2.5')).to.deep.equal({ kind: 'poisson', ratePerS: 2.5 });
    expect(parsePoisson('events.json')).to.equal(undefined);
    expect(() => parsePoisson('poisson:0')).to.throw(EventPlanError, /poisson rate/).with.property('key', 'events');
  });

  it('converts --event-interval to whole µs and rejects non-positive values', () => {
    expect(intervalPlan(1.5)).to.deep.equal({ kind: 'interval', intervalUs: 1500 });
    expect(() => intervalPlan(0)).to.throw(EventPlanError).with.property('key', 'event-interval');
  });

  it('reads a timeline sorted by time and names the bad event', () => {
    const plan = parseTimeline('[{"at_ms": 20, "publisher": 1, "values": [true]}, {"at_ms": 5}]', 2, 'ev.json');
    expect(plan).to.deep.equal({
      kind: 'timeline',
      events: [
        { atUs: 5000, publisher: 'all', where: 'events file ev.json event 2' },
        { atUs: 20000, publisher: 1, values: [true], where: 'events file ev.json event 1' },
      ],
    });
    expect(() => parseTimeline('[{"at_ms": 1, "publisher": 2}]', 2, 'ev.json')).to.throw(EventPlanError, /event 1: publisher must be "all" or 0 … 1/);
    expect(() => parseTimeline('[{"at_ms": -1}]', 2, 'ev.json')).to.throw(EventPlanError, /at_ms/);
  });
});
