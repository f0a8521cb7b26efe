// Drives real daemons and frame tools inside the harness topology's host namespaces.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep, type Host, type ManagedProcess, type Topology } from '../topology/index.js';
import type { StatsSnapshot } from '../../bridge/daemon/bridge-counters.js';
import { waitFor } from '../wait.js';
import { testDataPlane } from '../data-plane-matrix.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = `${ROOT}bin/goose-bridge.js`;
const TSX = `${ROOT}node_modules/.bin/tsx`;
const FRAME_TOOL = `${ROOT}testkit/daemon/netns-frame-tool.ts`;
const UDP_TOOL = `${ROOT}testkit/daemon/udp-send-tool.ts`;

/**
 * Arguments of a daemon whose test measures user space's own I/O (TAP batches, UDP GSO/GRO runs,
 * the socket receive buffer): it runs the user tier in every column of the test matrix, since the
 * kernel tier takes those frames and datagrams before user space would read them.
 */
export const USER_SPACE_IO = ['--data-plane', 'user'];

/** tsx start-up of a helper tool: seconds when the machine's two cores are busy. */
const TOOL_START_MS = 30_000;

export const waitUntil = waitFor;

export class DaemonUnderTest {
  constructor(
    readonly proc: ManagedProcess,
    readonly statsFile: string,
  ) {}

  /** `opts.fromFile`: interface and uplink come from the --config file (a reload can change them). */
  static spawn(topo: Topology, host: Host, statsFile: string, extra: string[] = [], opts: { fromFile?: boolean } = {}): DaemonUnderTest {
    const where = opts.fromFile === true ? [] : ['--interface', 'goose0', '--mcast-if', host.uplink];
    // R-GOOSE replay state beside the stats file: one directory per daemon, kept across its restarts.
    const state = extra.includes('--rgoose-state-dir') ? [] : ['--rgoose-state-dir', `${statsFile}.rgoose-state`];
    const argv = [process.execPath, CLI, 'run', ...where, '--stats-file', statsFile, '--stats-interval', '0.2', '--log-format', 'json', ...state, ...extra];
    return new DaemonUnderTest(topo.spawn(host.ns, argv, `goose-bridge ${host.ns}`), statsFile);
  }

  async started(timeoutMs = 15_000): Promise<void> {
    await waitUntil(`daemon start (${this.proc.label})`, () => {
      if (!this.proc.running) throw new Error(`daemon exited: ${this.proc.describe()}`);
      return this.proc.stderr.includes('"event":"started"');
    }, timeoutMs);
    // The kernel column of the test matrix runs what it says (a daemon given --data-plane itself excepted).
    if (testDataPlane() === 'kernel' && !this.proc.child.spawnargs.includes('--data-plane') && !this.proc.stderr.includes('"event":"data-plane","tier":"kernel"')) {
      throw new Error(`GB_TEST_DATA_PLANE=kernel but ${this.proc.label} does not run the kernel tier`);
    }
  }

  stats(): StatsSnapshot {
    return JSON.parse(readFileSync(this.statsFile, 'utf8')) as StatsSnapshot;
  }

  /** The stats, or null while the file is not written yet. */
  statsOrNull(): StatsSnapshot | null {
    try {
      return this.stats();
    } catch {
      return null;
    }
  }

  /** Waits for a stats file written after `predicate` became true. */
  async statsWhen(what: string, predicate: (s: StatsSnapshot) => boolean, timeoutMs = 5000): Promise<StatsSnapshot> {
    let last: StatsSnapshot | null = null;
    await waitUntil(what, () => {
      if (!existsSync(this.statsFile)) return false;
      try {
        last = this.stats();
      } catch {
        return false; // never half a file (atomic rename), but the file may be absent briefly
      }
      return predicate(last);
    }, timeoutMs);
    return last!;
  }

  /** Stats once frames_written stopped growing: nothing more in flight (read every 400 ms). */
  async statsWhenQuiet(): Promise<StatsSnapshot> {
    let last = -1;
    let s = await this.statsWhen(`stats (${this.proc.label})`, () => true);
    while (s.from_wan.frames_written !== last) {
      last = s.from_wan.frames_written;
      await sleep(400);
      s = await this.statsWhen(`stats (${this.proc.label})`, () => true);
    }
    return s;
  }

  /** SIGHUP, then waits for the daemon to log the reload. */
  async reload(): Promise<void> {
    const n = this.proc.stderr.split('"event":"reloaded"').length;
    this.proc.child.kill('SIGHUP');
    await waitUntil(`reload (${this.proc.label})`, () => this.proc.stderr.split('"event":"reloaded"').length > n);
  }

  removeStats(): void {
    rmSync(this.statsFile, { force: true });
  }
}

/**
 * A daemon on each of the topology's two hosts (stats files `a.json` and `b.json` in `dir`), once
 * the stand-in forwards; resolves when both logged "started" and both uplinks are members of
 * `group` on the stand-in.
 */
export async function startDaemonPair(
  topo: Topology,
  dir: string,
  group: string,
  a: { extra: string[]; fromFile?: boolean },
  b: { extra: string[] },
): Promise<[DaemonUnderTest, DaemonUnderTest]> {
  const [ha, hb] = [topo.host(1), topo.host(2)];
  await topo.waitUntilForwarding();
  const daemons: [DaemonUnderTest, DaemonUnderTest] = [
    DaemonUnderTest.spawn(topo, ha, join(dir, 'a.json'), a.extra, { fromFile: a.fromFile }),
    DaemonUnderTest.spawn(topo, hb, join(dir, 'b.json'), b.extra),
  ];
  await Promise.all(daemons.map((d) => d.started()));
  await topo.waitForMembers(group, [ha.tgwPort, hb.tgwPort]);
  return daemons;
}

