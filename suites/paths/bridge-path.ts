// goose-bridge as the path: one daemon per host, each owning goose0 and sending to/joining the
// group on its uplink. Started with `node bin/goose-bridge.js run …` inside the host namespace
// (the pid sampled for CPU/RSS is the daemon's own: `ip netns exec` execs it).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ManagedProcess, Topology } from '../../testkit/topology/index.js';
import { addSecondPath, registerCleanup, runPrefix, secondUplink, sleep } from '../../testkit/topology/index.js';
import { allPorts, interfaceIsUp, type L2Path, type PathFactoryOptions, type PathProcess } from './l2-path.js';

const BIN = fileURLToPath(new URL('../../bin/goose-bridge.js', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));

export const BRIDGE_DEFAULTS = { ifname: 'goose0', group: '224.0.1.100', udpPort: 61850 } as const;
export const RGOOSE_DEFAULTS = { ifname: 'rgoose0', group: '224.0.1.102', udpPort: 61852 } as const;
export const BRIDGE2_DEFAULTS = { ifname: 'goose2', group: '224.0.1.106', udpPort: 61856 } as const;
export const BRIDGE_USER_DEFAULTS = { ifname: 'gooseu0', group: '224.0.1.108', udpPort: 61858 } as const;

/** The daemon's `data_plane` key: kernel (eBPF) where it loads, else user space (auto). */
export type DataPlane = 'auto' | 'kernel' | 'user';
type BridgePathName = 'bridge' | 'bridge2' | 'rgoose' | 'bridge-user';

/**
 * The daemon's config file for a path that sets data_plane (the only key set there; everything
 * else is on the command line). Unset, the daemon picks its default data plane.
 */
export function dataPlaneConfig(dataPlane: DataPlane): string {
  return `[goose-bridge]\ndata_plane = ${dataPlane}\n`;
}

/**
 * A daemon that exited because it does not know the data_plane key (a build without the kernel
 * data path): the clear message, or null when the exit had another cause.
 */
export function refusedDataPlane(pathName: string, stderr: string): string | null {
  if (!/unknown key "data_plane"/.test(stderr)) return null;
  return `${pathName}: this goose-bridge does not know the config key data_plane (a build without the kernel data path), so its user-space tier cannot be chosen; leave ${pathName} out of --paths`;
}

/** Flattens the daemon's stats JSON into `section.counter` numbers (to_wan.frames_read, from_wan.gap_frames …). */
export function flattenCounters(obj: unknown, prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  if (obj === null || typeof obj !== 'object') return out;
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number') out[key] = v;
    else if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flattenCounters(v, key));
  }
  return out;
}

/** The signed R-GOOSE path's key: HMAC-SHA256-128, as a utility would sign protection GOOSE. */
const RGOOSE_SUITE_KEY = { id: 1, signature: 'hmac-sha256-128', encryption: 'none', key: '5a'.repeat(32) };

export class BridgePath implements L2Path {
  readonly name: BridgePathName = 'bridge';
  readonly group: string = BRIDGE_DEFAULTS.group;
  readonly udpPort: number = BRIDGE_DEFAULTS.udpPort;
  readonly ifname: string = BRIDGE_DEFAULTS.ifname;
  /** IPv4 + UDP + GB1 header; R-GOOSE replaces the 22-byte Ethernet + IEC headers with ~55 bytes of session header and MAC. */
  get overheadBytes(): number {
    return this.name === 'rgoose' ? 20 + 8 + 2 + 2 + 2 + 21 + 4 + 6 + 2 + 16 - 22 : 20 + 8 + 16;
  }
  private readonly topo: Topology;
  private readonly ttl: number;
  private extraArgs: readonly string[];
  /** Each daemon also sends and receives on the host's second-path uplink (topology/second-path.ts). */
  private readonly secondPath: boolean;
  /** Set: the daemon runs with this data_plane (from a config file); unset: its default. */
  private readonly dataPlane: DataPlane | undefined;
  private readonly daemons = new Map<number, ManagedProcess>();
  private readonly statsDir: string;
  private readonly unregisterDir: () => void;

  /** goose-bridge with R-GOOSE signed by HMAC-SHA256-128 on the WAN (the cost of authentication). */
  static rgoose(opts: PathFactoryOptions & { extraArgs?: readonly string[] }): BridgePath {
    const p = new BridgePath(opts, 'rgoose');
    const keys = join(p.statsDir, 'rgoose-keys.json');
    writeFileSync(keys, JSON.stringify({ active: 1, keys: [RGOOSE_SUITE_KEY] }), { mode: 0o600 });
    p.extraArgs = [...p.extraArgs, '--encapsulation', 'rgoose', '--rgoose-keys', keys];
    return p;
  }

  /** The bridge forced onto its user-space data plane, beside `bridge` (its default, kernel where it loads). */
  static userDataPlane(opts: PathFactoryOptions & { extraArgs?: readonly string[] }): BridgePath {
    return new BridgePath({ ...opts, dataPlane: 'user' }, 'bridge-user');
  }

