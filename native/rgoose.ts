// TypeScript face of the addon's R-GOOSE session layer (native/src/rgoose/): the same C++ the
// forwarding engine runs, exposed for tests and for `goose-bridge decode --rgoose-keys`.
import { createRequire } from 'node:module';
import { GbError } from '../errors/error-codes.js';

/** Algorithm names as key files write them, with their MAC or AES key bytes (the C++ tables' labels). */
export const SIGNATURE_ALGORITHMS = { none: 0, 'hmac-sha256-80': 10, 'hmac-sha256-128': 16, 'hmac-sha256-256': 32 } as const;
export const ENCRYPTION_ALGORITHMS = { none: 0, 'aes-128-gcm': 16, 'aes-256-gcm': 32 } as const;
export type SignatureAlgorithm = keyof typeof SIGNATURE_ALGORITHMS;
export type EncryptionAlgorithm = keyof typeof ENCRYPTION_ALGORITHMS;

export interface NativeKey {
  id: number;
  signature: SignatureAlgorithm;
  encryption: EncryptionAlgorithm;
  /** AES key, then the HMAC key, when the key both encrypts and signs. */
  key: Uint8Array;
  timeOfCurrentKey?: number;
  timeToNextKey?: number;
}

export interface EncodeParams {
  spduNumber: number;
  appid: number;
  simulation?: boolean;
  isSv?: boolean;
  /** 12 bytes, required when the active key encrypts. */
  iv?: Uint8Array;
  /** Encode without a key (key id 0) even when the keyring has keys. */
  unsigned?: boolean;
}

export interface OpenResult {
  /** One of resultLabels: 'ok', 'malformed-…', 'unknown-key', 'unsigned', 'bad-signature', … */
  result: string;
  sessionId: number;
  isSv: boolean;
  spduLength: number;
  spduNumber: number;
  version: number;
  keyId: number;
  ivLength: number;
  userDataLength: number;
  /** Present when result is 'ok'. */
  simulation?: boolean;
  appid?: number;
  apdu?: Buffer;
  signature?: SignatureAlgorithm;
  encryption?: EncryptionAlgorithm;
}

export interface NativeKeyring {
  encode(p: EncodeParams, apdu: Uint8Array): Buffer | null;
  open(datagram: Uint8Array): OpenResult;
  setActive(id: number): boolean;
  readonly size: number;
  /** Mean ns per encode and per open with the active key, timed inside C++ (rgoose.bench.ts). */
  bench(apduLen: number, iterations: number): { encodeNs: number; openNs: number; spduBytes: number };
}

export type ReplayVerdict = 'fresh' | 'replay' | 'too-old';
export interface NativeReplayWindow {
  check(n: number): ReplayVerdict;
  commit(n: number): boolean;
  anchorAt(top: number): void;
  reset(): void;
  readonly newest: number | null;
}

export type ReplayOutcome = 'deliver' | 'replay' | 'stale' | 'duplicate' | 'unconfirmed-sender' | 'state-not-saved' | 'senders-full';
export interface WindowKeyArg {
  sender: number;
  stream: number;
  key: number;
}
export interface NativeReplayGuard {
  accept(k: WindowKeyArg, n: number, message: number, nowUs: number): ReplayOutcome;
  snapshot(exact: boolean, nowUs: number): Array<WindowKeyArg & { mark: number }>;
  saved(): void;
  restore(marks: Array<WindowKeyArg & { mark: number }>): void;
  readonly size: number;
  readonly saveDue: boolean;
}

export interface NativeSpduNumbering {
  take(keyId: number): number | null;
  prepare(keyId: number): void;
  snapshot(exact: boolean): Array<{ key: number; from: number }>;
  saved(): void;
  restore(m: { key: number; from: number }): void;
}

interface RgooseAddon {
  hmacSha256(key: Uint8Array, data: Uint8Array, macLen: number): Buffer;
  gcmSeal(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): { ciphertext: Buffer; tag: Buffer };
  gcmOpen(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array): Buffer | null;
  Keyring: new (keys: NativeKey[], active?: number) => NativeKeyring;
  ReplayWindow: (new () => NativeReplayWindow) & { width: number };
  ReplayGuard: new (capacity: number) => NativeReplayGuard;
  SpduNumbering: (new () => NativeSpduNumbering) & { reserve: number };
  resultLabels: string[];
}

const require = createRequire(import.meta.url);
let cached: RgooseAddon | undefined;

/** The addon's rgoose exports; throws a clear error when the addon is not built. */
export function rgooseNative(): RgooseAddon {
  if (cached) return cached;
  try {
    cached = (require(process.env.GOOSE_NATIVE_ADDON ?? './build/Release/goose_native.node') as { rgoose: RgooseAddon }).rgoose;
  } catch (e) {
    throw new Error('goose-bridge native addon is not built (native/build/Release/goose_native.node): run `npm run prepare`', { cause: e });
  }
  return cached;
}

/** A native keyring; a key the C++ refuses becomes a GB_ERR_CONFIG GbError naming the key. */
export function createNativeKeyring(keys: NativeKey[], active?: number): NativeKeyring {
  try {
    return new (rgooseNative().Keyring)(keys, active);
  } catch (e) {
    if (e instanceof Error && (e as Error & { code?: string }).code === 'GB_ERR_CONFIG') throw new GbError('GB_ERR_CONFIG', e.message);
    throw e;
  }
}
