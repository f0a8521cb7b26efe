// Parses classic pcap and pcapng fed in chunks of any size: a record split across two chunks is
// kept until its end arrives, so memory holds at most one chunk and one record whatever the file
// size. Pure (no I/O): capture-stream.ts feeds it from a file; parseCapture() takes a whole file.
import { GbError } from '../../errors/error-codes.js';
import {
  PCAP_MAGIC_MICROSECONDS,
  PCAP_MAGIC_NANOSECONDS,
  PCAPNG_BYTE_ORDER_MAGIC,
  PCAPNG_ENHANCED_PACKET,
  PCAPNG_INTERFACE_DESCRIPTION,
  PCAPNG_OBSOLETE_PACKET,
  PCAPNG_OPTION_IF_TSRESOL,
  PCAPNG_SECTION_HEADER,
  PCAPNG_SIMPLE_PACKET,
} from './pcap-format.js';

export interface CapturedFrame {
  /** The captured bytes (a view into the chunk being parsed; copy it to keep it past the next chunk). */
  data: Uint8Array;
  /** Capture time in microseconds since the Unix epoch (nanosecond files are floored). */
  timestampUs: number;
  /** Length of the frame on the wire; larger than data.length when the capture was cut by snaplen. */
  originalLength: number;
  /** LINKTYPE_* of the interface the frame was captured on (1 = Ethernet). */
  linkType: number;
}

/**
 * Why parsing stopped before the end of the file. `truncated`: the file ends inside a record
 * (a capture cut short, e.g. by a killed tcpdump). `malformed`: a record header is impossible
 * (a bogus length, a packet on an undeclared interface); nothing after it can be trusted.
 */
export interface CaptureDamage {
  kind: 'truncated' | 'malformed';
  /** Byte offset of the record where parsing stopped. */
  offset: number;
  reason: string;
}

export interface CaptureEnd {
  format: 'pcap' | 'pcapng';
  /** Absent when the file ended exactly after its last record. */
  damage?: CaptureDamage;
}

export interface CaptureResult extends CaptureEnd {
  frames: CapturedFrame[];
}

/**
 * Records larger than this are taken as a corrupt length rather than buffered: libpcap and
 * Wireshark cap packets at 256 KiB, pcapng blocks at 16 MiB.
 */
const MAX_PCAP_RECORD = 262_144;
const MAX_PCAPNG_BLOCK = 16 * 1024 * 1024;

interface PcapngInterface {
  linkType: number;
  snaplen: number;
  /** Timestamp units per second (10^6 unless if_tsresol says otherwise). */
  unitsPerSecond: bigint;
}

type Step = { frame?: CapturedFrame; size: number } | { damage: string } | null;

export class CaptureParser {
  private pending: Uint8Array = new Uint8Array(0);
  /** File offset of pending[0]. */
  private base = 0;
  private format: 'pcap' | 'pcapng' | undefined;
  private damage: CaptureDamage | undefined;
  private le = true;
  private nanos = false;
  private pcapLinkType = 1;
  private interfaces: PcapngInterface[] = [];

  /** `name` (the file name) is used in error messages. */
  constructor(private readonly name: string) {}

  /**
   * Parses what `chunk` completes. The frames returned are views into this chunk (or into a copy
   * of the bytes left over from the previous one). Throws GB_ERR_PCAP as soon as the first bytes
   * show the input is not a capture.
   */
  push(chunk: Uint8Array): CapturedFrame[] {
    if (this.damage !== undefined) return [];
    this.pending = this.pending.length === 0 ? chunk : concat(this.pending, chunk);
    if (this.format === undefined && !this.readHeader()) return [];
    const frames: CapturedFrame[] = [];
    const bytes = this.pending;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let o = 0;
    for (;;) {
      const step = this.format === 'pcap' ? this.pcapRecord(bytes, view, o) : this.pcapngBlock(bytes, view, o);
      if (step === null) break;
      if ('damage' in step) {
        this.damage = { kind: 'malformed', offset: this.base + o, reason: step.damage };
        this.pending = new Uint8Array(0);
        return frames;
      }
      if (step.frame !== undefined) frames.push(step.frame);
      o += step.size;
    }
    this.pending = bytes.subarray(o);
    this.base += o;
    return frames;
  }

