// fast-check arbitraries for valid codec values: every Data type, nesting, VLAN or not, the
// simulation bit, strings across the 127/128 and 255/256 length boundaries and integers at
// every byte-width boundary. Shared by the codec tests, the Wireshark oracle and the simulator.
import fc from 'fast-check';
import type { Data, EthernetHeader, Frame, GooseFrame, GoosePdu, GseFrame, SvAsdu, SvFrame, SvPdu, UtcTime, VlanTag } from '../../bridge/codec/types.js';
import { MAX_DATA_DEPTH, RESERVED1_SIMULATION_BIT } from '../../bridge/codec/types.js';

export interface ArbitraryOptions {
  /**
   * Restrict to what Wireshark 4.0 displays unambiguously (the oracle test): finite floats,
   * numDatSetEntries equal to the number of entries, Reserved1 bit 15 equal to simulation,
   * Reserved1/2 otherwise zero, GOOSE destination MAC range and APPID range, no padding.
   */
  wiresharkSafe?: boolean;
  /** Maximum allData entries (default 12). */
  maxEntries?: number;
  /** Maximum nesting of arrays/structures (default 3, at most MAX_DATA_DEPTH). */
  maxDepth?: number;
}

/** Lengths either side of the BER short/long-form boundaries. */
export const LENGTH_BOUNDARIES = [0, 1, 126, 127, 128, 129, 254, 255, 256, 257] as const;

const printable = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));

/** A VisibleString: short printable ASCII, or one whose length sits on a BER boundary. */
export function visibleStringArb(maxShort = 40): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: printable, maxLength: maxShort }) },
    { weight: 1, arbitrary: fc.constantFrom(...LENGTH_BOUNDARIES).chain((n) => fc.string({ unit: printable, minLength: n, maxLength: n })) },
  );
}

function bytesArb(maxShort = 24): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.uint8Array({ maxLength: maxShort }) },
    { weight: 1, arbitrary: fc.constantFrom(...LENGTH_BOUNDARIES).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })) },
  );
}

/** Integers on both sides of every two's-complement width boundary, 8 to 64 bits. */
export const INT64_BOUNDARIES: bigint[] = (() => {
  const out: bigint[] = [0n, 1n, -1n];
  for (let bits = 8n; bits <= 64n; bits += 8n) {
    const top = 1n << (bits - 1n);
    out.push(top - 1n, -top, -top - 1n, top);
  }
  return out.filter((v) => v >= -(1n << 63n) && v < 1n << 63n);
})();

export const UINT64_BOUNDARIES: bigint[] = (() => {
  const out: bigint[] = [0n, 1n];
  for (let bits = 8n; bits <= 64n; bits += 8n) {
    out.push((1n << (bits - 1n)) - 1n, 1n << (bits - 1n), (1n << bits) - 1n, 1n << bits);
  }
  return out.filter((v) => v < 1n << 64n);
})();

export const UINT32_BOUNDARIES: number[] = [0, 1, 127, 128, 255, 256, 32767, 32768, 65535, 65536, 0x7fffff, 0x800000, 0xffffff, 0x1000000, 0x7fffffff, 0x80000000, 0xffffffff];

export function int64Arb(): fc.Arbitrary<bigint> {
  return fc.oneof(fc.constantFrom(...INT64_BOUNDARIES), fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), fc.integer().map(BigInt));
}

export function uint64Arb(): fc.Arbitrary<bigint> {
  return fc.oneof(fc.constantFrom(...UINT64_BOUNDARIES), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.nat().map(BigInt));
}

export function uint32Arb(): fc.Arbitrary<number> {
  return fc.oneof(fc.constantFrom(...UINT32_BOUNDARIES), fc.nat(), fc.integer({ min: 0, max: 0xffffffff }));
}

export function utcTimeArb(): fc.Arbitrary<UtcTime> {
  return fc.record({
    secondsSinceEpoch: fc.oneof(fc.constantFrom(0, 0x7fffffff, 0xffffffff), fc.integer({ min: 0, max: 0xffffffff })),
    fraction: fc.integer({ min: 0, max: 0xffffff }),
    quality: fc.integer({ min: 0, max: 0xff }),
  });
}

