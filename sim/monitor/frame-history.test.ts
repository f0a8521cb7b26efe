import { expect } from 'chai';
import fc from 'fast-check';
import { FrameHistory } from './frame-history.js';

/** A frame whose bytes all carry its number, so a corrupted copy shows. */
function frame(i: number, size: number): Uint8Array {
  return new Uint8Array(size).fill(i & 0xff);
}

describe('frame history (byte ring)', () => {
  it('keeps exactly the newest frames within age and bytes, each intact, across many wraps', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 400 }), fc.integer({ min: 1000, max: 5000 }), (sizes, maxBytes) => {
        const h = new FrameHistory(50_000, maxBytes);
        sizes.forEach((n, i) => h.push(frame(i, n), i * 1000, 1e15 + i * 1000));
        const held = h.between(-Infinity, Infinity);
        const last = sizes.length - 1;
        // the newest frame that fits is always there; frames are consecutive up to it
        const fits = sizes.map((n) => n <= maxBytes);
        if (fits[last]) expect(held.at(-1)!.rxUs).to.equal(last * 1000);
        const numbers = held.map((f) => f.rxUs / 1000);
        expect(numbers.every((n, k) => k === 0 || numbers.slice(k - 1, k)[0]! < n && sizes.slice(numbers[k - 1]! + 1, n).every((x) => x > maxBytes))).to.equal(true);
        for (const f of held) {
          const i = f.rxUs / 1000;
          expect(f.data.length).to.equal(sizes[i]);
          expect(f.data.every((b) => b === (i & 0xff))).to.equal(true);
          expect(f.wallUs).to.equal(1e15 + f.rxUs);
          expect(f.rxUs).to.be.at.least(last * 1000 - 50_000);
        }
        expect(held.reduce((s, f) => s + f.data.length, 0)).to.equal(h.bytes).and.be.at.most(maxBytes);
      }),
    );
  });

  it('a frame that ends exactly at the end of the ring, then one more (wraps to the start)', () => {
    const h = new FrameHistory(1e9, 1113);
    [38, 321, 54, 65, 635, 1].forEach((n, i) => h.push(frame(i, n), i, i));
    expect(h.between(0, 10).map((f) => [f.rxUs, f.data.length])).to.deep.equal([[1, 321], [2, 54], [3, 65], [4, 635], [5, 1]]);
  });

  it('between() returns copies: later frames do not change a capture already cut', () => {
    const h = new FrameHistory(1e9, 1000);
    h.push(frame(1, 600), 1, 1);
    const cut = h.between(0, 10);
    h.push(frame(2, 600), 2, 2);
    expect(cut[0]!.data.every((b) => b === 1)).to.equal(true);
    expect(h.between(0, 10).map((f) => f.rxUs)).to.deep.equal([2]);
  });
});