  /** Call after the last chunk: says how the file ended. Throws GB_ERR_PCAP when it was never a capture. */
  finish(): CaptureEnd {
    if (this.format === undefined) {
      if (this.pending.length < 4) throw this.notCapture(`only ${this.pending.length} bytes`);
      throw this.notCapture(this.isPcapngStart() ? 'section header truncated' : 'global header truncated');
    }
    if (this.damage !== undefined) return { format: this.format, damage: this.damage };
    if (this.pending.length > 0) {
      const need = this.format === 'pcap' ? 'record' : 'block';
      return { format: this.format, damage: { kind: 'truncated', offset: this.base, reason: `the file ends inside a ${need}` } };
    }
    return { format: this.format };
  }

  /** Recognises the format from the first bytes; false while too few have arrived. */
  private readHeader(): boolean {
    const b = this.pending;
    if (b.length < 4) return false;
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    if (this.isPcapngStart()) {
      if (b.length < 12) return false;
      // The first block must be a section header whose length is sane: otherwise this is not pcapng.
      this.format = 'pcapng';
      const step = this.pcapngBlock(b, view, 0);
      if (step !== null && 'damage' in step) throw this.notCapture(step.damage);
      return true;
    }
    for (const littleEndian of [true, false]) {
      const magic = view.getUint32(0, littleEndian);
      if (magic !== PCAP_MAGIC_MICROSECONDS && magic !== PCAP_MAGIC_NANOSECONDS) continue;
      if (b.length < 24) return false;
      this.format = 'pcap';
      this.le = littleEndian;
      this.nanos = magic === PCAP_MAGIC_NANOSECONDS;
      this.pcapLinkType = view.getUint32(20, littleEndian) & 0x0fffffff; // upper bits may carry FCS flags
      this.pending = b.subarray(24);
      this.base = 24;
      return true;
    }
    throw this.notCapture(`unknown magic number 0x${view.getUint32(0, false).toString(16).padStart(8, '0')}`);
  }

  private isPcapngStart(): boolean {
    const b = this.pending;
    return b.length >= 4 && new DataView(b.buffer, b.byteOffset, 4).getUint32(0, false) === PCAPNG_SECTION_HEADER;
  }

  private pcapRecord(bytes: Uint8Array, view: DataView, o: number): Step {
    if (o + 16 > bytes.length) return null;
    const le = this.le;
    const inclLen = view.getUint32(o + 8, le);
    if (inclLen > MAX_PCAP_RECORD) return { damage: `record length ${inclLen} exceeds ${MAX_PCAP_RECORD}` };
    if (o + 16 + inclLen > bytes.length) return null;
    const sub = view.getUint32(o + 4, le);
    return {
      size: 16 + inclLen,
      frame: {
        data: bytes.subarray(o + 16, o + 16 + inclLen),
        timestampUs: view.getUint32(o, le) * 1_000_000 + (this.nanos ? Math.floor(sub / 1000) : sub),
        originalLength: view.getUint32(o + 12, le),
        linkType: this.pcapLinkType,
      },
    };
  }

