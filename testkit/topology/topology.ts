// The multi-host network on one machine: a `tgw` namespace whose Linux bridge plays the Transit
// Gateway (recipe: docs/suites.md, "The harness") and hosts h1…hN with a veth uplink each.
// Everything lives in per-run namespaces and is removed on destroy(), on process exit and on
// SIGINT/SIGTERM; a crashed run's leftovers are removed before a new topology is built.
import type { SpawnOptions } from 'node:child_process';
import * as cmd from './commands.js';
import { registerCleanup, destroyNamespaceSync } from '../cleanup.js';
import { run, spawnArgv, sleep, monotonicUs } from './exec.js';
import { scaledBridgeTimers, scaledHostTimers, validateScale, type BridgeTimersCs, type HostIgmpTimers } from './igmp-timers.js';
import { parseMdbJson, parseMdbMonitorLine, portsRegisteredFor, type MdbEntry, type MdbEvent } from './mdb.js';
import { ManagedProcess } from './managed-process.js';
import { sumCounterPackets, tgwGuardTable, type NftTable } from './nft-rules.js';
import { makeRunId, namespaceName, runPrefix, type RunId } from '../run-id.js';
import { hostAddress, hostRole, tgwPortName, uplinkName } from './host-names.js';
import { cleanStaleRuns } from './stale.js';

export interface TopologyOptions {
  hosts: number;
  /** Time scale: 60 makes the TGW's 120 s query interval 2 s. 1..120. */
  scale?: number;
  /** MTU of uplinks and stand-in (1500 as a plain VPC path; 8500 = TGW's maximum). */
  mtu?: number;
  /** Host IGMP robustness (net.ipv4.igmp_qrv). */
  qrv?: number;
  fastLeave?: boolean;
  /** nftables guard on the stand-in: host-sent queries and fragmented multicast dropped, as a
   * TGW does (default true; the demo runs without nftables installed). */
  guard?: boolean;
  subnet?: string;
  /** false: the uplinks cannot carry UDP GSO runs (tx-udp-segmentation off, as AWS ENA), so a run
   * leaves each host as separate datagrams. Default true: veth carries a run whole to the receiver. */
  uplinkGso?: boolean;
  runId?: RunId;
  log?: (line: string) => void;
}

export interface Host {
  index: number;
  ns: string;
  uplink: string;
  tgwPort: string;
  address: string;
}

export class Topology {
  readonly hosts: Host[];
  readonly tgwNs: string;
  readonly bridgeTimers: BridgeTimersCs;
  readonly hostTimers: HostIgmpTimers;
  private readonly processes = new Set<ManagedProcess>();
  private readonly namespaces: string[] = [];
  private readonly unregister: () => void;
  private destroyed = false;
  private querierEnabledAtUs = 0;

  private constructor(
    readonly runId: RunId,
    readonly scale: number,
    readonly mtu: number,
    hostCount: number,
    qrv: number | undefined,
    readonly subnet: string,
    private readonly log: (line: string) => void,
  ) {
    this.tgwNs = namespaceName(runId, 'tgw');
    this.bridgeTimers = scaledBridgeTimers(scale);
    this.hostTimers = scaledHostTimers(scale, qrv);
    this.hosts = Array.from({ length: hostCount }, (_, i) => {
      const index = i + 1;
      return {
        index,
        ns: namespaceName(runId, hostRole(index)),
        uplink: uplinkName(index),
        tgwPort: tgwPortName(index),
        address: hostAddress(index, subnet),
      };
    });
    // Registered before anything exists, so a failure half-way still removes what was made.
    this.unregister = registerCleanup(`topology ${runPrefix(runId)}`, () => this.teardownSync());
  }

  static async create(opts: TopologyOptions): Promise<Topology> {
    if (!Number.isInteger(opts.hosts) || opts.hosts < 1 || opts.hosts > 200) {
      throw new RangeError(`hosts must be an integer 1..200, got ${opts.hosts}`);
    }
    const scale = validateScale(opts.scale ?? 60);
    const mtu = opts.mtu ?? 1500;
    if (!Number.isInteger(mtu) || mtu < 576 || mtu > 9000) throw new RangeError(`mtu must be an integer 576..9000, got ${mtu}`);
    const removed = cleanStaleRuns();
    const log = opts.log ?? (() => {});
    if (removed.length > 0) log(`removed ${removed.length} stale namespace(s) of dead runs: ${removed.join(', ')}`);
    const topo = new Topology(opts.runId ?? makeRunId(), scale, mtu, opts.hosts, opts.qrv, opts.subnet ?? '10.77.0', log);
    try {
      await topo.build(opts.fastLeave ?? false, opts.guard ?? true, opts.uplinkGso ?? true);
    } catch (err) {
      await topo.destroy();
      throw err;
    }
    return topo;
  }

  private async addNs(ns: string): Promise<void> {
    this.namespaces.push(ns);
    await run(cmd.addNamespace(ns));
    await run(cmd.loopbackUp(ns));
  }

