// `sim sv-publisher --pcap` read back by tshark (the reference SV dissector, seqData decoded as
// 9-2LE PhsMeas1): nothing malformed, the right svID per APPID, smpCnt counting 0 … rate − 1 and
// wrapping, 8 values with 8 qualities per ASDU, values equal to the model, exact sample times.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipUnlessTshark } from '../../testkit/preconditions.js';
import { DEFAULT_SV_MODEL } from './sv-model.js';
import { SvSignal } from './sv-model.js';

const cli = join(import.meta.dirname, '..', '..', 'bin', 'cli.ts');
const START = '2026-01-01T00:00:00Z';
const START_US = Date.parse(START) * 1000;

function tshark(args: string[]): string {
  return execFileSync('tshark', ['-o', 'sv.decode_data_as_phsmeas:TRUE', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 * 1024 * 1024 });
}

function publish(pcap: string, args: string[]): void {
  execFileSync(process.execPath, ['--import', 'tsx', cli, 'sim', 'sv-publisher', '--pcap', pcap, '--start-time', START, ...args], { stdio: 'ignore' });
}

/** "1767225600.000250000" → µs exactly. */
function epochUs(s: string): number {
  const [sec, frac = ''] = s.split('.');
  return Number(sec) * 1e6 + Number((frac + '000000').slice(0, 6));
}

interface Row {
  at: number;
  appid: number;
  svIDs: string[];
  smpCnts: number[];
  values: number[];
  qualities: number[];
}

function rows(pcap: string): Row[] {
  const out = tshark(['-r', pcap, '-T', 'fields', '-E', 'separator=;', '-E', 'aggregator=,', '-e', 'frame.time_epoch', '-e', 'sv.appid', '-e', 'sv.svID', '-e', 'sv.smpCnt', '-e', 'sv.meas_value', '-e', 'sv.meas_quality']);
  return out
    .trim()
    .split('\n')
    .map((l) => {
      const [at, appid, ids, cnts, values, qualities] = l.split(';');
      const nums = (s: string | undefined): number[] => (s ? s.split(',').map(Number) : []);
      return { at: epochUs(at!), appid: Number(appid), svIDs: ids!.split(','), smpCnts: nums(cnts), values: nums(values), qualities: nums(qualities) };
    });
}

describe('sim sv-publisher --pcap read back by tshark', function () {
  this.timeout(120_000);
  let dir: string;
  before(function () {
    skipUnlessTshark(this, 'the tshark read-back of SV --pcap output');
    dir = mkdtempSync(join(tmpdir(), 'gb-sv-pcap-'));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('80 samples/cycle: svID per stream, smpCnt 0 … 3999 wrapping, 8 values + qualities per ASDU equal to the model, 250 µs apart', () => {
    const pcap = join(dir, 'le80.pcap');
    const streams = 3;
    publish(pcap, ['--streams', String(streams), '--duration', '1.25', '--sv-id', 'MU{n}LD0/LLN0.smv', '--quality', '0x800']);
    expect(tshark(['-r', pcap, '-Y', '_ws.malformed || _ws.expert']).trim()).to.equal('');
    const all = rows(pcap);
    expect(all).to.have.length(streams * 5000);
    const signal = new SvSignal(DEFAULT_SV_MODEL, 4000);
    const expected = new Int32Array(8);
    const byApp = new Map<number, Row[]>();
    for (const r of all) (byApp.get(r.appid) ?? byApp.set(r.appid, []).get(r.appid)!).push(r);
    expect([...byApp.keys()]).to.deep.equal([0x4000, 0x4001, 0x4002]);
    for (const [appid, frames] of byApp) {
      frames.forEach((f, k) => {
        expect(f.svIDs).to.deep.equal([`MU${appid - 0x4000 + 1}LD0/LLN0.smv`]);
        expect(f.smpCnts).to.deep.equal([k % 4000]);
        expect(f.at - START_US).to.equal(k * 250);
        expect(f.qualities).to.deep.equal(new Array(8).fill(0x800));
        signal.sampleInto(k, expected);
        expect(f.values).to.deep.equal([...expected]);
      });
    }
    // the wrap really happened: 3999 then 0
    expect(byApp.get(0x4000)![3999]!.smpCnts[0]).to.equal(3999);
    expect(byApp.get(0x4000)![4000]!.smpCnts[0]).to.equal(0);
  });

  it('256 samples/cycle at 60 Hz: 8 ASDUs per frame, smpCnt 0 … 15359 wrapping', () => {
    const pcap = join(dir, 'le256.pcap');
    publish(pcap, ['--samples-per-cycle', '256', '--nominal', '60', '--duration', '1.1']);
    expect(tshark(['-r', pcap, '-Y', '_ws.malformed || _ws.expert']).trim()).to.equal('');
    const all = rows(pcap);
    const cnts = all.flatMap((r) => r.smpCnts);
    expect(all.every((r) => r.smpCnts.length === 8 && r.values.length === 64 && r.qualities.length === 64)).to.equal(true);
    expect(cnts).to.have.length(Math.floor((15360 * 1.1) / 8) * 8);
    cnts.forEach((c, i) => expect(c).to.equal(i % 15360));
  });

  it('the oracle flags a damaged SV frame (so a clean result means something)', () => {
    const pcap = join(dir, 'good.pcap');
    publish(pcap, ['--count', '2']);
    const bytes = readFileSync(pcap);
    // first record: file header 24 + record header 16; savPdu (60 LL) 14 + 8 bytes into the frame,
    // noASDU (80 01 01) then seqASDU (a2 LL): claim the sequence is longer than the PDU
    const seq = 24 + 16 + 22 + 2 + 3;
    expect(bytes[seq]).to.equal(0xa2);
    bytes[seq + 1] = 0x7f;
    const bad = join(dir, 'bad.pcap');
    writeFileSync(bad, bytes);
    expect(tshark(['-r', bad, '-Y', '_ws.malformed || _ws.expert']).trim()).to.not.equal('');
  });
});