/** Bits with the unused trailing bits of the last byte zero (as encoders send them). */
function bitsArb(maxBits: number): fc.Arbitrary<{ bits: number; value: Uint8Array }> {
  return fc.integer({ min: 0, max: maxBits }).chain((bits) =>
    fc.uint8Array({ minLength: Math.ceil(bits / 8), maxLength: Math.ceil(bits / 8) }).map((value) => {
      const unused = value.length * 8 - bits;
      if (value.length > 0) value[value.length - 1]! &= (0xff << unused) & 0xff;
      return { bits, value };
    }),
  );
}

/** Object identifiers; arcs beyond 32 bits unless `arcs32` (Wireshark shows only 32-bit arcs). */
export function objIdArb(arcs32 = false): fc.Arbitrary<string> {
  const arc = arcs32
    ? fc.oneof(fc.nat(200), fc.integer({ min: 0, max: 0xffffffff }))
    : fc.oneof(fc.nat(200), fc.nat(), fc.bigInt({ min: 0n, max: (1n << 70n) - 1n }));
  return fc
    .tuple(
      fc.integer({ min: 0, max: 2 }).chain((x) => fc.tuple(fc.constant(x), x < 2 ? fc.nat(39) : fc.oneof(fc.nat(100), fc.nat(arcs32 ? 0xffffffff - 80 : 0x7fffffff)))),
      fc.array(arc, { maxLength: 6 }),
    )
    .map(([[x, y], rest]) => [x, y, ...rest].join('.'));
}

/**
 * Well-formed BER REAL contents (X.690 8.5): zero (empty), ±infinity, and binary form with a
 * one-byte exponent (and, for Wireshark 4.0.x asn1.c, at least 2 mantissa bytes). The codec carries `real` opaque; Wireshark parses it, so the oracle needs
 * valid ones.
 */
export function realEncodingArb(): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.constantFrom(new Uint8Array(0), Uint8Array.from([0x40]), Uint8Array.from([0x41])),
    fc
      .tuple(fc.boolean(), fc.integer({ min: 0, max: 0xff }), fc.uint8Array({ minLength: 2, maxLength: 6 }))
      .map(([negative, exponent, mantissa]) => Uint8Array.from([0x80 | (negative ? 0x40 : 0), exponent, ...mantissa])),
  );
}

export function leafDataArb(options: ArbitraryOptions = {}): fc.Arbitrary<Data> {
  const safe = options.wiresharkSafe === true;
  const floatOpts = safe ? { noNaN: true, noDefaultInfinity: true } : {};
  return fc.oneof(
    fc.boolean().map((value): Data => ({ type: 'boolean', value })),
    bitsArb(40).map(({ bits, value }): Data => ({ type: 'bit-string', bits, value })),
    int64Arb().map((value): Data => ({ type: 'integer', value })),
    uint64Arb().map((value): Data => ({ type: 'unsigned', value })),
    fc.float(floatOpts).map((value): Data => ({ type: 'float32', value })),
    fc.double(floatOpts).map((value): Data => ({ type: 'float64', value })),
    (safe ? realEncodingArb() : fc.uint8Array({ maxLength: 10 })).map((value): Data => ({ type: 'real', value })),
    bytesArb().map((value): Data => ({ type: 'octet-string', value })),
    visibleStringArb().map((value): Data => ({ type: 'visible-string', value })),
    fc
      .record({ msOfDay: fc.integer({ min: 0, max: 86_399_999 }), days: fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined }) })
      .map(({ msOfDay, days }): Data => (days === undefined ? { type: 'binary-time', msOfDay } : { type: 'binary-time', msOfDay, days })),
    int64Arb().map((value): Data => ({ type: 'bcd', value })),
    bitsArb(24).map(({ bits, value }): Data => ({ type: 'boolean-array', bits, value })),
    objIdArb(safe).map((value): Data => ({ type: 'obj-id', value })),
    fc.string({ unit: 'grapheme', maxLength: 20 }).map((value): Data => ({ type: 'mms-string', value })),
    utcTimeArb().map((value): Data => ({ type: 'utc-time', value })),
  );
}

