// The simulated dataset: a compact spec (`bool,int32,float32,bitstring:13,utctime,struct(bool,bitstring:13)`)
// or a JSON file becomes a tree of typed entries, from which the initial Data[] (the codec's
// model) is built. Pure; errors name the offending entry by position and text.
import type { Data, UtcTime } from '../../bridge/codec/types.js';
import { parseJsonText } from '../../bridge/config/json-text.js';

export type EntrySpec =
  | { kind: 'bool'; initial?: boolean }
  | { kind: 'int'; bits: 8 | 16 | 32 | 64; initial?: bigint }
  | { kind: 'uint'; bits: 8 | 16 | 32; initial?: bigint }
  | { kind: 'float'; bits: 32 | 64; initial?: number }
  | { kind: 'bitstring'; bits: number; initial?: Uint8Array }
  | { kind: 'octetstring'; size: number; initial?: Uint8Array }
  | { kind: 'vstring'; maxLength: number; initial?: string }
  | { kind: 'utctime' }
  | { kind: 'struct'; members: EntrySpec[] };

export const ENTRY_TYPES_HELP =
  'bool, int8, int16, int32, int64, uint8, uint16, uint32, float32, float64, bitstring:N (1–256), ' +
  'octetstring:N (1–64), vstring:N (1–255), utctime, struct(…)';

export const DEFAULT_DATASET = 'bool,int32,float32,bitstring:13,utctime,struct(bool,bitstring:13)';

/** A spec error: which entry (1-based path like `6.2`) and what is wrong with it. */
export class DatasetSpecError extends Error {
  override readonly name = 'DatasetSpecError';
  constructor(
    readonly entry: string,
    readonly text: string,
    reason: string,
  ) {
    super(`dataset entry ${entry} ("${text}"): ${reason}`);
  }
}

/** How many structures may nest inside each other (deeper specs are refused, naming the entry). */
export const MAX_DEPTH = 8;

/** Splits `a,b(c,d),e` at top-level commas, checking parentheses. */
function splitTopLevel(text: string, where: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth < 0) throw new DatasetSpecError(where, text, `unbalanced ")" at character ${i + 1}`);
    } else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) throw new DatasetSpecError(where, text, 'missing ")"');
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

function sizeSuffix(name: string, arg: string | undefined, min: number, max: number, entry: string, text: string): number {
  if (arg === undefined) throw new DatasetSpecError(entry, text, `${name} needs a size, e.g. ${name}:${min === 1 ? 13 : min}`);
  if (!/^\d+$/.test(arg)) throw new DatasetSpecError(entry, text, `${name} size must be a whole number, got "${arg}"`);
  const n = Number(arg);
  if (n < min || n > max) throw new DatasetSpecError(entry, text, `${name} size must be ${min}–${max}, got ${n}`);
  return n;
}

