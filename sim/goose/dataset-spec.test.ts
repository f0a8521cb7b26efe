import { expect } from 'chai';
import fc from 'fast-check';
import { DatasetSpecError, DEFAULT_DATASET, MAX_DEPTH, formatDatasetSpec, initialData, leafCount, parseDatasetJson, parseDatasetSpec } from './dataset-spec.js';
import { utcTimeFromMicros } from '../../bridge/codec/index.js';
import { SeededRandom } from '../core/seeded-random.js';
import { applyExplicitValues, applySeededChange, EventValueError } from './value-changes.js';

const t = utcTimeFromMicros(1_700_000_000_123_456);

const leafArb = fc.constantFrom('bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint32', 'float32', 'float64', 'bitstring:13', 'bitstring:1', 'octetstring:4', 'vstring:10', 'vstring:1', 'utctime');
/** Specs whose structures nest at most MAX_DEPTH deep (deeper ones are refused, tested below). */
function listArb(depth: number): fc.Arbitrary<string> {
  const entry = depth >= MAX_DEPTH ? leafArb : fc.oneof({ withCrossShrink: true }, leafArb, listArb(depth + 1).map((l) => `struct(${l})`));
  return fc.array(entry, { minLength: 1, maxLength: depth === 0 ? 5 : 3 }).map((a) => a.join(','));
}
const specArb = listArb(0);

describe('parseDatasetSpec', () => {
  it('parses a mixed dataset spec (scalars, bitstring, utctime, nested struct) into typed Data', () => {
    const spec = parseDatasetSpec(DEFAULT_DATASET);
    const data = initialData(spec, t);
    expect(data.map((d) => d.type)).to.deep.equal(['boolean', 'integer', 'float32', 'bit-string', 'utc-time', 'structure']);
    expect(data[3]).to.deep.include({ bits: 13 });
    expect((data[3] as { value: Uint8Array }).value.length).to.equal(2);
    expect((data[5] as { value: { type: string }[] }).value.map((d) => d.type)).to.deep.equal(['boolean', 'bit-string']);
    expect(leafCount(spec)).to.equal(7);
  });

  it('round-trips any spec through formatDatasetSpec', () => {
    fc.assert(
      fc.property(specArb, (text) => {
        expect(formatDatasetSpec(parseDatasetSpec(text))).to.equal(text);
      }),
    );
  });

  it('names the offending entry', () => {
    expect(() => parseDatasetSpec('bool,bitstrin:13')).to.throw(DatasetSpecError, /entry 2 \("bitstrin:13"\): unknown type/);
    expect(() => parseDatasetSpec('bool,struct(int32,foo)')).to.throw(DatasetSpecError, /entry 2\.2 \("foo"\)/);
    expect(() => parseDatasetSpec('bitstring')).to.throw(DatasetSpecError, /entry 1.*needs a size/);
    expect(() => parseDatasetSpec('bitstring:0')).to.throw(DatasetSpecError, /1–256/);
    expect(() => parseDatasetSpec('struct(bool')).to.throw(DatasetSpecError, /missing "\)"/);
    expect(() => parseDatasetSpec('bool,,int32')).to.throw(DatasetSpecError, /entry 2 .*empty/);
    const nested = (n: number): string => (n === 0 ? 'bool' : `struct(${nested(n - 1)})`);
    expect(formatDatasetSpec(parseDatasetSpec(nested(MAX_DEPTH)))).to.equal(nested(MAX_DEPTH));
    expect(() => parseDatasetSpec(nested(MAX_DEPTH + 1))).to.throw(DatasetSpecError, /entry 1(\.1){8} .*nest deeper than 8/);
  });
});

