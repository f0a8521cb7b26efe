// Reads a capture file from disk; the format parsing is the pure parseCapture().
import { readFile } from 'node:fs/promises';
import { GbError } from '../errors.js';
import { parseCapture, type CaptureResult } from './capture-parser.js';

/** Reads a classic pcap (either byte order, µs or ns) or pcapng file. Fails with GB_ERR_PCAP. */
export async function readCapture(path: string): Promise<CaptureResult> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new GbError('GB_ERR_PCAP', `cannot read capture file ${path}: ${(err as Error).message}`, { cause: err });
  }
  return parseCapture(bytes, path);
}
