import { expect } from 'chai';
import fc from 'fast-check';
import { decodeFrame } from '../../bridge/codec/index.js';
import { parseDatasetSpec } from './dataset-spec.js';
import { intervalPlan, type EventPlan } from './event-plan.js';
import { PublisherEngine, type EngineConfig } from './publisher-engine.js';
import { DEFAULT_IDENTITY, deriveIdentities } from './publisher-identities.js';
import { createSchedule, TalPolicy, type ScheduleName } from './retransmission-schedule.js';
import { GooseMonitor } from '../monitor/goose-monitor.js';
import { ANOMALY_KEYS } from './stream-tracker.js';

interface Sent {
  p: number;
  st: number;
  sq: number;
  at: number;
  frame: Buffer;
}

function config(over: Partial<EngineConfig> & { scheduleName?: ScheduleName; n?: number } = {}): EngineConfig {
  return {
    identities: deriveIdentities(DEFAULT_IDENTITY, over.n ?? 3),
    schedule: createSchedule(over.scheduleName ?? 'doubling', { t0Us: 1_000_000, t1Us: 2000 }),
    tal: new TalPolicy(2),
    dataset: parseDatasetSpec('bool,int32,struct(bool,bitstring:13),utctime'),
    confRev: 1,
    ndsCom: false,
    simulation: false,
    events: { kind: 'none' },
    seed: 1,
    initialStNum: 1,
    durationUs: 5_000_000,
    ...over,
  };
}

/** Virtual time: run to completion. */
function runAll(cfg: EngineConfig): Sent[] {
  const e = new PublisherEngine(cfg, 0, 1_700_000_000_000_000);
  const out: Sent[] = [];
  while (!e.done) e.runDue(e.nextDueUs(), (frame, p, st, sq, at) => out.push({ p, st, sq, at, frame }));
  return out;
}

describe('PublisherEngine (virtual time)', () => {
  it('sends each publisher on the schedule: gaps t1, 2·t1 … then t0, stNum += 1 on each event', () => {
    const cfg = config({ n: 2, events: intervalPlan(1500) });
    const sent = runAll(cfg);
    for (const p of [0, 1]) {
      const mine = sent.filter((s) => s.p === p);
      for (let i = 1; i < mine.length; i++) {
        const [a, b] = [mine[i - 1]!, mine[i]!];
        expect(b.at).to.be.greaterThan(a.at);
        if (b.st === a.st) {
          expect(b.sq).to.equal(a.sq + 1);
          expect(b.at - a.at).to.equal(cfg.schedule.gapAfter(a.sq));
        } else {
          expect(b.st).to.equal(a.st + 1);
          expect(b.sq).to.equal(0);
          // the event fires every 1.5 s after the publisher's start
          expect((b.at - mine[0]!.at) % 1_500_000).to.equal(0);
        }
      }
      // events every 1.5 s after the publisher's start, before the 5 s end
      const start = mine[0]!.at;
      expect(mine.at(-1)!.st).to.equal(1 + Math.floor((5_000_000 - 1 - start) / 1_500_000));
    }
  });

  it('spreads the publishers\' starts over t0 and stops at the duration or count', () => {
    const sent = runAll(config({ n: 4, durationUs: 3_000_000 }));
    expect(sent.filter((s) => s.sq === 0).map((s) => s.at)).to.deep.equal([0, 250_000, 500_000, 750_000]);
    expect(sent.every((s) => s.at < 3_000_000)).to.equal(true);
    const counted = runAll(config({ n: 3, durationUs: undefined, countPerPublisher: 7 }));
    expect(counted.length).to.equal(21);
    // a stopped publisher ignores later events (the run ends when all have stopped)
    const timeline = runAll(config({ n: 2, durationUs: undefined, countPerPublisher: 3, events: { kind: 'timeline', events: [{ atUs: 5_000_000, publisher: 'all', where: 'e1' }] } }));
    expect(timeline.length).to.equal(6);
    expect(timeline.every((s) => s.st === 1)).to.equal(true);
  });

  it('produces streams the subscriber judges healthy, for any schedule, events and seed', () => {
    const planArb: fc.Arbitrary<EventPlan> = fc.oneof(
      fc.constant<EventPlan>({ kind: 'none' }),
      fc.integer({ min: 1, max: 3000 }).map((ms) => intervalPlan(ms)),
      fc.double({ min: 0.1, max: 20, noNaN: true }).map((r): EventPlan => ({ kind: 'poisson', ratePerS: r })),
    );
    fc.assert(
      fc.property(fc.constantFrom<ScheduleName>('doubling', 'fixed'), planArb, fc.integer(), fc.integer({ min: 1, max: 0xffffffff }), (name, events, seed, st0) => {
        const sent = runAll(config({ n: 3, scheduleName: name, events, seed, initialStNum: st0, durationUs: 3_000_000 }));
        const found: string[] = [];
        const monitor = new GooseMonitor({ graceUs: 0, wallOffsetUs: 1_700_000_000_000_000, onEvent: (e) => found.push(e.kind) });
        const rx = monitor.receiver;
        for (const s of sent) {
          monitor.tick(s.at);
          monitor.handleFrame(s.frame, s.at);
        }
        expect(found, 'no frame later than its TAL, no other event').to.deep.equal([]);
        expect(rx.streams.size).to.equal(3);
        expect(rx.decodeErrors.size).to.equal(0);
        for (const t of rx.streams.values()) {
          for (const k of ANOMALY_KEYS) expect(t.counters[k], k).to.equal(0);
        }
        // virtual time: every state change arrives exactly at its t
        expect(rx.totalLatency.maxValue).to.equal(0);
      }),
      { numRuns: 30 },
    );
  });

  it('is deterministic for a seed', () => {
    const cfg = () => config({ events: { kind: 'poisson', ratePerS: 5 }, seed: 42 });
    const a = runAll(cfg()).map((s) => s.frame.toString('hex') + s.at);
    const b = runAll(cfg()).map((s) => s.frame.toString('hex') + s.at);
    expect(a).to.deep.equal(b);
  });
});
