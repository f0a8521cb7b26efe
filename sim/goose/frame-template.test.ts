import { expect } from 'chai';
import fc from 'fast-check';
import { gooseFrameArb, uint32Arb } from '../../testkit/arbitraries/frame-arbitraries.js';
import { decodeFrame, encodeFrame } from '../../bridge/codec/index.js';
import { GooseFrameTemplate } from './frame-template.js';

describe('GooseFrameTemplate', () => {
  it('renders byte for byte what the codec encodes, for any frame, sqNum and TAL', () => {
    fc.assert(
      fc.property(gooseFrameArb(), uint32Arb(), uint32Arb(), (frame, sqNum, tal) => {
        const f = { ...frame, padding: new Uint8Array(0) };
        const rendered = GooseFrameTemplate.fromFrame(f).render(sqNum, tal);
        const expected = encodeFrame({ ...f, pdu: { ...f.pdu, sqNum, timeAllowedToLive: tal } });
        expect(Buffer.from(rendered).equals(Buffer.from(expected))).to.equal(true);
      }),
    );
  });

  it('keeps everything but sqNum and TAL: the decoded frame equals the state it was built from', () => {
    fc.assert(
      fc.property(gooseFrameArb(), uint32Arb(), uint32Arb(), (frame, sqNum, tal) => {
        const f = { ...frame, padding: new Uint8Array(0) };
        const d = decodeFrame(GooseFrameTemplate.fromFrame(f).render(sqNum, tal));
        expect(d.ok).to.equal(true);
        if (d.ok && d.value.kind === 'goose') {
          expect(d.value.pdu.sqNum).to.equal(sqNum);
          expect(d.value.pdu.timeAllowedToLive).to.equal(tal);
          expect(d.value.pdu.stNum).to.equal(f.pdu.stNum);
          expect(d.value.pdu.gocbRef).to.equal(f.pdu.gocbRef);
          expect(d.value.eth).to.deep.equal(f.eth);
          expect(d.value.header).to.deep.equal(f.header);
        }
      }),
      { numRuns: 50 },
    );
  });
});
