import { expect } from 'chai';
import { capabilityInStatus } from './index.js';

describe('capabilityInStatus', () => {
  const status = (capEff: string) => `Name:\tnode\nCapInh:\t0000000000000000\nCapEff:\t${capEff}\nCapBnd:\t000001ffffffffff\n`;

  it('reads CAP_NET_RAW (bit 13) and CAP_NET_ADMIN (bit 12) from CapEff', () => {
    expect(capabilityInStatus(status('000001ffffffffff'), 13)).to.equal(true);
    expect(capabilityInStatus(status('000001fffeffdfff'), 13)).to.equal(false);
    expect(capabilityInStatus(status('000001fffeffdfff'), 12)).to.equal(true);
    expect(capabilityInStatus(status('0000000000002000'), 13)).to.equal(true);
    expect(capabilityInStatus(status('0000000000000000'), 12)).to.equal(false);
  });

  it('says false when there is no CapEff line (not Linux, or unreadable)', () => {
    expect(capabilityInStatus('Name:\tnode\n', 13)).to.equal(false);
  });
});
