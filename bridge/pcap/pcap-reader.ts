// Reads a capture file from disk in chunks; the format parsing is the pure CaptureParser.
import { createReadStream } from 'node:fs';
import { GbError } from '../../errors/error-codes.js';
import { CaptureParser, type CaptureEnd, type CaptureResult, type CapturedFrame } from './capture-parser.js';

/**
 * Bytes read per chunk. Small on purpose: each chunk's frames and output text die young, in V8's
 * young generation, so peak memory stays near Node's own (64 KiB and up measured 20–40 MB more).
 */
const CHUNK_BYTES = 16 * 1024;

/**
 * The frames of a classic pcap (either byte order, µs or ns) or pcapng file, a batch per chunk
 * read. Memory stays flat whatever the file size, and the file is read only as fast as the
 * batches are taken (stop iterating and the file is closed). Frames are views into the current
 * chunk: copy one to keep it past the next batch. Iterating fails with GB_ERR_PCAP when the file
 * cannot be read or its first bytes are not a capture.
 */
export class CaptureFileReader implements AsyncIterable<CapturedFrame[]> {
  /** How the file ended; set once the iteration has run to the end. */
  end: CaptureEnd | undefined;

  constructor(readonly path: string) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<CapturedFrame[], void, undefined> {
    const parser = new CaptureParser(this.path);
    const stream = createReadStream(this.path, { highWaterMark: CHUNK_BYTES });
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const frames = parser.push(chunk);
        if (frames.length > 0) yield frames;
      }
    } catch (err) {
      if (err instanceof GbError) throw err;
      throw new GbError('GB_ERR_PCAP', `cannot read capture file ${this.path}: ${(err as Error).message}`, { cause: err });
    } finally {
      stream.destroy();
    }
    this.end = parser.finish();
  }
}

/** Reads a whole capture into memory (for captures known to be small: recordings, tests). */
export async function readCapture(path: string): Promise<CaptureResult> {
  const frames: CapturedFrame[] = [];
  const reader = new CaptureFileReader(path);
  for await (const batch of reader) frames.push(...batch);
  return { ...reader.end!, frames };
}
