// The bridge: wires the native forwarding engine (the data plane, in its own threads) to the
// control plane: configuration and transactional reload, IGMP keepalive and monitoring,
// recreation of lost resources, and its parts that publish (stats file, metrics, runtime
// sampling). It decides about no frame itself.
//
// Start, reload and recovery share one path: open what the new configuration needs or what was
// lost (nothing running is touched if that fails, nothing opened is left behind), switch the
// engine to it in one step (resource-switch.ts), then restart the control timers.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { hasCapNetRaw, sendIgmpV2Report } from '../../native/index.js';
import { ForwardingEngine, removeTap, type EngineConfig, type EngineCounts, type EngineEvent } from '../../native/engine.js';
import { CONFIG_KEYS, type BridgeConfig } from '../config/config-keys.js';
import { readRgooseKeys, type RgooseKeys } from '../config/rgoose-keys.js';
import { GbError } from '../../errors/error-codes.js';
import { chooseKeepaliveStrategy, type MembershipRefresher } from '../igmp/keepalive-strategy.js';
import { IgmpSupervisor, realTimers } from '../igmp/igmp-supervisor.js';
import { RejoinRefresher, ReportRefresher } from '../igmp/membership-refreshers.js';
import { senderIdToHex, type SenderId } from '../wan/gb1-format.js';
import { resolveUplinks, type Uplink } from '../wan/uplink.js';
import { BridgeCounters, absorbEngineCounts, perAppidFrom, snapshotCounters, type StatsSnapshot } from './bridge-counters.js';
import { engineConfigFor, joinFlags } from './engine-config.js';
import { KernelTier, removeLeftovers } from './kernel-tier.js';
import { autoSkipReason, kernelTierReceives, withKernelAppidCounts, withKernelCounts, type TierChoice } from './kernel-tier-config.js';
import { interfaceIndex, l2Name, openL2Side, tapKernelDrops, type L2Side } from './l2-side.js';
import { redundancySnapshot } from './redundancy.js';
import { switchResources } from './resource-switch.js';
import { RetryScope } from './retry-scope.js';
import { RgooseStateKeeper } from './rgoose-state.js';
import { RuntimeSampler } from './runtime-sampler.js';
import { StatsPublisher } from './stats-publisher.js';
import { WanWatch } from './wan-watch.js';

const WAN_KEYS: Array<keyof BridgeConfig> = ['multicastIp', 'multicastPort', 'mcastIf', 'ttl', 'socketBufferSize', 'groupMap', 'joinGroups'];
// Everything else (filter, MTU, encapsulation, keys) changes by apply() alone: no socket reopened.
const L2_KEYS: Array<keyof BridgeConfig> = ['interface', 'attachInterface', 'attachPromiscuous', 'removeTapOnExit'];

/** data_plane = kernel and the kernel tier cannot run: start-up fails naming the key and the step. */
function kernelRefused(err: GbError): GbError {
  return new GbError(err.code, `data_plane = kernel: the kernel tier cannot run: ${err.message.slice(err.code.length + 2).split('\n')[0]}`, { cause: err });
}

function newSenderId(): SenderId {
  const b = randomBytes(8);
  const id = { hi: b.readUInt32BE(0), lo: b.readUInt32BE(4) };
  return id.hi === 0 && id.lo === 0 ? { hi: 1, lo: 0 } : id;
}

function latest(ms: Array<number | null>): number | null {
  const known = ms.filter((m): m is number => m !== null);
  return known.length === 0 ? null : Math.max(...known);
}

function changed(prev: BridgeConfig | null, next: BridgeConfig, keys: Array<keyof BridgeConfig>): boolean {
  return prev === null || keys.some((k) => JSON.stringify(prev[k]) !== JSON.stringify(next[k]));
}

/** The INI names of the keys a reload changes: names only, so a log never carries a value. */
export function changedKeyNames(prev: BridgeConfig, next: BridgeConfig): string[] {
  return CONFIG_KEYS.filter((d) => changed(prev, next, [d.field])).map((d) => d.key);
}

