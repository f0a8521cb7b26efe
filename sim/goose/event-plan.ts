// When state changes happen: every MS (--event-interval), at Poisson arrivals (--events
// poisson:RATE, RATE events per second per publisher), from a timeline file (--events FILE),
// or never (heartbeat only). Pure parsing; reading the file is the CLI's job.
import { parseJsonText } from '../../bridge/config/json-text.js';

export interface TimelineEvent {
  /** µs after the run's start. */
  atUs: number;
  /** Publisher index (0-based) or every publisher. */
  publisher: number | 'all';
  /** Values mirroring the dataset (null keeps a value); absent → the seeded change. */
  values?: unknown[];
  /** Where it came from, for error messages ("event 3"). */
  where: string;
}

export type EventPlan =
  | { kind: 'none' }
  | { kind: 'interval'; intervalUs: number }
  | { kind: 'poisson'; ratePerS: number }
  | { kind: 'timeline'; events: TimelineEvent[] };

export class EventPlanError extends Error {
  override readonly name = 'EventPlanError';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

/** `poisson:RATE` → plan; anything else is a file path (undefined here). */
export function parsePoisson(spec: string): EventPlan | undefined {
  const m = /^poisson:(.*)$/i.exec(spec.trim());
  if (!m) return undefined;
  const rate = Number(m[1]);
  if (!Number.isFinite(rate) || rate <= 0 || rate > 100_000) {
    throw new EventPlanError('events', `events poisson rate must be a number of events per second per publisher, > 0 and ≤ 100000, got "${m[1]}"`);
  }
  return { kind: 'poisson', ratePerS: rate };
}

export function intervalPlan(ms: number): EventPlan {
  if (!Number.isFinite(ms) || ms <= 0) throw new EventPlanError('event-interval', `event-interval must be a positive number of ms, got ${ms}`);
  const intervalUs = Math.round(ms * 1000);
  if (intervalUs < 1) throw new EventPlanError('event-interval', `event-interval must be at least 0.001 ms, got ${ms}`);
  return { kind: 'interval', intervalUs };
}

/**
 * A timeline file: a JSON array of `{"at_ms": 100, "publisher": 0 | "all", "values": [ … ]}`,
 * `publisher` defaulting to "all" and `values` to the seeded change. Sorted by time (stable).
 */
export function parseTimeline(json: string, publishers: number, file: string): EventPlan {
  let raw: unknown;
  try {
    raw = parseJsonText(json);
  } catch (err) {
    throw new EventPlanError('events', `events file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(raw)) throw new EventPlanError('events', `events file ${file} must hold a JSON array of {"at_ms": …, "publisher": …, "values": […]}`);
  const events = raw.map((e: unknown, i): TimelineEvent => {
    const where = `events file ${file} event ${i + 1}`;
    if (e === null || typeof e !== 'object' || Array.isArray(e)) throw new EventPlanError('events', `${where}: must be an object`);
    const o = e as Record<string, unknown>;
    const at = o.at_ms;
    if (typeof at !== 'number' || !Number.isFinite(at) || at < 0) throw new EventPlanError('events', `${where}: at_ms must be a number ≥ 0, got ${JSON.stringify(at)}`);
    const p = o.publisher ?? 'all';
    if (p !== 'all' && (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p >= publishers)) {
      throw new EventPlanError('events', `${where}: publisher must be "all" or 0 … ${publishers - 1}, got ${JSON.stringify(p)}`);
    }
    if (o.values !== undefined && !Array.isArray(o.values)) throw new EventPlanError('events', `${where}: values must be an array`);
    const ev: TimelineEvent = { atUs: Math.round(at * 1000), publisher: p as number | 'all', where };
    if (o.values !== undefined) ev.values = o.values as unknown[];
    return ev;
  });
  events.sort((a, b) => a.atUs - b.atUs);
  return { kind: 'timeline', events };
}
