// Publishes the daemon's stats file: where it goes for a configuration (a per-instance file left
// by the previous configuration is removed, it would name a bridge that is not there), written
// every stats_interval and once at stop. A write that fails is counted every time and logged once
// per failure streak (every few seconds would flood the journal).
import { rmSync } from 'node:fs';
import type { Logger } from 'pino';
import type { BridgeConfig } from '../config/config-keys.js';
import type { BridgeCounters, StatsSnapshot } from './bridge-counters.js';
import { l2Name } from './l2-side.js';
import { AUTO_STATS_FILE, statsPathFor, writeStatsFileAtomic } from './stats-file.js';

export class StatsPublisher {
  #path = '';
  #failing = false;
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly snapshot: () => StatsSnapshot,
    private readonly counters: BridgeCounters,
    private readonly log: Logger,
  ) {}

  /** The file written ('' none): stats_file, or the per-instance default for 'auto'. */
  get path(): string {
    return this.#path;
  }

  /** Points at the file of `next`; call start() to write it. */
  configure(next: BridgeConfig, prev: BridgeConfig | null): void {
    const path = next.statsFile === '' ? '' : statsPathFor(next.statsFile, l2Name(next));
    if (prev !== null && path !== this.#path && prev.statsFile === AUTO_STATS_FILE) {
      try {
        rmSync(this.#path, { force: true });
      } catch {
        /* a stale file is read as a stopped bridge; nothing else depends on it */
      }
    }
    this.#path = path;
  }

  /** Writes now and every `intervalS` (nothing when there is no file). */
  start(intervalS: number): void {
    this.stop();
    if (this.#path === '') return;
    this.write();
    this.#timer = setInterval(() => this.write(), intervalS * 1000);
    this.#timer.unref();
  }

  /** Stops the periodic writes; `final` writes once more (the totals at stop). */
  stop(final = false): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    if (final && this.#path !== '') this.write();
  }

  write(): void {
    try {
      writeStatsFileAtomic(this.#path, this.snapshot());
      if (this.#failing) this.log.info({ event: 'stats-write-recovered', file: this.#path }, 'stats file written again');
      this.#failing = false;
    } catch (err) {
      this.counters.countError('stats-write');
      if (!this.#failing) this.log.warn({ event: 'stats-write-failed', file: this.#path, err: (err as Error).message }, 'cannot write the stats file');
      this.#failing = true;
    }
  }
}