describe('parseDatasetJson', () => {
  it('accepts type strings, initial values and nested structures', () => {
    const spec = parseDatasetJson('["bool", {"type":"int32","value":-5}, {"struct":["bitstring:3", {"type":"bitstring:3","value":"101"}]}]');
    const data = initialData(spec, t);
    expect(data[1]).to.deep.equal({ type: 'integer', value: -5n });
    const inner = (data[2] as { value: { value: Uint8Array }[] }).value;
    expect(Array.from(inner[1]!.value)).to.deep.equal([0b1010_0000]);
  });

  it('names the offending entry and value', () => {
    expect(() => parseDatasetJson('["bool", {"type":"int8","value":300}]')).to.throw(DatasetSpecError, /entry 2 .*300.*-128 … 127/);
    expect(() => parseDatasetJson('[{"struct":[{"type":"bool","value":1}]}]')).to.throw(DatasetSpecError, /entry 1\.1/);
    expect(() => parseDatasetJson('{')).to.throw(DatasetSpecError, /not valid JSON/);
    expect(() => parseDatasetJson('["int32",\n \u0007]')).to.throw(DatasetSpecError, /not valid JSON: line 2, column 2: unexpected control character U\+0007, expected a value$/);
  });
});

describe('applySeededChange', () => {
  it('is deterministic for a seed and changes exactly one non-time leaf per event', () => {
    fc.assert(
      fc.property(specArb, fc.integer(), fc.nat(50), (text, seed, index) => {
        const spec = parseDatasetSpec(text);
        const run = () => {
          const rng = SeededRandom.forPublisher(seed, index, 1);
          let d = initialData(spec, t);
          const out = [];
          for (let e = 1; e <= 5; e++) {
            d = applySeededChange(spec, d, rng, t, e);
            out.push(d);
          }
          return out;
        };
        const a = run();
        expect(run()).to.deep.equal(a);
        // exactly one changeable (non-utctime) leaf differs between consecutive states
        const flat = (ds: unknown[]): string[] => ds.flatMap((d) => { const x = d as { type: string; value: unknown }; return x.type === 'structure' ? flat(x.value as unknown[]) : x.type === 'utc-time' ? [] : [JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Array.from(v) : v))]; });
        let prev = flat(initialData(spec, t));
        for (const d of a) {
          const cur = flat(d);
          const changed = cur.filter((c, i) => c !== prev[i]).length;
          // a float step of ±50 is never below float32 resolution at these magnitudes
          expect(changed).to.equal(cur.length > 0 ? 1 : 0);
          prev = cur;
        }
      }),
    );
  });

  it('toggles the only bool on every event and stamps utctime with the event time', () => {
    const spec = parseDatasetSpec('bool,utctime');
    const rng = new SeededRandom(7);
    const later = utcTimeFromMicros(1_800_000_000_000_000);
    const d1 = applySeededChange(spec, initialData(spec, t), rng, later, 1);
    expect(d1).to.deep.equal([{ type: 'boolean', value: true }, { type: 'utc-time', value: later }]);
    expect(applySeededChange(spec, d1, rng, later, 2)[0]).to.deep.equal({ type: 'boolean', value: false });
  });

  it('wraps integers within their type', () => {
    const spec = parseDatasetJson('[{"type":"int8","value":127}]');
    const d = applySeededChange(spec, initialData(spec, t), new SeededRandom(1), t, 1);
    expect((d[0] as { value: bigint }).value < 0n).to.equal(true);
  });
});

describe('applyExplicitValues', () => {
  it('sets given values, keeps nulls, and names a bad value', () => {
    const spec = parseDatasetSpec('bool,int32,struct(bool,bitstring:2)');
    const d = applyExplicitValues(spec, initialData(spec, t), [true, null, [null, '10']], t, 'event 3');
    expect(d[0]).to.deep.equal({ type: 'boolean', value: true });
    expect(d[1]).to.deep.equal({ type: 'integer', value: 0n });
    expect(() => applyExplicitValues(spec, d, ['yes'], t, 'event 3')).to.throw(EventValueError, /event 3 value 1: "yes" is not a boolean/);
  });
});
