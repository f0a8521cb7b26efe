// --capture-dir: the rotating ring (DIR/ring/) of everything received, and for each event a
// pcap of the frames from N s before to N s after it with the event's JSON beside it
// (DIR/events/NAME.pcap + NAME.json). Thin I/O around FrameHistory and SnippetPlanner.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PcapWriter } from '../../bridge/pcap/index.js';
import { CaptureRing, type RingLimits } from './capture-ring.js';
import { FrameHistory } from './frame-history.js';
import type { MonitorEvent } from './monitor-event.js';
import { SnippetPlanner, type ReadySnippet, type SnippetLimits } from './snippet-planner.js';

export interface CaptureOptions {
  dir: string;
  ring: RingLimits;
  snippets: Omit<SnippetLimits, 'maxPending'> & { maxPending?: number };
  /** Memory for the frames before an event (bytes). */
  historyBytes: number;
}

export class CaptureStore {
  readonly ring: CaptureRing;
  readonly history: FrameHistory;
  readonly snippets: SnippetPlanner;
  private writes: Promise<void> = Promise.resolve();
  private failure: unknown;
  snippetsWritten = 0;

  private constructor(
    readonly eventsDir: string,
    opts: CaptureOptions,
    ringDir: string,
  ) {
    this.ring = new CaptureRing(ringDir, opts.ring);
    // the window's start must still be held when its end has passed
    this.history = new FrameHistory(2 * opts.snippets.windowUs + 1_000_000, opts.historyBytes);
    this.snippets = new SnippetPlanner(this.history, { maxPending: 256, ...opts.snippets });
  }

  static async open(opts: CaptureOptions): Promise<CaptureStore> {
    const ringDir = join(opts.dir, 'ring');
    const eventsDir = join(opts.dir, 'events');
    await mkdir(ringDir, { recursive: true });
    await mkdir(eventsDir, { recursive: true });
    return new CaptureStore(eventsDir, opts, ringDir);
  }

  frame(data: Uint8Array, rxUs: number, wallUs: number): void {
    this.ring.write(data, wallUs);
    this.history.push(data, rxUs, wallUs);
  }

  /** Plans the event's capture (sets event.capture) — call before the event is logged. */
  event(e: MonitorEvent): void {
    this.snippets.add(e);
  }

  /** Writes the captures whose window has passed. */
  tick(nowUs: number): void {
    for (const s of this.snippets.ready(nowUs)) this.write(s);
  }

  /** End of the run: writes every open capture with what it has, closes the ring. */
  async close(): Promise<void> {
    for (const s of this.snippets.ready(Infinity, true)) this.write(s);
    await this.writes;
    await this.ring.close();
    if (this.failure !== undefined) throw this.failure;
  }

  private write(s: ReadySnippet): void {
    this.writes = this.writes.then(async () => {
      try {
        const w = await PcapWriter.open(join(this.eventsDir, `${s.name}.pcap`));
        for (const f of s.frames) w.write(f.data, f.wallUs);
        await w.close();
        const json = { ...s.event, capture_frames: s.frames.length, capture_truncated: s.truncated };
        await writeFile(join(this.eventsDir, `${s.name}.json`), `${JSON.stringify(json, null, 2)}\n`);
        this.snippetsWritten++;
      } catch (err) {
        this.failure ??= err;
      }
    });
  }
}
