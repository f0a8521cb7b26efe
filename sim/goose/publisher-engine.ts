// N simulated IEDs driven by ONE timer heap. Pure: runDue(nowUs, sink) fires every timer due at
// or before nowUs, in time order, and hands each frame to the sink with its scheduled time. The
// same engine runs in real time (the runner calls runDue with the monotonic clock) and in
// virtual time (--pcap: runDue(nextDueUs()) until done, so timestamps are the schedule's, exact).
//
// Timer ids: p (0 … N−1) = publisher p's next frame, N + p = its next event, 2N = the timeline.
// Publisher p starts (first frame, sqNum 0 of state initialStNum) at start + p·stagger, so N
// heartbeats are spread over t0 instead of bursting together.
import type { GooseFrame } from '../../bridge/codec/types.js';
import { utcTimeFromMicros } from '../../bridge/codec/index.js';
import { initialData, type EntrySpec } from './dataset-spec.js';
import type { EventPlan, TimelineEvent } from './event-plan.js';
import { GooseFrameTemplate } from './frame-template.js';
import type { PublisherIdentity } from './publisher-identities.js';
import { PublisherState, SIM_TIME_QUALITY } from './publisher-state.js';
import type { RetransmissionSchedule, TalPolicy } from './retransmission-schedule.js';
import { SeededRandom } from '../core/seeded-random.js';
import { TimerHeap } from '../core/timer-heap.js';
import { applyExplicitValues, applySeededChange } from './value-changes.js';

/** Settings one publisher has of its own (a GoCB read from SCL); the config's apply otherwise. */
export interface PublisherSettings {
  dataset: EntrySpec[];
  confRev: number;
  schedule: RetransmissionSchedule;
}

export interface EngineConfig {
  identities: PublisherIdentity[];
  /** Per publisher (same order as identities), when they differ. */
  perPublisher?: PublisherSettings[];
  schedule: RetransmissionSchedule;
  tal: TalPolicy;
  dataset: EntrySpec[];
  confRev: number;
  ndsCom: boolean;
  simulation: boolean;
  events: EventPlan;
  seed: number;
  initialStNum: number;
  /** Stop scheduling at start + durationUs (frames due exactly then are not sent). */
  durationUs?: number;
  /** Stop each publisher after this many frames. */
  countPerPublisher?: number;
  /** Spacing of the publishers' start times (µs); default t0 / N. */
  staggerUs?: number;
}

/** Receives each frame: bytes (caller may keep them), publisher index, stNum, sqNum, scheduled µs. */
export type FrameSink = (frame: Buffer, publisher: number, stNum: number, sqNum: number, scheduledUs: number) => void;

const VALUES_SALT = 1;
const EVENTS_SALT = 2;

export class PublisherEngine {
  readonly heap: TimerHeap;
  readonly states: PublisherState[];
  readonly framesSent: Uint32Array;
  private readonly templates: (GooseFrameTemplate | undefined)[];
  private readonly templateVersion: Int32Array;
  private readonly valueRng: SeededRandom[];
  private readonly eventRng: SeededRandom[];
  private readonly n: number;
  private readonly endUs: number;
  private timelineIndex = 0;
  totalFrames = 0;
  totalEvents = 0;

  /**
   * @param startUs engine-clock time of the start (monotonic µs, or any origin in virtual time)
   * @param wallAtStartUs wall clock (µs since 1970) at startUs, for the PDU's `t`
   */
  constructor(
    readonly config: EngineConfig,
    readonly startUs: number,
    readonly wallAtStartUs: number,
  ) {
    const n = config.identities.length;
    this.n = n;
    this.heap = new TimerHeap(2 * n + 1);
    this.framesSent = new Uint32Array(n);
    this.templates = new Array<GooseFrameTemplate | undefined>(n);
    this.templateVersion = new Int32Array(n).fill(-1);
    this.endUs = config.durationUs === undefined ? Infinity : startUs + config.durationUs;
    const stagger = config.staggerUs ?? Math.floor(config.schedule.params.t0Us / n);
    this.states = [];
    this.valueRng = [];
    this.eventRng = [];
    for (let p = 0; p < n; p++) {
      const at = startUs + p * stagger;
      const t = this.utcAt(at);
      this.states.push(new PublisherState(config.initialStNum, t, initialData(this.settingsOf(p).dataset, t)));
      this.valueRng.push(SeededRandom.forPublisher(config.seed, p, VALUES_SALT));
      this.eventRng.push(SeededRandom.forPublisher(config.seed, p, EVENTS_SALT));
      this.scheduleIfBeforeEnd(p, at);
      const ev = config.events;
      if (ev.kind === 'interval') this.scheduleIfBeforeEnd(n + p, at + ev.intervalUs);
      else if (ev.kind === 'poisson') this.scheduleIfBeforeEnd(n + p, at + this.poissonGap(p));
    }
    if (config.events.kind === 'timeline' && config.events.events.length > 0) {
      this.scheduleIfBeforeEnd(2 * n, startUs + config.events.events[0]!.atUs);
    }
  }

  /**
   * Encodes every publisher's initial state ahead of time (and renders each once so the hot
   * path is compiled), so the first frames are not late. Sends nothing.
   */
  warmUp(): void {
    for (let p = 0; p < this.n; p++) {
      const tpl = GooseFrameTemplate.fromFrame(this.frameOf(p));
      this.templates[p] = tpl;
      this.templateVersion[p] = this.states[p]!.stateVersion;
      tpl.render(1, 4);
    }
  }

