// A process the harness started inside a namespace: output kept (tail), exit awaited, stopped
// gracefully (SIGTERM, then SIGKILL after a grace period).
import type { ChildProcess } from 'node:child_process';

const TAIL_BYTES = 64 * 1024;

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ManagedProcess {
  readonly exited: Promise<ExitInfo>;
  private out = '';
  private err = '';
  private exitInfo: ExitInfo | null = null;

  constructor(
    readonly label: string,
    readonly ns: string,
    readonly child: ChildProcess,
    opts: { keepStdout?: boolean } = {},
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
      child.once('error', (e) => {
        this.err += `\nspawn error: ${e.message}`;
        this.exitInfo = { code: -1, signal: null };
        resolve(this.exitInfo);
      });
    });
    if (opts.keepStdout !== false) {
      child.stdout?.setEncoding('utf8').on('data', (d: string) => {
        this.out = (this.out + d).slice(-16 * TAIL_BYTES);
      });
    }
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      this.err = (this.err + d).slice(-TAIL_BYTES);
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }
  get running(): boolean {
    return this.exitInfo === null;
  }
  get stdout(): string {
    return this.out;
  }
  get stderr(): string {
    return this.err;
  }
  get exit(): ExitInfo | null {
    return this.exitInfo;
  }

  /** Sends SIGTERM (or `signal`), waits up to graceMs, then SIGKILL. */
  async stop(graceMs = 5000, signal: NodeJS.Signals = 'SIGTERM'): Promise<ExitInfo> {
    if (this.exitInfo !== null) return this.exitInfo;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Synchronous last resort for signal/exit handlers. */
  killSync(): void {
    if (this.exitInfo === null) {
      try {
        this.child.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }
  }

  describe(): string {
    const e = this.exitInfo;
    const how = e === null ? 'running' : e.signal ? `killed by ${e.signal}` : `exit ${e.code}`;
    return `${this.label} [${this.ns}] pid ${this.pid} ${how}${this.err ? `; stderr tail:\n${this.err.slice(-2000)}` : ''}`;
  }
}
