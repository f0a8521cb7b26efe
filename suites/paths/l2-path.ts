// What a suite needs from a way of carrying GOOSE between hosts: on every host an L2 interface
// where GOOSE apps send and receive, plus the processes doing the work (for CPU/RSS sampling)
// and their counters. goose-bridge (goose0), kernel VXLAN (vx0) and the minimal relay (relay0)
// all have this shape.
import type { Topology } from '../../testkit/topology/index.js';
import { run } from '../../testkit/topology/exec.js';

export type PathName = 'bridge' | 'bridge-user' | 'bridge2' | 'rgoose' | 'vxlan' | 'relay';

export interface PathProcess {
  host: number;
  pid: number;
  label: string;
}

export interface L2Path {
  readonly name: PathName;
  /** The multicast group/port the path uses on the stand-in (for loss injection and mdb checks). */
  readonly group: string;
  readonly udpPort: number;
  /** Host i's L2 interface (same name on every host). */
  readonly ifname: string;
  /** Encapsulation bytes added per frame on the wire (IPv4 + UDP + the path's own header). */
  readonly overheadBytes: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Userspace processes carrying the traffic (none for VXLAN: it is in the kernel). */
  processes(): PathProcess[];
  /** Per host counters the path keeps (e.g. the bridge's stats file), keyed by host index. */
  counters(): Promise<Map<number, Record<string, number>>>;
}

export interface PathFactoryOptions {
  topology: Topology;
  ttl?: number;
}

/** Whether `ifname` exists and is UP in namespace `ns` (a path's daemons bring it up when ready). */
export function interfaceIsUp(ns: string, ifname: string): Promise<boolean> {
  return run(['ip', '-n', ns, '-j', 'link', 'show', ifname]).then(
    (o) => (JSON.parse(o) as Array<{ flags?: string[] }>)[0]?.flags?.includes('UP') === true,
    () => false,
  );
}

export function allPorts(topo: Topology): string[] {
  return topo.hosts.map((h) => h.tgwPort);
}
