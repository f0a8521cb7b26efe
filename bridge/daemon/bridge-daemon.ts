// The bridge: goose0 TAP ⇄ UDP multicast. Owns the resources (TAP, sockets, timers), wires the
// pure parts together and runs the two hot paths:
//   TAP batch → filter → path-MTU guard → group → encapsulate into a preallocated slot → send
//   datagram → decapsulate → sender tracking (own id, duplicates, gaps) → inner filter → TAP write
// A bad frame or datagram is counted and skipped; a lost TAP or socket is recreated with backoff.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { TapDevice, hasCapNetRaw, monotonicUs, sendIgmpV2Report, type FrameBatch } from '../../native/index.js';
import type { BridgeConfig } from '../config/config-keys.js';
import { GbError } from '../errors.js';
import { chooseKeepaliveStrategy, type MembershipRefresher } from '../igmp/keepalive-strategy.js';
import { IgmpSupervisor, realTimers } from '../igmp/igmp-supervisor.js';
import { RejoinRefresher, ReportRefresher } from '../igmp/membership-refreshers.js';
import { DECAP_OK, Decapsulated, senderIdToHex, type Encapsulation, type SenderId } from '../wan/encapsulation.js';
import { Gb1Encapsulation } from '../wan/gb1-encapsulation.js';
import { buildGroupMap, groupIndexFor, groupsToJoin, parseGroupRules, type GroupMap } from '../wan/group-map.js';
import { MulticastChannel } from '../wan/multicast-channel.js';
import { maxFrameBytes } from '../wan/path-mtu.js';
import { SenderTracker, TRACK_ACCEPT } from '../wan/sender-tracker.js';
import { resolveUplink, type Uplink } from '../wan/uplink.js';
import { BridgeCounters, FROM_WAN_INDEX, TO_WAN_INDEX, snapshotCounters, type RuntimeSnapshot, type StatsSnapshot, type TrackerTotals } from './bridge-counters.js';
import { FORWARD, FrameFilter, destinationMac48 } from './frame-filter.js';
import { writeStatsFileAtomic } from './stats-file.js';

/** Send slots per group; a slot is reused only when the libuv send queue is shorter than this. */
const RING_SLOTS = 1024;
/** Sampling period of the event-loop delay histogram: 100 wake-ups/s, negligible CPU. */
const LOOP_DELAY_RESOLUTION_MS = 10;
const MAX_BACKOFF_MS = 30_000;

const OVERSIZE = TO_WAN_INDEX.oversize;
const SEND_BACKLOG = TO_WAN_INDEX['send-backlog'];
const SEND_ERROR = TO_WAN_INDEX['send-error'];
const WAN_UNAVAILABLE = TO_WAN_INDEX['wan-unavailable'];
const INNER_NOT_ALLOWED = FROM_WAN_INDEX['inner-not-allowed'];
const TAP_WRITE_FAILED = FROM_WAN_INDEX['tap-write-failed'];

/** Adds a tracker's loss/duplicate counts (not its live sender count) into totals. */
function addTrackerCounts(into: TrackerTotals, t: SenderTracker): void {
  into.gapFrames += t.gapFrames;
  into.gapEvents += t.gapEvents;
  into.lateFrames += t.lateFrames;
  into.duplicates += t.duplicates;
  into.stale += t.stale;
  into.ownDatagrams += t.ownDatagrams;
}

function newSenderId(): SenderId {
  const b = randomBytes(8);
  const id = { hi: b.readUInt32BE(0), lo: b.readUInt32BE(4) };
  return id.hi === 0 && id.lo === 0 ? { hi: 1, lo: 0 } : id;
}

class Slots {
  readonly buffers: Buffer[];
  pos = 0;
  constructor(size: number) {
    this.buffers = Array.from({ length: RING_SLOTS }, () => Buffer.allocUnsafeSlow(size));
  }
}

export class BridgeDaemon {
  readonly counters = new BridgeCounters();
  readonly senderId: SenderId = newSenderId();
  readonly startedMs = Date.now();

