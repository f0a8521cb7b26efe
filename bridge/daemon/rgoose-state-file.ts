// The R-GOOSE replay state file's content and the decisions taken from it (pure: no I/O, clocks
// passed in). What the engine keeps (native/src/rgoose/replay-table.h, replay-numbering.h) is
// written here so that a restart, a crash or a key rotation never lets a recorded SPDU in again:
//   receive: per (group, sender address, stream, key id) the SPDU number up to which everything
//            counts as accepted;
//   send:    per (group, key id) the SPDU number a restart continues from;
//   keys:    per key id a tag of its material, so the entries of a key id whose material changed
//            are dropped (new material, new numbering);
//   active:  the key id that was active when written;
//   retired: per key id when this bridge saw it stop being the active key (wall clock, ms). A
//            listed key that was never active here (the next key, listed ahead of a rotation)
//            is not retired.
import { createHmac } from 'node:crypto';
import { GbError } from '../../errors/error-codes.js';
import type { ReplayMarks } from '../../native/engine.js';
import type { RgooseKeys } from '../config/rgoose-keys.js';

export const STATE_FILE_VERSION = 1;
/** Key id 0: unsigned SPDUs, used when no keys are configured. */
const UNSIGNED = 0;

export interface RgooseState {
  version: typeof STATE_FILE_VERSION;
  keys: Record<string, string>;
  active: number | null;
  retired: Record<string, number>;
  receive: ReplayMarks['receive'];
  send: Array<{ group: string; key: number; from: number }>;
}

export const EMPTY_STATE: RgooseState = { version: STATE_FILE_VERSION, keys: {}, active: null, retired: {}, receive: [], send: [] };

/** Names a key's material without revealing it: HMAC-SHA256 under the key of a fixed label. */
export function keyTag(material: Uint8Array): string {
  return createHmac('sha256', material).update('goose-bridge rgoose replay state').digest('hex').slice(0, 16);
}

/** Tags of the configured keys (key id 0 for unsigned SPDUs when there are none). */
export function keyTags(keys: RgooseKeys | null): Record<string, string> {
  if (keys === null) return { [UNSIGNED]: 'unsigned' };
  return Object.fromEntries(keys.entries().map((e) => [String(e.id), keyTag(e.key.bytes())]));
}

/** The entries that still hold: their key id is configured with the same material as when written. */
export function usableState(state: RgooseState, tags: Record<string, string>): ReplayMarks {
  const same = (key: number): boolean => tags[key] !== undefined && state.keys[key] === tags[key];
  return { receive: state.receive.filter((e) => same(e.key)), send: state.send.filter((e) => same(e.key)) };
}

/**
 * When each configured key stopped being active: as written before (for the same material), now
 * for the key that was active at the last write and is not any more; never for the active key (a
 * key made active again starts a new life) nor for one never active here.
 */
export function retirements(state: RgooseState, tags: Record<string, string>, active: number, nowMs: number): Record<string, number> {
  const same = (id: string): boolean => tags[id] !== undefined && state.keys[id] === tags[id];
  const out: Record<string, number> = {};
  for (const [id, at] of Object.entries(state.retired)) if (Number(id) !== active && same(id)) out[id] = at;
  const previous = state.active === null ? null : String(state.active);
  if (previous !== null && Number(previous) !== active && same(previous)) out[previous] ??= nowMs;
  return out;
}

/** The engine's expiry list: each retired key's grace ends graceMs after retirement (monotonic µs). */
export function keyExpiry(retired: Record<string, number>, graceMs: number, nowMs: number, nowMonoUs: number): Array<{ id: number; atUs: number }> {
  return Object.entries(retired).map(([id, at]) => ({ id: Number(id), atUs: nowMonoUs + Math.max(0, at + graceMs - nowMs) * 1000 }));
}

/** Numbers used under a key beyond which the daemon warns: rotate well before 2^32. */
export const NUMBERING_WARN_AT = 0.75 * 2 ** 32;

const isU32 = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff;

/** Reads the file's JSON; anything unexpected is a GB_ERR_CONFIG naming the file and the field. */
export function parseRgooseState(text: string, path: string): RgooseState {
  const fail = (what: string): never => {
    throw new GbError('GB_ERR_CONFIG', `rgoose_state_dir: ${path}: ${what}; the bridge will not guess replay state (restore the file, or rotate every key and remove it)`);
  };
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (err) {
    return fail(`not JSON (${(err as Error).name})`);
  }
  if (typeof o !== 'object' || o === null) return fail('not an object');
  const s = o as Partial<RgooseState>;
  if (s.version !== STATE_FILE_VERSION) return fail(`version ${JSON.stringify(s.version)} (expected ${STATE_FILE_VERSION})`);
  const record = (name: 'keys' | 'retired', ok: (v: unknown) => boolean): void => {
    const r = s[name];
    if (typeof r !== 'object' || r === null || Array.isArray(r)) fail(`${name} is not an object`);
    for (const [k, v] of Object.entries(r!)) if (!isU32(Number(k)) || !ok(v)) fail(`${name}.${k} is invalid`);
  };
  record('keys', (v) => typeof v === 'string');
  if (s.active !== null && !isU32(s.active)) return fail('active is invalid');
  record('retired', (v) => Number.isFinite(v));
  if (!Array.isArray(s.receive)) return fail('receive is not a list');
  s.receive.forEach((e, i) => {
    if (typeof e?.group !== 'string' || ![e.sender, e.stream, e.key, e.mark].every(isU32)) fail(`receive[${i}] is invalid`);
  });
  if (!Array.isArray(s.send)) return fail('send is not a list');
  s.send.forEach((e, i) => {
    if (typeof e?.group !== 'string' || ![e.key, e.from].every(isU32)) fail(`send[${i}] is invalid`);
  });
  return s as RgooseState;
}
