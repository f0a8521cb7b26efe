// The data model of the GOOSE/SV codec: what decode returns and encode takes.
// Pure types and constants; the codec modules beside this file implement them.

export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_GOOSE = 0x88b8;
export const ETHERTYPE_GSE = 0x88b9;
export const ETHERTYPE_SV = 0x88ba;

/** Reserved1 bit 15 (Edition 2): the frame is simulated / test traffic. */
export const RESERVED1_SIMULATION_BIT = 0x8000;

/** 802.1Q tag control information. */
export interface VlanTag {
  /** Priority code point, 0–7 (GOOSE default 4). */
  pcp: number;
  /** Drop eligible indicator. */
  dei: boolean;
  /** VLAN id, 0–4095. */
  vid: number;
}

/** MAC addresses are lower-case colon-separated hex: `01:0c:cd:01:00:01`. */
export type MacAddress = string;

export interface EthernetHeader {
  dst: MacAddress;
  src: MacAddress;
  /** Present when the frame carries one 802.1Q tag. */
  vlan?: VlanTag;
}

/** The 8 bytes after the EtherType shared by GOOSE, GSE management and SV. */
export interface IecHeader {
  appId: number;
  /** Reserved1 as on the wire, bit 15 being the simulation bit. */
  reserved1: number;
  reserved2: number;
}

/** UtcTime: seconds since 1970, fraction of a second × 2^24, TimeQuality octet. */
export interface UtcTime {
  secondsSinceEpoch: number;
  /** 24-bit binary fraction of a second (0 … 0xFFFFFF). */
  fraction: number;
  /** TimeQuality: bit7 leap seconds known, bit6 clock failure, bit5 not synchronised, bits4–0 accuracy. */
  quality: number;
}

/**
 * One value of a GOOSE dataset (MMS Data CHOICE). Integers are bigint so the full
 * 64-bit range round-trips; floats keep their width.
 */
export type Data =
  | { type: 'array'; value: Data[] }
  | { type: 'structure'; value: Data[] }
  | { type: 'boolean'; value: boolean }
  /** `bits` is the number of significant bits; `value` holds ceil(bits/8) bytes. */
  | { type: 'bit-string'; bits: number; value: Uint8Array }
  | { type: 'integer'; value: bigint }
  | { type: 'unsigned'; value: bigint }
  | { type: 'float32'; value: number }
  | { type: 'float64'; value: number }
  /** MMS `real` (tag 0x88): recognised and carried as its content bytes. */
  | { type: 'real'; value: Uint8Array }
  | { type: 'octet-string'; value: Uint8Array }
  | { type: 'visible-string'; value: string }
  /** 4 bytes (ms since midnight) or 6 bytes (adding days since 1984-01-01). */
  | { type: 'binary-time'; msOfDay: number; days?: number }
  | { type: 'bcd'; value: bigint }
  | { type: 'boolean-array'; bits: number; value: Uint8Array }
  /** Object identifier in dotted form, e.g. `1.0.9506.2.1`. */
  | { type: 'obj-id'; value: string }
  | { type: 'mms-string'; value: string }
  | { type: 'utc-time'; value: UtcTime };

export type DataType = Data['type'];

export interface GoosePdu {
  gocbRef: string;
  /** timeAllowedtoLive in milliseconds. */
  timeAllowedToLive: number;
  datSet: string;
  goID?: string;
  t: UtcTime;
  stNum: number;
  sqNum: number;
  simulation: boolean;
  confRev: number;
  ndsCom: boolean;
  numDatSetEntries: number;
  allData: Data[];
}

export interface SvAsdu {
  svID: string;
  datSet?: string;
  smpCnt: number;
  confRev: number;
  refrTm?: UtcTime;
  smpSynch: number;
  smpRate?: number;
  /** 9-2LE: 8 × (INT32 value, 32-bit quality) when the content is 64 bytes; else raw bytes. */
  seqData: { values: number[]; qualities: number[] } | Uint8Array;
  smpMod?: number;
}

export interface SvPdu {
  asdus: SvAsdu[];
  /** savPdu `security` (tag 0x81, reserved by 9-2): carried opaque when present. */
  security?: Uint8Array;
}

interface FrameBase {
  eth: EthernetHeader;
  header: IecHeader;
  /** Bytes after Length (Ethernet minimum-size padding). Empty when none. */
  padding: Uint8Array;
}

export interface GooseFrame extends FrameBase {
  kind: 'goose';
  pdu: GoosePdu;
}

export interface SvFrame extends FrameBase {
  kind: 'sv';
  pdu: SvPdu;
}

/** GSE management (0x88B9): recognised, its APDU carried opaque. */
export interface GseFrame extends FrameBase {
  kind: 'gse';
  apdu: Uint8Array;
}

export type Frame = GooseFrame | SvFrame | GseFrame;

/** An Ethernet frame that is valid but not GOOSE/SV/GSE: not an error, just not ours. */
export interface NotOurs {
  kind: 'not-ours';
  etherType: number;
}

export type DecodeErrorCode =
  | 'truncated'
  | 'length-mismatch'
  | 'unknown-tag'
  | 'unexpected-tag'
  | 'missing-field'
  | 'bad-length'
  | 'bad-value'
  | 'bad-padding'
  | 'integer-overflow'
  | 'depth-exceeded'
  | 'indefinite-length';

/** A decode failure as a value: where (byte offset from the frame start, field path) and why. */
export interface DecodeError {
  code: DecodeErrorCode;
  /** Byte offset in the buffer passed to decode where the problem was found. */
  offset: number;
  /** Field path, e.g. `goosePdu.allData[3].structure[1]`. */
  path: string;
  message: string;
}

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: DecodeError };

/** Nesting limit for arrays/structures inside allData (documented in README). */
export const MAX_DATA_DEPTH = 16;
