// The minimal relay as a path: minimal-relay.c (one blocking read → send and recv → write per
// frame, nothing else) on every host, built with the system's C compiler when the path starts.
// Beside the bridge and kernel VXLAN in one run it separates what the bridge itself costs from
// what any forwarder in user space pays on this machine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ManagedProcess, Topology } from '../../testkit/topology/index.js';
import { registerCleanup, run, runPrefix, sleep } from '../../testkit/topology/index.js';
import { readLinkCounters } from './host-counters.js';
import { allPorts, interfaceIsUp, type L2Path, type PathFactoryOptions, type PathProcess } from './l2-path.js';

const SOURCE = fileURLToPath(new URL('./minimal-relay.c', import.meta.url));

export const RELAY_DEFAULTS = { ifname: 'relay0', group: '224.0.1.104', udpPort: 61854 } as const;

export class RelayPath implements L2Path {
  readonly name = 'relay' as const;
  readonly group = RELAY_DEFAULTS.group;
  readonly udpPort = RELAY_DEFAULTS.udpPort;
  readonly ifname = RELAY_DEFAULTS.ifname;
  readonly overheadBytes = 20 + 8; // IPv4 + UDP; the frame travels without a header of its own
  private readonly topo: Topology;
  private readonly ttl: number;
  private readonly relays = new Map<number, ManagedProcess>();
  private dir: string | null = null;
  private unregisterDir: () => void = () => {};

  constructor(opts: PathFactoryOptions) {
    this.topo = opts.topology;
    this.ttl = opts.ttl ?? 8;
  }

  async start(): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), `${runPrefix(this.topo.runId)}relay-`));
    this.dir = dir;
    this.unregisterDir = registerCleanup(`minimal relay dir ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
    const bin = join(dir, 'minimal-relay');
    await run(['cc', '-O2', '-pthread', '-o', bin, SOURCE]);
    for (const h of this.topo.hosts) {
      const argv = [bin, this.ifname, this.group, String(this.udpPort), h.uplink, String(this.ttl)];
      this.relays.set(h.index, this.topo.spawn(h.ns, argv, `relay h${h.index}`));
    }
    const deadline = Date.now() + 20_000;
    for (const h of this.topo.hosts) {
      while (!(await interfaceIsUp(h.ns, this.ifname))) {
        const r = this.relays.get(h.index)!;
        if (!r.running || Date.now() > deadline) throw new Error(`minimal relay on h${h.index}: ${this.ifname} not up; ${r.describe()}`);
        await sleep(50);
      }
    }
    await this.topo.waitUntilForwarding();
    await this.topo.waitForMembers(this.group, allPorts(this.topo), 20_000);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.relays.values()].map((r) => r.stop(3000)));
    this.relays.clear();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
    this.unregisterDir();
  }

  processes(): PathProcess[] {
    return [...this.relays].map(([host, p]) => ({ host, pid: p.pid, label: `relay h${host}` }));
  }

  /** The relay keeps no counters; the TAP's own statistics are what there is. */
  counters(): Promise<Map<number, Record<string, number>>> {
    return readLinkCounters(this.topo, this.ifname);
  }
}