  private cfg!: BridgeConfig;
  private enc!: Encapsulation;
  private filter!: FrameFilter;
  private innerFilter!: FrameFilter;
  private map!: GroupMap;
  private hasRules = false;
  private maxFrame = 0;
  private uplink!: Uplink;
  private channels: Array<MulticastChannel | null> = [];
  private slots: Slots[] = [];
  /** Trackers outlive channel re-creation so counts and duplicate windows survive a socket error. */
  private trackers = new Map<string, SenderTracker>();
  /** Outgoing sequence per group, kept across socket re-creation and reloads. */
  private streams = new Map<string, { seq: number }>();
  private tap: TapDevice | null = null;
  private supervisor: IgmpSupervisor | null = null;
  private refresher!: MembershipRefresher;
  private metrics: Server | null = null;
  private timers: NodeJS.Timeout[] = [];
  private retryTimers = new Set<NodeJS.Timeout>();
  private readonly dec = new Decapsulated();
  /**
   * How late the event loop runs (both hot paths run on it): a blocked loop is latency added to
   * every frame in flight. Cumulative since start; reported in the stats file (runtime.*).
   */
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  private coarseNowUs = monotonicUs();
  private stopping = false;
  /** Bumped when a reload replaces the sockets: a pending re-creation of an old socket is void. */
  private wanGeneration = 0;
  private retiredTrackerTotals: TrackerTotals = { gapFrames: 0, gapEvents: 0, lateFrames: 0, duplicates: 0, stale: 0, ownDatagrams: 0, senders: 0 };

  private constructor(private readonly log: Logger) {}

  static async start(cfg: BridgeConfig, log: Logger): Promise<BridgeDaemon> {
    const d = new BridgeDaemon(log);
    try {
      await d.startWith(cfg);
    } catch (err) {
      await d.stop({ finalStats: false });
      throw err;
    }
    return d;
  }

  get config(): BridgeConfig {
    return this.cfg;
  }

  private applyPure(cfg: BridgeConfig): void {
    this.cfg = cfg;
    this.enc = new Gb1Encapsulation(this.senderId, cfg.bufferSize);
    this.filter = new FrameFilter({ enableSv: cfg.enableSv, enableGse: cfg.enableGse, appIdAllow: cfg.appIdAllow, checkAppIdRange: cfg.checkAppIdRange });
    // Frames from the WAN pass the same protocol gate (no ARP/IP can be injected into goose0);
    // the APPID allow-list is about what this host publishes, so it does not apply here.
    this.innerFilter = new FrameFilter({ enableSv: cfg.enableSv, enableGse: cfg.enableGse, appIdAllow: null, checkAppIdRange: cfg.checkAppIdRange });
    const rules = parseGroupRules(cfg.groupMap);
    if (!rules.ok) throw new GbError('GB_ERR_CONFIG', `group_map: ${rules.error}`);
    this.map = buildGroupMap(cfg.multicastIp, rules.value);
    this.hasRules = this.map.rules.length > 0;
    this.maxFrame = Math.min(maxFrameBytes(cfg.mtu, this.enc.overheadBytes), cfg.bufferSize - this.enc.overheadBytes);
  }

  private async startWith(cfg: BridgeConfig): Promise<void> {
    this.applyPure(cfg);
    this.loopDelay.enable();
    const choice = chooseKeepaliveStrategy(cfg.keepaliveStrategy, hasCapNetRaw());
    if (choice.note !== null) this.log.warn({ event: 'keepalive-fallback' }, choice.note);
    this.uplink = resolveUplink(cfg.mcastIf);
    this.refresher = this.makeRefresher(choice.strategy);
    await this.openChannels();
    this.openTap();
    this.startTimers();
    this.startSupervisor();
    if (cfg.metricsPort !== 0) this.metrics = await this.startMetrics(cfg.metricsPort);
    this.log.info(
      {
        event: 'started',
        interface: cfg.interface,
        uplink: this.uplink.name,
        uplinkAddress: this.uplink.address,
        groups: this.map.groups,
        joined: this.channels.filter((c) => c?.joined).map((c) => c!.group),
        port: cfg.multicastPort,
        ttl: cfg.ttl,
        mtu: cfg.mtu,
        maxFrameBytes: this.maxFrame,
        senderId: senderIdToHex(this.senderId),
        keepalive: this.refresher.strategy,
        metricsPort: cfg.metricsPort || null,
        statsFile: cfg.statsFile || null,
      },
      'goose-bridge running',
    );
  }

