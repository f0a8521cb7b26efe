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
  opened: Promise<void>;
  closed: Promise<void> | undefined;
}

export class CaptureRing {
  /** Files rotated away, oldest first (their close may still be running). */
  private closedFiles: RingFile[] = [];
  private current: RingFile | undefined;
  private lastOpen: Promise<void> = Promise.resolve();
  private readonly running = new Set<Promise<void>>();
  private failure: unknown;
  private seq = 0;
  /** Frames not recorded, by reason: larger than a whole ring file; the disk behind by a file's worth (opening or writing). */
  oversized = 0;
  droppedDiskBehind = 0;
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
    return this.closedFiles.reduce((s, f) => s + f.bytes, 0) + (this.current?.bytes ?? 0);
  }

  get files(): number {
    return this.closedFiles.length + (this.current ? 1 : 0);
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
    const behind = f.writer ? f.writer.pendingBytes : this.waitingBytes;
    if (behind + rec > this.limits.fileBytes) {
      // the disk is not keeping up: memory stays bounded, the loss is counted
      this.droppedDiskBehind++;
      return;
    }
    f.bytes += rec;
    if (f.writer) {
      f.writer.write(data, wallUs);
    } else {
      this.waitingBytes += data.length;
      f.waiting.push({ data: Uint8Array.from(data), wallUs });
    }
  }

  /** Closes the current file; rejects with the first write failure. */
  async close(): Promise<void> {
    const cur = this.current;
    this.current = undefined;
    if (cur) this.retire(cur);
    while (this.running.size > 0) await Promise.all(this.running);
    if (this.failure !== undefined) throw this.failure;
  }

  private retire(f: RingFile): void {
    f.closed = this.track(f.opened.then(() => f.writer?.close()));
    this.closedFiles.push(f);
  }

  private rotate(wallUs: number): void {
    if (this.current) this.retire(this.current);
    // make room for a whole new file before it is opened; the file rotated away closes in
    // parallel (its last chunk may take a while on a busy disk), new frames need not wait for it
    const deletions: Promise<void>[] = [];
    while (this.closedFiles.length > 0 && this.closedFiles.reduce((s, f) => s + f.bytes, 0) + this.limits.fileBytes > this.limits.maxBytes) {
      const gone = this.closedFiles.shift()!;
      this.filesDeleted++;
      deletions.push(this.track(gone.closed!.then(() => unlink(gone.path))));
    }
    this.seq++;
    const f: RingFile = { path: join(this.dir, `ring-${String(this.seq).padStart(6, '0')}.pcap`), bytes: PCAP_HEADER, startWallUs: wallUs, writer: undefined, waiting: [], opened: Promise.resolve(), closed: undefined };
    f.opened = this.track(
      Promise.all([...deletions, this.lastOpen]).then(async () => {
        if (this.failure !== undefined) return;
        f.writer = await PcapWriter.open(f.path);
        for (const w of f.waiting) f.writer.write(w.data, w.wallUs);
        if (this.current === f) this.waitingBytes = 0;
        f.waiting = [];
      }),
    );
    this.lastOpen = f.opened;
    this.current = f;
    this.waitingBytes = 0;
  }

  /** Runs a step in the background: its failure is kept (reported by close), close awaits it. */
  private track(p: Promise<unknown>): Promise<void> {
    const q: Promise<void> = p.then(
      () => undefined,
      (err: unknown) => {
        this.failure ??= err;
      },
    );
    this.running.add(q);
    void q.finally(() => this.running.delete(q));
    return q;
  }
}
