// How the decoders report failures. Inside the codec a failure unwinds the recursive walk as
// a thrown DecodeFailure (not an Error: no stack is captured, so rejecting junk is cheap);
// every public entry point catches it and returns it as a DecodeError value. Nothing else is
// ever thrown out of a decode function.
import type { DecodeError, DecodeErrorCode } from './types.js';

export class DecodeFailure {
  constructor(
    readonly code: DecodeErrorCode,
    readonly offset: number,
    readonly path: string,
    readonly message: string,
  ) {}
}

/**
 * The field path of the element being decoded, kept as a stack of segments ('goosePdu',
 * '.allData', 3, '.structure', 1 …) so the hot path only pushes small values; the string
 * `goosePdu.allData[3].structure[1]` is built only when a failure is reported.
 */
const segments: (string | number)[] = [];
let depth = 0;

export function pathReset(): void {
  depth = 0;
}
export function pathPush(segment: string | number): void {
  segments[depth++] = segment;
}
/** Replaces the top segment (the index while walking a sequence). */
export function pathSet(segment: string | number): void {
  segments[depth - 1] = segment;
}
export function pathPop(): void {
  depth--;
}

export function currentPath(): string {
  let out = '';
  for (let i = 0; i < depth; i++) {
    const s = segments[i];
    out += typeof s === 'number' ? `[${s}]` : s;
  }
  return out;
}

/** Throws a DecodeFailure at the current path; `offset` is absolute in the frame. */
export function fail(code: DecodeErrorCode, offset: number, message: string, field?: string): never {
  const path = currentPath() + (field === undefined ? '' : field);
  throw new DecodeFailure(code, offset, path, message);
}

/** Converts what a decoder threw into the public error value (programmer errors re-thrown). */
export function toDecodeError(thrown: unknown, baseOffset: number): DecodeError {
  if (thrown instanceof DecodeFailure) {
    return { code: thrown.code, offset: thrown.offset + baseOffset, path: thrown.path, message: thrown.message };
  }
  if (thrown instanceof RangeError && /call stack/i.test(thrown.message)) {
    // Unreachable with MAX_DATA_DEPTH, kept so no input can ever make decode throw.
    return { code: 'depth-exceeded', offset: baseOffset, path: currentPath(), message: 'nesting too deep' };
  }
  throw thrown;
}

export function formatDecodeError(e: DecodeError): string {
  return `${e.code} at byte ${e.offset}${e.path ? ` in ${e.path}` : ''}: ${e.message}`;
}
