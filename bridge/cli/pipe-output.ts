// Writes a command's output to a stream the way a Unix filter should: waits when the reader is
// slower (backpressure, so nothing piles up in memory) and stops quietly when the reader goes
// away (`| head` closes the pipe: EPIPE is the normal end of the conversation, not a failure).
import type { Writable } from 'node:stream';

export class PipeOutput {
  private closedByReader = false;
  private failure: Error | undefined;

  constructor(private readonly stream: Writable) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') this.closedByReader = true;
      else this.failure = err;
    });
  }

  /** True once the reader has closed its end: the caller should stop producing. */
  get closed(): boolean {
    return this.closedByReader;
  }

  /** Writes `text`; resolves when the stream can take more. Throws a write error other than EPIPE. */
  async write(text: string): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (this.closedByReader || text.length === 0) return;
    if (this.stream.write(text)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('error', done);
      this.stream.on('close', done);
    });
    if (this.failure !== undefined) throw this.failure;
  }
}
