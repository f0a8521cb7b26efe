// Writes classic pcap files (microsecond timestamps). Frames are copied into a chunk buffer
// and chunks are written asynchronously in order, so a publisher can record every frame it
// sends without awaiting a disk write per frame.
import { open, type FileHandle } from 'node:fs/promises';
import { GbError } from '../../errors/error-codes.js';
import { LINKTYPE_ETHERNET, PCAP_MAGIC_MICROSECONDS } from './pcap-format.js';

const GLOBAL_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
const CHUNK_BYTES = 256 * 1024;
const DEFAULT_SNAPLEN = 262_144;

export interface PcapWriterOptions {
  /** LINKTYPE_* of the frames written (default 1, Ethernet). */
  linkType?: number;
  /** Snapshot length recorded in the header; longer frames are truncated to it (default 262144). */
  snaplen?: number;
}

export class PcapWriter {
  private chunk: Buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  private queue: Promise<void> = Promise.resolve();
  private failure: unknown = undefined;
  private closed = false;
  private framesWritten = 0;
  private bytesQueued = 0;

  private constructor(
    private readonly file: FileHandle,
    readonly path: string,
    readonly linkType: number,
    readonly snaplen: number,
  ) {}

  /** Creates (or truncates) `path` and writes the pcap global header. */
  static async open(path: string, options: PcapWriterOptions = {}): Promise<PcapWriter> {
    const linkType = options.linkType ?? LINKTYPE_ETHERNET;
    const snaplen = options.snaplen ?? DEFAULT_SNAPLEN;
    if (!Number.isInteger(linkType) || linkType < 0 || linkType > 0xffff) {
      throw new RangeError(`PcapWriter linkType must be an integer 0..65535, got ${linkType}`);
    }
    if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > 0x7fffffff) {
      throw new RangeError(`PcapWriter snaplen must be a positive integer, got ${snaplen}`);
    }
    let file: FileHandle;
    try {
      file = await open(path, 'w');
    } catch (err) {
      throw new GbError('GB_ERR_PCAP', `cannot create capture file ${path}: ${(err as Error).message}`, { cause: err });
    }
    const writer = new PcapWriter(file, path, linkType, snaplen);
    const header = writer.chunk;
    header.writeUInt32LE(PCAP_MAGIC_MICROSECONDS, 0);
    header.writeUInt16LE(2, 4); // version 2.4
    header.writeUInt16LE(4, 6);
    header.writeInt32LE(0, 8); // thiszone: timestamps are UTC
    header.writeUInt32LE(0, 12); // sigfigs
    header.writeUInt32LE(snaplen, 16);
    header.writeUInt32LE(linkType, 20);
    writer.used = GLOBAL_HEADER_BYTES;
    return writer;
  }

  /** Number of frames passed to write() so far. */
  get count(): number {
    return this.framesWritten;
  }

  /**
   * Appends one frame. `timestampUs` is microseconds since the Unix epoch (or any epoch the
   * reader agrees on, e.g. CLOCK_MONOTONIC). The frame is copied; the caller may reuse it.
   */
  write(frame: Uint8Array, timestampUs: number | bigint): void {
    if (this.closed) throw new Error(`PcapWriter.write after close (${this.path})`);
    let seconds: number;
    let micros: number;
    if (typeof timestampUs === 'bigint') {
      if (timestampUs < 0n) throw new RangeError(`pcap timestamp must be >= 0, got ${timestampUs}`);
      seconds = Number(timestampUs / 1_000_000n);
      micros = Number(timestampUs % 1_000_000n);
    } else {
      if (!Number.isFinite(timestampUs) || timestampUs < 0) {
        throw new RangeError(`pcap timestamp must be a finite number >= 0, got ${timestampUs}`);
      }
      const whole = Math.floor(timestampUs);
      seconds = Math.floor(whole / 1_000_000);
      micros = whole - seconds * 1_000_000;
    }
    if (seconds > 0xffffffff) throw new RangeError(`pcap timestamp ${timestampUs} us does not fit 32-bit seconds`);
    const captured = Math.min(frame.length, this.snaplen);
    const needed = RECORD_HEADER_BYTES + captured;
    if (this.used + needed > this.chunk.length) {
      this.flushChunk();
      if (needed > this.chunk.length) this.chunk = Buffer.allocUnsafe(needed);
    }
    const c = this.chunk;
    let o = this.used;
    c.writeUInt32LE(seconds, o);
    c.writeUInt32LE(micros, o + 4);
    c.writeUInt32LE(captured, o + 8);
    c.writeUInt32LE(frame.length, o + 12);
    o += RECORD_HEADER_BYTES;
    c.set(captured === frame.length ? frame : frame.subarray(0, captured), o);
    this.used = o + captured;
    this.framesWritten++;
  }

  /** Bytes handed to the disk but not written yet, plus the chunk being filled (a writer that falls behind shows here). */
  get pendingBytes(): number {
    return this.bytesQueued + this.used;
  }

  /** Writes everything buffered so far (a long-running recorder may call it now and then). */
  async flush(): Promise<void> {
    this.flushChunk();
    await this.queue;
    this.throwIfFailed();
  }

  /** Flushes and closes the file. Rejects with GB_ERR_PCAP when any write failed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flushChunk();
    this.closed = true;
    await this.queue;
    try {
      await this.file.close();
    } catch (err) {
      this.failure ??= err;
    }
    this.throwIfFailed();
  }

  private flushChunk(): void {
    if (this.used === 0) return;
    const data = this.chunk.subarray(0, this.used);
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
    this.bytesQueued += data.length;
    this.queue = this.queue.then(async () => {
      try {
        if (this.failure !== undefined) return;
        let done = 0;
        while (done < data.length) {
          const { bytesWritten } = await this.file.write(data, done, data.length - done);
          done += bytesWritten;
        }
      } catch (err) {
        this.failure = err;
      } finally {
        this.bytesQueued -= data.length;
      }
    });
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) {
      throw new GbError('GB_ERR_PCAP', `cannot write capture file ${this.path}: ${(this.failure as Error).message}`, {
        cause: this.failure,
      });
    }
  }
}
