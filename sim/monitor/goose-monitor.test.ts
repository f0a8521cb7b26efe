import { expect } from 'chai';
import { EVENT_KIND_NAMES, EVENT_KINDS, type EventKind } from './event-kinds.js';
import type { DatasetLayout } from './dataset-values.js';
import { GooseMonitor } from './goose-monitor.js';
import { memberLayout } from './member-layout.js';
import { formatEventLine, type MonitorEvent } from './monitor-event.js';
import { A, B, beats, END_MS, framesOf, GRACE_MS, SCENARIOS, T0_US, type Scenario, type TimedFrame } from './anomaly-scenarios.js';

/** Feeds frames through the pure entry point, ticking before each as the subscriber does. */
function monitorRun(s: Pick<Scenario, 'expected' | 'transferThresholdMs'>, frames: TimedFrame[], endUs = T0_US + END_MS * 1000): { events: MonitorEvent[]; monitor: GooseMonitor } {
  const events: MonitorEvent[] = [];
  const monitor = new GooseMonitor({
    graceUs: GRACE_MS * 1000,
    expected: s.expected,
    ...(s.transferThresholdMs !== undefined ? { transferThresholdUs: s.transferThresholdMs * 1000 } : {}),
    onEvent: (e) => events.push(e),
  });
  for (const f of frames) {
    monitor.tick(f.rxUs);
    monitor.handleFrame(f.buf, f.rxUs);
  }
  for (let t = frames.at(-1)!.rxUs; t <= endUs; t += 10_000) monitor.tick(t);
  monitor.finish(endUs);
  return { events, monitor };
}

const hex = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;

describe('GOOSE monitor events (crafted frames through handleFrame)', () => {
  it('has a scenario for every event kind except the two info kinds', () => {
    const covered = new Set(SCENARIOS.map((s) => s.kind));
    expect(EVENT_KIND_NAMES.filter((k) => !covered.has(k))).to.deep.equal(['resumed', 'state-change']);
  });

  for (const s of SCENARIOS) {
    it(`${s.kind}: logged once, on the right stream, with its numbers and evidence`, () => {
      const { events } = monitorRun(s, framesOf(s));
      const kinds = events.map((e) => e.kind).sort();
      expect(kinds).to.deep.equal([s.kind, ...(s.also ?? [])].sort());
      const e = events.find((x) => x.kind === s.kind)!;
      expect(e.label).to.equal(EVENT_KINDS[s.kind].label);
      expect(e.stream).to.deep.equal(s.want.stream ? { appid: hex(s.want.stream.appId), src_mac: s.want.stream.src, gocb_ref: s.want.stream.gocbRef } : null);
      expect([e.st_num, e.sq_num]).to.deep.equal([s.want.st, s.want.sq]);
      expect(e.mono_us).to.equal(T0_US + s.want.atMs * 1000);
      expect(e.time).to.equal(new Date(T0_US / 1000 + s.want.atMs).toISOString().replace('Z', '000Z'));
      expect(e.evidence).to.include(s.want.evidence);
    });
  }

  it('malformed: the evidence names the decoder error code, byte offset and field', () => {
    const s = SCENARIOS.find((x) => x.kind === 'malformed')!;
    const e = monitorRun(s, framesOf(s)).events[0]!;
    expect(e.evidence.decode_error).to.be.a('string').and.not.equal('');
    expect(e.evidence.offset).to.be.a('number').greaterThan(14);
    expect(String(e.evidence.message)).to.include(String(e.evidence.decode_error));
  });

  it('a healthy pair of streams gives no event at all', () => {
    expect(monitorRun({}, framesOf({ kind: 'sq-gap', a: beats(0, END_MS, 1, 0), want: SCENARIOS[0]!.want })).events).to.deep.equal([]);
  });

  it('the end of a run is not a loss: every stream silent together, ticks go on for 10 s, nothing reported', () => {
    const frames = framesOf({ kind: 'stopped', a: beats(0, 1000, 1, 0), bTo: 1000, want: SCENARIOS[0]!.want });
    const { events, monitor } = monitorRun({}, frames, T0_US + 11_000_000);
    expect(events).to.deep.equal([]);
    expect([...monitor.watches.values()].every((w) => !w.stopped)).to.equal(true);
  });

  it('a stream that comes back after being stopped is "resumed" (info), not a second loss', () => {
    const frames = framesOf({ kind: 'stopped', a: [...beats(0, 400, 1, 0), ...beats(2400, END_MS, 1, 5)], want: SCENARIOS[0]!.want });
    const { events, monitor } = monitorRun({}, frames);
    expect(events.map((e) => e.kind)).to.deep.equal(['stopped', 'resumed']);
    expect(events[1]!.evidence).to.include({ silent_ms: 2000 });
    const w = [...monitor.watches.values()].find((x) => x.tracker.key.appId === A.appId)!;
    expect([w.stopped, w.counts.stopped, w.counts.resumed]).to.deep.equal([false, 1, 1]);
  });

  it('a state change records which members changed, by SCL name with their values (and logs it when asked)', () => {
    const frames = framesOf({ kind: 'state-change' as EventKind, a: [...beats(0, 400, 1, 0), ...beats(500, END_MS, 2, 0, { data: [{ type: 'boolean', value: false }, { type: 'integer', value: 8n }] })], want: SCENARIOS[0]!.want });
    const events: MonitorEvent[] = [];
    const basic = { kind: 'basic', bType: 'BOOLEAN' } as const;
    const layout = ['LD0/XCBR1.Pos.stVal [ST]', 'LD0/MMXU1.TotW.mag.i [MX]'].map((ref) => memberLayout({ ref, type: basic }));
    const names = (ref: string): DatasetLayout | undefined => (ref === A.gocbRef ? layout : undefined);
    const monitor = new GooseMonitor({ graceUs: GRACE_MS * 1000, logStateChanges: true, memberNames: names, onEvent: (e) => events.push(e) });
    for (const f of frames) monitor.handleFrame(f.buf, f.rxUs);
    const was = 7; // the scenarios' dataset: boolean false, integer 7
    expect(events.map((e) => [e.kind, e.st_num, e.evidence.changed])).to.deep.equal([['state-change', 2, [`LD0/MMXU1.TotW.mag.i [MX]: ${was} → 8`]]]);
    expect(formatEventLine(events[0]!)).to.include(`changed=[LD0/MMXU1.TotW.mag.i [MX]: ${was} → 8]`);
    const w = [...monitor.watches.values()].find((x) => x.tracker.key.appId === A.appId)!;
    expect([w.lastChanges.map((c) => [c.st_num, c.changed.map((m) => m.member)]), w.lastChangeUs]).to.deep.equal([[[2, ['LD0/MMXU1.TotW.mag.i [MX]']]], T0_US + 500_000]);
    // without SCL names the members are named by position
    const other = [...monitor.watches.values()].find((x) => x.tracker.key.appId === B.appId)!;
    expect([other.names, other.lastChanges]).to.deep.equal([undefined, []]);
  });
});
