// Which tier forwards (data_plane): the kernel tier loaded once at start and put in place for each
// running configuration, or user space alone, with the reason said once per change. Its counts are
// the engine's with the kernel tier's added, so the bridge reports one set whichever tier forwarded.
import type { Logger } from 'pino';
import type { EngineConfig, EngineCounts, ForwardingEngine } from '../../native/engine.js';
import type { BridgeConfig } from '../config/config-keys.js';
import { GbError } from '../../errors/error-codes.js';
import type { SenderId } from '../wan/gb1-format.js';
import type { Uplink } from '../wan/uplink.js';
import type { BridgeCounters } from './bridge-counters.js';
import { joinFlags } from './engine-config.js';
import { KernelTier, removeLeftovers } from './kernel-tier.js';
import { autoSkipReason, kernelTierReceives, withKernelCounts, type TierChoice } from './kernel-tier-config.js';
import type { L2Side } from './l2-side.js';

/** What runs when the tier is put in place: the configuration and what was opened for it. */
export interface TierRunning {
  cfg: BridgeConfig;
  l2: L2Side | null;
  uplinks: readonly Uplink[];
}

/** data_plane = kernel and the kernel tier cannot run: start-up fails naming the key and the step. */
function kernelRefused(err: GbError): GbError {
  return new GbError(err.code, `data_plane = kernel: the kernel tier cannot run: ${err.message.slice(err.code.length + 2).split('\n')[0]}`, { cause: err });
}

export class DataPlaneTier {
  /** The kernel tier's object once loaded (kept when detached: its counters stay part of the totals). */
  private kernel: KernelTier | null = null;
  private tier: TierChoice = { tier: 'user', requested: 'user', reason: null };
  /** Why the kernel tier did not load at start (auto), if it did not. */
  private kernelLoadFailure: string | null = null;

  constructor(
    private readonly engine: ForwardingEngine,
    private readonly senderId: SenderId,
    private readonly counters: BridgeCounters,
    private readonly log: Logger,
  ) {}

  /** The kernel tier's object, once loaded (null: user space alone). */
  get loaded(): KernelTier | null {
    return this.kernel;
  }

  /** Which tier forwards now, and why not the kernel tier when it is not. */
  get choice(): TierChoice {
    return this.tier;
  }

  /**
   * At start, before the engine runs: loads the kernel tier when data_plane asks for it and shares
   * the GB1 sequence numbers with the engine. The tier is chosen here, once; kernel refuses to start
   * without it, auto remembers why not.
   */
  load(cfg: BridgeConfig): void {
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

  /** Before each reload's switch: the groups of `cfg` keep sharing numbers and order with the kernel tier. */
  shareSequences(cfg: BridgeConfig): void {
    this.kernel?.shareSequences(this.engine, cfg.groupMap.groups);
  }

  /** Whether the engine's WAN sockets for `cfg` sit behind the kernel tier's from_wan (they then read datagrams alone). */
  receivesFromWan(cfg: BridgeConfig, uplinkCount: number): boolean {
    return this.kernel !== null && kernelTierReceives(cfg, uplinkCount);
  }

  /**
   * Puts the kernel tier in place for the running configuration (after the engine switched to it),
   * or detaches it and says why user space forwards everything. data_plane = kernel refuses to
   * start without it; later (reload, recreated resources) a failure leaves user space forwarding.
   */
  apply(running: TierRunning, engine: EngineConfig, starting: boolean): void {
    const { cfg, l2, uplinks } = running;
    const requested = cfg.dataPlane;
    let reason = requested === 'auto' ? autoSkipReason(cfg) : null;
    if (requested !== 'user' && reason === null && this.kernel === null) reason = this.kernelLoadFailure ?? 'the tier is chosen at start: restart to use the kernel tier';
    if (requested !== 'user' && reason === null && l2 !== null) {
      try {
        this.kernel!.apply({ cfg, engine, ownSender: this.senderId, join: joinFlags(cfg), uplinks, l2 });
      } catch (err) {
        if (!(err instanceof GbError)) throw err;
        if (requested === 'kernel' && starting) throw kernelRefused(err);
        reason = err.message.split('\n')[0]!;
        if (!starting) this.counters.countError('kernel-tier');
      }
    }
    const kernel = requested !== 'user' && reason === null && this.kernel?.attached === true;
    if (!kernel) this.kernel?.detach();
    this.kernel?.shareGuards(this.engine);
    if (!kernel && starting && l2 !== null) {
      const removed = removeLeftovers(l2, uplinks);
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

  /** Until the L2 side is back, user space counts what cannot be written, as without the kernel tier. */
  detach(): void {
    this.kernel?.detach();
    this.kernel?.shareGuards(this.engine);
  }

  /** First at stop: from here on nothing is forwarded behind the engine's back. */
  close(): void {
    this.kernel?.close();
  }

  /** The engine's counters with the kernel tier's (read once by the caller, or here) added under the same labels. */
  counts(kernel = this.kernel?.counts()): EngineCounts {
    const e = this.engine.counts();
    return kernel === undefined ? e : withKernelCounts(e, kernel);
  }

  /** Datagrams of one group the kernel tier took off the uplinks (they never reach the engine's sockets). */
  groupDatagrams(group: string): number {
    return this.kernel?.groupDatagrams(group) ?? 0;
  }
}
