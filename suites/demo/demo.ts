// The quick-start demo: two hosts and a Transit Gateway stand-in in namespaces, a bridge on each
// host, `sim publisher` on host 1's goose0 and `sim subscriber` on host 2's goose0. Everything is
// built by the harness topology, so it is removed on return, on failure and on Ctrl-C alike.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BridgePath } from '../paths/bridge-path.js';
import { registerCleanup, runPrefix, sleep, Topology, type ManagedProcess } from '../../testkit/topology/index.js';
import type { SubscriberReport } from '../../sim/goose/stream-statistics.js';

const BIN = fileURLToPath(new URL('../../bin/goose-bridge.js', import.meta.url));

/** True when `tool` runs (the demo needs only iproute2; nftables is optional). */
function onPath(tool: string): boolean {
  return spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface DemoOptions {
  /** Seconds of traffic. */
  durationS: number;
  /** Simulated IEDs on host 1. */
  publishers: number;
  log: (line: string) => void;
}

export interface DemoResult {
  /** `gbh-<pid>-<tag>-`: every namespace and temporary file of this run starts with it. */
  runPrefix: string;
  report: SubscriberReport;
  /** Each bridge's counters (`to_wan.frames_sent` …), by host index. */
  bridgeCounters: Map<number, Record<string, number>>;
}

export const DEMO_DEFAULTS = { durationS: 15, publishers: 4 } as const;
/** After the publisher stopped: time for the last frames to cross both bridges. */
const IN_FLIGHT_MS = 1000;

async function waitForText(p: ManagedProcess, text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!p.stderr.includes(text)) {
    if (!p.running) throw new Error(`${p.label} exited before "${text}": ${p.describe()}`);
    if (Date.now() > deadline) throw new Error(`${p.label}: "${text}" not seen within ${timeoutMs} ms: ${p.describe()}`);
    await sleep(50);
  }
}

/** Waits for a clean exit, naming the process and its stderr otherwise. */
async function exitedCleanly(p: ManagedProcess): Promise<void> {
  const e = await p.exited;
  if (e.code !== 0) throw new Error(`${p.label} failed: ${p.describe()}`);
}

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const guard = onPath('nft');
  if (!guard) o.log('demo: nft not found; the stand-in runs without its nftables guard (which drops host-sent queries and fragments)');
  const topo = await Topology.create({ hosts: 2, guard, log: o.log });
  const prefix = runPrefix(topo.runId);
  // Named after the run so that a leftover is recognisably this run's.
  const dir = mkdtempSync(join(tmpdir(), `${prefix}demo-`));
  const unregisterDir = registerCleanup(`demo files ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  const bridges = new BridgePath({ topology: topo });
  try {
    const [a, b] = [topo.host(1), topo.host(2)];
    o.log(`demo: hosts ${a.ns} (${a.address}) and ${b.ns} (${b.address}) behind the stand-in ${topo.tgwNs}`);
    await bridges.start();
    o.log(`demo: goose-bridge running on both hosts (goose0 <-> ${bridges.group}:${bridges.udpPort}); the stand-in registered both`);

    const expectFile = join(dir, 'expect.json');
    writeFileSync(expectFile, JSON.stringify({ publishers: o.publishers }));
    const sim = (args: string[]): string[] => [process.execPath, BIN, 'sim', ...args];
    const sub = topo.spawn(b.ns, sim(['subscriber', '--interface', bridges.ifname, '--expect', expectFile, '--json']), `sim subscriber ${b.ns}`);
    await waitForText(sub, 'sim subscriber: receiving on', 30_000);
    const pub = topo.spawn(
      a.ns,
      sim(['publisher', '--interface', bridges.ifname, '--publishers', String(o.publishers), '--event-interval', '1000', '--duration', String(o.durationS + 5)]),
      `sim publisher ${a.ns}`,
    );
    o.log(`demo: sim publisher (${o.publishers} IEDs) on ${a.ns}:goose0 -> sim subscriber on ${b.ns}:goose0 for ${o.durationS} s`);
    await sleep(o.durationS * 1000);
    if (!pub.running) throw new Error(`sim publisher stopped early: ${pub.describe()}`);
    // Publisher first, then the frames still on their way are given a second to arrive: every
    // frame host 2's bridge writes is then one the subscriber received, and the numbers on
    // screen add up. All streams going silent together is the end of the run, not a stop.
    await pub.stop(5000);
    await sleep(IN_FLIGHT_MS);
    await sub.stop(5000);
    await exitedCleanly(sub);
    // The daemons write their final counters when they stop.
    await bridges.stop();
    return { runPrefix: prefix, report: JSON.parse(sub.stdout) as SubscriberReport, bridgeCounters: await bridges.counters() };
  } finally {
    await bridges.stop();
    bridges.dispose();
    await topo.destroy();
    rmSync(dir, { recursive: true, force: true });
    unregisterDir();
  }
}