function parseEntry(text: string, entry: string, depth: number): EntrySpec {
  if (text === '') throw new DatasetSpecError(entry, text, 'empty entry');
  const structMatch = /^struct\s*\((.*)\)$/s.exec(text);
  if (structMatch) {
    if (depth >= MAX_DEPTH) throw new DatasetSpecError(entry, text, `structures nest deeper than ${MAX_DEPTH}`);
    const inner = structMatch[1] ?? '';
    if (inner.trim() === '') throw new DatasetSpecError(entry, text, 'a struct needs at least one member');
    const members = splitTopLevel(inner, entry).map((m, i) => parseEntry(m, `${entry}.${i + 1}`, depth + 1));
    return { kind: 'struct', members };
  }
  const [rawName, arg, extra] = text.split(':').map((s) => s.trim());
  const name = (rawName ?? '').toLowerCase();
  if (extra !== undefined) throw new DatasetSpecError(entry, text, 'more than one ":"');
  const noArg = (): void => {
    if (arg !== undefined) throw new DatasetSpecError(entry, text, `${name} takes no size`);
  };
  switch (name) {
    case 'bool':
    case 'boolean':
      noArg();
      return { kind: 'bool' };
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64':
      noArg();
      return { kind: 'int', bits: Number(name.slice(3)) as 8 | 16 | 32 | 64 };
    case 'uint8':
    case 'uint16':
    case 'uint32':
      noArg();
      return { kind: 'uint', bits: Number(name.slice(4)) as 8 | 16 | 32 };
    case 'float32':
    case 'float64':
      noArg();
      return { kind: 'float', bits: Number(name.slice(5)) as 32 | 64 };
    case 'bitstring':
      return { kind: 'bitstring', bits: sizeSuffix(name, arg, 1, 256, entry, text) };
    case 'octetstring':
      return { kind: 'octetstring', size: sizeSuffix(name, arg, 1, 64, entry, text) };
    case 'vstring':
      return { kind: 'vstring', maxLength: sizeSuffix(name, arg, 1, 255, entry, text) };
    case 'utctime':
      noArg();
      return { kind: 'utctime' };
    case 'struct':
      throw new DatasetSpecError(entry, text, 'write a struct as struct(member,member,…)');
    default:
      throw new DatasetSpecError(entry, text, `unknown type "${rawName ?? ''}"; known: ${ENTRY_TYPES_HELP}`);
  }
}

/** Parses the compact spec. */
export function parseDatasetSpec(spec: string): EntrySpec[] {
  if (spec.trim() === '') throw new DatasetSpecError('1', spec, 'the dataset needs at least one entry');
  return splitTopLevel(spec.trim(), '1').map((text, i) => parseEntry(text, String(i + 1), 0));
}

function jsonInitial(e: EntrySpec, value: unknown, entry: string, text: string): EntrySpec {
  if (value === undefined || value === null) return e;
  const bad = (what: string): never => {
    throw new DatasetSpecError(entry, text, `value ${JSON.stringify(value)} is not ${what}`);
  };
  switch (e.kind) {
    case 'bool':
      if (typeof value !== 'boolean') bad('a boolean');
      return { ...e, initial: value as boolean };
    case 'int':
    case 'uint': {
      if (typeof value !== 'number' && typeof value !== 'string') bad('an integer');
      let v: bigint;
      try {
        v = BigInt(value as number | string);
      } catch {
        return bad('an integer');
      }
      const [lo, hi] = intRange(e);
      if (v < lo || v > hi) bad(`within ${lo} … ${hi}`);
      return { ...e, initial: v };
    }
    case 'float':
      if (typeof value !== 'number') bad('a number');
      return { ...e, initial: value as number };
    case 'bitstring': {
      if (typeof value !== 'string' || !/^[01]+$/.test(value) || value.length !== e.bits) bad(`a string of ${e.bits} 0/1 characters`);
      return { ...e, initial: bitsFromString(value as string) };
    }
    case 'octetstring': {
      if (typeof value !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(value) || value.length !== e.size * 2) bad(`${e.size} bytes of hex`);
      return { ...e, initial: Uint8Array.from(Buffer.from(value as string, 'hex')) };
    }
    case 'vstring':
      if (typeof value !== 'string' || value.length > e.maxLength || !/^[\x20-\x7e]*$/.test(value)) bad(`printable ASCII of at most ${e.maxLength} characters`);
      return { ...e, initial: value as string };
    default:
      return bad(`settable for ${e.kind}`);
  }
}

function parseJsonEntry(raw: unknown, entry: string, depth: number): EntrySpec {
  const text = JSON.stringify(raw) ?? String(raw);
  if (typeof raw === 'string') return parseEntry(raw.trim(), entry, depth);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new DatasetSpecError(entry, text, 'an entry is a type string, {"type": …, "value": …} or {"struct": [ … ]}');
  }
  const obj = raw as Record<string, unknown>;
  if ('struct' in obj) {
    if (!Array.isArray(obj.struct) || obj.struct.length === 0) throw new DatasetSpecError(entry, text, '"struct" must be a non-empty array');
    if (depth >= MAX_DEPTH) throw new DatasetSpecError(entry, text, `structures nest deeper than ${MAX_DEPTH}`);
    return { kind: 'struct', members: obj.struct.map((m, i) => parseJsonEntry(m, `${entry}.${i + 1}`, depth + 1)) };
  }
  if (typeof obj.type !== 'string') throw new DatasetSpecError(entry, text, 'missing "type"');
  const e = parseEntry(obj.type.trim(), entry, depth);
  return jsonInitial(e, obj.value, entry, text);
}

