// Checks that a parsed stats file has the shape status and monitor read, so a file that is empty,
// truncated by hand, from another program or another version is reported by field ("to_wan is
// missing") instead of failing later as a TypeError. Fields the readers do not use are not
// checked, and extra fields are allowed: a newer daemon may add counters. Pure.
import type { StatsSnapshot } from '../daemon/bridge-counters.js';

type Kind = 'number' | 'integer' | 'string' | 'time' | 'string|null' | 'boolean|null';
type Spec = Kind | { readonly [field: string]: Spec } | { list: Kind } | { record: Kind };

const COUNTERS = { record: 'number' } as const;

const STATS_SPEC: { readonly [field: string]: Spec } = {
  time: 'time',
  pid: 'integer',
  uptime_s: 'number',
  sender_id: 'string',
  interface: 'string',
  uplink: 'string',
  groups: { list: 'string' },
  port: 'integer',
  keepalive_strategy: 'string',
  to_wan: { frames_read: 'number', bytes_read: 'number', datagrams_sent: 'number', bytes_sent: 'number', dropped: 'number', drops: COUNTERS },
  from_wan: {
    datagrams_received: 'number',
    bytes_received: 'number',
    frames_written: 'number',
    bytes_written: 'number',
    dropped: 'number',
    drops: COUNTERS,
    gap_frames: 'number',
    gap_events: 'number',
    late_frames: 'number',
    senders: 'number',
  },
  igmp: {
    keepalives: 'number',
    keepalive_failures: 'number',
    checks: 'number',
    failed_checks: COUNTERS,
    reregistrations: 'number',
    membership: { record: 'boolean|null' },
    last_keepalive: 'string|null',
    last_check: 'string|null',
  },
  errors: COUNTERS,
  recoveries: COUNTERS,
};

/** The stats file format version this reader understands. */
const STATS_VERSION = 1;

function kindMatches(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return Number.isInteger(v);
    case 'string':
      return typeof v === 'string';
    case 'time':
      return typeof v === 'string' && !Number.isNaN(Date.parse(v));
    case 'string|null':
      return v === null || typeof v === 'string';
    case 'boolean|null':
      return v === null || typeof v === 'boolean';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function describe(kind: Kind): string {
  return kind === 'time' ? 'an ISO time' : kind === 'integer' ? 'an integer' : kind.split('|').join(' or ');
}

function check(spec: Spec, v: unknown, path: string, problems: string[]): void {
  if (typeof spec === 'string') {
    if (v === undefined) problems.push(`${path} is missing`);
    else if (!kindMatches(spec, v)) problems.push(`${path} is ${JSON.stringify(v)}, expected ${describe(spec)}`);
    return;
  }
  if ('list' in spec && typeof spec.list === 'string') {
    if (!Array.isArray(v)) return void problems.push(v === undefined ? `${path} is missing` : `${path} is not a list`);
    v.forEach((x, i) => check(spec.list as Kind, x, `${path}[${i}]`, problems));
    return;
  }
  if (!isObject(v)) return void problems.push(v === undefined ? `${path} is missing` : `${path} is not an object`);
  if ('record' in spec && typeof spec.record === 'string') {
    for (const [k, x] of Object.entries(v)) check(spec.record as Kind, x, `${path}.${k}`, problems);
    return;
  }
  for (const [field, sub] of Object.entries(spec as Record<string, Spec>)) check(sub, v[field], path === '' ? field : `${path}.${field}`, problems);
}

/**
 * The snapshot when `value` (a parsed stats file) has every field status/monitor read, else what
 * is wrong with it in one sentence (the first few problems and how many more).
 */
export function validateStatsSnapshot(value: unknown): { ok: true; snapshot: StatsSnapshot } | { ok: false; problem: string } {
  if (!isObject(value)) return { ok: false, problem: `it holds ${Array.isArray(value) ? 'a list' : JSON.stringify(value)}, not a goose-bridge stats object` };
  if (value.version !== STATS_VERSION) {
    const v = value.version === undefined ? 'has no version field' : `has version ${JSON.stringify(value.version)}`;
    return { ok: false, problem: `it ${v}; this goose-bridge reads version ${STATS_VERSION} (is it a goose-bridge stats file, from the same release?)` };
  }
  const problems: string[] = [];
  check(STATS_SPEC, value, '', problems);
  if (problems.length === 0) return { ok: true, snapshot: value as unknown as StatsSnapshot };
  const more = problems.length > 3 ? ` and ${problems.length - 3} more` : '';
  return { ok: false, problem: `${problems.slice(0, 3).join('; ')}${more}` };
}