  /** prom-client (~5 MB resident) is loaded only when metrics are asked for. */
  private async startMetrics(port: number): Promise<Server> {
    const { startMetricsServer } = await import('./metrics-server.js');
    return startMetricsServer(port, () => this.snapshot());
  }

  private makeRefresher(strategy: 'report' | 'rejoin'): MembershipRefresher {
    if (strategy === 'report') return new ReportRefresher(this.uplink.name, sendIgmpV2Report);
    return new RejoinRefresher((group) => {
      const ch = this.channels.find((c) => c?.group === group);
      if (ch === undefined || ch === null) throw new GbError('GB_ERR_SOCKET', `no socket for ${group} (being recreated)`);
      ch.rejoin();
    });
  }

  // ---------------------------------------------------------------- WAN side

  private trackerFor(group: string): SenderTracker {
    let t = this.trackers.get(group);
    if (t === undefined) {
      t = new SenderTracker(this.senderId);
      this.trackers.set(group, t);
    }
    return t;
  }

  private streamFor(group: string): { seq: number } {
    let s = this.streams.get(group);
    if (s === undefined) {
      s = { seq: 0 };
      this.streams.set(group, s);
    }
    return s;
  }

  private async openChannels(): Promise<void> {
    const join = new Set(groupsToJoin(this.map, this.cfg.joinGroups));
    const slotBytes = this.maxFrame + this.enc.overheadBytes;
    this.channels = this.map.groups.map(() => null);
    this.slots = this.map.groups.map(() => new Slots(slotBytes));
    // allSettled: every open has finished (or failed) before a caller retries the set.
    const results = await Promise.allSettled(this.map.groups.map((g, i) => this.openChannel(i, g, join.has(g))));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  private async openChannel(index: number, group: string, join: boolean): Promise<void> {
    const generation = this.wanGeneration;
    const ch = await MulticastChannel.open({
      group,
      port: this.cfg.multicastPort,
      uplinkAddress: this.uplink.address,
      ttl: this.cfg.ttl,
      socketBufferSize: this.cfg.socketBufferSize,
      join,
      tracker: this.trackerFor(group),
      stream: this.streamFor(group),
      onDatagram: this.onDatagram,
      onError: (c, err) => this.onChannelError(index, c, err),
      onSent: this.onSent,
    });
    // A socket that finished opening after a reload replaced the channel set (or after stop)
    // must not overwrite the newer one.
    if (this.stopping || generation !== this.wanGeneration) {
      await ch.close(0);
      return;
    }
    this.channels[index] = ch;
  }

  private onChannelError(index: number, ch: MulticastChannel, err: Error): void {
    if (this.channels[index] !== ch) return;
    this.channels[index] = null;
    this.counters.countError('socket');
    this.log.error({ event: 'socket-error', group: ch.group, err }, `socket for ${ch.group} failed; recreating`);
    void ch.close(0).catch(() => {});
    const generation = this.wanGeneration;
    this.retry(`socket ${ch.group}`, async () => {
      if (generation !== this.wanGeneration) return; // a reload opened fresh sockets meanwhile
      this.uplink = resolveUplink(this.cfg.mcastIf);
      await this.openChannel(index, ch.group, ch.joined);
      this.counters.countRecovery('socket');
    });
  }

  private readonly onSent = (err: Error | null, bytes?: number): void => {
    if (err) {
      this.counters.toWanDrops[SEND_ERROR]!++;
      this.counters.countError('send');
      return;
    }
    this.counters.wanDatagramsSent++;
    this.counters.wanBytesSent += bytes ?? 0;
  };

  /** Hot path, WAN → TAP. */
  private readonly onDatagram = (ch: MulticastChannel, msg: Buffer): void => {
    const c = this.counters;
    const len = msg.length;
    c.wanDatagramsReceived++;
    c.wanBytesReceived += len;
    const dec = this.dec;
    const r = this.enc.decapsulate(msg, len, dec);
    if (r !== DECAP_OK) {
      c.fromWanDrops[r - 1]!++;
      return;
    }
    if (ch.tracker.accept(dec.senderHi, dec.senderLo, dec.seq, this.coarseNowUs) !== TRACK_ACCEPT) return;
    const off = dec.frameOffset;
    const flen = dec.frameLength;
    if (this.innerFilter.check(msg, off, flen) !== FORWARD) {
      c.fromWanDrops[INNER_NOT_ALLOWED]!++;
      return;
    }
    const tap = this.tap;
    if (tap !== null && tap.write(msg.subarray(off, off + flen))) {
      c.tapFramesWritten++;
      c.tapBytesWritten += flen;
    } else {
      c.fromWanDrops[TAP_WRITE_FAILED]!++;
    }
  };

  // ---------------------------------------------------------------- TAP side

  private openTap(): void {
    const tap = TapDevice.create(this.cfg.interface);
    if (tap.existed) {
      this.log.warn({ event: 'tap-persistent', interface: this.cfg.interface }, `${this.cfg.interface} is a persistent TAP created by someone else: attached to it; it stays after exit`);
    }
    this.tap = tap;
    tap.start(this.onTapBatch, (err) => this.onTapLost(tap, err));
  }

  private onTapLost(tap: TapDevice, err: GbError): void {
    if (this.tap !== tap || this.stopping) return;
    this.tap = null;
    tap.close();
    this.counters.countError('tap-lost');
    this.log.error({ event: 'tap-lost', interface: this.cfg.interface, err }, `${this.cfg.interface} was lost; recreating`);
    this.recreateTapLater();
  }

  private recreateTapLater(): void {
    this.retry(`TAP ${this.cfg.interface}`, async () => {
      this.openTap();
      this.counters.countRecovery('tap');
    });
  }

  /** Hot path, TAP → WAN. */
  private readonly onTapBatch = (batch: FrameBatch): void => {
    const c = this.counters;
    const f = this.filter;
    const { data, offsets, lengths, count } = batch;
    for (let i = 0; i < count; i++) {
      const off = offsets[i]!;
      const len = lengths[i]!;
      c.tapFramesRead++;
      c.tapBytesRead += len;
      const v = f.check(data, off, len);
      if (v !== FORWARD) {
        c.toWanDrops[v - 1]!++;
        continue;
      }
      if (len > this.maxFrame) {
        c.toWanDrops[OVERSIZE]!++;
        continue;
      }
      const gi = this.hasRules ? groupIndexFor(this.map, f.appId, destinationMac48(data, off)) : 0;
      const ch = this.channels[gi];
      if (ch === null || ch === undefined) {
        c.toWanDrops[WAN_UNAVAILABLE]!++;
        continue;
      }
      // A slot may still be referenced by a queued (asynchronous) send; libuv queues everything
      // behind the first queued send, so while the queue is shorter than the ring no queued send
      // can be using the slot we are about to overwrite.
      if (ch.sendQueueCount() >= RING_SLOTS - 1) {
        c.toWanDrops[SEND_BACKLOG]!++;
        continue;
      }
      const s = this.slots[gi]!;
      const slot = s.buffers[s.pos]!;
      s.pos = (s.pos + 1) % RING_SLOTS;
      const stream = ch.stream;
      const n = this.enc.encapsulate(slot, data, off, len, stream.seq);
      stream.seq = (stream.seq + 1) >>> 0;
      ch.send(slot, n);
    }
  };

  // ---------------------------------------------------------------- timers, supervision

  private retry(what: string, attempt: () => Promise<void>, delayMs = this.cfg.reconnectDelayS * 1000): void {
    if (this.stopping) return;
    const t = setTimeout(() => {
      this.retryTimers.delete(t);
      if (this.stopping) return;
      attempt().then(
        () => this.log.info({ event: 'recovered', what }, `${what} recreated`),
        (err: Error) => {
          this.counters.countError('recreate');
          const next = Math.min(delayMs * 2, MAX_BACKOFF_MS);
          this.log.warn({ event: 'recreate-failed', what, err: err.message, retryInMs: next }, `cannot recreate ${what} yet`);
          this.retry(what, attempt, next);
        },
      );
    }, delayMs);
    this.retryTimers.add(t);
  }

  private startTimers(): void {
    const coarse = setInterval(() => (this.coarseNowUs = monotonicUs()), 1000);
    coarse.unref();
    this.timers.push(coarse);
    if (this.cfg.statsFile !== '') {
      this.writeStats();
      const t = setInterval(() => this.writeStats(), this.cfg.statsIntervalS * 1000);
      t.unref();
      this.timers.push(t);
    }
  }

  private startSupervisor(): void {
    this.supervisor?.stop(); // never two supervisors (overlapping reloads)
    const cfg = this.cfg;
    this.supervisor = new IgmpSupervisor(
      {
        enabled: cfg.enableIgmpKeepalive,
        keepaliveIntervalMs: cfg.igmpKeepaliveIntervalS * 1000,
        monitorIntervalMs: cfg.igmpMonitorIntervalS * 1000,
        threshold: cfg.igmpReregisterThreshold,
        uplink: this.uplink.name,
        littleEndian: endianness() === 'LE',
      },
      {
        timers: realTimers,
        nowMs: () => Date.now(),
        readProcNetIgmp: () => readFileSync('/proc/net/igmp', 'utf8'),
        refresher: this.refresher,
        groups: () =>
          this.channels
            .filter((c): c is MulticastChannel => c !== null && c.joined)
            .map((c) => ({ group: c.group, datagrams: () => c.tracker.datagrams, ensureMembership: () => c.ensureMembership() })),
        counters: this.counters,
        log: this.log,
      },
    );
    this.supervisor.start();
  }

  private statsFailing = false;

  private writeStats(): void {
    try {
      writeStatsFileAtomic(this.cfg.statsFile, this.snapshot());
      if (this.statsFailing) this.log.info({ event: 'stats-write-recovered', file: this.cfg.statsFile }, 'stats file written again');
      this.statsFailing = false;
    } catch (err) {
      this.counters.countError('stats-write');
      // Logged once per failure streak (every few seconds would flood the journal); counted always.
      if (!this.statsFailing) {
        this.log.warn({ event: 'stats-write-failed', file: this.cfg.statsFile, err: (err as Error).message }, 'cannot write the stats file');
      }
      this.statsFailing = true;
    }
  }

  private trackerTotals(): TrackerTotals {
    const t = { ...this.retiredTrackerTotals };
    t.senders = 0;
    for (const tr of this.trackers.values()) {
      addTrackerCounts(t, tr);
      t.senders += tr.senders;
    }
    return t;
  }

  snapshot(): StatsSnapshot {
    return snapshotCounters(this.counters, this.trackerTotals(), {
      nowMs: Date.now(),
      startedMs: this.startedMs,
      pid: process.pid,
      senderId: senderIdToHex(this.senderId),
      interface: this.cfg.interface,
      uplink: this.uplink?.name ?? '',
      groups: this.map.groups,
      port: this.cfg.multicastPort,
      keepaliveStrategy: this.refresher?.strategy ?? 'none',
      membership: this.supervisor?.membership ?? {},
      lastKeepaliveMs: this.supervisor?.lastKeepaliveMs ?? null,
      lastCheckMs: this.supervisor?.lastCheckMs ?? null,
      runtime: this.runtimeSnapshot(),
    });
  }

  private runtimeSnapshot(): RuntimeSnapshot {
    const h = this.loopDelay;
    const mem = process.memoryUsage();
    // The histogram holds the period between samples (ns); the delay is what exceeds the period.
    const late = (ns: number): number | null => (h.count === 0 ? null : Math.max(0, Math.round(ns / 1000) - LOOP_DELAY_RESOLUTION_MS * 1000));
    return {
      event_loop_delay_p50_us: late(h.percentile(50)),
      event_loop_delay_p99_us: late(h.percentile(99)),
      event_loop_delay_max_us: late(h.max),
      rss_bytes: mem.rss,
      heap_used_bytes: mem.heapUsed,
    };
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * SIGHUP: applies a new configuration. The TAP is recreated only when the interface name
   * changed (applications stay attached otherwise); sockets only when WAN keys changed.
   */
  reload(next: BridgeConfig): Promise<void> {
    const run = this.reloadChain.then(() => (this.stopping ? undefined : this.applyReload(next)));
    this.reloadChain = run.catch(() => undefined);
    return run;
  }

  private reloadChain: Promise<void> = Promise.resolve();

  private async applyReload(next: BridgeConfig): Promise<void> {
    const prev = this.cfg;
    const wanKeys: Array<keyof BridgeConfig> = ['multicastIp', 'multicastPort', 'mcastIf', 'ttl', 'mtu', 'socketBufferSize', 'groupMap', 'joinGroups', 'bufferSize'];
    const wanChanged = wanKeys.some((k) => JSON.stringify(prev[k]) !== JSON.stringify(next[k]));
    const choice = chooseKeepaliveStrategy(next.keepaliveStrategy, hasCapNetRaw()); // throws before anything is torn down
    this.log.level = next.logLevel;
    this.supervisor?.stop();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.applyPure(next);
    if (choice.note !== null) this.log.warn({ event: 'keepalive-fallback' }, choice.note);
    if (wanChanged) {
      this.wanGeneration++;
      const old = this.channels;
      this.channels = old.map(() => null);
      await Promise.all(old.map((c) => c?.close()));
      for (const [g, t] of this.trackers) {
        if (!this.map.groups.includes(g)) {
          this.retire(t);
          this.trackers.delete(g);
        }
      }
      try {
        this.uplink = resolveUplink(next.mcastIf);
        await this.openChannels();
      } catch (err) {
        // Keep running (TAP side, counters); frames count as wan-unavailable until this succeeds.
        this.counters.countError('socket');
        this.log.error({ event: 'socket-error', err }, 'reload: cannot open the multicast sockets; retrying');
        const generation = this.wanGeneration;
        this.retry('multicast sockets', async () => {
          if (generation !== this.wanGeneration) return;
          await Promise.all(this.channels.map((c) => c?.close(0)));
          this.uplink = resolveUplink(next.mcastIf);
          await this.openChannels();
          this.counters.countRecovery('socket');
        });
      }
    }
    this.refresher = this.makeRefresher(choice.strategy);
    if (prev.interface !== next.interface) {
      const old = this.tap;
      this.tap = null;
      old?.close();
      try {
        this.openTap();
      } catch (err) {
        // Like a lost TAP: logged, counted, recreated with backoff; the rest of the reload stands.
        this.counters.countError('tap-lost');
        this.log.error({ event: 'tap-lost', interface: next.interface, err }, `reload: cannot create ${next.interface}; retrying`);
        this.recreateTapLater();
      }
    }
    this.startTimers();
    this.startSupervisor();
    if (prev.metricsPort !== next.metricsPort) {
      this.metrics?.close();
      this.metrics = next.metricsPort === 0 ? null : await this.startMetrics(next.metricsPort);
    }
    this.log.info({ event: 'reloaded', wanChanged, interfaceChanged: prev.interface !== next.interface }, 'configuration reloaded');
  }

  private retire(t: SenderTracker): void {
    addTrackerCounts(this.retiredTrackerTotals, t);
  }

  /** Stop reading, flush, leave the groups, remove the TAP, write final stats. */
  async stop(opts: { finalStats?: boolean } = {}): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.reloadChain; // a reload under way finishes first; none starts after this
    this.supervisor?.stop();
    this.loopDelay.disable();
    for (const t of this.timers) clearInterval(t);
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    const tap = this.tap;
    this.tap = null;
    // Closing stops the reader thread and the fd; the kernel then removes the (non-persistent) TAP.
    tap?.close();
    await Promise.all(this.channels.map((c) => c?.close(200)));
    this.channels = [];
    if (this.metrics !== null) {
      this.metrics.close();
      this.metrics.closeAllConnections();
    }
    if (opts.finalStats !== false && this.cfg?.statsFile) this.writeStats();
    if (opts.finalStats !== false) this.log.info({ event: 'stopped', ...this.shortTotals() }, 'goose-bridge stopped');
  }

  private shortTotals(): Record<string, number> {
    const c = this.counters;
    return { framesToWan: c.wanDatagramsSent, framesFromWan: c.tapFramesWritten, tapFramesRead: c.tapFramesRead, wanDatagramsReceived: c.wanDatagramsReceived };
  }
}