/**
 * Parses a JSON dataset: an array of entries, each a type string in the compact syntax,
 * `{"type": "int32", "value": 5}` (initial value) or `{"struct": [ … ]}`.
 */
export function parseDatasetJson(json: string): EntrySpec[] {
  let raw: unknown;
  try {
    raw = parseJsonText(json);
  } catch (err) {
    throw new DatasetSpecError('-', 'JSON file', `not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(raw) || raw.length === 0) throw new DatasetSpecError('-', 'JSON file', 'the JSON dataset must be a non-empty array of entries');
  return raw.map((r, i) => parseJsonEntry(r, String(i + 1), 0));
}

export function intRange(e: { kind: 'int' | 'uint'; bits: number }): [bigint, bigint] {
  const b = BigInt(e.bits);
  return e.kind === 'int' ? [-(1n << (b - 1n)), (1n << (b - 1n)) - 1n] : [0n, (1n << b) - 1n];
}

export function bitsFromString(s: string): Uint8Array {
  const out = new Uint8Array(Math.ceil(s.length / 8));
  for (let i = 0; i < s.length; i++) if (s[i] === '1') out[i >> 3]! |= 0x80 >> (i & 7);
  return out;
}

/** Initial Data for a spec, `t` filling every utctime entry. */
export function initialData(spec: readonly EntrySpec[], t: UtcTime): Data[] {
  return spec.map((e) => initialValue(e, t));
}

function initialValue(e: EntrySpec, t: UtcTime): Data {
  switch (e.kind) {
    case 'bool':
      return { type: 'boolean', value: e.initial ?? false };
    case 'int':
      return { type: 'integer', value: e.initial ?? 0n };
    case 'uint':
      return { type: 'unsigned', value: e.initial ?? 0n };
    case 'float':
      return e.bits === 32 ? { type: 'float32', value: Math.fround(e.initial ?? 0) } : { type: 'float64', value: e.initial ?? 0 };
    case 'bitstring':
      return { type: 'bit-string', bits: e.bits, value: e.initial ? e.initial.slice() : new Uint8Array(Math.ceil(e.bits / 8)) };
    case 'octetstring':
      return { type: 'octet-string', value: e.initial ? e.initial.slice() : new Uint8Array(e.size) };
    case 'vstring':
      return { type: 'visible-string', value: e.initial ?? '' };
    case 'utctime':
      return { type: 'utc-time', value: { ...t } };
    case 'struct':
      return { type: 'structure', value: e.members.map((m) => initialValue(m, t)) };
  }
}

/** Number of leaves (non-struct entries), depth first. */
export function leafCount(spec: readonly EntrySpec[]): number {
  let n = 0;
  for (const e of spec) n += e.kind === 'struct' ? leafCount(e.members) : 1;
  return n;
}

/** The compact spec text of a parsed spec (round-trips through parseDatasetSpec). */
export function formatDatasetSpec(spec: readonly EntrySpec[]): string {
  return spec
    .map((e): string => {
      switch (e.kind) {
        case 'bool':
        case 'utctime':
          return e.kind;
        case 'int':
          return `int${e.bits}`;
        case 'uint':
          return `uint${e.bits}`;
        case 'float':
          return `float${e.bits}`;
        case 'bitstring':
          return `bitstring:${e.bits}`;
        case 'octetstring':
          return `octetstring:${e.size}`;
        case 'vstring':
          return `vstring:${e.maxLength}`;
        case 'struct':
          return `struct(${formatDatasetSpec(e.members)})`;
      }
    })
    .join(',');
}
