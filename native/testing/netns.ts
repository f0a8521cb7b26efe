// Running the native tests' I/O inside a namespace (made with testkit/netns.ts): commands, and
// a child process (io-probe.ts) that does the I/O there.
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Runs `ip -n NS args…` and returns stdout. */
export function ipIn(ns: string, ...args: string[]): string {
  return execFileSync('ip', ['-n', ns, ...args], { encoding: 'utf8' });
}

/** Runs a command inside the namespace and returns stdout. */
export function execIn(ns: string, cmd: string, ...args: string[]): string {
  return execFileSync('ip', ['netns', 'exec', ns, cmd, ...args], { encoding: 'utf8' });
}

const probePath = fileURLToPath(new URL('./io-probe.ts', import.meta.url));

/**
 * Runs one scenario of io-probe.ts inside the namespace and returns the JSON it prints.
 * Rejects with the child's stderr when it fails or prints no JSON.
 */
export function runProbe<T>(
  ns: string,
  scenario: string,
  params: unknown,
  opts: { timeoutMs?: number; dropCapabilities?: string[] } = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  // setpriv drops capabilities from the bounding set, so even root runs without them.
  const drop = opts.dropCapabilities?.length
    ? ['setpriv', `--bounding-set=${opts.dropCapabilities.map((c) => `-${c}`).join(',')}`]
    : [];
  return new Promise((resolve, reject) => {
    const child = spawn(
      'ip',
      ['netns', 'exec', ns, ...drop, process.execPath, '--import', 'tsx', probePath, scenario, JSON.stringify(params)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        reject(new Error(`probe ${scenario} failed (code ${code}, signal ${signal}): ${err.trim() || out.trim()}`));
        return;
      }
      resolve(JSON.parse(last) as T);
    });
  });
}
