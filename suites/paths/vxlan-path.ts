// The baseline: kernel VXLAN over the same stand-in (recipe: `ip link add vx0 type vxlan id 42
// group 239.0.0.42 dev <uplink> dstport 4789 ttl 1 df set`). Its membership expires like ours,
// so it gets the same conditions.
import * as cmd from '../../testkit/topology/commands.js';
import { run } from '../../testkit/topology/exec.js';
import type { Topology } from '../../testkit/topology/index.js';
import { readLinkCounters } from './host-counters.js';
import { allPorts, type L2Path, type PathFactoryOptions, type PathProcess } from './l2-path.js';

export const VXLAN_DEFAULTS = { ifname: 'vx0', vni: 42, group: '239.0.0.42', udpPort: 4789 } as const;

export class VxlanPath implements L2Path {
  readonly name = 'vxlan' as const;
  readonly group = VXLAN_DEFAULTS.group;
  readonly udpPort = VXLAN_DEFAULTS.udpPort;
  readonly ifname = VXLAN_DEFAULTS.ifname;
  readonly overheadBytes = 20 + 8 + 8 + 14; // outer IPv4 + UDP + VXLAN header + inner Ethernet is counted in the frame
  private readonly topo: Topology;
  private readonly ttl: number;
  private started = false;

  constructor(opts: PathFactoryOptions) {
    this.topo = opts.topology;
    this.ttl = opts.ttl ?? 1;
  }

  async start(): Promise<void> {
    for (const h of this.topo.hosts) {
      await run(
        cmd.createVxlan(h.ns, this.ifname, {
          vni: VXLAN_DEFAULTS.vni,
          group: this.group,
          uplink: h.uplink,
          dstPort: this.udpPort,
          ttl: this.ttl,
        }),
      );
      // IPv6 is off in the hosts, so the device sends nothing of its own (no MLD/ND noise).
      await run(cmd.setUp(h.ns, this.ifname));
    }
    this.started = true;
    await this.topo.waitUntilForwarding();
    await this.topo.waitForMembers(this.group, allPorts(this.topo));
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const h of this.topo.hosts) {
      await run(['ip', '-n', h.ns, 'link', 'delete', this.ifname]).catch(() => {});
    }
  }

  processes(): PathProcess[] {
    return [];
  }

  counters(): Promise<Map<number, Record<string, number>>> {
    return readLinkCounters(this.topo, this.ifname);
  }
}
