// The GOOSE/SV codec: pure functions, no I/O.
export * from './types.js';
export { decodeFrame, encodeFrame, writeFrame, peekFrameHeader, FrameHeaderPeek, type PeekError, formatMac, parseMac, IEC_HEADER_BYTES } from './ethernet-frame.js';
export { decodeGoosePdu, encodeGoosePdu, writeGoosePdu, GOOSE_PDU_TAG, GOOSE_FIELD_TAG } from './goose-pdu.js';
export { decodeSvPdu, encodeSvPdu, writeSvPdu, SV_PDU_TAG } from './sv-pdu.js';
export { DATA_TAG } from './data-codec.js';
export { ReverseWriter } from './ber-writer.js';
export { formatDecodeError } from './decode-failure.js';
export { frameToJson, dataToJson, goosePduToJson, svPduToJson, decodeErrorToJson, hex, type Json } from './frame-json.js';
export { formatFrame, formatData } from './frame-text.js';
export {
  utcTimeToIso,
  utcTimeFromMicros,
  utcTimeToMicros,
  TIME_QUALITY_LEAP_SECONDS_KNOWN,
  TIME_QUALITY_CLOCK_FAILURE,
  TIME_QUALITY_CLOCK_NOT_SYNCHRONIZED,
  TIME_QUALITY_ACCURACY_MASK,
} from './utc-time.js';