  constructor(opts: PathFactoryOptions & { extraArgs?: readonly string[]; secondPath?: boolean; dataPlane?: DataPlane }, name: BridgePathName = 'bridge') {
    this.secondPath = opts.secondPath ?? false;
    this.dataPlane = opts.dataPlane;
    this.name = name;
    if (name === 'rgoose') {
      // Runs beside the GB1 bridge in the same hosts: its own TAP, group and port.
      this.ifname = RGOOSE_DEFAULTS.ifname;
      this.group = RGOOSE_DEFAULTS.group;
      this.udpPort = RGOOSE_DEFAULTS.udpPort;
    } else if (name === 'bridge2') {
      // Beside the one-path bridge in the same hosts: its own TAP, group and port.
      this.ifname = BRIDGE2_DEFAULTS.ifname;
      this.group = BRIDGE2_DEFAULTS.group;
      this.udpPort = BRIDGE2_DEFAULTS.udpPort;
    } else if (name === 'bridge-user') {
      this.ifname = BRIDGE_USER_DEFAULTS.ifname;
      this.group = BRIDGE_USER_DEFAULTS.group;
      this.udpPort = BRIDGE_USER_DEFAULTS.udpPort;
    }
    this.topo = opts.topology;
    this.ttl = opts.ttl ?? 8;
    this.extraArgs = opts.extraArgs ?? [];
    // Named after the run: a leftover is recognisably this run's.
    this.statsDir = mkdtempSync(join(tmpdir(), `${runPrefix(opts.topology.runId)}stats-`));
    const dir = this.statsDir;
    this.unregisterDir = registerCleanup(`stats dir ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
    if (this.dataPlane !== undefined) writeFileSync(this.configFile(), dataPlaneConfig(this.dataPlane));
  }

  private configFile(): string {
    return join(this.statsDir, 'goose-bridge.conf');
  }

  statsFile(host: number): string {
    return join(this.statsDir, `h${host}.json`);
  }

  daemonArgv(host: number): string[] {
    const h = this.topo.host(host);
    return [
      process.execPath, BIN, 'run',
      '--interface', this.ifname,
      '--group', this.group,
      '--port', String(this.udpPort),
      '--mcast-if', h.uplink,
      ...(this.secondPath ? ['--mcast-if', secondUplink(h)] : []),
      '--ttl', String(this.ttl),
      '--mtu', String(this.topo.mtu),
      '--buffer-size', String(Math.max(2048, this.topo.mtu + 64)),
      '--stats-file', this.statsFile(host),
      '--rgoose-state-dir', join(this.statsDir, `h${host}-rgoose-state`),
      '--stats-interval', '0.5',
      // Each scenario starts from no TAP: nothing of a previous daemon's interface carries over.
      '--remove-tap-on-exit',
      '--log-format', 'json',
      '--log-level', 'warn',
      ...(this.dataPlane === undefined ? [] : ['--config', this.configFile()]),
      ...this.extraArgs,
    ];
  }

  async start(): Promise<void> {
    if (this.secondPath) await addSecondPath(this.topo);
    for (const h of this.topo.hosts) {
      const p = this.topo.spawn(h.ns, this.daemonArgv(h.index), `goose-bridge h${h.index}`, { cwd: REPO });
      this.daemons.set(h.index, p);
    }
    // Every daemon started (its first stats file written: the TAP is open and the groups joined)
    // with goose0 up, then every port registered on the stand-in. An interface that is up is not
    // enough: a TAP a previous daemon left (persistent, or not removed by a killed one) stays up
    // with no daemon behind it, and the membership wait would start while this one still loads.
    // Generous: on a machine shared by many jobs a node start-up alone has taken over 30 s.
    const deadline = Date.now() + 90_000;
    for (const h of this.topo.hosts) {
      for (;;) {
        const d = this.daemons.get(h.index)!;
        if (!d.running) throw new Error(refusedDataPlane(this.name, d.describe()) ?? `goose-bridge did not start: ${d.describe()}`);
        if (await this.daemonReady(h.index)) break;
        if (Date.now() > deadline) throw new Error(`goose-bridge on h${h.index}: not started (stats file written, ${this.ifname} up) within 90 s; ${d.describe()}`);
        await sleep(100);
      }
    }
    await this.topo.waitUntilForwarding();
    await this.topo.waitForMembers(this.group, allPorts(this.topo), 20_000);
  }

  /** Host h's daemon of this path has started: its stats file written (TAP open, groups joined) and its interface up. */
  async daemonReady(host: number): Promise<boolean> {
    return existsSync(this.statsFile(host)) && (await interfaceIsUp(this.topo.host(host).ns, this.ifname));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.daemons.values()].map((d) => d.stop(3000)));
    this.daemons.clear();
  }

  /** Removes the stats directory (after counters were read). */
  dispose(): void {
    rmSync(this.statsDir, { recursive: true, force: true });
    this.unregisterDir();
  }

  processes(): PathProcess[] {
    return [...this.daemons].map(([host, p]) => ({ host, pid: p.pid, label: `goose-bridge h${host}` }));
  }

  daemon(host: number): ManagedProcess | undefined {
    return this.daemons.get(host);
  }

  async counters(): Promise<Map<number, Record<string, number>>> {
    const out = new Map<number, Record<string, number>>();
    for (const h of this.topo.hosts) {
      try {
        out.set(h.index, flattenCounters(JSON.parse(readFileSync(this.statsFile(h.index), 'utf8'))));
      } catch {
        out.set(h.index, {});
      }
    }
    return out;
  }
}
