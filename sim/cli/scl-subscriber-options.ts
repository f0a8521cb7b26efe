// `sim subscriber --scl FILE [--ied …]`: a decoder that hands every decoded GOOSE message to the
// SCL check before the subscriber judges it, and the check's output (table on stderr, `scl` key
// added to the --json report).
import { decodeFrame } from '../../bridge/codec/index.js';
import { GbError } from '../../native/errors.js';
import { loadSclFile, selectIeds } from '../../bridge/scl/load-scl-file.js';
import { IdentityError } from '../publisher-identities.js';
import { formatSclCheck, SclStreamCheck } from '../scl-stream-check.js';
import type { FrameDecoder } from '../stream-receiver.js';

export interface SclSubscriberCheck {
  decode: FrameDecoder;
  /** The table for stderr. */
  table(): string;
  /** The check's result, added to the subscriber's JSON report under `scl`. */
  json(): { scl: unknown };
}

export function sclSubscriberCheck(path: string, ieds: string[] | undefined): SclSubscriberCheck {
  let check: SclStreamCheck;
  try {
    check = new SclStreamCheck(selectIeds(loadSclFile(path), ieds, path).controlBlocks);
  } catch (err) {
    if (err instanceof GbError) throw new IdentityError('scl', err.message);
    throw err;
  }
  return {
    decode: (buf) => {
      const r = decodeFrame(buf);
      if (r.ok && r.value.kind === 'goose') check.check(r.value);
      return r;
    },
    table: () => formatSclCheck(check.report(), path),
    json: () => ({ scl: check.report() }),
  };
}
