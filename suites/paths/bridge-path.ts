// goose-bridge as the path: one daemon per host, each owning goose0 and sending to/joining the
// group on its uplink. Started with `node bin/goose-bridge.js run …` inside the host namespace
// (the pid sampled for CPU/RSS is the daemon's own: `ip netns exec` execs it).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ManagedProcess, Topology } from '../topology/index.js';
import { registerCleanup, run, sleep } from '../topology/index.js';
import { allPorts, type L2Path, type PathFactoryOptions, type PathProcess } from './l2-path.js';

const BIN = fileURLToPath(new URL('../../bin/goose-bridge.js', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));

export const BRIDGE_DEFAULTS = { ifname: 'goose0', group: '224.0.1.100', udpPort: 61850 } as const;

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

export class BridgePath implements L2Path {
  readonly name = 'bridge' as const;
  readonly group = BRIDGE_DEFAULTS.group;
  readonly udpPort = BRIDGE_DEFAULTS.udpPort;
  readonly ifname = BRIDGE_DEFAULTS.ifname;
  readonly overheadBytes = 20 + 8 + 16; // IPv4 + UDP + gb1 header
  private readonly topo: Topology;
  private readonly ttl: number;
  private readonly extraArgs: readonly string[];
  private readonly daemons = new Map<number, ManagedProcess>();
  private readonly statsDir: string;
  private readonly unregisterDir: () => void;

  constructor(opts: PathFactoryOptions & { extraArgs?: readonly string[] }) {
    this.topo = opts.topology;
    this.ttl = opts.ttl ?? 8;
    this.extraArgs = opts.extraArgs ?? [];
    this.statsDir = mkdtempSync(join(tmpdir(), 'gbh-stats-'));
    const dir = this.statsDir;
    this.unregisterDir = registerCleanup(`stats dir ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
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
      '--ttl', String(this.ttl),
      '--mtu', String(this.topo.mtu),
      '--buffer-size', String(Math.max(2048, this.topo.mtu + 64)),
      '--stats-file', this.statsFile(host),
      '--stats-interval', '0.5',
      '--log-format', 'json',
      '--log-level', 'warn',
      ...this.extraArgs,
    ];
  }

  async start(): Promise<void> {
    for (const h of this.topo.hosts) {
      const p = this.topo.spawn(h.ns, this.daemonArgv(h.index), `goose-bridge h${h.index}`, { cwd: REPO });
      this.daemons.set(h.index, p);
    }
    // goose0 up on every host, then every port registered on the stand-in.
    // Generous: on a machine shared by many jobs a node start-up alone has taken over 30 s.
    const deadline = Date.now() + 90_000;
    for (const h of this.topo.hosts) {
      for (;;) {
        const d = this.daemons.get(h.index)!;
        if (!d.running) throw new Error(`goose-bridge did not start: ${d.describe()}`);
        const up = await run(['ip', '-n', h.ns, '-j', 'link', 'show', this.ifname]).then(
          (o) => (JSON.parse(o) as Array<{ flags?: string[] }>)[0]?.flags?.includes('UP') === true,
          () => false,
        );
        if (up) break;
        if (Date.now() > deadline) throw new Error(`goose-bridge on h${h.index}: ${this.ifname} not up within 90 s; ${d.describe()}`);
        await sleep(100);
      }
    }
    await this.topo.waitUntilForwarding();
    await this.topo.waitForMembers(this.group, allPorts(this.topo), 20_000);
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