export class BridgeDaemon {
  readonly counters = new BridgeCounters();
  readonly senderId: SenderId = newSenderId();
  readonly startedMs = Date.now();

  private readonly engine: ForwardingEngine;
  private cfg!: BridgeConfig;
  private readonly stats: StatsPublisher;
  private readonly runtime = new RuntimeSampler();
  private uplinks: Uplink[] = [];
  private l2: L2Side | null = null;
  private keys: RgooseKeys | null = null;
  /** rgoose mode: the replay state file, and when retired keys expire (engine config). */
  private rgooseState: RgooseStateKeeper | null = null;
  private keyExpiry: Array<{ id: number; atUs: number }> = [];
  /** The kernel tier's object once loaded (kept when detached: its counters stay part of the totals). */
  private kernel: KernelTier | null = null;
  private tier: TierChoice = { tier: 'user', requested: 'user', reason: null };
  /** Why the kernel tier did not load at start (auto), if it did not. */
  private kernelLoadFailure: string | null = null;
  private l2Lost = false;
  private wanLost = false;
  /** The WAN sockets' mode: behind the kernel tier's from_wan (openWan's behindKernelTier). */
  private wanBehindKernel = false;
  /** One per uplink: each path's memberships are kept alive and checked on its own. */
  private supervisors: IgmpSupervisor[] = [];
  private readonly wanWatch: WanWatch;
  private metrics: Server | null = null;
  private timers: NodeJS.Timeout[] = [];
  private scope: RetryScope | null = null;
  private rtRefused = false;
  private stopping = false;
  private reloadChain: Promise<void> = Promise.resolve();

  private constructor(private readonly log: Logger) {
    this.engine = new ForwardingEngine(this.senderId);
    this.stats = new StatsPublisher(() => this.snapshot(), this.counters, log);
    this.wanWatch = new WanWatch(log);
  }

  static async start(cfg: BridgeConfig, log: Logger): Promise<BridgeDaemon> {
    const d = new BridgeDaemon(log);
    try {
      await d.configure(cfg, null);
      d.engine.start((kind, errno) => d.onEngineEvent(kind, errno), cfg.rtPriority);
      d.runtime.start();
    } catch (err) {
      await d.stop({ finalStats: false });
      throw err;
    }
    d.log.info(
      {
        event: 'started',
        interface: l2Name(cfg),
        mode: cfg.attachInterface !== '' ? 'gateway' : 'tap',
        tapReattached: d.l2?.existed ?? false,
        uplink: d.uplinks.map((u) => u.name).join(','),
        uplinkAddress: d.uplinks.map((u) => u.address).join(','),
        site: cfg.site || null,
        groups: cfg.groupMap.groups,
        joined: cfg.groupMap.groups.filter((_, i) => joinFlags(cfg)[i]),
        port: cfg.multicastPort,
        senderId: senderIdToHex(d.senderId),
        keepalive: d.keepaliveStrategy(),
        statsFile: d.stats.path || null,
        dataPlane: d.tier.tier,
      },
      'goose-bridge running',
    );
    return d;
  }

  get config(): BridgeConfig {
    return this.cfg;
  }

  /**
   * SIGHUP: applies a new configuration, or rejects it and keeps running the current one.
   * Resources are recreated only when their keys changed (applications stay on the TAP).
   */
  reload(next: BridgeConfig): Promise<void> {
    const run = this.reloadChain.then(async () => {
      if (this.stopping) return;
      const keys = changedKeyNames(this.cfg, next);
      try {
        await this.configure(next, this.cfg);
        this.log.info({ event: 'reloaded', changed: keys }, keys.length === 0 ? 'configuration reloaded: no key changed' : `configuration reloaded: ${keys.join(', ')} changed`);
      } catch (err) {
        this.reloadRejected(err);
      }
    });
    this.reloadChain = run.catch(() => undefined);
    return run;
  }

