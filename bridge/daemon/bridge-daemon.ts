// The bridge: creates the control plane's parts and connects them to the data plane (the native
// forwarding engine's threads, and the kernel tier where it runs). It holds what runs (the
// configuration, the L2 side, the uplinks, the keys) and the one path of start, reload and
// recovery; its parts do the rest: the engine's events and what they leave lost
// (engine-events.ts), the tier (data-plane-tier.ts), IGMP supervision, the WAN watch, the stats
// snapshot and its publishers. It decides about no frame itself.
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
import { ForwardingEngine, removeTap, type EngineConfig } from '../../native/engine.js';
import type { BridgeConfig } from '../config/config-keys.js';
import { readRgooseKeys, type RgooseKeys } from '../config/rgoose-keys.js';
import { GbError } from '../../errors/error-codes.js';
import { chooseKeepaliveStrategy, type MembershipRefresher } from '../igmp/keepalive-strategy.js';
import { IgmpSupervisor, realTimers } from '../igmp/igmp-supervisor.js';
import { RejoinRefresher, ReportRefresher } from '../igmp/membership-refreshers.js';
import { senderIdToHex, type SenderId } from '../wan/gb1-format.js';
import { resolveUplinks, type Uplink } from '../wan/uplink.js';
import { BridgeCounters, type StatsSnapshot } from './bridge-counters.js';
import { DataPlaneTier, type TierRunning } from './data-plane-tier.js';
import { engineConfigFor, joinFlags } from './engine-config.js';
import { EngineEvents } from './engine-events.js';
import { interfaceIndex, l2Name, openL2Side, type L2Side } from './l2-side.js';
import { changedKeyNames, l2KeysChanged, wanKeysChanged } from './reload-changes.js';
import { switchResources } from './resource-switch.js';
import { RetryScope } from './retry-scope.js';
import { RgooseStateKeeper } from './rgoose-state.js';
import { RuntimeSampler } from './runtime-sampler.js';
import { StatsPublisher } from './stats-publisher.js';
import { buildSnapshot, keepaliveStrategy } from './stats-snapshot.js';
import { WanWatch } from './wan-watch.js';

function newSenderId(): SenderId {
  const b = randomBytes(8);
  const id = { hi: b.readUInt32BE(0), lo: b.readUInt32BE(4) };
  return id.hi === 0 && id.lo === 0 ? { hi: 1, lo: 0 } : id;
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
  private readonly tier: DataPlaneTier;
  private readonly events: EngineEvents;
  /** The WAN sockets' mode: behind the kernel tier's from_wan (openWan's behindKernelTier). */
  private wanBehindKernel = false;
  /** One per uplink: each path's memberships are kept alive and checked on its own. */
  private supervisors: IgmpSupervisor[] = [];
  private readonly wanWatch: WanWatch;
  private metrics: Server | null = null;
  private timers: NodeJS.Timeout[] = [];
  private scope: RetryScope | null = null;
  private stopping = false;
  private reloadChain: Promise<void> = Promise.resolve();

  private constructor(private readonly log: Logger) {
    this.engine = new ForwardingEngine(this.senderId);
    this.tier = new DataPlaneTier(this.engine, this.senderId, this.counters, log);
    this.events = new EngineEvents(log, this.counters, () => this.cfg, {
      saveReplayState: () => void this.rgooseState?.save(),
      recreateL2: () => {
        this.tier.detach();
        this.scope?.retry(`L2 side ${l2Name(this.cfg)}`, () => this.recover());
      },
      recreateWan: () => this.scope?.retry('multicast sockets', () => this.recover()),
    });
    this.stats = new StatsPublisher(() => this.snapshot(), this.counters, log);
    this.wanWatch = new WanWatch(log);
  }

  static async start(cfg: BridgeConfig, log: Logger): Promise<BridgeDaemon> {
    const d = new BridgeDaemon(log);
    try {
      await d.configure(cfg, null);
      d.engine.start((kind, errno) => {
        if (!d.stopping) d.events.handle(kind, errno);
      }, cfg.rtPriority);
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
        keepalive: keepaliveStrategy(d.supervisors),
        statsFile: d.stats.path || null,
        dataPlane: d.tier.choice.tier,
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
    if (prev === null) this.tier.load(next);
    else if (prev.dataPlane !== next.dataPlane) throw new GbError('GB_ERR_CONFIG', `data_plane: changes only with a restart (running with ${prev.dataPlane})`);
    else this.tier.shareSequences(next);
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
    this.tier.apply(this.running(), engineConfig, prev === null);
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
    const uplinks = wanKeysChanged(prev, next) || this.events.wanLost ? resolveUplinks(next.mcastIf) : this.uplinks;
    // Sockets behind the kernel tier's from_wan read datagrams alone (docs/data-plane.md): reopened when that changes.
    const behindKernel = this.tier.receivesFromWan(next, uplinks.length);
    const wanChanged = wanKeysChanged(prev, next) || this.events.wanLost || behindKernel !== this.wanBehindKernel;
    const l2Changed = l2KeysChanged(prev, next) || this.events.l2Lost;
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
      this.events.l2Opened();
      this.l2 = switched.l2;
      if (oldL2 !== null && prev !== null && !prev.removeTapOnExit && oldL2.ifname !== switched.l2.ifname && prev.attachInterface === '') this.removeTapQuietly(oldL2.ifname);
    }
    if (switched.wan !== undefined) {
      this.events.wanOpened();
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

  /** What runs now, as the tier is put in place for it. */
  private running(): TierRunning {
    return { cfg: this.cfg, l2: this.l2, uplinks: this.uplinks };
  }

  // ------------------------------------------------------------ lost resources

  /** Recreates what was lost (the running configuration, unchanged), through the same switch as a reload. */
  private recover(): void {
    if (!this.events.l2Lost && !this.events.wanLost) return;
    const engineConfig = this.switchTo(this.cfg, this.cfg, this.keys, this.keyExpiry);
    this.tier.apply(this.running(), engineConfig, false); // what the switch opened, not what was lost
  }

  // ------------------------------------------------------------ control plane

  private makeRefresher(strategy: 'report' | 'rejoin', uplink: Uplink): MembershipRefresher {
    if (strategy === 'report') return new ReportRefresher(uplink.name, sendIgmpV2Report);
    return new RejoinRefresher((group) => this.engine.membership(this.groupIndex(group), true));
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
    every(1000, () => this.wanWatch.tick(Date.now(), this.tier.counts(), this.uplinks));
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
              datagrams: () => (this.engine.groupDatagrams()[i] ?? 0) + this.tier.groupDatagrams(group),
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
    return buildSnapshot({
      counters: this.counters,
      engine: this.engine,
      counts: (kernel) => this.tier.counts(kernel),
      kernel: this.tier.loaded,
      tier: this.tier.choice,
      cfg: this.cfg,
      l2: this.l2,
      uplinks: this.uplinks,
      keys: this.keys,
      supervisors: this.supervisors,
      silentPaths: this.wanWatch.silent,
      runtime: this.runtime.sample(),
      startedMs: this.startedMs,
      senderId: this.senderId,
      nowMs: Date.now(),
    });
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
    this.tier.close();
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
