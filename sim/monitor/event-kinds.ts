// The one table of monitor event kinds: name (stable, in the JSON log and --fail-on), label
// (human lines, live view) and group. Groups are what --fail-on selects besides single kinds:
// anomaly (a message or stream misbehaved), lost (a stream stopped while others kept
// arriving), never-seen and unexpected (against --expect), info (recorded, never a failure).
export const EVENT_GROUPS = ['anomaly', 'lost', 'never-seen', 'unexpected', 'info'] as const;
export type EventGroup = (typeof EVENT_GROUPS)[number];

export const EVENT_KINDS = {
  'sq-gap': { label: 'sqNum gap', short: 'GAP', group: 'anomaly' },
  'st-jump': { label: 'stNum jump', short: 'STJMP', group: 'anomaly' },
  'st-backwards': { label: 'stNum backwards', short: 'STBCK', group: 'anomaly' },
  duplicate: { label: 'duplicate', short: 'DUP', group: 'anomaly' },
  'out-of-order': { label: 'out of order', short: 'OOO', group: 'anomaly' },
  'tal-expiry': { label: 'TAL expiry (frame arrived late)', short: 'TAL', group: 'anomaly' },
  'conf-rev-change': { label: 'confRev change', short: 'CONFR', group: 'anomaly' },
  'dataset-change': { label: 'dataset type change', short: 'DSCHG', group: 'anomaly' },
  'entry-count-mismatch': { label: 'numDatSetEntries ≠ allData entries', short: 'NENT', group: 'anomaly' },
  'nds-com': { label: 'ndsCom set', short: 'NDSC', group: 'anomaly' },
  simulation: { label: 'simulation bit set (Reserved1 bit 15)', short: 'SIM', group: 'anomaly' },
  test: { label: 'test flag set (PDU simulation/test field)', short: 'TEST', group: 'anomaly' },
  malformed: { label: 'malformed frame', short: 'MALF', group: 'anomaly' },
  'transfer-time': { label: 'transfer time over threshold', short: 'XFER', group: 'anomaly' },
  stopped: { label: 'stream stopped (silent beyond TAL + grace)', short: 'STOP', group: 'lost' },
  'never-seen': { label: 'expected stream never seen', short: 'NEVER', group: 'never-seen' },
  'unexpected-stream': { label: 'stream not in --expect', short: 'UNEXP', group: 'unexpected' },
  resumed: { label: 'stream resumed after stopping', short: 'RESUM', group: 'info' },
  'state-change': { label: 'state change', short: 'STCHG', group: 'info' },
} as const satisfies Record<string, { label: string; short: string; group: EventGroup }>;

export type EventKind = keyof typeof EVENT_KINDS;

export const EVENT_KIND_NAMES = Object.keys(EVENT_KINDS) as EventKind[];

export function isEventKind(s: string): s is EventKind {
  return Object.hasOwn(EVENT_KINDS, s);
}