  /** When the next timer is due (engine clock), Infinity when the run is over. */
  nextDueUs(): number {
    return this.heap.peekTime();
  }

  get done(): boolean {
    return this.heap.size === 0;
  }

  /** Fires every timer due at or before nowUs; returns the number of frames sent. */
  runDue(nowUs: number, sink: FrameSink): number {
    const heap = this.heap;
    const n = this.n;
    let frames = 0;
    while (heap.size > 0) {
      const due = heap.peekTime();
      if (due > nowUs) break;
      const id = heap.pop();
      if (id < n) {
        this.sendFrame(id, due, sink);
        frames++;
      } else if (id < 2 * n) {
        this.seededEvent(id - n, due);
        const ev = this.config.events;
        const next = ev.kind === 'interval' ? due + ev.intervalUs : due + this.poissonGap(id - n);
        this.scheduleIfBeforeEnd(id, next);
      } else {
        this.timelineEvents(due);
      }
    }
    return frames;
  }

  private sendFrame(p: number, due: number, sink: FrameSink): void {
    const state = this.states[p]!;
    const { tal } = this.config;
    const { schedule } = this.settingsOf(p);
    const seq = state.takeFrame(schedule, tal);
    let tpl = this.templates[p];
    if (tpl === undefined || this.templateVersion[p] !== state.stateVersion) {
      tpl = GooseFrameTemplate.fromFrame(this.frameOf(p));
      this.templates[p] = tpl;
      this.templateVersion[p] = state.stateVersion;
    }
    const bytes = tpl.render(seq.sqNum, seq.talMs);
    this.framesSent[p]!++;
    this.totalFrames++;
    sink(bytes, p, seq.stNum, seq.sqNum, due);
    const limit = this.config.countPerPublisher;
    if (limit !== undefined && this.framesSent[p]! >= limit) {
      this.heap.cancel(this.n + p); // no more events for a publisher that stopped
      return;
    }
    // from the scheduled (not the actual) time, so a late frame does not shift the schedule;
    // frames a stall made overdue go out at once, in order
    this.scheduleIfBeforeEnd(p, schedule.next({ framesInState: seq.frameIndex + 1, lastScheduledUs: due }, due));
  }

  /** A state change of publisher p at `at`: new values, and its frame is due at once. */
  private stateChange(p: number, at: number, values: unknown[] | undefined, where: string): void {
    const limit = this.config.countPerPublisher;
    if (limit !== undefined && this.framesSent[p]! >= limit) return; // this publisher has stopped
    const state = this.states[p]!;
    const t = this.utcAt(at);
    const { dataset } = this.settingsOf(p);
    const next =
      values === undefined
        ? applySeededChange(dataset, state.values, this.valueRng[p]!, t, state.eventCount + 1)
        : applyExplicitValues(dataset, state.values, values, t, where);
    state.applyEvent(t, next);
    this.totalEvents++;
    this.heap.schedule(p, at);
  }

  private seededEvent(p: number, at: number): void {
    this.stateChange(p, at, undefined, '');
  }

  private timelineEvents(at: number): void {
    const plan = this.config.events as { kind: 'timeline'; events: TimelineEvent[] };
    const evs = plan.events;
    while (this.timelineIndex < evs.length && this.startUs + evs[this.timelineIndex]!.atUs <= at) {
      const ev = evs[this.timelineIndex++]!;
      if (ev.publisher === 'all') for (let p = 0; p < this.n; p++) this.stateChange(p, at, ev.values, ev.where);
      else this.stateChange(ev.publisher, at, ev.values, ev.where);
    }
    if (this.timelineIndex < evs.length) this.scheduleIfBeforeEnd(2 * this.n, this.startUs + evs[this.timelineIndex]!.atUs);
  }

  private poissonGap(p: number): number {
    const ev = this.config.events as { kind: 'poisson'; ratePerS: number };
    return Math.max(1, Math.round(this.eventRng[p]!.exponential(ev.ratePerS) * 1e6));
  }

  private settingsOf(p: number): PublisherSettings {
    return this.config.perPublisher?.[p] ?? this.config;
  }

  private scheduleIfBeforeEnd(id: number, at: number): void {
    if (at < this.endUs) this.heap.schedule(id, at);
  }

  private utcAt(engineUs: number) {
    return utcTimeFromMicros(this.wallAtStartUs + (engineUs - this.startUs), SIM_TIME_QUALITY);
  }

  /** The decoded-model frame of publisher p's current state (sqNum and TAL are placeholders). */
  frameOf(p: number): GooseFrame {
    const id = this.config.identities[p]!;
    const s = this.states[p]!;
    const frame: GooseFrame = {
      kind: 'goose',
      eth: id.vlan ? { dst: id.dst, src: id.src, vlan: id.vlan } : { dst: id.dst, src: id.src },
      header: { appId: id.appId, reserved1: this.config.simulation ? 0x8000 : 0, reserved2: 0 },
      padding: new Uint8Array(0),
      pdu: {
        gocbRef: id.gocbRef,
        timeAllowedToLive: 0,
        datSet: id.datSet,
        goID: id.goID,
        t: s.t,
        stNum: s.stNum,
        sqNum: 0,
        simulation: this.config.simulation,
        confRev: this.settingsOf(p).confRev,
        ndsCom: this.config.ndsCom,
        numDatSetEntries: s.values.length,
        allData: s.values,
      },
    };
    return frame;
  }
}
