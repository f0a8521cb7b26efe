// Dataset values as an engineer reads them in IEDScout: each member by its name (the SCL's
// FCDA reference, e.g. `LD0/XCBR1.Pos.stVal [ST]`, or `[3]` by position without SCL) with a
// short value text, and per stream the last few state changes with what changed. Pure.
import { hex } from '../../bridge/codec/index.js';
import type { Data } from '../../bridge/codec/types.js';
import { utcTimeToIso } from '../../bridge/codec/utc-time.js';

/** Member names of a GoCB's dataset by gocbRef (from SCL), or undefined when unknown. */
export type MemberNames = (gocbRef: string) => readonly string[] | undefined;

/** State changes kept per stream. */
export const CHANGES_KEPT = 8;

export interface MemberChange {
  member: string;
  before: string | null;
  after: string | null;
}

export interface StateChange {
  /** Receive time, ISO 8601 UTC with µs. */
  time: string;
  st_num: number;
  changed: MemberChange[];
}

function bits(bytes: Uint8Array, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += (bytes[i >> 3]! >> (7 - (i & 7))) & 1 ? '1' : '0';
  return s;
}

/** One value as short text: `true`, `42`, `0.5`, `0100000000000`, `2026-…Z`, `{false,0100000000000}`. */
export function valueText(d: Data): string {
  switch (d.type) {
    case 'array':
    case 'structure':
      return `{${d.value.map(valueText).join(',')}}`;
    case 'bit-string':
    case 'boolean-array':
      return bits(d.value, d.bits);
    case 'real':
    case 'octet-string':
      return hex(d.value);
    case 'visible-string':
    case 'mms-string':
      return JSON.stringify(d.value);
    case 'binary-time':
      return `msOfDay ${d.msOfDay}${d.days === undefined ? '' : ` days ${d.days}`}`;
    case 'utc-time':
      return utcTimeToIso(d.value);
    default:
      return String(d.value);
  }
}

/** The name of entry i: the SCL member's reference, or `[i]` by position. */
export function memberName(names: readonly string[] | undefined, i: number): string {
  return names?.[i] ?? `[${i}]`;
}

/** Every entry by name → value text. */
export function namedValues(names: readonly string[] | undefined, data: readonly Data[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < data.length; i++) out[memberName(names, i)] = valueText(data[i]!);
  return out;
}

/** The entries at `indices` with their values before and after (null: not present on that side). */
export function memberChanges(names: readonly string[] | undefined, indices: readonly number[], before: readonly Data[] | undefined, after: readonly Data[]): MemberChange[] {
  return indices.map((i) => ({
    member: memberName(names, i),
    before: before?.[i] ? valueText(before[i]) : null,
    after: after[i] ? valueText(after[i]) : null,
  }));
}

/** `LD0/XCBR1.Pos.stVal [ST]` → `Pos.stVal`: what fits a narrow column. */
export function shortMemberName(member: string): string {
  const ref = member.replace(/ \[[A-Z]{2}\]$/, '');
  const dot = ref.indexOf('.');
  return dot >= 0 ? ref.slice(dot + 1) : ref;
}
