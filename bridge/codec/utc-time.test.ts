import { expect } from 'chai';
import fc from 'fast-check';
import { utcTimeFromMicros, utcTimeToIso, utcTimeToMicros } from './index.js';

describe('UtcTime helpers', () => {
  it('utcTimeToMicros(utcTimeFromMicros(us)) is us for any microsecond time up to 2106', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff * 1_000_000 + 999_999 }), fc.integer({ min: 0, max: 255 }), (us, quality) => {
        const t = utcTimeFromMicros(us, quality);
        expect(t.fraction).to.be.within(0, 0xffffff);
        expect(t.quality).to.equal(quality);
        expect(utcTimeToMicros(t)).to.equal(us);
        expect(utcTimeFromMicros(BigInt(us), quality)).to.deep.equal(t);
      }),
      { numRuns: 2000 },
    );
  });

  it('shows the 24-bit fraction as microseconds in ISO form', () => {
    expect(utcTimeToIso({ secondsSinceEpoch: 1_700_000_000, fraction: 0x800000, quality: 0 })).to.equal('2023-11-14T22:13:20.500000Z');
    expect(utcTimeToIso({ secondsSinceEpoch: 0, fraction: 0xffffff, quality: 0 })).to.equal('1970-01-01T00:00:00.999999Z');
  });
});