/** A packet socket capturing on an interface inside a namespace. */
export class FrameCapture {
  private consumed = 0;
  constructor(readonly proc: ManagedProcess) {}

  static async start(topo: Topology, ns: string, ifname: string, types = 'all', outgoing = false): Promise<FrameCapture> {
    const p = topo.spawn(ns, [TSX, FRAME_TOOL, 'capture', ifname, types, ...(outgoing ? ['outgoing'] : [])], `capture ${ifname}@${ns}`);
    const c = new FrameCapture(p);
    await waitUntil(`capture on ${ifname} ready`, () => {
      if (!p.running) throw new Error(p.describe());
      return p.stdout.startsWith('ready\n');
    }, TOOL_START_MS);
    return c;
  }

  /** Every frame captured so far: [rx µs, bytes]. */
  frames(): Array<{ rxUs: number; frame: Buffer }> {
    return this.proc.stdout
      .split('\n')
      .slice(1)
      .filter((l) => l.includes(' '))
      .map((l) => {
        const [t, hex] = l.split(' ');
        return { rxUs: Number(t), frame: Buffer.from(hex!, 'hex') };
      });
  }

  /** Frames captured since the last call. */
  fresh(): Buffer[] {
    const all = this.frames();
    const out = all.slice(this.consumed).map((f) => f.frame);
    this.consumed = all.length;
    return out;
  }

  async stop(): Promise<void> {
    await this.proc.stop(2000);
  }
}

/** Sends frames on an interface inside a namespace the way an application does. */
export class FrameInjector {
  constructor(readonly proc: ManagedProcess) {}

  static async start(topo: Topology, ns: string, ifname: string): Promise<FrameInjector> {
    const p = topo.spawn(ns, [TSX, FRAME_TOOL, 'inject', ifname], `inject ${ifname}@${ns}`, { stdio: ['pipe', 'pipe', 'pipe'] });
    await waitUntil(`injector on ${ifname} ready`, () => {
      if (!p.running) throw new Error(p.describe());
      return p.stdout.startsWith('ready\n');
    }, TOOL_START_MS);
    return new FrameInjector(p);
  }

  private sentLines(): number {
    return this.proc.stdout.split('\n').filter((l) => l.startsWith('sent ')).length;
  }

  /** Sends the frames in order, one per line, and waits until the tool confirms. */
  async send(frames: Buffer[]): Promise<void> {
    const before = this.sentLines();
    this.proc.child.stdin!.write(frames.map((f) => `${f.toString('hex')}\n`).join(''));
    await waitUntil('injector confirmation', () => this.sentLines() >= before + frames.length);
  }

  async stop(): Promise<void> {
    this.proc.child.stdin?.end();
    await this.proc.stop(2000);
  }
}

/**
 * Sends `count` copies of `frame` on an interface inside a namespace at `rate` frames/s, the last
 * 4 bytes numbered 0, 1, …; `done` resolves when all left (the tool starts in seconds on a busy host),
 * with how many the packet socket took (the publisher's own count).
 */
export async function blastFrames(topo: Topology, ns: string, ifname: string, frame: Buffer, count: number, rate: number): Promise<{ done: Promise<number> }> {
  const p = topo.spawn(ns, [TSX, FRAME_TOOL, 'blast', ifname, frame.toString('hex'), String(count), String(rate)], `blast ${ifname}@${ns}`);
  const done = waitUntil(`blast on ${ifname} done`, () => {
    if (p.stdout.includes('done ')) return true;
    if (!p.running) throw new Error(p.describe());
    return false;
  }, TOOL_START_MS + (count / rate) * 1000 * 3).then(() => Number(/done (\d+)/.exec(p.stdout)![1]));
  return { done };
}

/** How often each number (a frame's last 4 bytes) arrived among the frames of an APPID. */
export function countByNumber(frames: Buffer[], appId: number): Map<number, number> {
  const out = new Map<number, number>();
  for (const f of frames) {
    const at = f.readUInt16BE(12) === 0x8100 ? 18 : 14;
    if (f.readUInt16BE(at) !== appId) continue;
    const n = f.readUInt32BE(f.length - 4);
    out.set(n, (out.get(n) ?? 0) + 1);
  }
  return out;
}

/** Sends raw UDP payloads to a group from inside a namespace (a foreign or malicious sender). */
export async function sendUdpFromHost(topo: Topology, host: Host, group: string, port: number, payloads: Buffer[], flood = 0): Promise<void> {
  const argv = [TSX, UDP_TOOL, group, String(port), host.address, ...payloads.map((p) => p.toString('hex'))];
  await topo.exec(host.ns, flood > 0 ? ['env', `FLOOD=${flood}`, ...argv] : argv);
}

/** Sends the datagrams of a file (u16 big-endian length, bytes; see udp-send-tool) from a host, paced. */
export async function sendUdpFileFromHost(topo: Topology, host: Host, group: string, port: number, file: string): Promise<void> {
  await topo.exec(host.ns, ['env', `FILE=${file}`, TSX, UDP_TOOL, group, String(port), host.address]);
}

export async function hostHasInterface(topo: Topology, ns: string, ifname: string): Promise<boolean> {
  try {
    await topo.exec(ns, ['ip', 'link', 'show', ifname]);
    return true;
  } catch {
    return false;
  }
}

export async function procNetIgmp(topo: Topology, ns: string): Promise<string> {
  return topo.exec(ns, ['cat', '/proc/net/igmp']);
}

/** Runs a command in a namespace and returns exit code, stdout and stderr (no throw on failure). */
export function execInNamespace(ns: string, argv: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('ip', ['netns', 'exec', ns, ...argv], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export { TSX, FRAME_TOOL, CLI };
