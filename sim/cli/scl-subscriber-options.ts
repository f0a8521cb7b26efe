// `sim subscriber --scl FILE [--ied …]`: a decoder that hands every decoded GOOSE message to the
// SCL check before the subscriber judges it, and the check's output (table on stderr, `scl` key
// added to the --json report).
import { decodeFrame } from '../../bridge/codec/index.js';
import { GbError } from '../../errors/error-codes.js';
import { loadSclFile, selectIeds } from '../../bridge/scl/load-scl-file.js';
import { IdentityError } from '../core/identity-range.js';
import { formatSclCheck, SclStreamCheck } from '../scl/scl-stream-check.js';
import type { DatasetLayout, MemberNames } from '../monitor/dataset-values.js';
import { datasetLayout } from '../monitor/member-layout.js';
import type { FrameDecoder } from '../goose/stream-receiver.js';

export interface SclSubscriberCheck {
  decode: FrameDecoder;
  /** Each GoCB's dataset layout (FCDA references, structures leaf by leaf), for the monitor's values and changes. */
  memberNames: MemberNames;
  /** The table for stderr. */
  table(): string;
  /** The check's result, added to the subscriber's JSON report under `scl`. */
  json(): { scl: unknown };
}

export function sclSubscriberCheck(path: string, ieds: string[] | undefined): SclSubscriberCheck {
  let check: SclStreamCheck;
  const names = new Map<string, DatasetLayout>();
  try {
    const blocks = selectIeds(loadSclFile(path), ieds, path).controlBlocks;
    for (const cb of blocks) if (cb.kind === 'goose') names.set(cb.ref, datasetLayout(cb.members));
    check = new SclStreamCheck(blocks);
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
    memberNames: (gocbRef) => names.get(gocbRef),
    table: () => formatSclCheck(check.report(), path),
    json: () => ({ scl: check.report() }),
  };
}
