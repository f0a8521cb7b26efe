import { expect } from 'chai';
import { pino } from 'pino';
import { BridgeCounters } from '../daemon/bridge-counters.js';
import { IgmpSupervisor, type Timers } from './igmp-supervisor.js';
import type { MembershipRefresher } from './keepalive-strategy.js';

/** Fake time: intervals fire when the test advances the clock. */
class ManualTimers implements Timers {
  now = 0;
  private next = 1;
  private readonly intervals = new Map<number, { fn: () => void; ms: number; due: number }>();
  setInterval(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.intervals.set(id, { fn, ms, due: this.now + ms });
    return id;
  }
  clearInterval(h: unknown): void {
    this.intervals.delete(h as number);
  }
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      let first: { fn: () => void; ms: number; due: number } | undefined;
      for (const t of this.intervals.values()) if (t.due <= end && (first === undefined || t.due < first.due)) first = t;
      if (first === undefined) break;
      this.now = first.due;
      first.due += first.ms;
      first.fn();
    }
    this.now = end;
  }
}

/** Records what the supervisor asked of the network (the I/O boundary). */
class RecordingRefresher implements MembershipRefresher {
  readonly strategy = 'report' as const;
  calls: Array<{ at: number; group: string }> = [];
  constructor(private readonly timers: ManualTimers) {}
  refresh(group: string): void {
    this.calls.push({ at: this.timers.now, group });
  }
}

const MEMBER = 'Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n3\tha0       :     2      V2\n\t\t\t\t640100E0     1 0:00000000\t\t1\n';
const NOT_MEMBER = 'Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n3\tha0       :     1      V2\n\t\t\t\t010000E0     1 0:00000000\t\t0\n';

function setup(threshold = 2) {
  const timers = new ManualTimers();
  const refresher = new RecordingRefresher(timers);
  const counters = new BridgeCounters();
  const world = { igmp: MEMBER, datagrams: 0, ensured: 0 };
  const sup = new IgmpSupervisor(
    { enabled: true, keepaliveIntervalMs: 90_000, monitorIntervalMs: 120_000, threshold, uplink: 'ha0', littleEndian: true },
    {
      timers,
      nowMs: () => timers.now,
      readProcNetIgmp: () => world.igmp,
      refresher,
      groups: () => [{ group: '224.0.1.100', datagrams: () => world.datagrams, ensureMembership: () => void world.ensured++ }],
      counters,
      log: pino({ level: 'silent' }),
    },
  );
  return { timers, refresher, counters, world, sup };
}

describe('IgmpSupervisor', () => {
  it('sends a keepalive every interval and counts it', () => {
    const { timers, refresher, counters, sup } = setup();
    sup.start();
    timers.advance(90_000 * 4 + 1);
    expect(refresher.calls.map((c) => c.at)).to.deep.equal([90_000, 180_000, 270_000, 360_000]);
    expect(counters.igmpKeepalives).to.equal(4);
    sup.stop();
    timers.advance(1_000_000);
    expect(refresher.calls.length).to.equal(4);
  });

  it('re-registers after the threshold of consecutive failed checks, re-adding a membership the kernel lost', () => {
    const { timers, refresher, counters, world, sup } = setup(2);
    sup.start();
    world.datagrams = 5;
    timers.advance(120_000); // check 1: member, traffic → ok
    expect(sup.membership['224.0.1.100']).to.equal(true);
    world.igmp = NOT_MEMBER;
    timers.advance(120_000); // check 2: missing (1)
    const before = refresher.calls.length;
    timers.advance(120_000); // check 3: missing (2) → re-register
    expect(counters.igmpReregistrations).to.equal(1);
    expect(world.ensured).to.equal(1);
    expect(counters.igmpFailedChecks['membership-missing']).to.equal(2);
    // The re-registration used the strategy (a report), at the check's time — besides the
    // 90 s keepalive that is also due at 360 s.
    expect(refresher.calls.slice(before).filter((c) => c.at === 360_000)).to.have.length(2);
    expect(sup.membership['224.0.1.100']).to.equal(false);
  });

  it('counts a failed keepalive instead of stopping', () => {
    const { timers, counters, sup } = setup();
    const failing = new IgmpSupervisor(
      { enabled: true, keepaliveIntervalMs: 1000, monitorIntervalMs: 1_000_000, threshold: 2, uplink: 'ha0', littleEndian: true },
      {
        timers,
        nowMs: () => timers.now,
        readProcNetIgmp: () => MEMBER,
        refresher: { strategy: 'report', refresh: () => { throw new Error('ENETDOWN'); } },
        groups: () => [{ group: '224.0.1.100', datagrams: () => 0, ensureMembership: () => {} }],
        counters,
        log: pino({ level: 'silent' }),
      },
    );
    void sup;
    failing.start();
    timers.advance(3000);
    expect(counters.igmpKeepaliveFailures).to.equal(3);
    expect(counters.errors['igmp-keepalive']).to.equal(3);
  });
});
