// Parent side of stream-worker.ts: spawns it inside a namespace and speaks its JSON lines.
import { fileURLToPath } from 'node:url';
import type { ManagedProcess } from '../../testkit/topology/managed-process.js';

export const WORKER_PATH = fileURLToPath(new URL('./stream-worker.ts', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** argv for `node --import tsx stream-worker.ts …` (tsx resolved from the repository root). */
export function workerArgv(mode: 'send' | 'receive' | 'hold', args: Record<string, string | number>): string[] {
  return [
    process.execPath, '--import', 'tsx', WORKER_PATH, mode,
    ...Object.entries(args).flatMap(([k, v]) => [`--${k}`, String(v)]),
  ];
}

export type WorkerMessage = { ev: string; atUs?: number; [k: string]: unknown };

export class StreamWorker {
  readonly messages: WorkerMessage[] = [];
  private readonly waiters: Array<{ ev: string; resolve: (m: WorkerMessage) => void }> = [];
  private buf = '';
  /** Resolves when the worker has exited AND its stdout is fully read ('exit' can come first). */
  private readonly finished: Promise<void>;

  constructor(
    readonly proc: ManagedProcess,
    private readonly onMessage: (m: WorkerMessage) => void = () => {},
  ) {
    const stdoutClosed = new Promise<void>((resolve) => {
      if (proc.child.stdout === null) resolve();
      else proc.child.stdout.once('close', () => resolve());
    });
    this.finished = Promise.all([proc.exited, stdoutClosed]).then(() => undefined);
    proc.child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      this.buf += d;
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        let m: WorkerMessage;
        try {
          m = JSON.parse(line) as WorkerMessage;
        } catch {
          continue;
        }
        this.messages.push(m);
        this.onMessage(m);
        for (let i = this.waiters.length - 1; i >= 0; i--) {
          if (this.waiters[i]!.ev === m.ev) this.waiters.splice(i, 1)[0]!.resolve(m);
        }
      }
    });
  }

  /** Resolves with the first message of this kind (already received or still to come). */
  waitFor(ev: string, timeoutMs = 20_000): Promise<WorkerMessage> {
    const have = this.messages.find((m) => m.ev === ev);
    if (have) return Promise.resolve(have);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.proc.label}: no "${ev}" within ${timeoutMs} ms; ${this.proc.describe()}`));
      }, timeoutMs);
      const exitWatch = (): void => {
        clearTimeout(timer);
        reject(new Error(`${this.proc.label} exited before "${ev}": ${this.proc.describe()}`));
      };
      void this.finished.then(exitWatch);
      this.waiters.push({
        ev,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  command(c: string): void {
    this.proc.child.stdin?.write(`${c}\n`);
  }

  /** Asks the worker to stop and returns its result message. */
  async stop(timeoutMs = 20_000): Promise<WorkerMessage> {
    this.command('stop');
    const result = await this.waitFor('result', timeoutMs);
    await this.finished;
    return result;
  }
}
