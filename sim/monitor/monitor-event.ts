// One monitor event as written to the JSON log (one line each) and as a human line. The
// schema is documented in docs/monitor.md; keys are snake_case, units in the names.
import type { StreamKey } from '../goose/stream-tracker.js';
import { EVENT_KINDS, type EventGroup, type EventKind } from './event-kinds.js';

export interface EventStream {
  appid: string;
  src_mac: string;
  gocb_ref: string;
}

export interface MonitorEvent {
  /** Wall-clock time of the frame (or of the detection, for stopped/never-seen), ISO 8601 with µs. */
  time: string;
  /** The same instant on the receive clock: CLOCK_MONOTONIC µs live, the capture's µs for a pcap. */
  mono_us: number;
  kind: EventKind;
  label: string;
  group: EventGroup;
  stream: EventStream | null;
  st_num: number | null;
  sq_num: number | null;
  evidence: Record<string, string | number | boolean | null | number[] | string[]>;
  /** Snippet pcap beside the event's JSON in --capture-dir (relative), null when none was written. */
  capture?: string | null;
}

export function hexAppId(appId: number): string {
  return `0x${appId.toString(16).padStart(4, '0')}`;
}

export function eventStream(k: StreamKey): EventStream {
  return { appid: hexAppId(k.appId), src_mac: k.src, gocb_ref: k.gocbRef };
}

/** µs since 1970 → ISO 8601 with microseconds (Date keeps only ms). */
export function isoMicros(wallUs: number): string {
  const us = Math.round(wallUs);
  const ms = Math.floor(us / 1000);
  return `${new Date(ms).toISOString().slice(0, -1)}${String(us - ms * 1000).padStart(3, '0')}Z`;
}

export function makeEvent(
  kind: EventKind,
  at: { monoUs: number; wallUs: number },
  stream: StreamKey | null,
  seq: { st: number; sq: number } | null,
  evidence: MonitorEvent['evidence'],
): MonitorEvent {
  const k = EVENT_KINDS[kind];
  return {
    time: isoMicros(at.wallUs),
    mono_us: Math.round(at.monoUs),
    kind,
    label: k.label,
    group: k.group,
    stream: stream ? eventStream(stream) : null,
    st_num: seq?.st ?? null,
    sq_num: seq?.sq ?? null,
    evidence,
  };
}

/** `2026-11-30T01:02:03.456789Z ANOMALY sqNum gap 0x1000 02:00:…:01 IED1…$gcb01 st 4 sq 7: expected_sq=5 missing=2` */
export function formatEventLine(e: MonitorEvent): string {
  const who = e.stream ? ` ${e.stream.appid} ${e.stream.src_mac} ${e.stream.gocb_ref}` : '';
  const seq = e.st_num !== null ? ` st ${e.st_num} sq ${e.sq_num}` : '';
  const ev = Object.entries(e.evidence)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(', ')}]` : String(v)}`)
    .join(' ');
  return `${e.time} ${e.group.toUpperCase()} ${e.label}${who}${seq}${ev ? `: ${ev}` : ''}${e.capture ? ` [${e.capture}]` : ''}`;
}
