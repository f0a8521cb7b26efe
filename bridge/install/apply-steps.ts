// Applies install/uninstall steps under a root and says what each did, one line each. Under a
// staging root (--root DIR) files are written there and commands are listed, never run: the
// host is not touched.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GbError } from '../../errors/error-codes.js';
import { INSTALLED, SERVICE_USER, type Step } from './install-plan.js';

export interface ApplyOptions {
  /** '/' on the host; any other directory is a staging root. */
  root: string;
}

const staging = (o: ApplyOptions): boolean => o.root !== '/';

function userExists(root: string): boolean {
  try {
    return readFileSync(join(root, 'etc/passwd'), 'utf8').split('\n').some((l) => l.startsWith(`${SERVICE_USER}:`));
  } catch {
    return false;
  }
}

function skipReason(step: Step & { kind: 'run' }, o: ApplyOptions): string | undefined {
  if (step.unless === 'user-exists' && userExists(o.root)) return `user ${SERVICE_USER} exists`;
  if (step.unless === 'user-absent' && !userExists(o.root)) return `no user ${SERVICE_USER}`;
  if (step.unless === 'unit-absent' && !existsSync(join(o.root, INSTALLED.unit))) return 'no unit installed';
  return undefined;
}

function write(step: Step & { kind: 'write' }, o: ApplyOptions): string {
  const path = join(o.root, step.path);
  const old = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (old !== undefined && step.keep === true) return `kept      /${step.path} (exists; yours)`;
  if (old === step.content) {
    chmodSync(path, step.mode);
    return `unchanged /${step.path}`;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, step.content, { mode: step.mode });
  chmodSync(path, step.mode); // the umask may have narrowed it
  return `${old === undefined ? 'created' : 'updated'}   /${step.path}`;
}

function remove(step: Step & { kind: 'remove' }, o: ApplyOptions): string {
  const path = join(o.root, step.path);
  if (!existsSync(path)) return `absent    /${step.path}`;
  if (step.onlyIf !== undefined && !readFileSync(path, 'utf8').includes(step.onlyIf)) return `kept      /${step.path} (not written by install)`;
  rmSync(path, { recursive: step.dir === true, force: true });
  return `removed   /${step.path}`;
}

function run(step: Step & { kind: 'run' }, o: ApplyOptions): string {
  const text = step.argv.join(' ');
  if (staging(o)) return `not run   ${text} (staging root; on the host: ${step.why})`;
  const skip = skipReason(step, o);
  if (skip !== undefined) return `skipped   ${text} (${skip})`;
  try {
    execFileSync(step.argv[0]!, step.argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new GbError('GB_ERR_INSTALL', `${text} failed (${step.why}): ${stderr || (err as Error).message}`);
  }
  return `ran       ${text}`;
}

/** Applies every step in order, calling `say` with one line per step; throws GB_ERR_INSTALL on the first failure. */
export function applySteps(steps: Step[], o: ApplyOptions, say: (line: string) => void): void {
  for (const step of steps) say(step.kind === 'write' ? write(step, o) : step.kind === 'remove' ? remove(step, o) : run(step, o));
}
