// `sim sv-publisher --scl`: the merging unit an SCL SampledValueControl describes. Unit checks of
// the selection and of what the simulator cannot send; then a pcap written from the control
// block read back by tshark, every field compared with the file.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readScl } from '../../bridge/scl/scl-reader.js';
import { skipUnlessTshark } from '../../testkit/preconditions.js';
import { IdentityError } from '../core/identity-range.js';
import { selectSvCb, svStreamFromScl } from './scl-sv-publisher.js';

const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'scl');
const CID = join(fixtures, 'samu1-2007b.cid');
const cli = join(import.meta.dirname, '..', '..', 'bin', 'cli.ts');
const DEFAULTS = { samplesPerSecond: 4000, asdus: 1 };

describe('SV publisher from an SCL SampledValueControl', () => {
  const samu = readScl(readFileSync(CID, 'utf8'));
  const station = readScl(readFileSync(join(fixtures, 'station.scd'), 'utf8'));

  it('takes SMV address, smvID, confRev, rate (smpRate × nominal), nofASDU and the SmvOpts fields from the file', () => {
    const s = svStreamFromScl(samu, selectSvCb(samu, {}), 60, {}, DEFAULTS);
    expect(s.identity).to.deep.equal({ appId: 0x4001, dstMac: '01:0c:cd:04:00:01', svID: 'SAMU1MU01', vlan: { pcp: 5, dei: false, vid: 5 } });
    expect(s).to.include({ confRev: 1, samplesPerSecond: 4800, asdusPerFrame: 1, datSet: 'SAMU1MU01/LLN0$PhsMeas1', smpRate: 80 });
    expect(s.warnings).to.deep.equal([]);
  });

  it('a typed option replaces its field only; smpMod SmpPerSec counts per second', () => {
    const cb = selectSvCb(samu, { svcb: 'MSVCB01' });
    const s = svStreamFromScl(samu, cb, 50, { appId: 0x4100, asdus: 2 }, DEFAULTS);
    expect(s.identity).to.include({ appId: 0x4100, svID: 'SAMU1MU01' });
    expect(s.asdusPerFrame).to.equal(2);
    const perSec = { ...cb, sv: { ...cb.sv!, smpMod: 'SmpPerSec' as const, smpRate: 4000 } };
    expect(svStreamFromScl(samu, perSec, 60, {}, DEFAULTS)).to.include({ samplesPerSecond: 4000, smpRate: 4000 });
  });

  it('what the file leaves out is warned about with the value used; refrTm and security are not simulated', () => {
    const cb = selectSvCb(samu, {});
    const bare = { ...cb, sv: { ...cb.sv!, smpRate: undefined, nofASDU: undefined, opts: { ...cb.sv!.opts, refreshTime: true } } };
    const s = svStreamFromScl(samu, bare, 50, {}, DEFAULTS);
    expect(s.samplesPerSecond).to.equal(4000);
    expect(s.warnings).to.deep.equal([
      'SAMU1MU01/LLN0$MS$MSVCB01: the SCL file gives no smpRate; 4000 samples/s (--samples-per-cycle × --nominal) used',
      'SAMU1MU01/LLN0$MS$MSVCB01: the SCL file gives no nofASDU; 1 ASDU(s) per frame (--asdus) used',
      'SAMU1MU01/LLN0$MS$MSVCB01: SmvOpts refreshTime is set; refrTm is not sent by the simulator',
    ]);
  });

  it('a dataset other than 9-2LE’s 8 × (INT32, Quality) and an unknown or missing SVCB are errors naming the option', () => {
    expect(() => svStreamFromScl(station, selectSvCb(station, {}), 50, {}, DEFAULTS)).to.throw(IdentityError, /dataset PhsMeas1 is INT32,Quality,INT32,Quality; sv-publisher sends IEC 61850-9-2LE's 8 × \(INT32, Quality\)/);
    expect(() => selectSvCb(samu, { svcb: 'nope' })).to.throw(IdentityError, /"nope" is not among SAMU1MU01\/LLN0\$MS\$MSVCB01/).with.property('key', 'svcb');
    expect(() => selectSvCb(station, { ieds: ['PROT1'] })).to.throw(IdentityError, 'no SampledValueControl in IED PROT1').with.property('key', 'ied');
    expect(() => selectSvCb(station, { ieds: ['NOPE'] })).to.throw(IdentityError, /IED "NOPE" is not in the SCL file/);
  });
});

describe('sim sv-publisher --scl read back by tshark', function () {
  this.timeout(120_000);
  let dir: string;
  before(function () {
    skipUnlessTshark(this, 'the tshark read-back of sim sv-publisher --scl');
    dir = mkdtempSync(join(tmpdir(), 'gb-sv-scl-'));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every frame carries the SMV address, VLAN, smvID, datSet, smpRate, confRev and nofASDU of the file, 8 values + 8 qualities, 250 µs apart', () => {
    const pcap = join(dir, 'svcb.pcap');
    execFileSync(process.execPath, ['--import', 'tsx', cli, 'sim', 'sv-publisher', '--scl', CID, '--svcb', 'MSVCB01', '--pcap', pcap, '--count', '40', '--start-time', '2026-01-01T00:00:00Z'], { stdio: 'ignore' });
    const tshark = (args: string[]) => execFileSync('tshark', ['-o', 'sv.decode_data_as_phsmeas:TRUE', '-r', pcap, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(tshark(['-Y', '_ws.malformed || _ws.expert']).trim()).to.equal('');
    const fields = ['eth.dst', 'vlan.id', 'vlan.priority', 'sv.appid', 'sv.noASDU', 'sv.svID', 'sv.datSet', 'sv.smpRate', 'sv.confRev', 'sv.smpCnt', 'sv.meas_value', 'sv.meas_quality', 'frame.time_relative'];
    const rows = tshark(['-T', 'fields', '-E', 'separator=;', '-E', 'aggregator=,', ...fields.flatMap((f) => ['-e', f])]).trim().split('\n').map((l) => l.split(';'));
    expect(rows).to.have.length(40);
    rows.forEach((r, k) => {
      // fixtures/scl/samu1-2007b.cid: SMV address, SampledValueControl MSVCB01 and its SmvOpts
      expect(r.slice(0, 10)).to.deep.equal(['01:0c:cd:04:00:01', '5', '5', '0x4001', '1', 'SAMU1MU01', 'SAMU1MU01/LLN0$PhsMeas1', '80', '1', String(k)]);
      expect(r[10]!.split(',')).to.have.length(8);
      expect(r[11]!.split(',')).to.have.length(8);
      expect(Number(r[12]) * 1e6).to.be.closeTo(k * 250, 0.5);
    });
  });
});
