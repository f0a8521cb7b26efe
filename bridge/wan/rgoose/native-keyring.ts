// Hands a validated key file to the engine's C++ keyring (one per data-plane thread).
import { createNativeKeyring, type NativeKeyring } from '../../../native/rgoose.js';
import type { RgooseKeys } from '../../config/rgoose-keys.js';

export function nativeKeyringFrom(keys: RgooseKeys): NativeKeyring {
  return createNativeKeyring(
    keys.entries().map((e) => ({ id: e.id, signature: e.signature, encryption: e.encryption, key: e.key.bytes() })),
    keys.active,
  );
}
