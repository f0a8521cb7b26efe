// The R-GOOSE key file (`--rgoose-keys FILE`):
//   {"active": 7, "keys": [{"id": 7, "signature": "hmac-sha256-128", "encryption": "none", "key": "<hex>"}]}
// Read, permission-checked and validated here; the keys then live only inside RgooseKeys,
// whose toJSON/toString/inspect redact them, so they never reach logs, stats or `status`.
import { readFile, stat } from 'node:fs/promises';
import { inspect } from 'node:util';
import { GbError } from '../../errors/error-codes.js';
import { JsonTextError, parseJsonText, safeName } from './json-text.js';

import { ENCRYPTION_ALGORITHMS, SIGNATURE_ALGORITHMS, type EncryptionAlgorithm, type SignatureAlgorithm } from '../../native/rgoose.js';

export { ENCRYPTION_ALGORITHMS, SIGNATURE_ALGORITHMS, type EncryptionAlgorithm, type SignatureAlgorithm };

/** HMAC key bytes accepted (NIST SP 800-107: at least the 128-bit security strength; SHA-256's block is 64). */
export const HMAC_KEY_BYTES = { min: 16, max: 32 } as const;
/** Any permission bit for group or others refuses the file, as ssh does for private keys. */
export const FORBIDDEN_MODE_BITS = 0o077;

const REDACTED = '<redacted>';

/** Key bytes that render as <redacted> however they are logged; bytes() hands them to the engine. */
export class KeyMaterial {
  readonly #bytes: Buffer;
  constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }
  bytes(): Buffer {
    return this.#bytes;
  }
  get length(): number {
    return this.#bytes.length;
  }
  toJSON(): string {
    return REDACTED;
  }
  toString(): string {
    return REDACTED;
  }
  [inspect.custom](): string {
    return REDACTED;
  }
}

export interface RgooseKeyEntry {
  readonly id: number;
  readonly signature: SignatureAlgorithm;
  readonly encryption: EncryptionAlgorithm;
  /** AES key then HMAC key when both are set. */
  readonly key: KeyMaterial;
}

/** A validated key set. Key bytes are reachable only through KeyMaterial.bytes(); every rendering redacts them. */
export class RgooseKeys {
  readonly #entries: readonly RgooseKeyEntry[];
  constructor(
    readonly active: number,
    entries: readonly RgooseKeyEntry[],
    readonly source: string,
  ) {
    this.#entries = entries;
  }

  get ids(): number[] {
    return this.#entries.map((e) => e.id);
  }

  entries(): readonly RgooseKeyEntry[] {
    return this.#entries;
  }

  byId(id: number): RgooseKeyEntry | undefined {
    return this.#entries.find((e) => e.id === id);
  }

  /** What may be shown: ids and algorithms, never key bytes. */
  describe(): { source: string; active: number; keys: { id: number; signature: string; encryption: string; key: string }[] } {
    return {
      source: this.source,
      active: this.active,
      keys: this.#entries.map((e) => ({ id: e.id, signature: e.signature, encryption: e.encryption, key: REDACTED })),
    };
  }

  toJSON(): unknown {
    return this.describe();
  }