  /**
   * A reload that cannot happen (configuration that does not load or cannot be applied): counted
   * once as errors.reload and logged as one line with its code, never a stack; the running
   * configuration stays. Anything other than a GbError is a bug and is thrown on.
   */
  reloadRejected(err: unknown): void {
    this.counters.countError('reload');
    const known = err instanceof GbError;
    this.log.error(
      { event: 'reload-rejected', code: known ? err.code : 'unexpected', reason: known ? err.message.slice(err.code.length + 2) : String(err) },
      `SIGHUP: new configuration rejected, keeping the running one: ${known ? err.message : String(err)}`,
    );
    if (!known) throw err;
  }

  /** Start and reload: reads what `next` needs, switches to it, restarts the control plane. Throws before anything running is touched. */
  private async configure(next: BridgeConfig, prev: BridgeConfig | null): Promise<void> {
    const choice = chooseKeepaliveStrategy(next.keepaliveStrategy, hasCapNetRaw());
    const keys = next.rgooseKeys !== '' ? await readRgooseKeys(next.rgooseKeys) : null;
    const keyExpiry = next.encapsulation === 'rgoose' ? await this.prepareRgooseState(next, keys) : [];
    if (prev === null) this.loadTier(next);
    else if (prev.dataPlane !== next.dataPlane) throw new GbError('GB_ERR_CONFIG', `data_plane: changes only with a restart (running with ${prev.dataPlane})`);
    else this.kernel?.shareSequences(this.engine, next.groupMap.groups);
    const engineConfig = this.switchTo(next, prev, keys, keyExpiry);
    // Switched: from here on the new configuration runs.
    this.scope?.cancel();
    this.scope = new RetryScope(next.reconnectDelayS * 1000, {
      recovered: (what) => this.log.info({ event: 'recovered', what }, `${what} recreated`),
      failed: (what, err, retryInMs) => {
        this.counters.countError('recreate');
        this.log.warn({ event: 'recreate-failed', what, err: err.message, retryInMs }, `cannot recreate ${what} yet`);
      },
    });
    this.stats.configure(next, prev);
    this.cfg = next;
    this.keys = keys;
    this.keyExpiry = keyExpiry;
    this.applyTier(engineConfig, prev === null);
    if (next.encapsulation !== 'rgoose' || keys === null) {
      this.log.warn(
        { event: 'wan-unauthenticated', encapsulation: next.encapsulation },
        'the WAN is not authenticated: any host that reaches the group can write GOOSE into the L2 side; use encapsulation = rgoose with rgoose_keys',
      );
    } else {
      this.log.info({ event: 'wan-authenticated', keys: keys.describe().keys.map(({ id, signature, encryption }) => ({ id, signature, encryption })), active: keys.active }, 'R-GOOSE keys loaded');
    }
    this.log.level = next.logLevel;
    if (choice.note !== null) this.log.warn({ event: 'keepalive-fallback' }, choice.note);
    this.restartControl(choice.strategy);
    if (prev === null || prev.metricsPort !== next.metricsPort) {
      this.metrics?.close();
      this.metrics = next.metricsPort === 0 ? null : await this.startMetrics(next.metricsPort);
    }
  }

