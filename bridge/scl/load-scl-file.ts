// Reads an SCL file from disk in 16 kB pieces into the streaming reader, so memory follows the model,
// not the file: an unreadable file, XML that is not well-formed, a document that is not SCL or
// one beyond the reader's limits becomes GbError GB_ERR_SCL naming the file (the CLIs exit 2).
import { closeSync, openSync, readSync } from 'node:fs';
import { TextDecoder } from 'node:util';
import { GbError } from '../../errors/error-codes.js';
import { DEFAULT_SCL_LIMITS } from './scl-limits.js';
import { readSclFrom, SclFormatError } from './scl-reader.js';
import type { SclFile } from './scl-model.js';
import { XmlLimitError, XmlSyntaxError, type XmlLimits } from './xml-tree.js';

// Small pieces: a decoded piece over V8's regular object size (~128 kB) lands in large-object
// space, freed only by a full collection; 50 of those 1 MB pieces alone held ~70 MB of resident memory.
const CHUNK_BYTES = 1 << 14;

/** UTF-8 (with or without BOM), or UTF-16 marked by its BOM, as some engineering tools write. */
function decoderFor(head: Uint8Array): TextDecoder {
  if (head[0] === 0xff && head[1] === 0xfe) return new TextDecoder('utf-16le');
  if (head[0] === 0xfe && head[1] === 0xff) return new TextDecoder('utf-16be');
  return new TextDecoder('utf-8');
}

/** A whole file's text, decoded as loadSclFile decodes it. */
export function decodeSclText(buf: Uint8Array): string {
  return decoderFor(buf).decode(buf);
}

function readError(path: string, err: unknown): GbError {
  return new GbError('GB_ERR_SCL', `cannot read SCL file ${path}: ${(err as Error).message}`, { cause: err });
}

/** The file's text in pieces, from its start, into `sink`. */
function readPieces(fd: number, path: string, sink: (piece: string) => void): void {
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  let decoder: TextDecoder | undefined;
  for (let at = 0; ; ) {
    let n: number;
    try {
      n = readSync(fd, buf, 0, CHUNK_BYTES, at);
    } catch (err) {
      throw readError(path, err);
    }
    decoder ??= decoderFor(buf.subarray(0, n));
    if (n === 0) break;
    at += n;
    sink(decoder.decode(buf.subarray(0, n), { stream: true }));
  }
  sink(decoder?.decode() ?? '');
}

export function loadSclFile(path: string, limits: XmlLimits = DEFAULT_SCL_LIMITS): SclFile {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw readError(path, err);
  }
  try {
    return readSclFrom((sink) => readPieces(fd, path, sink), limits);
  } catch (err) {
    if (err instanceof XmlSyntaxError || err instanceof SclFormatError || err instanceof XmlLimitError) throw new GbError('GB_ERR_SCL', `${path}: ${err.message}`, { cause: err });
    throw err;
  } finally {
    closeSync(fd);
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
