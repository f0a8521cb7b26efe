// UtcTime (IEC 61850-8-1): 4 bytes seconds since 1970, 3 bytes fraction of a second × 2^24,
// 1 byte TimeQuality. Used by the PDU header `t`, the utc-time Data type and SV refrTm.
import type { UtcTime } from './types.js';
import { readUint32BE } from './ber-reader.js';
import type { ReverseWriter } from './ber-writer.js';

export const UTC_TIME_BYTES = 8;

/** TimeQuality bits. */
export const TIME_QUALITY_LEAP_SECONDS_KNOWN = 0x80;
export const TIME_QUALITY_CLOCK_FAILURE = 0x40;
export const TIME_QUALITY_CLOCK_NOT_SYNCHRONIZED = 0x20;
export const TIME_QUALITY_ACCURACY_MASK = 0x1f;

export function readUtcTimeAt(buf: Uint8Array, o: number): UtcTime {
  return {
    secondsSinceEpoch: readUint32BE(buf, o),
    fraction: (buf[o + 4]! << 16) | (buf[o + 5]! << 8) | buf[o + 6]!,
    quality: buf[o + 7]!,
  };
}

export function writeUtcTime(w: ReverseWriter, t: UtcTime, field: string): void {
  checkUtcTime(t, field);
  w.byte(t.quality);
  w.uintBE(t.fraction, 3);
  w.uintBE(t.secondsSinceEpoch, 4);
}

export function checkUtcTime(t: UtcTime, field: string): void {
  if (!isUint(t.secondsSinceEpoch, 0xffffffff)) throw new RangeError(`${field}.secondsSinceEpoch must be an integer 0..2^32-1, got ${t.secondsSinceEpoch}`);
  if (!isUint(t.fraction, 0xffffff)) throw new RangeError(`${field}.fraction must be an integer 0..2^24-1, got ${t.fraction}`);
  if (!isUint(t.quality, 0xff)) throw new RangeError(`${field}.quality must be an integer 0..255, got ${t.quality}`);
}

function isUint(v: unknown, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
}

/** Time of day as ISO-8601 with microseconds rounded from the 24-bit fraction. */
export function utcTimeToIso(t: UtcTime): string {
  const micros = fractionToMicros(t.fraction);
  const iso = new Date(t.secondsSinceEpoch * 1000).toISOString(); // …T22:13:20.000Z
  return `${iso.slice(0, 19)}.${String(micros).padStart(6, '0')}Z`;
}

/** UtcTime for a point in time given as microseconds since the epoch. */
export function utcTimeFromMicros(epochUs: number | bigint, quality = 0): UtcTime {
  const us = typeof epochUs === 'bigint' ? epochUs : BigInt(Math.floor(epochUs));
  const seconds = us / 1_000_000n;
  const sub = us % 1_000_000n;
  return {
    secondsSinceEpoch: Number(seconds),
    fraction: Number((sub << 24n) / 1_000_000n),
    quality,
  };
}

/** Microseconds since the epoch for a UtcTime (inverse of utcTimeFromMicros). */
export function utcTimeToMicros(t: UtcTime): number {
  return t.secondsSinceEpoch * 1_000_000 + fractionToMicros(t.fraction);
}

/** Rounded, so utcTimeFromMicros (which floors to 2^-24 s) followed by this is the identity. */
function fractionToMicros(fraction: number): number {
  return Math.min(999_999, Math.round((fraction * 1_000_000) / 0x1000000));
}
