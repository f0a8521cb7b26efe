// What a daemon netns test stands on: hosts behind the TGW stand-in and a scratch folder, built
// before the suite and removed after it, also when a test failed (the topology's cleanup
// registry covers Ctrl-C).
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipUnlessRoot } from '../preconditions.js';
import { Topology, type Host, type TopologyOptions } from '../topology/index.js';

export interface TestBed {
  topo: Topology;
  /** Hosts 1, 2 and (with `hosts: 3`) 3. */
  a: Host;
  b: Host;
  c: Host;
  /** Stats files, configs and keys: unique per run, known when the suite is declared. */
  readonly dir: string;
}

export interface TestBedOptions extends Partial<TopologyOptions> {
  /** More preconditions, checked after root (each skips the suite with one line). */
  needs?: ReadonlyArray<(ctx: Mocha.Context, what: string) => void>;
}

/**
 * Registers the suite's first hooks: before, skip unless root (and `needs`), build the hosts and
 * the scratch folder; after, remove both. The bed's fields are set when the suite's own before
 * hooks run. `what` names the suite in the skip line.
 */
export function useTestBed(what: string, opts: TestBedOptions = {}): TestBed {
  const { needs = [], ...topology } = opts;
  const bed = { dir: join(tmpdir(), `gb-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`) } as TestBed;
  before(async function () {
    skipUnlessRoot(this, what);
    for (const need of needs) need(this, what);
    mkdirSync(bed.dir, { recursive: true });
    bed.topo = await Topology.create({ hosts: 2, scale: 60, ...topology });
    [bed.a, bed.b] = [bed.topo.host(1), bed.topo.host(2)];
    if (bed.topo.hosts.length > 2) bed.c = bed.topo.host(3);
  });
  after(async function () {
    await bed.topo?.destroy();
    rmSync(bed.dir, { recursive: true, force: true });
  });
  return bed;
}
