import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { GooseFrame } from '../../bridge/codec/types.js';
import { readScl } from '../../bridge/scl/scl-reader.js';
import { PublisherEngine } from '../goose/publisher-engine.js';
import { sclPublishers, publisherSettings } from './scl-publishers.js';
import { createSchedule, TalPolicy } from '../goose/retransmission-schedule.js';
import { SclStreamCheck } from './scl-stream-check.js';

const station = readScl(readFileSync(fileURLToPath(new URL('../../fixtures/scl/station.scd', import.meta.url)), 'utf8'));

/** The first frame of each GoCB of the station as the SCL publisher builds it. */
function sclFrames(): GooseFrame[] {
  const pubs = sclPublishers(station, {}, {}, '02:00:00:00:00:01');
  const perPublisher = publisherSettings(pubs, (t0 = 1000, t1 = 4) => createSchedule('doubling', { t0Us: t0 * 1000, t1Us: t1 * 1000 }));
  const engine = new PublisherEngine(
    { identities: pubs.map((p) => p.identity), perPublisher, schedule: perPublisher[0]!.schedule, tal: new TalPolicy(2), dataset: [], confRev: 0, ndsCom: false, simulation: false, events: { kind: 'none' }, seed: 1, initialStNum: 1 },
    0,
    1_767_225_600_000_000,
  );
  return pubs.map((_, i) => engine.frameOf(i));
}

function changed(f: GooseFrame, change: (f: GooseFrame) => void): GooseFrame {
  const copy = structuredClone(f);
  change(copy);
  return copy;
}

describe('SCL stream check', () => {
  it('frames built from the SCL match it; every differing field counts once for its stream', () => {
    const check = new SclStreamCheck(station.controlBlocks);
    const [a, b, c] = sclFrames();
    for (const f of [a!, b!, c!]) check.check(f);
    expect(check.report().mismatches).to.equal(0);
    check.check(changed(a!, (f) => (f.eth.vlan = { vid: 11, pcp: 1, dei: false }))); // PROT1: VLAN 10, priority 6
    check.check(changed(a!, (f) => delete f.eth.vlan));
    check.check(changed(b!, (f) => (f.pdu.allData[0] = { type: 'integer', value: 1n }))); // float32 → integer
    check.check(changed(b!, (f) => ((f.pdu.ndsCom = true), (f.pdu.goID = 'other'), (f.pdu.datSet = 'other'))));
    check.check(changed(c!, (f) => (f.header.appId = 0x99)));
    check.check(changed(c!, (f) => (f.pdu.numDatSetEntries = 5))); // allData still 6
    const r = check.report();
    const nonZero = (ref: string) => Object.entries(r.streams.find((s) => s.gocb_ref === ref)!.fields).filter(([, n]) => n > 0);
    expect(nonZero('PROT1LD0/LLN0$GO$gcb01')).to.deep.equal([['vlan_id', 2], ['vlan_priority', 1]]);
    expect(nonZero('PROT2LD0/LLN0$GO$gcb01')).to.deep.equal([['dat_set', 1], ['go_id', 1], ['entry_types', 1], ['nds_com', 1]]);
    expect(nonZero('BCU1LD0/LLN0$GO$gcb01')).to.deep.equal([['appid', 1], ['entry_count', 1]]);
    expect(r.mismatches).to.equal(9);
    expect(r.never_seen).to.deep.equal([]);
  });
});
