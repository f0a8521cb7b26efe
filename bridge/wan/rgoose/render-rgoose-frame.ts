// The `decode` hook: a UDP payload (any port) that is an R-GOOSE/R-SV SPDU rendered as text or
// a JSON object; undefined for every other payload, which the other decoders then handle.
import type { NativeKeyring } from '../../../native/rgoose.js';
import type { Json } from '../../codec/index.js';
import { decodeRgooseDatagram, formatRgoose, rgooseDecodedOk, rgooseToJson } from './decode-rgoose-datagram.js';
import { looksLikeSpdu } from './spdu-layout.js';

export type RenderedRgoose = { json: { [k: string]: Json }; text: string; failed: boolean };

export function renderRgooseDatagram(payload: Uint8Array, keyring?: NativeKeyring): RenderedRgoose | undefined {
  if (!looksLikeSpdu(payload)) return undefined;
  const r = decodeRgooseDatagram(payload, keyring);
  if (!r.ok) return { json: { kind: 'r-goose', error: r.error }, text: `R-GOOSE/R-SV datagram: ${r.error}`, failed: true };
  return { json: rgooseToJson(r.value) as { [k: string]: Json }, text: formatRgoose(r.value), failed: !rgooseDecodedOk(r.value) };
}
