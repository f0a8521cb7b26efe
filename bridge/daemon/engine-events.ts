// What the engine reports from its threads, and what it leaves lost: each event is logged (once
// where it repeats: SCHED_FIFO is refused by both threads) and counted; a lost L2 side or a
// failed multicast socket is remembered as lost until the switch recreates it, and asked to be
// recreated once per loss, however many events the loss causes.
import type { Logger } from 'pino';
import type { EngineEvent } from '../../native/engine.js';
import type { BridgeConfig } from '../config/config-keys.js';
import type { BridgeCounters } from './bridge-counters.js';
import { l2Name } from './l2-side.js';

/** What the daemon does about an event: the engine's events call these, on the event loop. */
export interface EngineEventActions {
  /** rgoose: the engine's sequence numbers near what the replay state file covers: write it. */
  saveReplayState(): void;
  /** The L2 side is gone (its frames are not written until it is back): recreate it. */
  recreateL2(): void;
  /** A multicast socket failed: recreate the WAN set. */
  recreateWan(): void;
}

export class EngineEvents {
  #l2Lost = false;
  #wanLost = false;
  #rtRefused = false;

  constructor(
    private readonly log: Logger,
    private readonly counters: BridgeCounters,
    private readonly config: () => BridgeConfig,
    private readonly actions: EngineEventActions,
  ) {}

  /** Lost, and not recreated yet. */
  get l2Lost(): boolean {
    return this.#l2Lost;
  }

  get wanLost(): boolean {
    return this.#wanLost;
  }

  /** The switch opened a new L2 side: a recovery when the old one had been lost. */
  l2Opened(): void {
    if (this.#l2Lost) this.counters.countRecovery('tap');
    this.#l2Lost = false;
  }

  /** The switch opened a new WAN set: a recovery when a socket had failed. */
  wanOpened(): void {
    if (this.#wanLost) this.counters.countRecovery('socket');
    this.#wanLost = false;
  }

  handle(kind: EngineEvent, errno: number): void {
    if (kind === 'replay-state-due') {
      this.actions.saveReplayState();
      return;
    }
    if (kind === 'rt-priority-failed') {
      if (this.#rtRefused) return; // once for both threads
      this.#rtRefused = true;
      this.log.warn({ event: 'rt-priority-failed', errno, rtPriority: this.config().rtPriority }, 'data-plane threads run at normal priority (SCHED_FIFO refused: grant CAP_SYS_NICE or set rt_priority = 0)');
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
      const name = l2Name(this.config());
      this.#l2Lost = true;
      this.counters.countError('tap-lost');
      this.log.error({ event: 'tap-lost', interface: name, errno }, `${name} was lost; recreating`);
      this.actions.recreateL2();
    } else if (!this.#wanLost) {
      this.#wanLost = true;
      this.counters.countError('socket');
      this.log.error({ event: 'socket-error', errno }, 'a multicast socket failed; recreating the sockets');
      this.actions.recreateWan();
    }
  }
}
