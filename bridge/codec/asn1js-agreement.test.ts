import { expect } from 'chai';
import fc from 'fast-check';
import { goosePduArb } from '../../testkit/arbitraries/frame-arbitraries.js';
import { decodeGoosePduWithAsn1js, encodeGoosePduWithAsn1js } from '../../testkit/oracles/asn1js-goose-pdu.js';
import { encodeGoosePdu } from './index.js';

// asn1js (a generic BER implementation) is the second opinion on the hand-rolled hot path.
describe('hand-rolled codec vs asn1js', () => {
  it('asn1js parses every encoded goosePdu completely into the same values', () => {
    fc.assert(
      fc.property(goosePduArb(), (pdu) => {
        const r = decodeGoosePduWithAsn1js(encodeGoosePdu(pdu));
        if (!r.ok) expect.fail(JSON.stringify(r.error));
        expect(r.value).to.deep.equal(pdu);
      }),
      { numRuns: 200 },
    );
  });

  it('asn1js serialises any goosePdu to the same bytes as encodeGoosePdu', () => {
    fc.assert(
      fc.property(goosePduArb(), (pdu) => {
        expect(Buffer.from(encodeGoosePduWithAsn1js(pdu)).toString('hex')).to.equal(Buffer.from(encodeGoosePdu(pdu)).toString('hex'));
      }),
      { numRuns: 200 },
    );
  });
});
