// Parses a whole classic pcap or pcapng file held in memory. Pure (no I/O): readCapture()
// in pcap-reader.ts does the file reading. Frames are views into the given bytes.
import { GbError } from '../errors.js';
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
  /** The captured bytes (a view into the file's buffer; copy it to keep it past the buffer). */
  data: Uint8Array;
  /** Capture time in microseconds since the Unix epoch (nanosecond files are floored). */
  timestampUs: number;
  /** Length of the frame on the wire; larger than data.length when the capture was cut by snaplen. */
  originalLength: number;
  /** LINKTYPE_* of the interface the frame was captured on (1 = Ethernet). */
  linkType: number;
}

export interface CaptureResult {
  format: 'pcap' | 'pcapng';
  frames: CapturedFrame[];
  /**
   * Set when the file ends in the middle of a record (a capture cut short, e.g. by a killed
   * tcpdump): the frames before it are returned, this says where the cut is.
   */
  truncatedAt?: number;
}

/** Parses `bytes` as pcap or pcapng; `name` (the file name) is used in error messages. */
export function parseCapture(bytes: Uint8Array, name: string): CaptureResult {
  if (bytes.length < 4) throw notCapture(name, `only ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicBE = view.getUint32(0, false);
  if (magicBE === PCAPNG_SECTION_HEADER) return parsePcapng(bytes, view, name);
  for (const littleEndian of [true, false]) {
    const magic = view.getUint32(0, littleEndian);
    if (magic === PCAP_MAGIC_MICROSECONDS || magic === PCAP_MAGIC_NANOSECONDS) {
      return parsePcap(bytes, view, name, littleEndian, magic === PCAP_MAGIC_NANOSECONDS);
    }
  }
  throw notCapture(name, `unknown magic number 0x${magicBE.toString(16).padStart(8, '0')}`);
}

function notCapture(name: string, why: string): GbError {
  return new GbError('GB_ERR_PCAP', `${name} is not a pcap or pcapng file (${why})`);
}

function parsePcap(bytes: Uint8Array, view: DataView, name: string, le: boolean, nanos: boolean): CaptureResult {
  if (bytes.length < 24) throw notCapture(name, 'global header truncated');
  const linkType = view.getUint32(20, le) & 0x0fffffff; // upper bits may carry FCS flags
  const frames: CapturedFrame[] = [];
  let o = 24;
  while (o < bytes.length) {
    if (o + 16 > bytes.length) return { format: 'pcap', frames, truncatedAt: o };
    const seconds = view.getUint32(o, le);
    const sub = view.getUint32(o + 4, le);
    const inclLen = view.getUint32(o + 8, le);
    const origLen = view.getUint32(o + 12, le);
    if (o + 16 + inclLen > bytes.length) return { format: 'pcap', frames, truncatedAt: o };
    frames.push({
      data: bytes.subarray(o + 16, o + 16 + inclLen),
      timestampUs: seconds * 1_000_000 + (nanos ? Math.floor(sub / 1000) : sub),
      originalLength: origLen,
      linkType,
    });
    o += 16 + inclLen;
  }
  return { format: 'pcap', frames };
}

interface PcapngInterface {
  linkType: number;
  snaplen: number;
  /** Timestamp units per second (10^6 unless if_tsresol says otherwise). */
  unitsPerSecond: bigint;
}

function parsePcapng(bytes: Uint8Array, view: DataView, name: string): CaptureResult {
  const frames: CapturedFrame[] = [];
  let interfaces: PcapngInterface[] = [];
  let le = true;
  let o = 0;
  let first = true;
  while (o < bytes.length) {
    if (o + 12 > bytes.length) {
      if (first) throw notCapture(name, 'section header truncated');
      return { format: 'pcapng', frames, truncatedAt: o };
    }
    let type = view.getUint32(o, le);
    if (view.getUint32(o, false) === PCAPNG_SECTION_HEADER) {
      // A new section may switch byte order: the byte-order magic follows the block length.
      const bom = view.getUint32(o + 8, true);
      if (bom === PCAPNG_BYTE_ORDER_MAGIC) le = true;
      else if (view.getUint32(o + 8, false) === PCAPNG_BYTE_ORDER_MAGIC) le = false;
      else throw notCapture(name, `bad pcapng byte-order magic at offset ${o + 8}`);
      type = PCAPNG_SECTION_HEADER;
      interfaces = [];
    } else if (first) {
      throw notCapture(name, 'pcapng file does not start with a section header block');
    }
    first = false;
    const total = view.getUint32(o + 4, le);
    if (total < 12 || total % 4 !== 0) {
      if (frames.length === 0 && interfaces.length === 0) throw notCapture(name, `bad block length ${total} at offset ${o}`);
      return { format: 'pcapng', frames, truncatedAt: o };
    }
    if (o + total > bytes.length) return { format: 'pcapng', frames, truncatedAt: o };
    const body = o + 8;
    const bodyEnd = o + total - 4;
    switch (type) {
      case PCAPNG_INTERFACE_DESCRIPTION: {
        if (bodyEnd - body < 8) return { format: 'pcapng', frames, truncatedAt: o };
        interfaces.push({
          linkType: view.getUint16(body, le),
          snaplen: view.getUint32(body + 4, le),
          unitsPerSecond: readTsresol(view, body + 8, bodyEnd, le),
        });
        break;
      }
      case PCAPNG_ENHANCED_PACKET:
      case PCAPNG_OBSOLETE_PACKET: {
        if (bodyEnd - body < 20) return { format: 'pcapng', frames, truncatedAt: o };
        const ifIndex = type === PCAPNG_ENHANCED_PACKET ? view.getUint32(body, le) : view.getUint16(body, le);
        const itf = interfaces[ifIndex];
        const high = view.getUint32(body + 4, le);
        const low = view.getUint32(body + 8, le);
        const capLen = view.getUint32(body + 12, le);
        const origLen = view.getUint32(body + 16, le);
        if (itf === undefined || body + 20 + capLen > bodyEnd) return { format: 'pcapng', frames, truncatedAt: o };
        const units = (BigInt(high) << 32n) | BigInt(low);
        frames.push({
          data: bytes.subarray(body + 20, body + 20 + capLen),
          timestampUs: Number((units * 1_000_000n) / itf.unitsPerSecond),
          originalLength: origLen,
          linkType: itf.linkType,
        });
        break;
      }
      case PCAPNG_SIMPLE_PACKET: {
        const itf = interfaces[0];
        if (itf === undefined || bodyEnd - body < 4) return { format: 'pcapng', frames, truncatedAt: o };
        const origLen = view.getUint32(body, le);
        let capLen = Math.min(origLen, bodyEnd - body - 4);
        if (itf.snaplen > 0) capLen = Math.min(capLen, itf.snaplen);
        frames.push({
          data: bytes.subarray(body + 4, body + 4 + capLen),
          timestampUs: 0, // simple packet blocks carry no timestamp
          originalLength: origLen,
          linkType: itf.linkType,
        });
        break;
      }
      default:
        break; // section header, statistics, name resolution, custom blocks: nothing to take
    }
    o += total;
  }
  return { format: 'pcapng', frames };
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