  /**
   * The one open-then-apply path of start, reload and recovery: opens the L2 side and the WAN
   * sockets when their keys changed or they were lost, and switches the engine to them and to
   * `next` in one step. On failure what it opened is closed and nothing running changed.
   */
  private switchTo(next: BridgeConfig, prev: BridgeConfig | null, keys: RgooseKeys | null, keyExpiry: Array<{ id: number; atUs: number }>): EngineConfig {
    const uplinks = changed(prev, next, WAN_KEYS) || this.wanLost ? resolveUplinks(next.mcastIf) : this.uplinks;
    // Sockets behind the kernel tier's from_wan read datagrams alone (docs/data-plane.md): reopened when that changes.
    const behindKernel = this.kernel !== null && kernelTierReceives(next, uplinks.length);
    const wanChanged = changed(prev, next, WAN_KEYS) || this.wanLost || behindKernel !== this.wanBehindKernel;
    const l2Changed = changed(prev, next, L2_KEYS) || this.l2Lost;
    const oldL2 = this.l2;
    let engineConfig: EngineConfig | undefined;
    const switched = switchResources(
      this.engine,
      {
        ...(wanChanged ? { openWan: () => this.openWan(next, uplinks, behindKernel) } : {}),
        ...(l2Changed ? { openL2: () => openL2Side(this.engine, next) } : {}),
        config: (l2) => (engineConfig = engineConfigFor(next, l2?.mtu ?? 1500, keys, keyExpiry)),
      },
      oldL2,
    );
    if (switched.l2 !== undefined) {
      if (this.l2Lost) this.counters.countRecovery('tap');
      this.l2 = switched.l2;
      this.l2Lost = false;
      if (oldL2 !== null && prev !== null && !prev.removeTapOnExit && oldL2.ifname !== switched.l2.ifname && prev.attachInterface === '') this.removeTapQuietly(oldL2.ifname);
    }
    if (switched.wan !== undefined) {
      if (this.wanLost) this.counters.countRecovery('socket');
      this.wanLost = false;
      this.uplinks = uplinks;
      this.wanBehindKernel = behindKernel;
      this.wanWatch.reset();
    }
    return engineConfig!;
  }

  /** Replay state before the engine uses these keys: restored, numbers reserved, written. */
  private async prepareRgooseState(next: BridgeConfig, keys: RgooseKeys | null): Promise<Array<{ id: number; atUs: number }>> {
    if (this.rgooseState !== null && this.rgooseState.dir !== next.rgooseStateDir) {
      throw new GbError('GB_ERR_CONFIG', `rgoose_state_dir: changes only with a restart (running with ${this.rgooseState.dir})`);
    }
    this.rgooseState ??= await RgooseStateKeeper.open(next.rgooseStateDir, this.engine, this.log);
    return this.rgooseState.prepare(keys, next.groupMap.groups, next.rgooseKeyGraceS * 1000);
  }

  private openWan(cfg: BridgeConfig, uplinks: Uplink[], behindKernelTier: boolean): number {
    return this.engine.openWan({
      groups: cfg.groupMap.groups,
      join: joinFlags(cfg),
      port: cfg.multicastPort,
      uplinks: uplinks.map((u) => ({ address: u.address, ifindex: interfaceIndex(u.name) })),
      ttl: cfg.ttl,
      socketBufferBytes: cfg.socketBufferSize,
      behindKernelTier,
    });
  }

  private removeTapQuietly(name: string): void {
    try {
      removeTap(name);
    } catch (err) {
      this.log.warn({ event: 'tap-remove-failed', interface: name, err: (err as Error).message }, `cannot remove ${name}`);
    }
  }

  // ------------------------------------------------------------ data plane tier

  /**
   * At start, before the engine runs: loads the kernel tier when data_plane asks for it and shares
   * the GB1 sequence numbers with the engine. The tier is chosen here, once; kernel refuses to start
   * without it, auto remembers why not.
   */
  private loadTier(cfg: BridgeConfig): void {
    if (cfg.dataPlane === 'user' || (cfg.dataPlane === 'auto' && autoSkipReason(cfg) !== null)) return;
    try {
      const kernel = KernelTier.load();
      this.kernel = kernel;
      kernel.shareSequences(this.engine, cfg.groupMap.groups);
    } catch (err) {
      if (!(err instanceof GbError)) throw err;
      if (cfg.dataPlane === 'kernel') throw kernelRefused(err);
      this.kernelLoadFailure = err.message.split('\n')[0]!;
    }
  }

