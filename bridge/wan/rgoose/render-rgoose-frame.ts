// The `decode` hook: a captured frame that carries an R-GOOSE/R-SV datagram (UDP, any port)
// rendered as text or a JSON object; undefined for every other frame, which the regular
// GOOSE/SV decoder then handles.
import type { NativeKeyring } from '../../../native/rgoose.js';
import type { Json } from '../../codec/index.js';
import { decodeRgooseDatagram, formatRgoose, rgooseDecodedOk, rgooseToJson } from './decode-rgoose-datagram.js';
import { looksLikeSpdu } from './spdu-layout.js';
import { udpPayloadOf } from './udp-in-ethernet.js';

export type RenderedRgoose = { json: { [k: string]: Json }; text: string; failed: boolean };

export function renderRgooseFrame(frame: Uint8Array, keyring?: NativeKeyring): RenderedRgoose | undefined {
  const payload = udpPayloadOf(frame);
  if (payload === undefined || !looksLikeSpdu(payload)) return undefined;
  const r = decodeRgooseDatagram(payload, keyring);
  if (!r.ok) return { json: { kind: 'r-goose', error: r.error }, text: `R-GOOSE/R-SV datagram: ${r.error}`, failed: true };
  return { json: rgooseToJson(r.value) as { [k: string]: Json }, text: formatRgoose(r.value), failed: !rgooseDecodedOk(r.value) };
}
