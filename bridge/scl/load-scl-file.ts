// Reads an SCL file from disk: an unreadable file, XML that is not well-formed or a document that
// is not SCL becomes GbError GB_ERR_SCL naming the file (the CLIs exit 2 on it).
import { readFileSync } from 'node:fs';
import { GbError } from '../../native/errors.js';
import { readScl, SclFormatError } from './scl-reader.js';
import type { SclFile } from './scl-model.js';
import { XmlSyntaxError } from './xml-tree.js';

/** UTF-8 (with or without BOM), or UTF-16 marked by its BOM, as some engineering tools write. */
export function decodeSclText(buf: Buffer): string {
  if (buf[0] === 0xff && buf[1] === 0xfe) return buf.toString('utf16le', 2);
  if (buf[0] === 0xfe && buf[1] === 0xff) return Buffer.from(buf.subarray(2, buf.length & ~1)).swap16().toString('utf16le');
  return buf.toString('utf8');
}

export function loadSclFile(path: string): SclFile {
  let text: string;
  try {
    text = decodeSclText(readFileSync(path));
  } catch (err) {
    throw new GbError('GB_ERR_SCL', `cannot read SCL file ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return readScl(text);
  } catch (err) {
    if (err instanceof XmlSyntaxError || err instanceof SclFormatError) throw new GbError('GB_ERR_SCL', `${path}: ${err.message}`, { cause: err });
    throw err;
  }
}

/** Keeps the control blocks of the named IEDs (all when none are named); an unknown name is an error. */
export function selectIeds(file: SclFile, names: readonly string[] | undefined, source: string): SclFile {
  if (names === undefined || names.length === 0) return file;
  for (const n of names) {
    if (!file.ieds.includes(n)) throw new GbError('GB_ERR_SCL', `IED "${n}" is not in ${source} (it has: ${file.ieds.join(', ') || 'no IED'})`);
  }
  const inChosen = (text: string): boolean => names.some((n) => text.includes(`IED[name=${n}]`) || text.includes(`iedName=${n},`));
  return {
    ...file,
    ieds: file.ieds.filter((n) => names.includes(n)),
    controlBlocks: file.controlBlocks.filter((cb) => names.includes(cb.ied)),
    issues: file.issues.filter((i) => inChosen(i.path) || inChosen(i.message)),
  };
}