  toString(): string {
    return `RgooseKeys(${this.source}: active ${this.active}, ids ${this.ids.join(',')})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

function configError(source: string, field: string, message: string): GbError {
  return new GbError('GB_ERR_CONFIG', `${source}: ${field}: ${message}`);
}

/**
 * A refused value as an error may show it. Any field may hold a key pasted in the wrong place, so
 * strings and long numbers are described by their kind and length, never shown.
 */
function describeValue(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) && Math.abs(value) < 1e10 ? String(value) : 'a number (not shown)';
  if (typeof value === 'string') return `a string of ${value.length} character${value.length === 1 ? '' : 's'} (not shown)`;
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'missing';
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value);
}

function oneOf<T extends string>(source: string, field: string, value: unknown, allowed: Record<T, number>): T {
  if (typeof value === 'string' && Object.hasOwn(allowed, value)) return value as T;
  throw configError(source, field, `${describeValue(value)} is not one of ${Object.keys(allowed).join(', ')}`);
}

function keyId(source: string, field: string, value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 0xffffffff) return value;
  throw configError(source, field, `${describeValue(value)} is not an integer 1..4294967295 (0 marks unsigned SPDUs)`);
}

function keyBytes(source: string, field: string, value: unknown, signature: SignatureAlgorithm, encryption: EncryptionAlgorithm): KeyMaterial {
  // The value itself is never echoed: a typo in a key must not leak the key into a log.
  if (typeof value !== 'string' || !/^(?:[0-9a-fA-F]{2})+$/.test(value)) {
    throw configError(source, field, `must be a non-empty string of hex digit pairs (value not shown)`);
  }
  const key = Buffer.from(value, 'hex');
  const aes = ENCRYPTION_ALGORITHMS[encryption];
  const mac = key.length - aes;
  const macOk = signature === 'none' ? mac === 0 : mac >= HMAC_KEY_BYTES.min && mac <= HMAC_KEY_BYTES.max;
  if (!macOk) {
    const want = [
      aes > 0 ? `${aes} bytes for ${encryption}` : '',
      signature !== 'none' ? `${HMAC_KEY_BYTES.min}..${HMAC_KEY_BYTES.max} bytes for ${signature}` : '',
    ].filter((s) => s !== '');
    key.fill(0);
    throw configError(source, field, `${value.length / 2} bytes; expected ${want.join(' followed by ')}`);
  }
  return new KeyMaterial(key);
}

const KEY_FIELDS = new Set(['id', 'signature', 'encryption', 'key']);

function parseKey(source: string, i: number, raw: unknown, seen: Set<number>): RgooseKeyEntry {
  const at = `keys[${i}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw configError(source, at, 'must be an object');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEY_FIELDS.has(k)) throw configError(source, at, `unknown field ${safeName(k)} (allowed: id, signature, encryption, key)`);
  const id = keyId(source, `${at}.id`, o.id);
  if (seen.has(id)) throw configError(source, `${at}.id`, `${id} is listed twice`);
  seen.add(id);
  const signature = oneOf(source, `${at}.signature`, o.signature, SIGNATURE_ALGORITHMS);
  const encryption = oneOf(source, `${at}.encryption`, o.encryption, ENCRYPTION_ALGORITHMS);
  if (signature === 'none' && encryption === 'none') {
    throw configError(source, at, 'signature and encryption are both "none": a key must sign, encrypt or both');
  }
  return { id, signature, encryption, key: keyBytes(source, `${at}.key`, o.key, signature, encryption) };
}

/** Validates the parsed JSON of a key file; `source` names the file in errors. */
export function parseRgooseKeys(json: unknown, source: string): RgooseKeys {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw configError(source, '(top level)', 'must be a JSON object');
  const o = json as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== 'active' && k !== 'keys') throw configError(source, '(top level)', `unknown field ${safeName(k)} (allowed: active, keys)`);
  if (!Array.isArray(o.keys) || o.keys.length === 0) throw configError(source, 'keys', 'must be a non-empty array');
  const seen = new Set<number>();
  const entries = o.keys.map((k, i) => parseKey(source, i, k, seen));
  const active = keyId(source, 'active', o.active);
  if (!seen.has(active)) throw configError(source, 'active', `${active} is not the id of a listed key (ids: ${[...seen].join(', ')})`);
  return new RgooseKeys(active, entries, source);
}

/** Refuses a file that group or others may read or write (mode & 0o077), naming the file and its mode. */
export function checkKeyFileMode(path: string, mode: number): void {
  if ((mode & FORBIDDEN_MODE_BITS) !== 0) {
    const octal = (mode & 0o7777).toString(8).padStart(4, '0');
    throw new GbError(
      'GB_ERR_CONFIG',
      `--rgoose-keys ${path}: mode ${octal} lets group or others access the keys; allowed: owner only (chmod 600 ${path})`,
    );
  }
}

/** Reads, permission-checks and validates a key file. */
export async function readRgooseKeys(path: string): Promise<RgooseKeys> {
  let text: string;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new GbError('GB_ERR_CONFIG', `--rgoose-keys ${path}: not a regular file`);
    checkKeyFileMode(path, st.mode);
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof GbError) throw err;
    throw new GbError('GB_ERR_CONFIG', `--rgoose-keys ${path}: cannot read: ${(err as Error).message}`, { cause: err });
  }
  let json: unknown;
  try {
    // Strict: a repeated property ("key" twice) is refused, and the error says where, never what.
    json = parseJsonText(text);
  } catch (err) {
    if (!(err instanceof JsonTextError)) throw err;
    throw new GbError('GB_ERR_CONFIG', `--rgoose-keys ${path}: not valid JSON: ${err.message}`);
  }
  return parseRgooseKeys(json, `--rgoose-keys ${path}`);
}
