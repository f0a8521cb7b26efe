// Reads a capture file from disk in chunks; the format parsing is the pure CaptureParser.
import { createReadStream } from 'node:fs';
import { GbError } from '../errors.js';
import { CaptureParser, type CaptureEnd, type CaptureResult, type CapturedFrame } from './capture-parser.js';

/** Bytes read per chunk: large enough to amortise the per-chunk work, small enough to stay flat. */
const CHUNK_BYTES = 256 * 1024;

/**
 * Yields the frames of a classic pcap (either byte order, µs or ns) or pcapng file a chunk at a
 * time and returns how the file ended. Memory stays flat whatever the file size, and the file is
 * read only as fast as the caller takes the batches (stop iterating and the file is closed).
 * Frames are views into the current chunk: copy one to keep it past the next batch.
 * Fails with GB_ERR_PCAP when the file cannot be read or its first bytes are not a capture.
 */
export async function* readCaptureBatches(path: string): AsyncGenerator<CapturedFrame[], CaptureEnd, undefined> {
  const parser = new CaptureParser(path);
  const stream = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const frames = parser.push(chunk);
      if (frames.length > 0) yield frames;
    }
  } catch (err) {
    if (err instanceof GbError) throw err;
    throw new GbError('GB_ERR_PCAP', `cannot read capture file ${path}: ${(err as Error).message}`, { cause: err });
  } finally {
    stream.destroy();
  }
  return parser.finish();
}

/** Reads a whole capture into memory (for captures known to be small: recordings, tests). */
export async function readCapture(path: string): Promise<CaptureResult> {
  const frames: CapturedFrame[] = [];
  const batches = readCaptureBatches(path);
  for (;;) {
    const step = await batches.next();
    if (step.done) return { ...step.value, frames };
    frames.push(...step.value);
  }
}
