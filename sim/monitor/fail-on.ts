// --fail-on: which findings make the run's exit code 1 (for CI). A comma list of event groups
// (anomaly, tal-expired, stopped, never-seen, unexpected) and single event kinds (sq-gap, …):
// the same names as the report's verdict line. Pure.
import { EVENT_GROUPS, EVENT_KIND_NAMES, EVENT_KINDS, isEventKind, type EventKind } from './event-kinds.js';

export class FailOnError extends Error {
  override readonly name = 'FailOnError';
}

const GROUPS = EVENT_GROUPS.filter((g) => g !== 'info');

/** The event kinds selected by a --fail-on value. */
export function parseFailOn(value: string): Set<EventKind> {
  const out = new Set<EventKind>();
  for (const raw of value.split(',')) {
    const t = raw.trim();
    if ((GROUPS as readonly string[]).includes(t)) {
      for (const k of EVENT_KIND_NAMES) if (EVENT_KINDS[k].group === t) out.add(k);
    } else if (isEventKind(t) && EVENT_KINDS[t].group !== 'info') {
      out.add(t);
    } else if (t === 'lost') {
      throw new FailOnError('"lost" is ambiguous: say "stopped" (streams that went silent) or "sq-gap,st-jump" (frames lost, part of "anomaly")');
    } else {
      throw new FailOnError(`"${t}" is not a group (${GROUPS.join(', ')}) or an event kind (${EVENT_KIND_NAMES.filter((k) => EVENT_KINDS[k].group !== 'info').join(', ')})`);
    }
  }
  return out;
}

/** The selected kinds that occurred, with their counts, e.g. ["stopped 1", "never-seen 2"]. */
export function failures(selected: ReadonlySet<EventKind>, counts: ReadonlyMap<EventKind, number>): string[] {
  return [...counts].filter(([k, n]) => n > 0 && selected.has(k)).map(([k, n]) => `${k} ${n}`);
}
