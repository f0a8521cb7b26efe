import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readScl } from '../../bridge/scl/scl-reader.js';
import { formatDatasetSpec, parseDatasetSpec } from '../goose/dataset-spec.js';
import { IdentityError } from '../core/identity-range.js';
import { sclPublishers, sclWarnings, selectGoCbs } from './scl-publishers.js';

const scl = (name: string) => readScl(readFileSync(fileURLToPath(new URL(`../../fixtures/scl/${name}`, import.meta.url)), 'utf8'));
const SRC = '02:00:00:00:00:01';

describe('publishers from SCL', () => {
  const station = scl('station.scd');

  it('every GoCB of the file (SV blocks are not GOOSE publishers), one source MAC per IED, MinTime/MaxTime as t1/t0', () => {
    const pubs = sclPublishers(station, {}, {}, SRC);
    expect(pubs.map((p) => [p.identity.index, p.identity.gocbRef, p.identity.src, p.identity.dst, p.identity.appId])).to.deep.equal([
      [0, 'PROT1LD0/LLN0$GO$gcb01', '02:00:00:00:00:01', '01:0c:cd:01:00:21', 0x21],
      [1, 'PROT2LD0/LLN0$GO$gcb01', '02:00:00:00:00:02', '01:0c:cd:01:00:22', 0x22],
      [2, 'BCU1LD0/LLN0$GO$gcb01', '02:00:00:00:00:03', '01:0c:cd:01:00:23', 0x23],
    ]);
    expect(pubs[1]!.identity.vlan).to.deep.equal({ vid: 11, pcp: 5, dei: false });
    expect(pubs[1]).to.include({ confRev: 7, t0Ms: 1000, t1Ms: 4 });
    // Enum Beh starts at its first EnumVal, ord 1 ("on")
    expect(formatDatasetSpec(pubs[0]!.dataset)).to.equal('float32,bitstring:13,struct(bool,bitstring:13,utctime),bitstring:2,utctime,int8');
    expect(pubs[0]!.dataset[5]).to.deep.include({ initial: 1n });
  });

  it('--ied and --gocb choose; a GoCB name in several IEDs needs the full gocbRef', () => {
    expect(sclPublishers(station, { ieds: ['BCU1'] }, {}, SRC).map((p) => p.identity.gocbRef)).to.deep.equal(['BCU1LD0/LLN0$GO$gcb01']);
    expect(sclPublishers(station, { gocbs: ['PROT2LD0/LLN0$GO$gcb01'] }, {}, SRC)).to.have.length(1);
    expect(() => sclPublishers(station, { gocbs: ['gcb01'] }, {}, SRC)).to.throw(IdentityError, /in several IEDs/);
    expect(() => sclPublishers(station, { ieds: ['MU1'] }, {}, SRC)).to.throw(IdentityError, /no GSEControl in IED MU1/).with.property('key', 'ied');
    // without --ied the error is not blamed on it
    const svOnly = { ...station, controlBlocks: station.controlBlocks.filter((cb) => cb.kind === 'sv') };
    expect(() => sclPublishers(svOnly, {}, {}, SRC)).to.throw(IdentityError, 'no GSEControl in the SCL file').with.property('key', 'scl');
    expect(() => sclPublishers(station, { ieds: ['NOPE'] }, {}, SRC)).to.throw(IdentityError, /IED "NOPE" is not in the SCL file/);
  });

  it('an override replaces only its field', () => {
    const [p] = sclPublishers(station, { ieds: ['PROT1'] }, { confRev: 9, appId: 0x99, dataset: parseDatasetSpec('bool') }, SRC);
    expect(p).to.deep.include({ confRev: 9, t0Ms: 1000 });
    expect(p!.identity).to.deep.include({ appId: 0x99, dst: '01:0c:cd:01:00:21', goID: 'PROT1_GOOSE1' });
    expect(formatDatasetSpec(p!.dataset)).to.equal('bool');
  });

  it('a GoCB the file cannot fully describe asks for the option that fills the gap', () => {
    expect(() => sclPublishers(scl('broken/member-missing.cid'), {}, {}, SRC)).to.throw(IdentityError, /dataset DS1 does not resolve.*give --dataset/);
    expect(sclPublishers(scl('broken/member-missing.cid'), {}, { dataset: parseDatasetSpec('bool') }, SRC)).to.have.length(1);
    expect(() => sclPublishers(scl('broken/address-missing.cid'), {}, {}, SRC)).to.throw(IdentityError, /no APPID .* give --appid/);
  });

  it('warns of an APPID two GoCBs share (both of them, published anyway) and of a missing MinTime/MaxTime with the value used', () => {
    const dup = scl('broken/duplicate-appid.scd');
    const used = { t0Ms: 1000, t1Ms: 2 };
    const warnings = sclWarnings(dup, selectGoCbs(dup, {}), used, {});
    expect(warnings).to.have.length(2);
    for (const w of warnings) expect(w).to.match(/APPID 0x0021 of PROT2LD0\/LLN0\$GO\$gcb01 is already used by PROT1LD0\/LLN0\$GO\$gcb01 .*; published anyway$/);
    expect(sclWarnings(dup, selectGoCbs(dup, {}), used, { appId: 0x30 })).to.deep.equal([]);
    const noTime = scl('broken/min-max-time-missing.cid');
    const [w] = sclWarnings(noTime, selectGoCbs(noTime, {}), used, {});
    expect(w).to.match(/^PROT1LD0\/LLN0\$GO\$gcb01: the SCL file gives no M(in|ax)Time; t[01] (2|1000) ms \(--t[01]\) used$/);
    expect(sclWarnings(station, selectGoCbs(station, {}), used, {})).to.deep.equal([]);
  });
});
