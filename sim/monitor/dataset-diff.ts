// Which dataset entries changed between two messages: what an engineer reads first at a state
// change ("entry 3 went true"). Pure.
import type { Data } from '../../bridge/codec/types.js';

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function dataEqual(a: Data, b: Data): boolean {
  if (a.type !== b.type) return false;
  switch (a.type) {
    case 'array':
    case 'structure': {
      const bv = (b as typeof a).value;
      return a.value.length === bv.length && a.value.every((x, i) => dataEqual(x, bv[i]!));
    }
    case 'bit-string':
    case 'boolean-array':
      return a.bits === (b as typeof a).bits && bytesEqual(a.value, (b as typeof a).value);
    case 'real':
    case 'octet-string':
      return bytesEqual(a.value, (b as typeof a).value);
    case 'binary-time':
      return a.msOfDay === (b as typeof a).msOfDay && a.days === (b as typeof a).days;
    case 'utc-time': {
      const bt = (b as typeof a).value;
      return a.value.secondsSinceEpoch === bt.secondsSinceEpoch && a.value.fraction === bt.fraction && a.value.quality === bt.quality;
    }
    default:
      return a.value === (b as typeof a).value;
  }
}

/** Indices (0-based) of the entries that differ; entries present in only one side count as changed. */
export function changedEntries(before: readonly Data[], after: readonly Data[]): number[] {
  const out: number[] = [];
  const n = Math.max(before.length, after.length);
  for (let i = 0; i < n; i++) {
    const a = before[i];
    const b = after[i];
    if (a === undefined || b === undefined || !dataEqual(a, b)) out.push(i);
  }
  return out;
}