/** Any Data value, arrays and structures nested up to options.maxDepth. */
export function dataArb(options: ArbitraryOptions = {}): fc.Arbitrary<Data> {
  const maxDepth = Math.min(options.maxDepth ?? 3, MAX_DATA_DEPTH);
  const leaf = leafDataArb(options);
  const { data } = fc.letrec<{ data: Data }>((tie) => ({
    data: fc.oneof(
      { maxDepth, depthIdentifier: 'data', depthSize: 'small' },
      { weight: 6, arbitrary: leaf },
      { weight: 1, arbitrary: fc.array(tie('data'), { maxLength: 4 }).map((value): Data => ({ type: 'array', value })) },
      { weight: 1, arbitrary: fc.array(tie('data'), { maxLength: 4 }).map((value): Data => ({ type: 'structure', value })) },
    ),
  }));
  return data;
}

export function goosePduArb(options: ArbitraryOptions = {}): fc.Arbitrary<GoosePdu> {
  const safe = options.wiresharkSafe === true;
  return fc
    .record({
      gocbRef: visibleStringArb(64),
      timeAllowedToLive: uint32Arb(),
      datSet: visibleStringArb(64),
      goID: fc.option(visibleStringArb(64), { nil: undefined }),
      t: utcTimeArb(),
      stNum: uint32Arb(),
      sqNum: uint32Arb(),
      simulation: fc.boolean(),
      confRev: uint32Arb(),
      ndsCom: fc.boolean(),
      numDatSetEntries: uint32Arb(),
      allData: fc.array(dataArb(options), { maxLength: options.maxEntries ?? 12 }),
    })
    .map((p) => {
      const pdu: GoosePdu = { ...p, numDatSetEntries: safe || p.numDatSetEntries % 2 === 0 ? p.allData.length : p.numDatSetEntries };
      if (p.goID === undefined) delete pdu.goID;
      return pdu;
    });
}

export function macArb(prefix?: readonly number[]): fc.Arbitrary<string> {
  const rest = 6 - (prefix?.length ?? 0);
  return fc.uint8Array({ minLength: rest, maxLength: rest }).map((b) =>
    [...(prefix ?? []), ...b].map((x) => x.toString(16).padStart(2, '0')).join(':'),
  );
}

export function vlanArb(): fc.Arbitrary<VlanTag> {
  return fc.record({ pcp: fc.integer({ min: 0, max: 7 }), dei: fc.boolean(), vid: fc.oneof(fc.constantFrom(0, 1, 4095), fc.integer({ min: 0, max: 4095 })) });
}

function ethArb(multicastPrefix: readonly number[], safe: boolean): fc.Arbitrary<EthernetHeader> {
  return fc
    .record({
      dst: safe ? fc.integer({ min: 0, max: 0x1ff }).map((n) => `${multicastPrefix.map((x) => x.toString(16).padStart(2, '0')).join(':')}:${(n >> 8).toString(16).padStart(2, '0')}:${(n & 0xff).toString(16).padStart(2, '0')}`) : macArb(),
      // Source addresses are unicast (group bit clear), as on any real link.
      src: macArb().map((m) => (parseInt(m.slice(0, 2), 16) & 0xfe).toString(16).padStart(2, '0') + m.slice(2)),
      vlan: fc.option(vlanArb(), { nil: undefined }),
    })
    .map((e) => {
      if (e.vlan === undefined) delete e.vlan;
      return e as EthernetHeader;
    });
}

function paddingArb(safe: boolean): fc.Arbitrary<Uint8Array> {
  return safe ? fc.constant(new Uint8Array(0)) : fc.oneof({ weight: 3, arbitrary: fc.constant(new Uint8Array(0)) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }) });
}

