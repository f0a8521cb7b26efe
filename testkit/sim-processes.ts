// For the simulator's end-to-end tests (root): a veth pair in a throw-away network namespace,
// and `goose-bridge sim …` CLI processes started inside it with their output kept.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { runSync } from './exec.js';
import { createNamespace, deleteNamespace } from './netns.js';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'bin', 'cli.ts');

export interface SimProc {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<number | null>;
}

export interface VethNamespace {
  ns: string;
  a: string;
  b: string;
}

/** A throw-away namespace (testkit's: unique name, removed on exit or Ctrl-C) holding a veth pair, both ends up. */
export function createVethNamespace(role: string): VethNamespace {
  const ns = createNamespace(role);
  const [a, b] = ['sim-a', 'sim-b']; // inside a private namespace the names need not be unique
  runSync(['ip', '-n', ns, 'link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
  runSync(['ip', '-n', ns, 'link', 'set', a, 'up']);
  runSync(['ip', '-n', ns, 'link', 'set', b, 'up']);
  return { ns, a, b };
}

/** Kills what is still running, waits for every process, removes the namespace (if created). */
export async function teardown(ns: string, procs: SimProc[]): Promise<void> {
  for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
  if (ns !== '') deleteNamespace(ns);
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
