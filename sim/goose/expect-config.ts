// --expect CONFIG: the streams a subscriber must see. A JSON file, either an explicit list
//   {"streams": [{"appid": "0x1000", "gocbRef": "SIM1LD0/LLN0$GO$gcb01", "srcMac": "02:00:00:00:00:01"}, …]}
// or the publisher's base values, expanded exactly as `sim publisher --publishers N` does
//   {"publishers": 50, "appid": "0x1000", "srcMac": "02:00:00:00:00:01", "gocbRef": "SIM{n}LD0/LLN0$GO$gcb01"}
// (omitted keys take the publisher's defaults). `sim publisher --expect-out FILE` writes the
// first form. Pure parsing.
import { DEFAULT_IDENTITY, deriveIdentities, streamKeyOf } from './publisher-identities.js';
import { parseJsonText } from '../../bridge/config/json-text.js';
import type { StreamKey } from './stream-tracker.js';

export class ExpectConfigError extends Error {
  override readonly name = 'ExpectConfigError';
}

function parseAppId(v: unknown, where: string): number {
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xffff) {
    throw new ExpectConfigError(`${where}.appid must be 0 … 0xFFFF (number or "0x…" string), got ${JSON.stringify(v)}`);
  }
  return n;
}

function str(v: unknown, where: string, key: string): string {
  if (typeof v !== 'string' || v === '') throw new ExpectConfigError(`${where}.${key} must be a non-empty string, got ${JSON.stringify(v)}`);
  return v;
}

function mac(v: unknown, where: string): string {
  const s = str(v, where, 'srcMac');
  if (!/^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$/.test(s)) throw new ExpectConfigError(`${where}.srcMac must be a MAC address like 02:00:00:00:00:01, got "${s}"`);
  return s.toLowerCase().replaceAll('-', ':');
}

export function parseExpectConfig(json: string, file: string): StreamKey[] {
  let raw: unknown;
  try {
    raw = parseJsonText(json);
  } catch (err) {
    throw new ExpectConfigError(`expect file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ExpectConfigError(`expect file ${file} must hold an object with "streams" or "publishers"`);
  const o = raw as Record<string, unknown>;
  if (Array.isArray(o.streams)) {
    return o.streams.map((s: unknown, i): StreamKey => {
      const where = `${file}: streams[${i}]`;
      if (s === null || typeof s !== 'object') throw new ExpectConfigError(`${where} must be an object`);
      const e = s as Record<string, unknown>;
      return { appId: parseAppId(e.appid, where), gocbRef: str(e.gocbRef, where, 'gocbRef'), src: mac(e.srcMac, where) };
    });
  }
  if (o.publishers !== undefined) {
    const n = o.publishers;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new ExpectConfigError(`${file}: publishers must be a whole number ≥ 1, got ${JSON.stringify(n)}`);
    const base = {
      ...DEFAULT_IDENTITY,
      ...(o.appid !== undefined ? { appId: parseAppId(o.appid, file) } : {}),
      ...(o.srcMac !== undefined ? { srcMac: mac(o.srcMac, file) } : {}),
      ...(o.gocbRef !== undefined ? { gocbRef: str(o.gocbRef, file, 'gocbRef') } : {}),
    };
    try {
      return deriveIdentities(base, n).map(streamKeyOf);
    } catch (err) {
      throw new ExpectConfigError(`${file}: ${(err as Error).message}`);
    }
  }
  throw new ExpectConfigError(`expect file ${file} must have "streams" (a list) or "publishers" (a count with base values)`);
}

export function formatExpectConfig(keys: StreamKey[]): string {
  return `${JSON.stringify({ streams: keys.map((k) => ({ appid: `0x${k.appId.toString(16).padStart(4, '0')}`, gocbRef: k.gocbRef, srcMac: k.src })) }, null, 2)}\n`;
}
