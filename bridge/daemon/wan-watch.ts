// Watches the WAN side once a second from the engine's counters: an outage of the first uplink
// (link down, send errors; with one path, the only one) and a path that went silent while the
// others carry frames. Logs each start and end once.
import type { Logger } from 'pino';
import type { EngineCounts } from '../../native/engine.js';
import type { Uplink } from '../wan/uplink.js';
import { interfaceUp } from './l2-side.js';
import { OutageWatch } from './outage-watch.js';
import { PathWatch } from './redundancy.js';

export class WanWatch {
  readonly #outages = new OutageWatch();
  #paths = new PathWatch();

  constructor(private readonly log: Logger) {}

  /** A new WAN set: each path's silence is judged afresh. */
  reset(): void {
    this.#paths = new PathWatch();
  }

  /** Per path: silent while the others carry datagrams. */
  get silent(): readonly boolean[] {
    return this.#paths.silent;
  }

  tick(nowMs: number, counts: EngineCounts, uplinks: readonly Uplink[]): void {
    const first = uplinks[0]!.name;
    for (const e of this.#outages.tick(nowMs, counts.toWanDrops['send-error']!, interfaceUp(first))) {
      const level = e.event === 'uplink-down' || e.event === 'send-errors-started' ? 'warn' : 'info';
      this.log[level]({ ...e, uplink: first }, e.event);
    }
    const received = uplinks.map((_, i) => counts.paths[i]!.datagrams_received!);
    for (const e of this.#paths.tick(nowMs, received)) {
      const uplink = uplinks[e.path]!.name;
      if (e.event === 'path-silent') this.log.warn({ ...e, uplink }, `WAN path ${uplink} went silent while the other paths carry frames (frames still delivered by them)`);
      else this.log.info({ ...e, uplink }, `WAN path ${uplink} carries frames again`);
    }
  }
}
