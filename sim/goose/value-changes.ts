// How dataset values change on each event — deterministic for a given seed.
//
// Rule (documented in README): on each event the publisher's own PRNG stream (derived from
// --seed and the publisher index) picks ONE leaf entry uniformly among the non-utctime leaves
// (depth first, structures flattened) and changes it:
//   bool         toggles
//   intN / uintN adds 1 + (0…99), wrapping within the type's range
//   float32/64   adds a value in [-50, 50) (rounded to float32 for float32)
//   bitstring:N  flips one bit chosen uniformly
//   octetstring  increments one byte chosen uniformly (mod 256)
//   vstring      becomes "ev<event number>" (its last N characters for vstring:N)
// and every utctime entry takes the event time. So a stream's values depend only on the seed,
// the publisher index and the event number. Pure: returns new Data, never mutates its input.
import type { Data, UtcTime } from '../../bridge/codec/types.js';
import { bitsFromString, intRange, type EntrySpec } from './dataset-spec.js';
import type { SeededRandom } from '../core/seeded-random.js';

function changeableLeaves(spec: readonly EntrySpec[]): number {
  let n = 0;
  for (const e of spec) n += e.kind === 'struct' ? changeableLeaves(e.members) : e.kind === 'utctime' ? 0 : 1;
  return n;
}

function wrapInt(e: { kind: 'int' | 'uint'; bits: number }, v: bigint): bigint {
  const [lo, hi] = intRange(e);
  const span = hi - lo + 1n;
  let r = (v - lo) % span;
  if (r < 0n) r += span;
  return r + lo;
}

function changeLeaf(e: EntrySpec, d: Data, rng: SeededRandom, eventNumber: number): Data {
  switch (e.kind) {
    case 'bool':
      return { type: 'boolean', value: !(d as { value: boolean }).value };
    case 'int':
    case 'uint': {
      const v = (d as { value: bigint }).value + BigInt(1 + rng.int(100));
      return { type: d.type as 'integer' | 'unsigned', value: wrapInt(e, v) };
    }
    case 'float': {
      const v = (d as { value: number }).value + (rng.next() * 100 - 50);
      return e.bits === 32 ? { type: 'float32', value: Math.fround(v) } : { type: 'float64', value: v };
    }
    case 'bitstring': {
      const bytes = (d as { value: Uint8Array }).value.slice();
      const bit = rng.int(e.bits);
      bytes[bit >> 3]! ^= 0x80 >> (bit & 7);
      return { type: 'bit-string', bits: e.bits, value: bytes };
    }
    case 'octetstring': {
      const bytes = (d as { value: Uint8Array }).value.slice();
      const i = rng.int(e.size);
      bytes[i] = (bytes[i]! + 1) & 0xff;
      return { type: 'octet-string', value: bytes };
    }
    case 'vstring':
      // keep the end, where the event number changes
      return { type: 'visible-string', value: `ev${eventNumber}`.slice(-e.maxLength) };
    default:
      return d;
  }
}

/**
 * Values after event number `eventNumber` (1-based) at time `t`: one changeable leaf picked by
 * `rng` changes, all utctime entries become `t`.
 */
export function applySeededChange(spec: readonly EntrySpec[], data: readonly Data[], rng: SeededRandom, t: UtcTime, eventNumber: number): Data[] {
  const n = changeableLeaves(spec);
  let target = n > 0 ? rng.int(n) : -1;
  const walk = (specs: readonly EntrySpec[], values: readonly Data[]): Data[] =>
    specs.map((e, i) => {
      const d = values[i]!;
      if (e.kind === 'struct') return { type: 'structure', value: walk(e.members, (d as { value: Data[] }).value) };
      if (e.kind === 'utctime') return { type: 'utc-time', value: { ...t } };
      const mine = target === 0;
      target--;
      return mine ? changeLeaf(e, d, rng, eventNumber) : d;
    });
  return walk(spec, data);
}

/** A bad value in an events file, named by its place. */
export class EventValueError extends Error {
  override readonly name = 'EventValueError';
}

/**
 * Values given explicitly (an --events FILE line): `values` mirrors the dataset (arrays for
 * structures); null/absent keeps the current value; utctime entries accept "event" (the event
 * time, also the default) or an ISO-8601 string.
 */
export function applyExplicitValues(spec: readonly EntrySpec[], data: readonly Data[], values: unknown, t: UtcTime, where: string): Data[] {
  if (!Array.isArray(values)) throw new EventValueError(`${where}: "values" must be an array mirroring the dataset`);
  if (values.length > spec.length) throw new EventValueError(`${where}: ${values.length} values for a dataset of ${spec.length} entries`);
  return spec.map((e, i) => {
    const v: unknown = values[i];
    const d = data[i]!;
    const here = `${where} value ${i + 1}`;
    const bad = (what: string): never => {
      throw new EventValueError(`${here}: ${JSON.stringify(v)} is not ${what}`);
    };
    if (e.kind === 'utctime') {
      if (v === undefined || v === null || v === 'event') return { type: 'utc-time', value: { ...t } };
      if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) return bad('"event" or an ISO-8601 time');
      const ms = Date.parse(v);
      return { type: 'utc-time', value: { secondsSinceEpoch: Math.floor(ms / 1000), fraction: Math.floor(((ms % 1000) / 1000) * 2 ** 24), quality: t.quality } };
    }
    if (v === undefined || v === null) return d;
    switch (e.kind) {
      case 'struct':
        return { type: 'structure', value: applyExplicitValues(e.members, (d as { value: Data[] }).value, v, t, `${here}`) };
      case 'bool':
        return typeof v === 'boolean' ? { type: 'boolean', value: v } : bad('a boolean');
      case 'int':
      case 'uint': {
        if (typeof v !== 'number' && typeof v !== 'string') return bad('an integer');
        let b: bigint;
        try {
          b = BigInt(v);
        } catch {
          return bad('an integer');
        }
        const [lo, hi] = intRange(e);
        if (b < lo || b > hi) bad(`within ${lo} … ${hi}`);
        return { type: d.type as 'integer' | 'unsigned', value: b };
      }
      case 'float':
        if (typeof v !== 'number') return bad('a number');
        return e.bits === 32 ? { type: 'float32', value: Math.fround(v) } : { type: 'float64', value: v };
      case 'bitstring':
        if (typeof v !== 'string' || !/^[01]+$/.test(v) || v.length !== e.bits) return bad(`${e.bits} 0/1 characters`);
        return { type: 'bit-string', bits: e.bits, value: bitsFromString(v) };
      case 'octetstring':
        if (typeof v !== 'string' || v.length !== e.size * 2 || !/^[0-9a-fA-F]*$/.test(v)) return bad(`${e.size} bytes of hex`);
        return { type: 'octet-string', value: Uint8Array.from(Buffer.from(v, 'hex')) };
      case 'vstring':
        if (typeof v !== 'string' || v.length > e.maxLength || !/^[\x20-\x7e]*$/.test(v)) return bad(`printable ASCII of at most ${e.maxLength} characters`);
        return { type: 'visible-string', value: v };
    }
  });
}
