// The JSON event log: one line per event, written as it happens (someone may be tailing it),
// to a file or to stdout ("-").
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { GbError } from '../../errors/error-codes.js';
import type { MonitorEvent } from './monitor-event.js';

export class EventLog {
  private failure: Error | undefined;
  private constructor(
    private readonly stream: WriteStream | NodeJS.WriteStream,
    private readonly path: string,
  ) {
    stream.on('error', (err: Error) => {
      this.failure ??= err;
    });
  }

  static async open(path: string): Promise<EventLog> {
    if (path === '-') return new EventLog(process.stdout, 'stdout');
    const stream = createWriteStream(path, { flags: 'w' });
    try {
      await once(stream, 'open');
    } catch (err) {
      throw new GbError('GB_ERR_CONFIG', `--event-log: cannot create ${path}: ${(err as Error).message}`, { cause: err });
    }
    return new EventLog(stream, path);
  }

  write(e: MonitorEvent): void {
    this.stream.write(`${JSON.stringify(e)}\n`);
  }

  async close(): Promise<void> {
    if (this.stream !== process.stdout) await new Promise<void>((resolve) => (this.stream as WriteStream).end(resolve));
    if (this.failure) throw new GbError('GB_ERR_CONFIG', `--event-log: cannot write ${this.path}: ${this.failure.message}`, { cause: this.failure });
  }
}
