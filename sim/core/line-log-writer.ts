// Buffered CSV-line writer for the per-frame send/receive logs: thousands of lines per second,
// so lines are joined in memory and written in large chunks, never one write per frame. The
// columns are numbers, hex and MAC addresses only (no quoting needed), which is why this does
// not go through csv-stringify like the per-stream report does.
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { GbError } from '../../errors/error-codes.js';

const FLUSH_LINES = 4096;

export class LineLogWriter {
  private lines: string[] = [];
  private failure: Error | undefined;
  private constructor(
    private readonly stream: WriteStream,
    readonly path: string,
  ) {
    stream.on('error', (err) => {
      this.failure ??= err;
    });
  }

  static async open(path: string, header: string): Promise<LineLogWriter> {
    const stream = createWriteStream(path, { flags: 'w' });
    try {
      await once(stream, 'open');
    } catch (err) {
      throw new GbError('GB_ERR_CONFIG', `cannot create log file ${path}: ${(err as Error).message}`, { cause: err });
    }
    const w = new LineLogWriter(stream, path);
    w.line(header);
    return w;
  }

  line(text: string): void {
    this.lines.push(text);
    if (this.lines.length >= FLUSH_LINES) this.flush();
  }

  flush(): void {
    if (this.lines.length === 0) return;
    this.stream.write(`${this.lines.join('\n')}\n`);
    this.lines = [];
  }

  async close(): Promise<void> {
    this.flush();
    await new Promise<void>((resolve) => this.stream.end(resolve));
    if (this.failure) throw new GbError('GB_ERR_CONFIG', `cannot write log file ${this.path}: ${this.failure.message}`, { cause: this.failure });
  }
}
