// Thin process helpers: run a command (argv, no shell) and report stderr on failure. Test
// support at the bottom of the tree: imports nothing of the project.
import { execFile, execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** A command line as an argv array (no shell). */
export type Argv = readonly string[];

export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly argv: Argv,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`command failed (exit ${exitCode}): ${argv.join(' ')}${stderr ? `\n${stderr.trim()}` : ''}`);
  }
}

export function run(argv: Argv, opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const [file, ...args] = argv;
  if (file === undefined) throw new TypeError('run: empty argv');
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { timeout: opts.timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) {
          const code = typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null;
          reject(new CommandError(argv, code, stderr || err.message));
        } else resolve(stdout);
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Synchronous variant for teardown paths that run inside 'exit' and signal handlers. */
export function runSync(argv: Argv, opts: { input?: string; timeoutMs?: number } = {}): string {
  const [file, ...args] = argv;
  if (file === undefined) throw new TypeError('runSync: empty argv');
  try {
    return execFileSync(file, args, {
      input: opts.input,
      timeout: opts.timeoutMs ?? 15_000,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (err) {
    const e = err as { status?: number | null; stderr?: string };
    throw new CommandError(argv, e.status ?? null, String(e.stderr ?? (err as Error).message));
  }
}

export function spawnArgv(argv: Argv, opts: SpawnOptions = {}): ChildProcess {
  const [file, ...args] = argv;
  if (file === undefined) throw new TypeError('spawn: empty argv');
  return spawn(file, args, opts);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Blocks the thread (teardown inside signal/exit handlers cannot await). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
