import { expect } from 'chai';
import { failures, FailOnError, parseFailOn } from './fail-on.js';

describe('--fail-on', () => {
  it('a group selects all its kinds; single kinds mix with groups', () => {
    expect([...parseFailOn('stopped,never-seen')].sort()).to.deep.equal(['never-seen', 'stopped']);
    const s = parseFailOn('anomaly, stopped');
    expect(s.has('sq-gap') && s.has('malformed') && s.has('stopped')).to.equal(true);
    expect(s.has('never-seen')).to.equal(false);
    // a late frame is not an anomaly: it has its own group
    expect(s.has('tal-expired')).to.equal(false);
    expect([...parseFailOn('tal-expired')]).to.deep.equal(['tal-expired']);
  });

  it('rejects unknown names, info kinds and the ambiguous "lost", naming the value', () => {
    expect(() => parseFailOn('stopped,bogus')).to.throw(FailOnError, '"bogus"');
    expect(() => parseFailOn('resumed')).to.throw(FailOnError, '"resumed"');
    expect(() => parseFailOn('lost')).to.throw(FailOnError, '"lost" is ambiguous');
  });

  it('fails only on selected kinds that occurred', () => {
    const counts = new Map([['sq-gap', 2], ['stopped', 0], ['never-seen', 1]] as const);
    expect(failures(parseFailOn('stopped'), counts)).to.deep.equal([]);
    expect(failures(parseFailOn('stopped,never-seen,sq-gap'), counts)).to.deep.equal(['sq-gap 2', 'never-seen 1']);
  });
});
