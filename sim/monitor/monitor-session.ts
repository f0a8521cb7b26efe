// A subscriber run with the monitor on: builds the GooseMonitor the runner feeds, routes each
// event (capture planned, JSON line logged, human line shown), runs the live screen or plain
// progress lines, and at the end says which --fail-on findings occurred. I/O glue; the CLI
// prints and sets the exit code.
import { monotonicUs } from '../../native/index.js';
import type { ReceiverOptions } from '../goose/stream-receiver.js';
import type { StreamKey } from '../goose/stream-tracker.js';
import type { SubscriberRun } from '../goose/subscriber-runner.js';
import { CaptureStore } from './capture-store.js';
import type { MemberNames } from './dataset-values.js';
import { EventLog } from './event-log.js';
import { failures } from './fail-on.js';
import { GooseMonitor } from './goose-monitor.js';
import { formatView, summaryLine } from './live-view.js';
import { LiveScreen } from './live-screen.js';
import type { MonitorConfig } from './monitor-options.js';
import { formatEventLine, type MonitorEvent } from './monitor-event.js';

const REDRAW_MS = 250;
const PLAIN_SUMMARY_MS = 10_000;
/** Lines kept for each pane of the live screen (and printed when it closes). */
const RECENT_EVENTS = 100;
const LAST_FINDINGS_PRINTED = 20;
/** Plain output: event lines per second at most; the rest are counted in one line (all are in --event-log). */
const PLAIN_LINES_PER_S = 50;

export interface SessionContext {
  expected?: StreamKey[];
  /** Dataset member names by gocbRef (--scl). */
  memberNames?: MemberNames;
  /** Receiving on an interface (a pcap is judged in one go: no screen, no progress lines). */
  live: boolean;
  err: NodeJS.WriteStream;
  /** Called when the user quits the live screen (q, Ctrl-C in raw mode). */
  onQuit: () => void;
}

export class MonitorSession {
  monitor: GooseMonitor | undefined;
  private wallOffsetUs = 0;
  private readonly findings: string[] = [];
  private readonly info: string[] = [];
  private screen: LiveScreen | undefined;
  private progress: NodeJS.Timeout | undefined;
  private findingCount = 0;
  private plainSecond = -1;
  private plainLines = 0;
  private plainHidden = 0;

  private constructor(
    private readonly cfg: MonitorConfig,
    private readonly ctx: SessionContext,
    private readonly log: EventLog | undefined,
    readonly capture: CaptureStore | undefined,
  ) {}

  static async open(cfg: MonitorConfig, ctx: SessionContext): Promise<MonitorSession> {
    const log = cfg.eventLog !== undefined ? await EventLog.open(cfg.eventLog) : undefined;
    const capture = cfg.capture ? await CaptureStore.open(cfg.capture) : undefined;
    return new MonitorSession(cfg, ctx, log, capture);
  }

  /** What the subscriber runner feeds instead of a bare StreamReceiver. */
  readonly judge = (c: ReceiverOptions) => {
    this.wallOffsetUs = c.wallOffsetUs ?? 0;
    const monitor = new GooseMonitor({
      graceUs: this.cfg.graceUs,
      wallOffsetUs: this.wallOffsetUs,
      ...(c.decode !== undefined ? { decode: c.decode } : {}),
      ...(c.onSv !== undefined ? { onSv: c.onSv } : {}),
      ...(this.cfg.transferThresholdUs !== undefined ? { transferThresholdUs: this.cfg.transferThresholdUs } : {}),
      expected: this.ctx.expected,
      ...(this.ctx.memberNames !== undefined ? { memberNames: this.ctx.memberNames } : {}),
      logStateChanges: this.cfg.logStateChanges,
      onMessage: c.onMessage,
      onEvent: (e) => this.onEvent(e),
    });
    this.monitor = monitor;
    const capture = this.capture;
    return {
      receiver: monitor.receiver,
      handleFrame: (buf: Uint8Array, rxUs: number): void => {
        capture?.frame(buf, rxUs, rxUs + (c.wallOffsetUs ?? 0));
        monitor.handleFrame(buf, rxUs);
      },
      tick: (nowUs: number): void => {
        monitor.tick(nowUs);
        capture?.tick(nowUs);
      },
    };
  };