  private pcapngBlock(bytes: Uint8Array, view: DataView, o: number): Step {
    if (o + 12 > bytes.length) return null;
    let type = view.getUint32(o, this.le);
    if (view.getUint32(o, false) === PCAPNG_SECTION_HEADER) {
      // A new section may switch byte order: the byte-order magic follows the block length.
      if (view.getUint32(o + 8, true) === PCAPNG_BYTE_ORDER_MAGIC) this.le = true;
      else if (view.getUint32(o + 8, false) === PCAPNG_BYTE_ORDER_MAGIC) this.le = false;
      else return { damage: `bad pcapng byte-order magic at offset ${this.base + o + 8}` };
      type = PCAPNG_SECTION_HEADER;
    }
    const le = this.le;
    const total = view.getUint32(o + 4, le);
    if (total < 12 || total % 4 !== 0 || total > MAX_PCAPNG_BLOCK) return { damage: `bad block length ${total} at offset ${this.base + o}` };
    if (o + total > bytes.length) return null;
    if (view.getUint32(o + total - 4, le) !== total) {
      return { damage: `block at offset ${this.base + o} ends with length ${view.getUint32(o + total - 4, le)}, not ${total}` };
    }
    const body = o + 8;
    const bodyEnd = o + total - 4;
    const at = `at offset ${this.base + o}`;
    switch (type) {
      case PCAPNG_SECTION_HEADER:
        this.interfaces = [];
        return { size: total };
      case PCAPNG_INTERFACE_DESCRIPTION: {
        if (bodyEnd - body < 8) return { damage: `interface description block too short ${at}` };
        this.interfaces.push({
          linkType: view.getUint16(body, le),
          snaplen: view.getUint32(body + 4, le),
          unitsPerSecond: readTsresol(view, body + 8, bodyEnd, le),
        });
        return { size: total };
      }
      case PCAPNG_ENHANCED_PACKET:
      case PCAPNG_OBSOLETE_PACKET: {
        if (bodyEnd - body < 20) return { damage: `packet block too short ${at}` };
        const ifIndex = type === PCAPNG_ENHANCED_PACKET ? view.getUint32(body, le) : view.getUint16(body, le);
        const itf = this.interfaces[ifIndex];
        if (itf === undefined) return { damage: `packet block ${at} names interface ${ifIndex}, which is not declared` };
        const capLen = view.getUint32(body + 12, le);
        if (body + 20 + capLen > bodyEnd) return { damage: `packet block ${at} claims ${capLen} captured bytes, more than it holds` };
        const units = (BigInt(view.getUint32(body + 4, le)) << 32n) | BigInt(view.getUint32(body + 8, le));
        return {
          size: total,
          frame: {
            data: bytes.subarray(body + 20, body + 20 + capLen),
            timestampUs: Number((units * 1_000_000n) / itf.unitsPerSecond),
            originalLength: view.getUint32(body + 16, le),
            linkType: itf.linkType,
          },
        };
      }
      case PCAPNG_SIMPLE_PACKET: {
        const itf = this.interfaces[0];
        if (itf === undefined) return { damage: `simple packet block ${at} before any interface description` };
        if (bodyEnd - body < 4) return { damage: `simple packet block too short ${at}` };
        const origLen = view.getUint32(body, le);
        let capLen = Math.min(origLen, bodyEnd - body - 4);
        if (itf.snaplen > 0) capLen = Math.min(capLen, itf.snaplen);
        // Simple packet blocks carry no timestamp.
        return { size: total, frame: { data: bytes.subarray(body + 4, body + 4 + capLen), timestampUs: 0, originalLength: origLen, linkType: itf.linkType } };
      }
      default:
        return { size: total }; // statistics, name resolution, custom blocks: nothing to take
    }
  }

  private notCapture(why: string): GbError {
    return new GbError('GB_ERR_PCAP', `${this.name} is not a pcap or pcapng file (${why})`);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Parses a whole capture held in memory; frames are views into `bytes`. */
export function parseCapture(bytes: Uint8Array, name: string): CaptureResult {
  const parser = new CaptureParser(name);
  const frames = parser.push(bytes);
  return { ...parser.finish(), frames };
}

/** Reads the if_tsresol option of an IDB: bit 7 clear → 10^-n s, set → 2^-n s. */
function readTsresol(view: DataView, start: number, end: number, le: boolean): bigint {
  let o = start;
  while (o + 4 <= end) {
    const code = view.getUint16(o, le);
    const len = view.getUint16(o + 2, le);
    if (code === 0) break; // opt_endofopt
    if (code === PCAPNG_OPTION_IF_TSRESOL && len >= 1 && o + 5 <= end) {
      const v = view.getUint8(o + 4);
      const exp = BigInt(v & 0x7f);
      if (exp > 63n) break;
      return v & 0x80 ? 1n << exp : 10n ** exp;
    }
    o += 4 + len + ((4 - (len % 4)) % 4);
  }
  return 1_000_000n;
}
