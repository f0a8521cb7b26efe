// `sim publisher --scl FILE [--ied …] [--gocb …]`: the publishers of the chosen GoCBs, with the
// options the user typed (not their defaults) replacing single fields. Errors name the option;
// what the file leaves to chance (a shared APPID, no MinTime/MaxTime) is warned about on stderr.
import { GbError } from '../../errors/error-codes.js';
import { loadSclFile } from '../../bridge/scl/load-scl-file.js';
import type { SclFile } from '../../bridge/scl/scl-model.js';
import type { EntrySpec } from '../goose/dataset-spec.js';
import { typedAddressOverrides, typedPicker } from './sim-options.js';
import { IdentityError } from '../core/identity-range.js';
import { sclPublishers, sclWarnings, selectGoCbs, type SclOverrides, type SclPublisher } from '../scl/scl-publishers.js';

/** The publisher options a --scl run reads (the file, the selection, and the fields it may override). */
export interface SclPublisherOpts {
  scl: string;
  ied?: string[];
  gocb?: string[];
  appid: number;
  dstMac: string;
  srcMac: string;
  vlanId?: number;
  vlanPriority?: number;
  gocbRef: string;
  datasetRef: string;
  goId: string;
  confRev: number;
  t0: number;
  t1: number;
}

/** The SCL file of a `sim … --scl` command; a file that cannot be read is an error of --scl. */
export function loadSclForSim(path: string): SclFile {
  try {
    return loadSclFile(path);
  } catch (err) {
    if (err instanceof GbError) throw new IdentityError('scl', err.message);
    throw err;
  }
}

/** Options that cannot be combined with --scl (the file defines one publisher per GoCB). */
const NOT_WITH_SCL = ['publishers'];

/**
 * @param given option names (camelCase) the user typed; only those override the SCL
 * @param dataset the parsed --dataset, used when given
 */
export function sclPublisherList(o: SclPublisherOpts, given: ReadonlySet<string>, dataset: () => EntrySpec[], warn = (line: string): unknown => process.stderr.write(line)): SclPublisher[] {
  for (const k of NOT_WITH_SCL) if (given.has(k)) throw new IdentityError(k, `--${k} does not apply with --scl (one publisher per GoCB of the file)`);
  const pick = typedPicker(o, given);
  const overrides: SclOverrides = {
    ...typedAddressOverrides(o, given),
    gocbRef: pick('gocbRef'),
    datSet: pick('datasetRef'),
    goID: pick('goId'),
    confRev: pick('confRev'),
    t0Ms: pick('t0'),
    t1Ms: pick('t1'),
    dataset: given.has('dataset') ? dataset() : undefined,
  };
  const scl = loadSclForSim(o.scl);
  const cbs = selectGoCbs(scl, { ieds: o.ied, gocbs: o.gocb });
  for (const w of sclWarnings(scl, cbs, { t0Ms: o.t0, t1Ms: o.t1 }, overrides)) warn(`sim publisher: warning: ${w}\n`);
  return sclPublishers(scl, {}, overrides, o.srcMac, cbs);
}
