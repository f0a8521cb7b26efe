import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configFragment } from './config-fragment.js';
import { decodeSclText } from './load-scl-file.js';
import { formatListing } from './scl-listing.js';
import { memberPath } from './scl-model.js';
import { readScl, SclFormatError } from './scl-reader.js';
import { formatSclType } from './type-templates.js';
import { XmlLimitError, XmlSyntaxError, type XmlLimits } from './xml-tree.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GbError } from '../../errors/error-codes.js';
import { loadSclFile } from './load-scl-file.js';
import { DEFAULT_SCL_LIMITS } from './scl-limits.js';
import { CONFIG_KEYS } from '../config/config-keys.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../../fixtures/scl/${name}`, import.meta.url)), 'utf8');

const DS1_TYPES = [
  'LD0/GGIO1.AnIn1.mag.f [MX] FLOAT32',
  'LD0/GGIO1.AnIn1.q [MX] Quality',
  'LD0/GGIO1.Ind1 [ST] {stVal:BOOLEAN,q:Quality,t:Timestamp}',
  'LD0/XCBR1.Pos.stVal [ST] Dbpos',
  'LD0/XCBR1.Pos.t [ST] Timestamp',
  'LD0/GGIO1.Beh.stVal [ST] Enum(Beh)',
];

describe('SCL reader', () => {
  it('resolves a 2007B CID: GoCB references, Communication address, MinTime/MaxTime and DA- and DO-level members to basic types', () => {
    const f = readScl(fixture('prot1-2007b.cid'));
    expect(f.edition).to.equal('2007B');
    expect(f.issues).to.deep.equal([]);
    expect(f.controlBlocks).to.have.length(1);
    const cb = f.controlBlocks[0]!;
    expect(cb).to.include({ kind: 'goose', ied: 'PROT1', accessPoint: 'S1', ref: 'PROT1LD0/LLN0$GO$gcb01', datSetRef: 'PROT1LD0/LLN0$DS1', appID: 'PROT1_GOOSE1', confRev: 7, minTimeMs: 4, maxTimeMs: 1000, subNetwork: 'StationBus' });
    // the xsi:type attribute beside type="…" on each P must not hide the address type
    expect(cb.address).to.deep.equal({ mac: '01:0c:cd:01:00:21', appId: 0x21, vlanId: 10, vlanIdText: '00A', vlanPriority: 6 });
    expect(cb.members.map((m) => `${m.ref} ${formatSclType(m.type)}`)).to.deep.equal(DS1_TYPES);
    expect(memberPath(cb, cb.members[2]!)).to.equal('SCL/IED[name=PROT1]/AccessPoint[name=S1]/Server/LDevice[inst=LD0]/LN0/DataSet[name=DS1]/FCDA[3]');
  });

  it('a member that does not resolve leaves a gap: the next keeps its own FCDA position and path', () => {
    const cb = readScl(fixture('broken/member-missing.cid')).controlBlocks[0]!;
    expect(cb.members.map((m) => m.fcda)).to.deep.equal([1, 3, 4, 5, 6]);
    expect(memberPath(cb, cb.members[1]!)).to.match(/\/DataSet\[name=DS1\]\/FCDA\[3\]$/);
  });

  it('reads a 2003-edition file whose elements carry a namespace prefix the same way (confRev absent → 0, no version → edition "")', () => {
    const f = readScl(fixture('prot3-2003.cid'));
    expect(f.edition).to.equal('');
    expect(f.issues).to.deep.equal([]);
    const cb = f.controlBlocks[0]!;
    expect(cb).to.include({ ref: 'PROT3LD0/LLN0$GO$gcb01', confRev: 0, minTimeMs: 4, maxTimeMs: 1000 });
    expect(cb.address).to.deep.include({ appId: 0x31, mac: '01:0c:cd:01:00:31' });
    expect(cb.members.map((m) => `${m.ref} ${formatSclType(m.type)}`)).to.deep.equal(DS1_TYPES);
  });

  it('reads an SCD with several IEDs on two subnetworks, GOOSE and SV', () => {
    const f = readScl(fixture('station.scd'));
    expect(f.issues).to.deep.equal([]);
    expect(f.ieds).to.deep.equal(['PROT1', 'PROT2', 'BCU1', 'MU1']);
    expect(f.subNetworks).to.deep.equal(['StationBus', 'ProcessBus']);
    expect(f.controlBlocks.map((cb) => [cb.ref, cb.subNetwork, cb.address?.appId])).to.deep.equal([
      ['PROT1LD0/LLN0$GO$gcb01', 'StationBus', 0x21],
      ['PROT2LD0/LLN0$GO$gcb01', 'StationBus', 0x22],
      ['BCU1LD0/LLN0$GO$gcb01', 'StationBus', 0x23],
      ['MU1MU/LLN0$MS$MSVCB01', 'ProcessBus', 0x4000],
    ]);
    const sv = f.controlBlocks[3]!;
    expect(sv).to.include({ kind: 'sv', appID: 'MU1_SV1', confRev: 1 });
    expect(sv.members.map((m) => formatSclType(m.type))).to.deep.equal(['INT32', 'Quality', 'INT32', 'Quality']);
  });

  it('its config fragment passes the bridge’s own parsers for appid_allow and group_map', () => {
    const frag = configFragment(readScl(fixture('station.scd')).controlBlocks, '239.0.1.101');
    expect(frag.appid_allow).to.equal('0x0021-0x0023,0x4000');
    expect(frag.group_map).to.equal('appid:0x0021=239.0.1.101,appid:0x0022=239.0.1.102,appid:0x0023=239.0.1.103,appid:0x4000=239.0.1.104');
    for (const key of ['appid_allow', 'group_map'] as const) {
      expect(CONFIG_KEYS.find((k) => k.key === key)!.parse(frag[key]).ok, key).to.equal(true);
    }
  });

  const BROKEN: [file: string, code: string, path: string][] = [
    ['member-missing.cid', 'member-missing', 'SCL/IED[name=PROT1]/AccessPoint[name=S1]/Server/LDevice[inst=LD0]/LN0/DataSet[name=DS1]/FCDA[2]'],
    ['member-missing-datype.cid', 'member-missing', 'SCL/IED[name=PROT1]/AccessPoint[name=S1]/Server/LDevice[inst=LD0]/LN0/DataSet[name=DS1]/FCDA[1]'],
    ['dataset-missing.cid', 'dataset-missing', 'SCL/IED[name=PROT1]/AccessPoint[name=S1]/Server/LDevice[inst=LD0]/LN0/GSEControl[name=gcb01]'],
    ['address-missing.cid', 'address-missing', 'SCL/IED[name=PROT1]/AccessPoint[name=S1]/Server/LDevice[inst=LD0]/LN0/GSEControl[name=gcb01]'],
    ['appid-range.cid', 'appid-range', 'SCL/IED[name=PROT1]/AccessPoint[name=S1]/Server/LDevice[inst=LD0]/LN0/GSEControl[name=gcb01]'],
    ['mac-range.cid', 'mac-range', 'SCL/IED[name=PROT1]/AccessPoint[name=S1]/Server/LDevice[inst=LD0]/LN0/GSEControl[name=gcb01]'],
    ['min-max-time-missing.cid', 'min-max-time-missing', 'SCL/Communication/SubNetwork[name=StationBus]/ConnectedAP[iedName=PROT1,apName=S1]/GSE[ldInst=LD0,cbName=gcb01]'],
    ['bad-value.cid', 'bad-value', 'SCL/Communication/SubNetwork[name=StationBus]/ConnectedAP[iedName=PROT1,apName=S1]/GSE[ldInst=LD0,cbName=gcb01]/Address/P[type=APPID]'],
    ['duplicate-appid.scd', 'duplicate-appid', 'SCL/IED[name=PROT2]/AccessPoint[name=S1]/Server/LDevice[inst=LD0]/LN0/GSEControl[name=gcb01]'],
    ['duplicate-mac.scd', 'duplicate-mac', 'SCL/IED[name=PROT2]/AccessPoint[name=S1]/Server/LDevice[inst=LD0]/LN0/GSEControl[name=gcb01]'],
  ];
  for (const [file, code, path] of BROKEN) {
    it(`broken/${file}: exactly one ${code} issue, at its SCL path`, () => {
      const issues = readScl(fixture(`broken/${file}`)).issues;
      expect(issues.map((i) => [i.code, i.path])).to.deep.equal([[code, path]]);
    });
  }

  it('names what is missing in a member and where the templates stop', () => {
    const [a] = readScl(fixture('broken/member-missing.cid')).issues;
    expect(a!.message).to.equal('LD0/GGIO1.AnIn9.q [MX]: DO "AnIn9" is not in LNodeType "GGIO_T" (at SCL/DataTypeTemplates/LNodeType[id=GGIO_T])');
    const [b] = readScl(fixture('broken/member-missing-datype.cid')).issues;
    expect(b!.message).to.contain('DAType "AnalogueValue_X" is not in the DataTypeTemplates').and.contain('DOType[id=MV_T]/DA[name=mag]');
  });

  it('reads UTF-8 with a byte-order mark and UTF-16 (LE and BE, marked by their BOM) alike', () => {
    const text = fixture('prot1-2007b.cid');
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
    const bom8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    const expected = readScl(text).controlBlocks;
    for (const buf of [le, be, bom8]) expect(readScl(decodeSclText(buf)).controlBlocks).to.deep.equal(expected);
  });

  it('a file cut short is not well-formed XML, reported with the open elements; another root is not SCL', () => {
    const text = fixture('prot1-2007b.cid');
    expect(() => readScl(text.slice(0, text.indexOf('</LNodeType>')))).to.throw(XmlSyntaxError, /ends inside SCL > DataTypeTemplates > LNodeType/);
    expect(() => readScl('<Other/>')).to.throw(SclFormatError, /<Other>, not <SCL>/);
  });

  it('MinTime/MaxTime without a multiplier are milliseconds (tDurationInMilliSec); a multiplier that is written is honoured', () => {
    const text = fixture('samu1-2007b.cid');
    const gocb = (t: string) => readScl(t).controlBlocks.find((cb) => cb.kind === 'goose')!;
    expect(gocb(text)).to.include({ minTimeMs: 1000, maxTimeMs: 3000 });
    expect(gocb(text.replace('<MinTime>1000<', '<MinTime unit="s" multiplier="">2<'))).to.include({ minTimeMs: 2000 });
    expect(gocb(text.replace('<MinTime>1000<', '<MinTime unit="s" multiplier="u">1500<'))).to.include({ minTimeMs: 1.5 });
    const bad = readScl(text.replace('<MinTime>1000<', '<MinTime unit="min">1<'));
    expect(bad.issues.map((i) => [i.code, i.path.split('/').pop()])).to.deep.equal([['bad-value', 'MinTime']]);
  });

  it('a SampledValueControl: smvID, smpRate, smpMod, nofASDU, SmvOpts and its SMV address', () => {
    const f = readScl(fixture('samu1-2007b.cid'));
    expect(f.issues).to.deep.equal([]);
    const sv = f.controlBlocks.find((cb) => cb.kind === 'sv')!;
    expect(sv).to.include({ ref: 'SAMU1MU01/LLN0$MS$MSVCB01', appID: 'SAMU1MU01', datSetRef: 'SAMU1MU01/LLN0$PhsMeas1', confRev: 1 });
    expect(sv.sv).to.deep.equal({ smpMod: 'SmpPerPeriod', smpRate: 80, nofASDU: 1, multicast: true, opts: { refreshTime: false, sampleSynchronized: true, sampleRate: true, dataSet: true, security: false } });
    expect(sv.address).to.deep.equal({ mac: '01:0c:cd:04:00:01', appId: 0x4001, vlanId: 5, vlanIdText: '005', vlanPriority: 5 });
    expect(sv.members).to.have.length(16);
  });

  it('the listing writes VLAN-ID as the file does and in decimal, and says when the file gives no SCL version', () => {
    expect(formatListing(readScl(fixture('prot1-2007b.cid')), 'f')).to.contain('VLAN-ID 0x00A (10) priority 6');
    expect(formatListing(readScl(fixture('prot3-2003.cid')), 'f')).to.match(/^f: SCL version not given, 1 IED\(s\)/);
  });

  it('a missing MinTime names the GoCB', () => {
    const [i] = readScl(fixture('broken/min-max-time-missing.cid')).issues;
    expect(i!.message).to.match(/^PROT1LD0\/LLN0\$GO\$gcb01: its GSE address has no M(in|ax)Time/);
  });
});

