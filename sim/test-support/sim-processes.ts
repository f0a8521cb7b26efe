// For the simulator's end-to-end tests (root): a veth pair in a throw-away network namespace,
// and `goose-bridge sim …` CLI processes started inside it with their output kept.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'bin', 'cli.ts');

export interface SimProc {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<number | null>;
}

/** Names unique per run: namespace `<prefix><suffix>`, veth ends `a`/`b`. */
export function vethNames(prefix: string): { ns: string; a: string; b: string } {
  const suffix = `${process.pid % 10000}${randomBytes(2).toString('hex')}`;
  return { ns: `${prefix}${suffix}`, a: `${prefix.slice(-2)}a${suffix}`, b: `${prefix.slice(-2)}b${suffix}` };
}

export function createVeth(n: { ns: string; a: string; b: string }): void {
  execFileSync('ip', ['netns', 'add', n.ns]);
  execFileSync('ip', ['-n', n.ns, 'link', 'add', n.a, 'type', 'veth', 'peer', 'name', n.b]);
  execFileSync('ip', ['-n', n.ns, 'link', 'set', n.a, 'up']);
  execFileSync('ip', ['-n', n.ns, 'link', 'set', n.b, 'up']);
}

/** Kills what is still running, waits for every process, removes the namespace (if created). */
export async function teardown(ns: string, procs: SimProc[]): Promise<void> {
  for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
  try {
    execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
  } catch {
    /* not created */
  }
}

export function startSim(ns: string, args: string[]): SimProc {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', cli, 'sim', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const p: SimProc = { child, stdout: '', stderr: '', exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
  child.stdout!.on('data', (d: Buffer) => (p.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (p.stderr += d.toString()));
  return p;
}

export async function waitForStderr(p: SimProc, text: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!p.stderr.includes(text)) {
    if (Date.now() > until || p.child.exitCode !== null) throw new Error(`"${text}" not seen; stderr: ${p.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
