// Which frames go into each anomaly's capture: the window from N s before to N s after the
// event, cut from the FrameHistory once the window has passed (or at the end of the run).
// Bounded: at most maxPending windows open at once and maxBytes written over the run; an
// event beyond either bound gets no capture (its JSON says so). Pure: the caller writes files.
import type { MonitorEvent } from './monitor-event.js';
import type { FrameHistory, HeldFrame } from './frame-history.js';

export interface SnippetLimits {
  /** Seconds of frames before and after the event (µs). */
  windowUs: number;
  maxPending: number;
  /** Bytes of all snippet pcaps of the run (the hard cap of the events folder). */
  maxBytes: number;
}

export interface ReadySnippet {
  /** File name without extension, e.g. `000003-sq-gap-0x1000`. */
  name: string;
  event: MonitorEvent;
  frames: HeldFrame[];
  /** True when the history no longer held the start of the window. */
  truncated: boolean;
}

interface Pending {
  name: string;
  event: MonitorEvent;
  fromUs: number;
  toUs: number;
}

const PCAP_HEADER = 24;
const RECORD_HEADER = 16;

export class SnippetPlanner {
  private pending: Pending[] = [];
  private seq = 0;
  private bytesPlanned = 0;
  /** Events that got no capture because a bound was reached. */
  skipped = 0;

  constructor(
    private readonly history: FrameHistory,
    private readonly limits: SnippetLimits,
  ) {}

  /**
   * Opens a window around the event and sets `event.capture` to the pcap's name, or to null
   * when a bound was reached. rxUs is the event's receive-clock time.
   */
  add(event: MonitorEvent): void {
    if (this.pending.length >= this.limits.maxPending || this.bytesPlanned >= this.limits.maxBytes) {
      this.skipped++;
      event.capture = null;
      return;
    }
    this.seq++;
    const who = event.stream ? `-${event.stream.appid}` : '';
    const name = `${String(this.seq).padStart(6, '0')}-${event.kind}${who}`;
    event.capture = `${name}.pcap`;
    this.pending.push({ name, event, fromUs: event.mono_us - this.limits.windowUs, toUs: event.mono_us + this.limits.windowUs });
  }

  /** Windows that closed by nowUs (all of them when final), with their frames. */
  ready(nowUs: number, final = false): ReadySnippet[] {
    const out: ReadySnippet[] = [];
    const keep: Pending[] = [];
    for (const p of this.pending) {
      if (!final && nowUs <= p.toUs) {
        keep.push(p);
        continue;
      }
      let frames = this.history.between(p.fromUs, p.toUs);
      // the bytes bound holds for what is written, not only for what was planned
      let bytes = PCAP_HEADER;
      const room = this.limits.maxBytes - this.bytesPlanned;
      const fit = frames.findIndex((f) => (bytes += RECORD_HEADER + f.data.length) > room);
      if (fit >= 0) frames = frames.slice(0, fit);
      this.bytesPlanned += PCAP_HEADER + frames.reduce((s, f) => s + RECORD_HEADER + f.data.length, 0);
      out.push({ name: p.name, event: p.event, frames, truncated: this.history.oldestRxUs > p.fromUs || fit >= 0 });
    }
    this.pending = keep;
    return out;
  }

  /** Bytes of snippet pcaps written so far (headers included). */
  get bytes(): number {
    return this.bytesPlanned;
  }
}