  private async build(fastLeave: boolean, guard: boolean, uplinkGso: boolean): Promise<void> {
    const tgw = this.tgwNs;
    await this.addNs(tgw);
    await run(cmd.createTgwBridge(tgw, this.bridgeTimers, this.mtu));
    if (guard) await this.applyNft(tgw, tgwGuardTable());
    for (const h of this.hosts) {
      await this.addNs(h.ns);
      await run(cmd.createUplink(tgw, h.tgwPort, h.ns, h.uplink, this.mtu));
      await run(cmd.attachPort(tgw, h.tgwPort));
      await run(cmd.portMulticastPolicy(tgw, h.tgwPort));
      if (fastLeave) await run(cmd.setFastLeave(tgw, h.tgwPort, true));
      await run(cmd.hostSysctls(h.ns, h.uplink, this.hostTimers));
      await run(cmd.addAddress(h.ns, h.uplink, `${h.address}/24`));
      await run(cmd.setUp(tgw, h.tgwPort));
      await run(cmd.setUp(h.ns, h.uplink));
      await run(cmd.multicastRoute(h.ns, h.uplink));
    }
    if (!uplinkGso) await this.setUplinkGso(false);
    await run(cmd.enableQuerier(tgw));
    await run(cmd.setUp(tgw, cmd.TGW_BRIDGE));
    this.querierEnabledAtUs = monotonicUs();
    this.log(`topology ${runPrefix(this.runId)}: stand-in + ${this.hosts.length} host(s), IGMP timers 1/${this.scale} of the TGW's (its 120 s query interval runs as ${120 / this.scale} s), mtu ${this.mtu}${uplinkGso ? '' : ', uplinks without UDP GSO'}`);
  }

  /** Whether the uplinks carry UDP GSO runs whole (veth's default) or cut them as they leave. */
  uplinkGso = true;

  async setUplinkGso(on: boolean): Promise<void> {
    for (const h of this.hosts) await run(cmd.setOffload(h.ns, h.uplink, { 'tx-udp-segmentation': on }));
    this.uplinkGso = on;
  }

  host(index: number): Host {
    const h = this.hosts[index - 1];
    if (h === undefined) throw new RangeError(`no host ${index} (topology has ${this.hosts.length})`);
    return h;
  }

  /** Waits out the querier's start-up blackout (one response interval after it is enabled). */
  async waitUntilForwarding(): Promise<void> {
    const readyAt = this.querierEnabledAtUs + this.bridgeTimers.mcast_query_response_interval * 10_000 + 300_000;
    const waitUs = readyAt - monotonicUs();
    if (waitUs > 0) await sleep(Math.ceil(waitUs / 1000));
  }

  /** Runs a command inside a namespace and returns its stdout. */
  exec(ns: string, argv: cmd.Argv, opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
    return run(cmd.inNamespace(ns, argv), opts);
  }

  /** Starts a long-running process inside a namespace; it is stopped on destroy() at the latest. */
  spawn(ns: string, argv: cmd.Argv, label: string, opts: SpawnOptions & { keepStdout?: boolean } = {}): ManagedProcess {
    if (this.destroyed) throw new Error('topology destroyed');
    const { keepStdout, ...spawnOpts } = opts;
    const child = spawnArgv(cmd.inNamespace(ns, argv), { stdio: ['ignore', 'pipe', 'pipe'], ...spawnOpts });
    const p = new ManagedProcess(label, ns, child, keepStdout === undefined ? {} : { keepStdout });
    this.processes.add(p);
    void p.exited.then(() => this.processes.delete(p));
    return p;
  }

  async applyNft(ns: string, table: NftTable): Promise<void> {
    await run(cmd.nftApply(ns), { input: table.text });
  }
  async removeNft(ns: string, table: Pick<NftTable, 'family' | 'name'>): Promise<void> {
    await run(cmd.nftDeleteTable(ns, table.family, table.name));
  }
  /** Total packets counted by the table's rules (e.g. frames a loss table dropped). */
  async nftCounterPackets(ns: string, table: Pick<NftTable, 'family' | 'name'>): Promise<number> {
    return sumCounterPackets(await run(cmd.nftListTableJson(ns, table.family, table.name)));
  }

  async setFastLeave(on: boolean): Promise<void> {
    for (const h of this.hosts) await run(cmd.setFastLeave(this.tgwNs, h.tgwPort, on));
  }

  async mdb(): Promise<MdbEntry[]> {
    return parseMdbJson(await run(cmd.mdbShow(this.tgwNs)));
  }

  /** Waits until every given port is registered for the group on the stand-in. */
  async waitForMembers(group: string, ports: readonly string[], timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const have = portsRegisteredFor(await this.mdb(), group);
      const missing = ports.filter((p) => !have.has(p));
      if (missing.length === 0) return;
      if (Date.now() > deadline) {
        throw new Error(`stand-in: ports ${missing.join(', ')} did not register for ${group} within ${timeoutMs} ms`);
      }
      await sleep(100);
    }
  }

  /** Watches `bridge monitor mdb`, stamping each event with CLOCK_MONOTONIC µs on arrival. */
  watchMdb(): MdbWatcher {
    const p = this.spawn(this.tgwNs, cmd.mdbMonitor(this.tgwNs).slice(0), 'bridge monitor mdb', { keepStdout: false });
    return new MdbWatcher(p);
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    // Graceful first: daemons write their final stats on SIGTERM.
    await Promise.all([...this.processes].map((p) => p.stop(3000)));
    this.teardownSync();
  }

  private teardownSync(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const p of this.processes) p.killSync();
    for (const ns of [...this.namespaces].reverse()) {
      try {
        destroyNamespaceSync(ns);
      } catch (err) {
        process.stderr.write(`topology teardown: ${(err as Error).message}\n`);
      }
    }
    this.unregister();
  }
}

export class MdbWatcher {
  readonly events: MdbEvent[] = [];
  private buf = '';
  constructor(private readonly proc: ManagedProcess) {
    proc.child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      const at = monotonicUs();
      this.buf += d;
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        const ev = parseMdbMonitorLine(line, at);
        if (ev !== null) this.events.push(ev);
      }
    });
  }
  async stop(): Promise<MdbEvent[]> {
    await this.proc.stop(1000);
    return this.events;
  }
}
