import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** True when this process may create namespaces, TAP devices and raw sockets. */
export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** True when `command --version` runs. */
function hasCommand(command: string): boolean {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** True when `tshark` is on PATH. */
export function hasTshark(): boolean {
  return hasCommand('tshark');
}

/**
 * True when the native addon is built. Loaded in a child process: a build for another Node
 * cannot take the test process down.
 */
export function addonBuilt(): boolean {
  const addon = join(import.meta.dirname, '..', 'native', 'build', 'Release', 'goose_native.node');
  try {
    execFileSync(process.execPath, ['-e', `require(${JSON.stringify(addon)})`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const announced = new Set<string>();

/**
 * Skips the calling suite (use inside `before`) with one clear line when a precondition is
 * missing, so a non-root run says why instead of failing mysteriously.
 */
export function skipUnless(ctx: Mocha.Context, ok: boolean, why: string): void {
  if (ok) return;
  if (!announced.has(why)) {
    announced.add(why);
    process.stderr.write(`skipped: ${why}\n`);
  }
  ctx.skip();
}

export function skipUnlessRoot(ctx: Mocha.Context, what: string): void {
  skipUnless(ctx, isRoot(), `${what}: needs root (network namespaces, TAP devices, raw sockets); run as root to include it`);
}

export function skipUnlessTshark(ctx: Mocha.Context, what: string): void {
  skipUnless(ctx, hasTshark(), `${what}: needs tshark on PATH (apt-get install tshark); .ci/run installs it`);
}

export function skipUnlessEthtool(ctx: Mocha.Context, what: string): void {
  skipUnless(ctx, hasCommand('ethtool'), `${what}: needs ethtool on PATH (apt-get install ethtool); .ci/run installs it`);
}

export function skipUnlessAddon(ctx: Mocha.Context, what: string): void {
  skipUnless(ctx, addonBuilt(), `${what}: needs the native addon (npm run prepare)`);
}