describe('SCL reader limits', () => {
  const limits = (l: Partial<XmlLimits>): XmlLimits => ({ ...DEFAULT_SCL_LIMITS, ...l });
  const ld = (inst: string, ln0: string) => `<LDevice inst="${inst}"><LN0 lnClass="LLN0" inst="" lnType="T">${ln0}</LN0></LDevice>`;
  const scl = (lds: string) => `<SCL version="2007" revision="B"><IED name="X"><AccessPoint name="A"><Server>${lds}</Server></AccessPoint></IED></SCL>`;
  const fcdas = (n: number) => '<FCDA ldInst="L" lnClass="GGIO" lnInst="1" doName="Ind1" fc="ST"/>'.repeat(n);

  it('nesting deeper than maxDepth stops with the limit named, before the rest is read', () => {
    const deep = `<SCL>${'<Private>'.repeat(100)}${'</Private>'.repeat(100)}</SCL>`;
    expect(() => readScl(deep)).to.throw(XmlLimitError, /element nesting \(inside SCL > Private .*\) exceeds 64 at line 1 \(limit --max-depth 64\)/);
    expect(() => readScl(deep, limits({ maxDepth: 101 }))).not.to.throw();
  });

  it('more elements than maxElements, kept or not, stop with the limit named', () => {
    const many = `<SCL>${'<Private/>'.repeat(1000)}</SCL>`;
    expect(() => readScl(many, limits({ maxElements: 500 }))).to.throw(XmlLimitError, /the number of elements exceeds 500 .*--max-elements 500/);
    expect(readScl(many, limits({ maxElements: 1001 })).ieds).to.deep.equal([]);
  });

  it('maxKept counts what is kept at one time: a dataset no control block names is dropped when its LLN0 closes', () => {
    const named = scl(ld('L', `<DataSet name="D">${fcdas(600)}</DataSet><GSEControl name="g" datSet="D" appID="x"/>`));
    expect(() => readScl(named, limits({ maxKept: 500 }))).to.throw(XmlLimitError, /kept for the model .* exceeds 500 .*--max-kept 500/);
    // two unnamed datasets of 300 members each in two LDevices: never more than ~310 kept at once
    const twoLds = scl(ld('L1', `<DataSet name="U">${fcdas(300)}</DataSet>`) + ld('L2', `<DataSet name="U">${fcdas(300)}</DataSet>`));
    expect(readScl(twoLds, limits({ maxKept: 500 })).controlBlocks).to.deep.equal([]);
  });

  it('loadSclFile turns a limit into GB_ERR_SCL naming the file, the limit and its value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gb-scl-limit-'));
    try {
      const file = join(dir, 'deep.scd');
      writeFileSync(file, `<SCL>${'<Private>'.repeat(100)}${'</Private>'.repeat(100)}</SCL>`);
      let err: unknown;
      try {
        loadSclFile(file);
      } catch (e) {
        err = e;
      }
      expect(err).to.be.instanceOf(GbError).and.include({ code: 'GB_ERR_SCL' });
      expect((err as Error).message).to.contain(file).and.contain('limit --max-depth 64');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('streaming from a file gives the model readScl gives for the whole text', () => {
    const path = fileURLToPath(new URL('../../fixtures/scl/station.scd', import.meta.url));
    expect(loadSclFile(path)).to.deep.equal(readScl(fixture('station.scd')));
  });
});
