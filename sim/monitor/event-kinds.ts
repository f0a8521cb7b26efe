// The one table of monitor event kinds: name (stable, in the JSON log and --fail-on), label
// (human lines, live view) and group. The groups are the run's vocabulary, the same words in
// the table, the JSON report, the event log and --fail-on:
//   anomaly      a message misbehaved (frames lost, duplicates, reordering, changed
//                confRev/dataset, flags, malformed frames, …)
//   tal-expired  a frame arrived after its TAL ran out, and the stream carried on (a late frame)
//   stopped      a stream went silent beyond TAL + grace while others kept arriving
//   never-seen, unexpected   against --expect
//   info         recorded, never a failure
export const EVENT_GROUPS = ['anomaly', 'tal-expired', 'stopped', 'never-seen', 'unexpected', 'info'] as const;
export type EventGroup = (typeof EVENT_GROUPS)[number];

export const EVENT_KINDS = {
  'sq-gap': { label: 'sqNum gap', short: 'GAP', group: 'anomaly' },
  'st-jump': { label: 'stNum jump', short: 'STJMP', group: 'anomaly' },
  'st-backwards': { label: 'stNum backwards', short: 'STBCK', group: 'anomaly' },
  duplicate: { label: 'duplicate', short: 'DUP', group: 'anomaly' },
  'out-of-order': { label: 'out of order', short: 'OOO', group: 'anomaly' },
  'tal-expired': { label: 'TAL expired (frame arrived late)', short: 'TAL', group: 'tal-expired' },
  'conf-rev-change': { label: 'confRev change', short: 'CONFR', group: 'anomaly' },
  'dataset-change': { label: 'dataset type change', short: 'DSCHG', group: 'anomaly' },
  'entry-count-mismatch': { label: 'numDatSetEntries ≠ allData entries', short: 'NENT', group: 'anomaly' },
  'nds-com': { label: 'ndsCom set', short: 'NDSC', group: 'anomaly' },
  simulation: { label: 'simulation bit set (Reserved1 bit 15)', short: 'SIM', group: 'anomaly' },
  test: { label: 'test flag set (PDU simulation/test field)', short: 'TEST', group: 'anomaly' },
  malformed: { label: 'malformed frame', short: 'MALF', group: 'anomaly' },
  'transfer-time': { label: 'transfer time over threshold', short: 'XFER', group: 'anomaly' },
  stopped: { label: 'stream stopped (silent beyond TAL + grace)', short: 'STOP', group: 'stopped' },
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