  /**
   * Puts the kernel tier in place for the running configuration (after the engine switched to it),
   * or detaches it and says why user space forwards everything. data_plane = kernel refuses to
   * start without it; later (reload, recreated resources) a failure leaves user space forwarding.
   */
  private applyTier(engine: EngineConfig, starting: boolean): void {
    const requested = this.cfg.dataPlane;
    let reason = requested === 'auto' ? autoSkipReason(this.cfg) : null;
    if (requested !== 'user' && reason === null && this.kernel === null) reason = this.kernelLoadFailure ?? 'the tier is chosen at start: restart to use the kernel tier';
    if (requested !== 'user' && reason === null && this.l2 !== null) {
      try {
        this.kernel!.apply({ cfg: this.cfg, engine, ownSender: this.senderId, join: joinFlags(this.cfg), uplinks: this.uplinks, l2: this.l2 });
      } catch (err) {
        if (!(err instanceof GbError)) throw err;
        if (requested === 'kernel' && starting) throw kernelRefused(err);
        reason = err.message.split('\n')[0]!;
        if (!starting) this.counters.countError('kernel-tier');
      }
    }
    const kernel = requested !== 'user' && reason === null && this.kernel?.attached === true;
    if (!kernel) this.kernel?.detach();
    if (!kernel && starting && this.l2 !== null) {
      const removed = removeLeftovers(this.l2, this.uplinks);
      if (removed.length > 0) this.log.warn({ event: 'kernel-tier-leftover-removed', hooks: removed }, `removed the kernel tier a stopped daemon left on ${removed.join(', ')}`);
    }
    const next: TierChoice = { tier: kernel ? 'kernel' : 'user', requested, reason };
    if (!starting && next.tier === this.tier.tier && next.reason === this.tier.reason) return;
    this.tier = next;
    if (kernel) {
      this.log.info({ event: 'data-plane', tier: 'kernel', requested, hooks: this.kernel!.describe() }, `data plane: kernel tier (${this.kernel!.describe().join(', ')}); user space handles what it passes up`);
    } else if (reason !== null) {
      this.log[requested === 'kernel' ? 'error' : 'info']({ event: 'data-plane', tier: 'user', requested, reason }, `data plane: user space (data_plane = ${requested}: ${reason})`);
    } else {
      this.log.info({ event: 'data-plane', tier: 'user', requested }, 'data plane: user space (data_plane = user)');
    }
  }

  /** The engine's counters with the kernel tier's (`kernel`, read by the caller) added under the same labels. */
  private counts(kernel = this.kernel?.counts()): EngineCounts {
    const e = this.engine.counts();
    return kernel === undefined ? e : withKernelCounts(e, kernel);
  }

  // ------------------------------------------------------------ lost resources

  private onEngineEvent(kind: EngineEvent, errno: number): void {
    if (this.stopping) return;
    if (kind === 'replay-state-due') {
      void this.rgooseState?.save();
      return;
    }
    if (kind === 'rt-priority-failed') {
      if (this.rtRefused) return; // once for both threads
      this.rtRefused = true;
      this.log.warn({ event: 'rt-priority-failed', errno, rtPriority: this.cfg.rtPriority }, 'data-plane threads run at normal priority (SCHED_FIFO refused: grant CAP_SYS_NICE or set rt_priority = 0)');
      return;
    }
    if (kind === 'gso-refused') {
      this.log.info({ event: 'gso-refused', errno }, 'the uplink refused UDP segmentation offload; datagrams now leave one by one');
      return;
    }
    if (kind === 'io-uring-unavailable') {
      this.log.info({ event: 'io-uring-unavailable', errno }, 'no io_uring here (kernel, seccomp or kernel.io_uring_disabled): TAP reads and writes take a system call per frame');
      return;
    }
    if (kind === 'l2-lost') {
      this.l2Lost = true;
      // Until the L2 side is back, user space counts what cannot be written, as without the kernel tier.
      this.kernel?.detach();
      this.counters.countError('tap-lost');
      this.log.error({ event: 'tap-lost', interface: l2Name(this.cfg), errno }, `${l2Name(this.cfg)} was lost; recreating`);
      this.scope?.retry(`L2 side ${l2Name(this.cfg)}`, () => this.recover());
    } else if (!this.wanLost) {
      this.wanLost = true;
      this.counters.countError('socket');
      this.log.error({ event: 'socket-error', errno }, 'a multicast socket failed; recreating the sockets');
      this.scope?.retry('multicast sockets', () => this.recover());
    }
  }

