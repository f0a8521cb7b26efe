import { expect } from 'chai';
import { failures, FailOnError, parseFailOn } from './fail-on.js';

describe('--fail-on', () => {
  it('a group selects all its kinds; single kinds mix with groups', () => {
    expect([...parseFailOn('lost,never-seen')].sort()).to.deep.equal(['never-seen', 'stopped']);
    const s = parseFailOn('anomaly, stopped');
    expect(s.has('sq-gap') && s.has('malformed') && s.has('stopped')).to.equal(true);
    expect(s.has('never-seen')).to.equal(false);
  });

  it('rejects unknown names and info kinds, naming the value', () => {
    expect(() => parseFailOn('lost,bogus')).to.throw(FailOnError, '"bogus"');
    expect(() => parseFailOn('resumed')).to.throw(FailOnError, '"resumed"');
  });

  it('fails only on selected kinds that occurred', () => {
    const counts = new Map([['sq-gap', 2], ['stopped', 0], ['never-seen', 1]] as const);
    expect(failures(parseFailOn('lost'), counts)).to.deep.equal([]);
    expect(failures(parseFailOn('lost,never-seen,sq-gap'), counts)).to.deep.equal(['sq-gap 2', 'never-seen 1']);
  });
});
