// Dataset values as an engineer reads them in IEDScout: each member by its name (the SCL's
// FCDA reference, e.g. `LD0/XCBR1.Pos.stVal [ST]`, or `[3]` by position without SCL) with a
// short value text, and per stream the last few state changes with what changed. A member that
// is a structure (an FCDA naming a DO, or a DA of bType Struct) is shown leaf by leaf with its
// DA path (`LD0/XCBR1.Pos.stVal [ST]`, `….Pos.q [ST]`, `….Pos.t [ST]`), as the SCL's
// DataTypeTemplates lay it out (member-layout.ts). Pure.
import { hex } from '../../bridge/codec/index.js';
import type { Data } from '../../bridge/codec/types.js';
import { utcTimeToIso } from '../../bridge/codec/utc-time.js';
import { dataEqual } from './dataset-diff.js';

/** One basic value inside a dataset entry: its name and its position in the entry's nested structures. */
export interface MemberLeaf {
  name: string;
  /** Indices into the structures from the entry down ([] for an entry that is a basic value). */
  path: readonly number[];
}

/** A dataset entry from SCL: the FCDA reference and its leaves in order. */
export interface MemberLayout {
  name: string;
  leaves: readonly MemberLeaf[];
}

/** Each entry's layout by position (a gap where SCL does not resolve the member). */
export type DatasetLayout = readonly (MemberLayout | undefined)[];

/** The dataset layout of a GoCB by gocbRef (from SCL), or undefined when unknown. */
export type MemberNames = (gocbRef: string) => DatasetLayout | undefined;

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

/** The name of entry i as a whole: the SCL member's reference, or `[i]` by position. */
export function memberName(layout: DatasetLayout | undefined, i: number): string {
  return layout?.[i]?.name ?? `[${i}]`;
}

function leafAt(d: Data, path: readonly number[]): Data | undefined {
  let at: Data | undefined = d;
  for (const i of path) at = at?.type === 'structure' ? at.value[i] : undefined;
  return at;
}

function basicValues(d: Data): number {
  return d.type === 'structure' ? d.value.reduce((n, x) => n + basicValues(x), 0) : 1;
}

/** The entry's leaves when the value has the SCL's shape; undefined (shown whole) when it does not. */
function leavesOf(layout: DatasetLayout | undefined, i: number, d: Data | undefined): readonly MemberLeaf[] | undefined {
  const m = layout?.[i];
  if (m === undefined || d === undefined || (m.leaves.length === 1 && m.leaves[0]!.path.length === 0)) return undefined;
  if (basicValues(d) !== m.leaves.length) return undefined;
  const isLeaf = (v: Data | undefined): boolean => v !== undefined && v.type !== 'structure';
  return m.leaves.every((l) => isLeaf(leafAt(d, l.path))) ? m.leaves : undefined;
}

/** Every entry by name → value text; an SCL structure leaf by leaf. */
export function namedValues(layout: DatasetLayout | undefined, data: readonly Data[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < data.length; i++) {
    const d = data[i]!;
    const leaves = leavesOf(layout, i, d);
    if (leaves === undefined) out[memberName(layout, i)] = valueText(d);
    else for (const l of leaves) out[l.name] = valueText(leafAt(d, l.path)!);
  }
  return out;
}

/**
 * The entries at `indices` with their values before and after (null: not present on that side);
 * an SCL structure present on both sides in its shape names only the leaves that changed.
 */
export function memberChanges(layout: DatasetLayout | undefined, indices: readonly number[], before: readonly Data[] | undefined, after: readonly Data[]): MemberChange[] {
  const out: MemberChange[] = [];
  for (const i of indices) {
    const b = before?.[i];
    const a = after[i];
    const leaves = leavesOf(layout, i, a);
    if (leaves !== undefined && b !== undefined && leavesOf(layout, i, b) !== undefined) {
      for (const l of leaves) {
        const lb = leafAt(b, l.path)!;
        const la = leafAt(a!, l.path)!;
        if (!dataEqual(lb, la)) out.push({ member: l.name, before: valueText(lb), after: valueText(la) });
      }
    } else {
      out.push({ member: memberName(layout, i), before: b ? valueText(b) : null, after: a ? valueText(a) : null });
    }
  }
  return out;
}

/** `LD0/XCBR1.Pos.stVal [ST]` → `Pos.stVal`: what fits a narrow column. */
export function shortMemberName(member: string): string {
  const ref = member.replace(/ \[[A-Z]{2}\]$/, '');
  const dot = ref.indexOf('.');
  return dot >= 0 ? ref.slice(dot + 1) : ref;
}
