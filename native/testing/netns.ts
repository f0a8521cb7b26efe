// Throw-away network namespaces for the native tests and bench: unique names (parallel runs
// by other helpers never collide) and a child process that does the I/O inside the namespace.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

/** A name unique to this process and call, short enough for an interface (≤ 15 chars). */
export function uniqueName(prefix: string): string {
  const suffix = `${(process.pid % 10000).toString(36)}${randomBytes(2).toString('hex')}`;
  return `${prefix}${suffix}`.slice(0, 15);
}

export function createNamespace(prefix: string): string {
  const ns = uniqueName(prefix);
  execFileSync('ip', ['netns', 'add', ns]);
  // The kernel's own IPv6 chatter (MLD, router solicitations) would mix into what we capture.
  execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
  execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  return ns;
}

/** Deletes the namespace (and with it every interface in it); never throws. */
export function deleteNamespace(ns: string | undefined): void {
  if (!ns) return;
  try {
    execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  } catch {
    // already gone
  }
}

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