export function gooseFrameArb(options: ArbitraryOptions = {}): fc.Arbitrary<GooseFrame> {
  const safe = options.wiresharkSafe === true;
  return fc
    .record({
      eth: ethArb([0x01, 0x0c, 0xcd, 0x01], safe),
      appId: safe ? fc.integer({ min: 0, max: 0x3fff }) : fc.integer({ min: 0, max: 0xffff }),
      reserved1Low: safe ? fc.constant(0) : fc.integer({ min: 0, max: 0x7fff }),
      reserved2: safe ? fc.constant(0) : fc.integer({ min: 0, max: 0xffff }),
      padding: paddingArb(safe),
      pdu: goosePduArb(options),
    })
    .map(({ eth, appId, reserved1Low, reserved2, padding, pdu }) => ({
      kind: 'goose' as const,
      eth,
      header: { appId, reserved1: (pdu.simulation ? RESERVED1_SIMULATION_BIT : 0) | reserved1Low, reserved2 },
      padding,
      pdu,
    }));
}

export function svAsduArb(): fc.Arbitrary<SvAsdu> {
  const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
  return fc
    .record({
      svID: visibleStringArb(),
      datSet: opt(visibleStringArb()),
      smpCnt: fc.integer({ min: 0, max: 0xffff }),
      confRev: fc.integer({ min: 0, max: 0xffffffff }),
      refrTm: opt(utcTimeArb()),
      smpSynch: fc.integer({ min: 0, max: 0xff }),
      smpRate: opt(fc.integer({ min: 0, max: 0xffff })),
      seqData: fc.oneof(
        fc.record({
          values: fc.array(fc.integer({ min: -0x80000000, max: 0x7fffffff }), { minLength: 8, maxLength: 8 }),
          qualities: fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 8, maxLength: 8 }),
        }),
        bytesArb(80).filter((b) => b.length !== 64),
      ),
      smpMod: opt(fc.integer({ min: 0, max: 0xffff })),
    })
    .map((a) => {
      for (const k of Object.keys(a) as (keyof SvAsdu)[]) if (a[k] === undefined) delete a[k];
      return a as SvAsdu;
    });
}

export function svPduArb(options: ArbitraryOptions = {}): fc.Arbitrary<SvPdu> {
  const security = options.wiresharkSafe === true ? fc.constant(undefined) : fc.option(fc.uint8Array({ maxLength: 8 }), { nil: undefined });
  return fc.record({ asdus: fc.array(svAsduArb(), { minLength: 1, maxLength: 4 }), security }).map((p) => {
    if (p.security === undefined) delete p.security;
    return p as SvPdu;
  });
}

export function svFrameArb(options: ArbitraryOptions = {}): fc.Arbitrary<SvFrame> {
  const safe = options.wiresharkSafe === true;
  const u16 = fc.integer({ min: 0, max: 0xffff });
  return fc.record({
    kind: fc.constant('sv' as const),
    eth: ethArb([0x01, 0x0c, 0xcd, 0x04], safe),
    header: fc.record({ appId: safe ? fc.integer({ min: 0x4000, max: 0x7fff }) : u16, reserved1: safe ? fc.constant(0) : u16, reserved2: safe ? fc.constant(0) : u16 }),
    padding: paddingArb(safe),
    pdu: svPduArb(options),
  });
}

export function gseFrameArb(): fc.Arbitrary<GseFrame> {
  return fc.record({
    kind: fc.constant('gse' as const),
    eth: ethArb([0x01, 0x0c, 0xcd, 0x02], false),
    header: fc.record({ appId: fc.integer({ min: 0, max: 0xffff }), reserved1: fc.integer({ min: 0, max: 0xffff }), reserved2: fc.integer({ min: 0, max: 0xffff }) }),
    padding: paddingArb(false),
    apdu: fc.uint8Array({ maxLength: 100 }),
  });
}

/** Any valid frame: GOOSE (most), SV or GSE management. */
export function frameArb(options: ArbitraryOptions = {}): fc.Arbitrary<Frame> {
  return fc.oneof({ weight: 4, arbitrary: gooseFrameArb(options) }, { weight: 1, arbitrary: svFrameArb() }, { weight: 1, arbitrary: gseFrameArb() });
}
