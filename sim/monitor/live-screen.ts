// Puts the live view on a terminal: the alternate screen, redrawn a few times a second,
// arrow keys / PgUp / PgDn / Home / End scroll, q or Ctrl-C quits. Only ever used when the
// output is a TTY (the CLI checks), so escape codes never reach a file or a pipe.
export interface LiveScreenOptions {
  out: NodeJS.WriteStream;
  /** Keyboard, when stdin is a TTY. */
  keys?: NodeJS.ReadStream;
  periodMs: number;
  /** The screen for a scroll offset and a terminal size, and the offset clamped to the rows. */
  draw: (offset: number, width: number, height: number) => { lines: string[]; offset: number };
  onQuit: () => void;
}

export class LiveScreen {
  private timer: NodeJS.Timeout | undefined;
  private offset = 0;
  private readonly onKey = (buf: Buffer): void => this.key(buf.toString('latin1'));

  constructor(private readonly o: LiveScreenOptions) {}

  start(): void {
    this.o.out.write('\x1b[?1049h\x1b[?25l');
    if (this.o.keys?.isTTY) {
      this.o.keys.setRawMode(true);
      this.o.keys.on('data', this.onKey);
      this.o.keys.resume();
    }
    this.timer = setInterval(() => this.redraw(), this.o.periodMs);
    this.redraw();
  }

  stop(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.o.keys?.isTTY) {
      this.o.keys.off('data', this.onKey);
      this.o.keys.setRawMode(false);
      this.o.keys.pause();
    }
    this.o.out.write('\x1b[?25h\x1b[?1049l');
  }

  private redraw(): void {
    const { lines, offset } = this.o.draw(this.offset, this.o.out.columns ?? 80, this.o.out.rows ?? 24);
    this.offset = offset;
    this.o.out.write(`\x1b[H${lines.join('\x1b[K\n')}\x1b[K\x1b[J`);
  }

  private key(k: string): void {
    const page = Math.max(1, (this.o.out.rows ?? 24) - 10);
    const moves: Record<string, number> = { '\x1b[A': -1, k: -1, '\x1b[B': 1, j: 1, '\x1b[5~': -page, '\x1b[6~': page, '\x1b[H': -Infinity, '\x1b[F': Infinity };
    if (k === 'q' || k === '\x03') return this.o.onQuit();
    const d = moves[k];
    if (d === undefined) return;
    // the view clamps the far end (redraw stores it)
    this.offset = Math.max(0, Number.isFinite(d) ? this.offset + d : d > 0 ? Number.MAX_SAFE_INTEGER : 0);
    this.redraw();
  }
}
