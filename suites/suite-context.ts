// What every suite shares: the topology (built here or handed in by `all`), the paths to
// measure, where the CSVs go, logging and progress.
import { Topology } from '../testkit/topology/index.js';
import { BridgePath } from './paths/bridge-path.js';
import { VxlanPath } from './paths/vxlan-path.js';
import { RelayPath } from './paths/relay-path.js';
import type { L2Path, PathName } from './paths/l2-path.js';

export const PATH_NAMES: readonly PathName[] = ['bridge', 'bridge-user', 'bridge2', 'rgoose', 'vxlan', 'relay'];

/** The paths whose figures the reports divide by kernel VXLAN's of the same run (`bridge/vxlan` …). */
export const RATIO_PATHS = ['bridge', 'bridge-user', 'relay'] as const;

/** The suites suite:all runs, in order. */
export const ALL_SUITES = ['latency', 'throughput', 'loss', 'sv', 'igmp'] as const;
export type SuiteName = (typeof ALL_SUITES)[number];

export interface SuiteCommon {
  out: string;
  paths: readonly PathName[];
  /** Topology time scale (IGMP timers); the data-plane suites do not depend on it. */
  scale: number;
  /** false: uplinks cut UDP GSO runs into datagrams as they leave a host (a NIC without USO). */
  uplinkGso?: boolean;
  log: (line: string) => void;
  /** Shared by `all`; built and destroyed by the suite otherwise. */
  topology?: Topology;
}

/** TGW's maximum MTU for VPC attachments: 1500-byte GOOSE frames plus encapsulation fit. */
export const SUITE_MTU = 8500;

export function parsePaths(v: string): PathName[] {
  const names = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const n of names) {
    if (!PATH_NAMES.includes(n as PathName)) throw new Error(`--paths: "${n}" is not one of ${PATH_NAMES.join(', ')}`);
  }
  if (names.length === 0) throw new Error('--paths: name at least one path');
  return names as PathName[];
}

export function makePath(name: PathName, topology: Topology): L2Path {
  if (name === 'vxlan') return new VxlanPath({ topology });
  if (name === 'relay') return new RelayPath({ topology });
  // GB1 on two WAN paths (the stand-in and a second bridge): what the second path costs.
  if (name === 'bridge2') return new BridgePath({ topology, secondPath: true }, 'bridge2');
  // The daemon forced onto its user-space data plane: the tier beside `bridge`'s default.
  if (name === 'bridge-user') return BridgePath.userDataPlane({ topology });
  return name === 'rgoose' ? BridgePath.rgoose({ topology }) : new BridgePath({ topology });
}

export async function withTopology<T>(common: SuiteCommon, hosts: number, fn: (t: Topology) => Promise<T>): Promise<T> {
  if (common.topology) return fn(common.topology);
  const topo = await Topology.create({ hosts, scale: common.scale, mtu: SUITE_MTU, uplinkGso: common.uplinkGso, log: common.log });
  try {
    return await fn(topo);
  } finally {
    await topo.destroy();
  }
}

/** Starts a path, runs fn, always stops it (and removes its temporary files). */
export async function withPath<T>(name: PathName, topo: Topology, fn: (p: L2Path) => Promise<T>): Promise<T> {
  const path = makePath(name, topo);
  try {
    await path.start();
    return await fn(path);
  } finally {
    await path.stop();
    if (path instanceof BridgePath) path.dispose();
  }
}

/** Starts several paths side by side (they use different interfaces and groups), runs fn, stops all. */
export async function withPaths<T>(names: readonly PathName[], topo: Topology, fn: (p: L2Path[]) => Promise<T>): Promise<T> {
  const paths: L2Path[] = [];
  try {
    for (const n of names) {
      const p = makePath(n, topo);
      paths.push(p);
      await p.start();
    }
    return await fn(paths);
  } finally {
    for (const p of paths) {
      await p.stop();
      if (p instanceof BridgePath) p.dispose();
    }
  }
}
