// The rotating capture ring of --capture-dir: every received frame goes into ring-NNNNNN.pcap
// files, each closed after fileBytes or fileUs, the oldest deleted so that all ring files
// together never exceed maxBytes (the hard cap: a file is only opened once the files it
// would push over the cap are gone). Sizes are counted as written (pcap headers included).
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PcapWriter } from '../../bridge/pcap/index.js';

export interface RingLimits {
  fileBytes: number;
  /** A file is closed this long after its first frame (µs of wall time). */
  fileUs: number;
  maxBytes: number;
}

const PCAP_HEADER = 24;
const RECORD_HEADER = 16;

interface RingFile {
  path: string;
  bytes: number;
  startWallUs: number;
  writer: PcapWriter | undefined;
  /** Frames that arrived while the file was being opened. */
  waiting: { data: Uint8Array; wallUs: number }[];
}

export class CaptureRing {
  private closed: { path: string; bytes: number }[] = [];
  private current: RingFile | undefined;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;
  private seq = 0;
  /** Frames not recorded, by reason: larger than a whole ring file; arrived while a file was still being opened and a file's worth was already waiting. */
  oversized = 0;
  droppedWhileOpening = 0;
  private waitingBytes = 0;
  filesDeleted = 0;

  constructor(
    readonly dir: string,
    readonly limits: RingLimits,
  ) {
    if (limits.fileBytes * 2 > limits.maxBytes) throw new RangeError(`ring file size ${limits.fileBytes} B must be at most half the ring cap ${limits.maxBytes} B`);
  }

  /** Bytes of all ring files, as they will be on disk once written. */
  get bytes(): number {
    return this.closed.reduce((s, f) => s + f.bytes, 0) + (this.current?.bytes ?? 0);
  }

  get files(): number {
    return this.closed.length + (this.current ? 1 : 0);
  }

  write(data: Uint8Array, wallUs: number): void {
    if (this.failure !== undefined) return;
    const rec = RECORD_HEADER + data.length;
    if (PCAP_HEADER + rec > this.limits.fileBytes) {
      this.oversized++;
      return;
    }
    const cur = this.current;
    if (cur === undefined || cur.bytes + rec > this.limits.fileBytes || wallUs - cur.startWallUs >= this.limits.fileUs) this.rotate(wallUs);
    const f = this.current!;
    f.bytes += rec;
    if (f.writer) {
      f.writer.write(data, wallUs);
    } else if (this.waitingBytes + data.length > this.limits.fileBytes) {
      // the disk is not keeping up: memory stays bounded, the loss is counted
      f.bytes -= rec;
      this.droppedWhileOpening++;
    } else {
      this.waitingBytes += data.length;
      f.waiting.push({ data: Uint8Array.from(data), wallUs });
    }
  }

  /** Closes the current file; rejects with the first write failure. */
  async close(): Promise<void> {
    const cur = this.current;
    this.current = undefined;
    if (cur) {
      this.closed.push({ path: cur.path, bytes: cur.bytes });
      this.then(() => cur.writer?.close());
    }
    await this.chain;
    if (this.failure !== undefined) throw this.failure;
  }

  private rotate(wallUs: number): void {
    const old = this.current;
    if (old) {
      this.closed.push({ path: old.path, bytes: old.bytes });
      this.then(() => old.writer?.close());
    }
    // make room for a whole new file before opening it
    while (this.closed.length > 0 && this.closed.reduce((s, f) => s + f.bytes, 0) + this.limits.fileBytes > this.limits.maxBytes) {
      const gone = this.closed.shift()!;
      this.filesDeleted++;
      this.then(() => unlink(gone.path));
    }
    this.seq++;
    const f: RingFile = { path: join(this.dir, `ring-${String(this.seq).padStart(6, '0')}.pcap`), bytes: PCAP_HEADER, startWallUs: wallUs, writer: undefined, waiting: [] };
    this.current = f;
    this.then(async () => {
      f.writer = await PcapWriter.open(f.path);
      for (const w of f.waiting) f.writer.write(w.data, w.wallUs);
      f.waiting = [];
      this.waitingBytes = 0;
      // a file rotated away while it was opening is closed by the step queued after this one
    });
  }

  private then(step: () => Promise<unknown> | undefined): void {
    this.chain = this.chain.then(async () => {
      if (this.failure !== undefined) return;
      try {
        await step();
      } catch (err) {
        this.failure = err;
      }
    });
  }
}