  /** Recreates what was lost (the running configuration, unchanged), through the same switch as a reload. */
  private recover(): void {
    if (this.l2Lost || this.wanLost) this.applyTier(this.switchTo(this.cfg, this.cfg, this.keys, this.keyExpiry), false);
  }

  // ------------------------------------------------------------ control plane

  private makeRefresher(strategy: 'report' | 'rejoin', uplink: Uplink): MembershipRefresher {
    if (strategy === 'report') return new ReportRefresher(uplink.name, sendIgmpV2Report);
    return new RejoinRefresher((group) => this.engine.membership(this.groupIndex(group), true));
  }

  private keepaliveStrategy(): string {
    return this.supervisors[0]?.strategy ?? 'none';
  }

  private groupIndex(group: string): number {
    const i = this.cfg.groupMap.groups.indexOf(group);
    if (i < 0) throw new GbError('GB_ERR_SOCKET', `no socket for ${group}`);
    return i;
  }

  private restartControl(strategy: 'report' | 'rejoin'): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const every = (ms: number, f: () => void): void => {
      const t = setInterval(f, ms);
      t.unref();
      this.timers.push(t);
    };
    every(1000, () => this.wanWatch.tick(Date.now(), this.counts(), this.uplinks));
    if (this.cfg.site !== '' && this.cfg.attachInterface !== '') every(this.cfg.heartbeatIntervalS * 1000, () => this.engine.heartbeat(false));
    this.stats.start(this.cfg.statsIntervalS);
    for (const s of this.supervisors) s.stop();
    this.supervisors = this.uplinks.map((u) => this.startSupervisor(this.makeRefresher(strategy, u), u));
  }

  private startSupervisor(refresher: MembershipRefresher, uplink: Uplink): IgmpSupervisor {
    const cfg = this.cfg;
    const join = joinFlags(cfg);
    const supervisor = new IgmpSupervisor(
      {
        enabled: cfg.enableIgmpKeepalive,
        keepaliveIntervalMs: cfg.igmpKeepaliveIntervalS * 1000,
        monitorIntervalMs: cfg.igmpMonitorIntervalS * 1000,
        threshold: cfg.igmpReregisterThreshold,
        uplink: uplink.name,
        littleEndian: endianness() === 'LE',
      },
      {
        timers: realTimers,
        nowMs: () => Date.now(),
        readProcNetIgmp: () => readFileSync('/proc/net/igmp', 'utf8'),
        refresher,
        groups: () =>
          cfg.groupMap.groups
            .map((group, i) => ({ group, i }))
            .filter(({ i }) => join[i])
            .map(({ group, i }) => ({
              group,
              // The kernel tier's datagrams never reach the engine's sockets: both tiers' count of the group.
              datagrams: () => (this.engine.groupDatagrams()[i] ?? 0) + (this.kernel?.groupDatagrams(group) ?? 0),
              ensureMembership: () => this.engine.membership(i, false),
            })),
        counters: this.counters,
        log: this.log,
      },
    );
    supervisor.start();
    return supervisor;
  }

  /** prom-client (~5 MB resident) is loaded only when metrics are asked for. */
  private async startMetrics(port: number): Promise<Server> {
    const { startMetricsServer } = await import('./metrics-server.js');
    return startMetricsServer(port, () => this.snapshot());
  }

  snapshot(): StatsSnapshot {
    // The kernel tier's counters are summed over CPUs from its map: read once per snapshot.
    const kernel = this.kernel?.counts();
    const counts = this.counts(kernel);
    const totals = absorbEngineCounts(counts, this.counters);
    if (this.l2 !== null) {
      this.counters.l2KernelDrops = this.l2.gateway ? this.counters.l2KernelDrops + this.engine.packetSocketDrops() : tapKernelDrops(this.l2.ifname);
    }
    const snap = snapshotCounters(this.counters, totals, {
      nowMs: Date.now(),
      startedMs: this.startedMs,
      pid: process.pid,
      senderId: senderIdToHex(this.senderId),
      interface: this.cfg ? l2Name(this.cfg) : '',
      uplink: this.uplinks.map((u) => u.name).join(','),
      groups: this.cfg?.groupMap.groups ?? [],
      port: this.cfg?.multicastPort ?? 0,
      keepaliveStrategy: this.keepaliveStrategy(),
      encapsulation: this.cfg?.encapsulation ?? 'gb1',
      wanAuthenticated: this.keys !== null && this.cfg?.encapsulation === 'rgoose',
      membership: this.membership(),
      lastKeepaliveMs: latest(this.supervisors.map((s) => s.lastKeepaliveMs)),
      lastCheckMs: latest(this.supervisors.map((s) => s.lastCheckMs)),
      runtime: this.runtime.sample(),
    });
    const apps = this.engine.appidCounts();
    snap.per_appid = perAppidFrom(this.kernel === null ? apps : withKernelAppidCounts(apps, this.kernel.appidCounts()));
    const k = kernel?.counters;
    snap.data_plane = {
      ...this.tier,
      hooks: this.kernel?.describe() ?? [],
      kernel_datagrams_sent: k?.wan_datagrams_sent ?? 0,
      kernel_frames_written: k?.l2_frames_written ?? 0,
    };
    snap.redundancy = redundancySnapshot(counts, this.uplinks.map((u) => u.name), this.wanWatch.silent, this.cfg?.site ?? '');
    return snap;
  }

  /** A group is a member when every uplink's memberships list it (null until all were checked). */
  private membership(): Record<string, boolean | null> {
    const out: Record<string, boolean | null> = {};
    for (const s of this.supervisors) {
      for (const [g, m] of Object.entries(s.membership)) out[g] = out[g] === undefined ? m : m === null || out[g] === null ? null : out[g] && m;
    }
    return out;
  }

  /** Stops forwarding, leaves the groups, writes final stats; the TAP stays unless asked. */
  async stop(opts: { finalStats?: boolean } = {}): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.reloadChain; // a reload under way finishes first; none starts after this
    for (const s of this.supervisors) s.stop();
    this.scope?.cancel();
    this.runtime.stop();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const finalStats = opts.finalStats !== false && this.cfg !== undefined;
    this.stats.stop(finalStats);
    // A site's other gateways take over the LAN at once instead of after the hold time.
    if (this.cfg?.site && this.cfg.attachInterface !== '') this.engine.heartbeat(true);
    this.kernel?.close(); // first: from here on nothing is forwarded behind the engine's back
    this.engine.close();
    await this.rgooseState?.close();
    if (this.cfg?.removeTapOnExit && this.cfg.attachInterface === '' && this.l2 !== null) this.removeTapQuietly(this.l2.ifname);
    if (this.metrics !== null) {
      this.metrics.close();
      this.metrics.closeAllConnections();
    }
    if (finalStats) this.log.info({ event: 'stopped', ...this.shortTotals() }, 'goose-bridge stopped');
  }

  private shortTotals(): Record<string, number> {
    const c = this.counters;
    return { l2FramesRead: c.l2FramesRead, wanDatagramsSent: c.wanDatagramsSent, wanDatagramsReceived: c.wanDatagramsReceived, l2FramesWritten: c.l2FramesWritten };
  }
}
