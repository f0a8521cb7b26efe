// For the simulator's end-to-end tests (root): `goose-bridge sim …` CLI processes started in a
// throw-away namespace holding a veth pair, with their output kept, and the mocha hooks that set
// the namespace and a temp folder up and remove both afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVethNamespace, deleteNamespace } from './netns.js';
import { skipUnlessAddon, skipUnlessRoot } from './preconditions.js';
import { waitFor } from './wait.js';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'bin', 'cli.ts');

export interface SimProc {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<number | null>;
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
  const ended = new Error('the process ended');
  try {
    await waitFor(`"${text}" on stderr`, () => {
      if (p.child.exitCode !== null) throw ended;
      return p.stderr.includes(text);
    }, ms, 50);
  } catch (err) {
    throw new Error(`"${text}" not seen (${(err as Error).message}); stderr: ${p.stderr}`);
  }
}

/** A sim end-to-end test's veth pair (`a` sends, `b` receives) and temp folder, set up by simVethRig's hooks. */
export interface SimVethRig {
  readonly ns: string;
  readonly a: string;
  readonly b: string;
  readonly dir: string;
  /** Starts `goose-bridge sim ARGS` in the namespace; the rig stops it after the tests. */
  start(args: string[]): SimProc;
  /** Starts `sim subscriber --interface b ARGS` and waits until it receives. */
  startSubscriber(args: string[]): Promise<SimProc>;
}

/**
 * Installs before/after hooks in the calling describe: the suite is skipped (one line) without
 * root or the native addon; else a veth namespace for `role` and a temp folder exist during the
 * tests, and every process started, the namespace and the folder are removed afterwards.
 */
export function simVethRig(role: string, what: string): SimVethRig {
  const procs: SimProc[] = [];
  const rig = {
    ns: '',
    a: '',
    b: '',
    dir: '',
    start(args: string[]): SimProc {
      const p = startSim(rig.ns, args);
      procs.push(p);
      return p;
    },
    async startSubscriber(args: string[]): Promise<SimProc> {
      const sub = rig.start(['subscriber', '--interface', rig.b, ...args]);
      await waitForStderr(sub, 'sim subscriber: receiving on', 20_000);
      return sub;
    },
  };
  before(function () {
    skipUnlessRoot(this, `${what} over veth`);
    skipUnlessAddon(this, what);
    rig.dir = mkdtempSync(join(tmpdir(), `gb-${role}-`));
    Object.assign(rig, createVethNamespace(role));
  });
  after(async () => {
    await teardown(rig.ns, procs);
    if (rig.dir) rmSync(rig.dir, { recursive: true, force: true });
  });
  return rig;
}
