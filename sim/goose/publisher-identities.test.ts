import { expect } from 'chai';
import fc from 'fast-check';
import { ExpectConfigError, formatExpectConfig, parseExpectConfig } from './expect-config.js';
import { IdentityError } from '../core/identity-range.js';
import { DEFAULT_IDENTITY, deriveIdentities, streamKeyOf } from './publisher-identities.js';
import { streamKeyId } from './stream-tracker.js';

describe('deriveIdentities', () => {
  it('gives N publishers distinct APPIDs, source MACs, gocbRefs and goIDs inside the GOOSE ranges', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2500 }), fc.integer({ min: 0, max: 0x3fff }), (n, base) => {
        fc.pre(base + n - 1 <= 0x3fff);
        const ids = deriveIdentities({ ...DEFAULT_IDENTITY, appId: base }, n);
        for (const key of ['appId', 'src', 'gocbRef', 'goID'] as const) expect(new Set(ids.map((i) => i[key])).size, key).to.equal(n);
        for (const i of ids) {
          expect(i.appId).to.be.within(0, 0x3fff);
          expect(i.dst).to.match(/^01:0c:cd:01:0[01]:[0-9a-f]{2}$/);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('replaces {n} or appends _<n>, and leaves a single publisher\'s names alone', () => {
    const two = deriveIdentities({ ...DEFAULT_IDENTITY, gocbRef: 'IED/LLN0$GO$g', goID: 'G{n}' }, 2);
    expect(two.map((i) => [i.gocbRef, i.goID])).to.deep.equal([['IED/LLN0$GO$g_1', 'G1'], ['IED/LLN0$GO$g_2', 'G2']]);
    expect(deriveIdentities({ ...DEFAULT_IDENTITY, gocbRef: 'IED/LLN0$GO$g' }, 1)[0]!.gocbRef).to.equal('IED/LLN0$GO$g');
    expect(deriveIdentities(DEFAULT_IDENTITY, 3)[2]).to.deep.include({ appId: 0x1002, src: '02:00:00:00:00:03', dst: '01:0c:cd:01:00:02', gocbRef: 'SIM3LD0/LLN0$GO$gcb01' });
  });

  it('names the option that cannot hold N publishers', () => {
    expect(() => deriveIdentities({ ...DEFAULT_IDENTITY, appId: 0x3ff0 }, 100)).to.throw(IdentityError, /appid/).with.property('key', 'appid');
    expect(() => deriveIdentities({ ...DEFAULT_IDENTITY, srcMac: '01:00:00:00:00:01' }, 1)).to.throw(IdentityError, /multicast/).with.property('key', 'src-mac');
    expect(() => deriveIdentities({ ...DEFAULT_IDENTITY, dstMac: 'zz' }, 1)).to.throw(IdentityError).with.property('key', 'dst-mac');
  });
});

describe('parseExpectConfig', () => {
  it('round-trips the publisher\'s --expect-out list, and expands {"publishers": N} to the same keys', () => {
    const keys = deriveIdentities(DEFAULT_IDENTITY, 40).map(streamKeyOf);
    expect(parseExpectConfig(formatExpectConfig(keys), 'x.json').map(streamKeyId)).to.deep.equal(keys.map(streamKeyId));
    expect(parseExpectConfig('{"publishers": 40}', 'x.json').map(streamKeyId)).to.deep.equal(keys.map(streamKeyId));
  });

  it('names the file and the bad entry', () => {
    expect(() => parseExpectConfig('{"streams":[{"appid":"0x1","gocbRef":"g","srcMac":"nope"}]}', 'e.json')).to.throw(ExpectConfigError, /e\.json: streams\[0\]\.srcMac/);
    expect(() => parseExpectConfig('{"publishers": 0}', 'e.json')).to.throw(ExpectConfigError, /publishers/);
    expect(() => parseExpectConfig('[]', 'e.json')).to.throw(ExpectConfigError, /e\.json/);
  });
});