  /** The socket is open: start the live screen (terminal) or plain progress lines. */
  started(): void {
    if (!this.ctx.live) return;
    const tty = this.ctx.err.isTTY === true;
    if (this.cfg.view === 'live' ? tty : this.cfg.view === 'auto' && tty) {
      this.screen = new LiveScreen({
        out: this.ctx.err,
        keys: process.stdin.isTTY ? process.stdin : undefined,
        periodMs: REDRAW_MS,
        onQuit: this.ctx.onQuit,
        draw: (offset, width, height) => {
          const nowUs = monotonicUs();
          this.monitor!.sampleRates(nowUs);
          return formatView(this.monitor!, { nowUs, wallOffsetUs: this.wallOffsetUs, width, height, offset, findings: this.findings, info: this.info, status: this.status() });
        },
      });
      this.screen.start();
      return;
    }
    this.progress = setInterval(() => {
      const nowUs = monotonicUs();
      this.monitor!.sampleRates(nowUs);
      this.ctx.err.write(`${new Date().toISOString()} ${summaryLine(this.monitor!, nowUs)}${this.status() ? ` | ${this.status()}` : ''}\n`);
    }, PLAIN_SUMMARY_MS);
  }

  /** End of the run: never-seen events, captures and log closed. Returns the --fail-on findings. */
  /** Leaves the live screen / stops the progress lines (also when the run failed). */
  stopView(): void {
    this.screen?.stop();
    if (this.progress) clearInterval(this.progress);
  }

  async finish(run: Pick<SubscriberRun, 'clock' | 'receiver'>): Promise<string[]> {
    this.stopView();
    const m = this.monitor!;
    m.finish(run.clock === 'monotonic' ? monotonicUs() : run.receiver.lastRxUs);
    this.flushHidden();
    if (this.screen && this.findings.length > 0) {
      const shown = this.findings.slice(-LAST_FINDINGS_PRINTED);
      const earlier = this.findingCount - shown.length;
      this.ctx.err.write(`${earlier > 0 ? `… ${earlier} earlier finding(s)${this.log ? ' in --event-log' : ''}\n` : ''}${shown.join('\n')}\n`);
    }
    await this.capture?.close();
    await this.log?.close();
    if (this.capture) this.ctx.err.write(`capture ${this.cfg.capture!.dir}: ${this.status()}\n`);
    return failures(this.cfg.failOn, m.counts);
  }

  private onEvent(e: MonitorEvent): void {
    this.capture?.event(e);
    this.log?.write(e);
    if (this.screen) {
      const finding = e.group !== 'info';
      if (finding) this.findingCount++;
      const pane = finding ? this.findings : this.info;
      pane.push(formatEventLine(e));
      if (pane.length > RECENT_EVENTS) pane.shift();
    } else {
      this.plainLine(e);
    }
  }

  /** An event line on stderr, at most PLAIN_LINES_PER_S a second: a storm of events must not stall the run on its output. */
  private plainLine(e: MonitorEvent): void {
    const second = Math.floor(performance.now() / 1000);
    if (second !== this.plainSecond) {
      this.flushHidden();
      this.plainSecond = second;
      this.plainLines = 0;
    }
    if (this.plainLines++ < PLAIN_LINES_PER_S) this.ctx.err.write(`${formatEventLine(e)}\n`);
    else this.plainHidden++;
  }

  private flushHidden(): void {
    if (this.plainHidden === 0) return;
    this.ctx.err.write(`… ${this.plainHidden} more event line(s) in that second not shown${this.log ? ' (all in --event-log)' : ' (--event-log has all)'}\n`);
    this.plainHidden = 0;
  }

  private status(): string {
    const c = this.capture;
    if (!c) return '';
    const mib = (b: number): string => (b / (1024 * 1024)).toFixed(1);
    const skipped = c.snippets.skipped > 0 ? ` (${c.snippets.skipped} events without: cap reached)` : '';
    const lost = c.ring.droppedDiskBehind > 0 ? `, ${c.ring.droppedDiskBehind} frames not recorded (disk behind)` : '';
    return `ring ${mib(c.ring.bytes)}/${mib(c.ring.limits.maxBytes)} MiB in ${c.ring.files} files${lost}, pcaps around events ${c.snippetsWritten} (state changes included)${skipped}`;
  }
}
