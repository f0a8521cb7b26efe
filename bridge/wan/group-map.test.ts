import { expect } from 'chai';
import fc from 'fast-check';
import { buildGroupMap, formatMac48, groupIndexFor, groupsToJoin, parseGroupRules, parseMac48 } from './group-map.js';
import { maxFrameBytes, ipPacketBytes } from './path-mtu.js';

describe('group map', () => {
  it('parses APPID and MAC rules and maps frames to their group, first rule winning', () => {
    const r = parseGroupRules('appid:0x0100-0x01ff=239.0.1.101, mac:01:0c:cd:01:00:10-01:0c:cd:01:00:1f=239.0.1.102;appid:0x0150=239.0.1.103');
    expect(r.ok).to.equal(true);
    if (!r.ok) return;
    const map = buildGroupMap('224.0.1.100', r.value);
    expect(map.groups).to.deep.equal(['224.0.1.100', '239.0.1.101', '239.0.1.102', '239.0.1.103']);
    const mac = (s: string) => parseMac48(s)!;
    expect(map.groups[groupIndexFor(map.rules, 0x0150, mac('01:0c:cd:01:00:01'))]).to.equal('239.0.1.101');
    expect(map.groups[groupIndexFor(map.rules, 0x0002, mac('01:0c:cd:01:00:15'))]).to.equal('239.0.1.102');
    expect(map.groups[groupIndexFor(map.rules, 0x0002, mac('01:0c:cd:01:00:20'))]).to.equal('224.0.1.100');
  });

  it('explains a bad rule', () => {
    const bad = [
      ['appid:0x0200-0x0100=239.0.1.1', 'APPID range'],
      ['appid:0x0001=10.0.0.1', 'not an IPv4 multicast'],
      ['vlan:5=239.0.0.1', 'kind "vlan"'],
      ['mac:01:0c:cd=239.0.0.1', 'not a MAC'],
      ['239.0.0.1', 'KIND:RANGE=GROUP'],
    ];
    for (const [text, why] of bad) {
      const r = parseGroupRules(text!);
      expect(r.ok, text).to.equal(false);
      if (!r.ok) expect(r.error).to.include(why!);
    }
  });

  it('joins every group by default, or only those listed', () => {
    const map = buildGroupMap('224.0.1.100', [{ kind: 'appid', lo: 1, hi: 1, group: '239.1.1.1' }]);
    expect(groupsToJoin(map, [])).to.deep.equal(['224.0.1.100', '239.1.1.1']);
    expect(groupsToJoin(map, ['239.1.1.1'])).to.deep.equal(['239.1.1.1']);
  });

  it('round-trips MAC text', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 48 - 1 }), (v) => parseMac48(formatMac48(v)) === v));
  });
});

describe('path MTU guard', () => {
  it('leaves 1456 bytes of frame in a 1500-byte path with the 16-byte header', () => {
    expect(maxFrameBytes(1500, 16)).to.equal(1456);
    expect(ipPacketBytes(1456, 16)).to.equal(1500);
  });
});
