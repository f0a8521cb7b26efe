import { expect } from 'chai';
import type { Data } from '../../bridge/codec/types.js';
import type { SclType } from '../../bridge/scl/scl-model.js';
import { memberChanges, namedValues } from './dataset-values.js';
import { datasetLayout } from './member-layout.js';

const basic = (bType: string): SclType => ({ kind: 'basic', bType });
const struct = (members: [string, SclType][]): SclType => ({ kind: 'struct', typeId: 't', members: members.map(([name, type]) => ({ name, type })) });
/** A DO-level FCDA of a DPC (Pos) and a WYE with sub-DOs (PhV.phsA.cVal.mag.f …), and a basic DA. */
const POS = struct([['stVal', basic('Dbpos')], ['q', basic('Quality')], ['t', basic('Timestamp')]]);
const CMV = struct([['cVal', struct([['mag', struct([['f', basic('FLOAT32')]])]])], ['q', basic('Quality')]]);
const PHV = struct([['phsA', CMV], ['phsB', CMV]]);
const layout = datasetLayout([
  { ref: 'LD0/XCBR1.Pos [ST]', fc: 'ST', type: POS, fcda: 1 },
  { ref: 'LD0/MMXU1.PhV [MX]', fc: 'MX', type: PHV, fcda: 2 },
  { ref: 'LD0/LLN0.Beh.stVal [ST]', fc: 'ST', type: { kind: 'enum', enumType: 'Beh', firstOrd: 1 }, fcda: 4 },
]);

const bits = (n: number, byte: number): Data => ({ type: 'bit-string', bits: n, value: Uint8Array.of(byte, 0) });
const utc = (s: number): Data => ({ type: 'utc-time', value: { secondsSinceEpoch: s, fraction: 0, quality: 0 } });
const f32 = (v: number): Data => ({ type: 'float32', value: v });
const s = (...value: Data[]): Data => ({ type: 'structure', value });
const cmv = (v: number): Data => s(s(s(f32(v))), bits(13, 0));
function dataset(pos: number, t: number, phsB: number): Data[] {
  return [s(bits(2, pos), bits(13, 0), utc(t)), s(cmv(1.5), cmv(phsB)), { type: 'integer', value: 7n }, { type: 'integer', value: 1n }];
}

describe('dataset member layout (SCL structures leaf by leaf)', () => {
  it('names every leaf of a structure-valued FCDA by its DA path, sub-DOs included; an unresolved FCDA stays by position', () => {
    expect(Object.entries(namedValues(layout, dataset(0x80, 100, 2.5)))).to.deep.equal([
      ['LD0/XCBR1.Pos.stVal [ST]', '10'],
      ['LD0/XCBR1.Pos.q [ST]', '0000000000000'],
      ['LD0/XCBR1.Pos.t [ST]', '1970-01-01T00:01:40.000000Z'],
      ['LD0/MMXU1.PhV.phsA.cVal.mag.f [MX]', '1.5'],
      ['LD0/MMXU1.PhV.phsA.q [MX]', '0000000000000'],
      ['LD0/MMXU1.PhV.phsB.cVal.mag.f [MX]', '2.5'],
      ['LD0/MMXU1.PhV.phsB.q [MX]', '0000000000000'],
      ['[2]', '7'],
      ['LD0/LLN0.Beh.stVal [ST]', '1'],
    ]);
  });

  it('a state change names the leaves that changed, not the whole structure', () => {
    const before = dataset(0x40, 100, 2.5);
    const after = dataset(0x80, 101, 3.5);
    const changes = memberChanges(layout, [0, 1], before, after);
    expect(changes).to.deep.equal([
      { member: 'LD0/XCBR1.Pos.stVal [ST]', before: '01', after: '10' },
      { member: 'LD0/XCBR1.Pos.t [ST]', before: '1970-01-01T00:01:40.000000Z', after: '1970-01-01T00:01:41.000000Z' },
      { member: 'LD0/MMXU1.PhV.phsB.cVal.mag.f [MX]', before: '2.5', after: '3.5' },
    ]);
  });

  it('a value whose shape is not the SCL structure is shown whole under its FCDA reference', () => {
    const odd: Data[] = [s(bits(2, 0x40), bits(13, 0)), f32(1)];
    expect(namedValues(layout, odd)).to.deep.equal({ 'LD0/XCBR1.Pos [ST]': '{01,0000000000000}', 'LD0/MMXU1.PhV [MX]': '1' });
    expect(memberChanges(layout, [0], odd, dataset(0x40, 1, 1))[0]!.member).to.equal('LD0/XCBR1.Pos [ST]');
  });
});
