// `sim publisher --scl` writes (in virtual time, to a pcap) what the SCL file defines, as tshark
// decodes it; `sim subscriber --scl` finds no mismatch in those frames and exactly one per
// differing field in frames whose fields were overridden by flags.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { find, parsePdml, type PdmlNode } from '../../testkit/oracles/pdml-parser.js';
import { skipUnlessTshark } from '../../testkit/preconditions.js';
import type { SclCheckReport } from './scl-stream-check.js';

const cli = join(import.meta.dirname, '..', '..', 'bin', 'cli.ts');
const CID = join(import.meta.dirname, '..', '..', 'fixtures', 'scl', 'prot1-2007b.cid');
const SAMU = join(import.meta.dirname, '..', '..', 'fixtures', 'scl', 'samu1-2007b.cid');
const FRAMES = 12;

function run(args: string[]): string {
  return execFileSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function publish(pcap: string, extra: string[] = []): void {
  run(['sim', 'publisher', '--scl', CID, '--pcap', pcap, '--count', String(FRAMES), '--event-interval', '30', '--start-time', '2026-01-01T00:00:00Z', ...extra]);
}

function sclCheck(pcap: string): SclCheckReport {
  return (JSON.parse(run(['sim', 'subscriber', '--scl', CID, '--pcap', pcap, '--json'])) as { scl: SclCheckReport }).scl;
}

function tshark(args: string[]): string {
  return execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
}

function value(packet: PdmlNode, name: string): string {
  const f = find(packet, name);
  if (f === undefined) throw new Error(`tshark shows no ${name}`);
  return f.attrs.show ?? '';
}

/** An entry's type as tshark decodes it: `floating-point:32`, `bit-string:13`, `structure(…)`. */
function tsharkType(data: PdmlNode): string {
  const name = /^Data: ([\w-]+) \(/.exec(data.attrs.showname ?? '')?.[1] ?? '?';
  const [inner] = data.children.filter((c) => c.name !== 'ber.bitstring.padding');
  if (name === 'structure') return `structure(${inner!.children.map(tsharkType).join(',')})`;
  if (name === 'bit-string') {
    const bytes = (inner!.attrs.show ?? '').split(':').length;
    return `bit-string:${bytes * 8 - Number(value(data, 'ber.bitstring.padding'))}`;
  }
  // the first content byte of an MMS float is its exponent width: 8 = float32, 11 = float64
  if (name === 'floating-point') return `floating-point:${(inner!.attrs.show ?? '').startsWith('08') ? 32 : 64}`;
  return name;
}

describe('sim publisher/subscriber --scl', function () {
  this.timeout(180_000);
  let dir: string;
  let pcap: string;
  before(function () {
    skipUnlessTshark(this, 'the tshark read-back of sim publisher --scl');
    dir = mkdtempSync(join(tmpdir(), 'gb-sim-scl-'));
    pcap = join(dir, 'scl.pcap');
    publish(pcap);
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("publisher --scl: tshark decodes the SCL's APPID, MAC, VLAN, references, confRev, goID and typed entries (DA- and DO-level FCDA)", () => {
    expect(tshark(['-r', pcap, '-Y', '_ws.malformed || _ws.expert']).trim()).to.equal('');
    const packets = parsePdml(tshark(['-r', pcap, '-T', 'pdml']));
    expect(packets).to.have.length(FRAMES);
    for (const p of packets) {
      // the values of fixtures/scl/prot1-2007b.cid: GSE address, GSEControl, DataSet DS1 through the templates
      expect(value(p, 'eth.dst')).to.equal('01:0c:cd:01:00:21');
      expect(value(p, 'vlan.id')).to.equal('10');
      expect(value(p, 'vlan.priority')).to.equal('6');
      expect(value(p, 'goose.appid')).to.equal('0x0021');
      expect(value(p, 'goose.gocbRef')).to.equal('PROT1LD0/LLN0$GO$gcb01');
      expect(value(p, 'goose.datSet')).to.equal('PROT1LD0/LLN0$DS1');
      expect(value(p, 'goose.goID')).to.equal('PROT1_GOOSE1');
      expect(value(p, 'goose.confRev')).to.equal('7');
      expect(value(p, 'goose.numDatSetEntries')).to.equal('6');
      expect(find(p, 'goose.allData')!.children.map(tsharkType)).to.deep.equal([
        'floating-point:32', // GGIO1.AnIn1.mag.f  FLOAT32
        'bit-string:13', // GGIO1.AnIn1.q  Quality
        'structure(boolean,bit-string:13,utc-time)', // GGIO1.Ind1 [ST] at DO level: stVal, q, t
        'bit-string:2', // XCBR1.Pos.stVal  Dbpos
        'utc-time', // XCBR1.Pos.t  Timestamp
        'integer', // GGIO1.Beh.stVal  Enum
      ]);
    }
    // MinTime 4 ms is t1: the first retransmission follows the initial frame after 4 ms
    const times = tshark(['-r', pcap, '-T', 'fields', '-e', 'frame.time_relative']).trim().split('\n');
    expect(times[1]).to.equal('0.004000000');
  });

  it('subscriber --scl: 0 mismatches for those frames; one per field for frames whose confRev, entry count and MAC were overridden', () => {
    const ok = sclCheck(pcap);
    expect(ok.mismatches).to.equal(0);
    expect(ok.unknown_streams).to.deep.equal([]);
    expect(ok.streams.map((s) => [s.gocb_ref, s.frames])).to.deep.equal([['PROT1LD0/LLN0$GO$gcb01', FRAMES]]);

    const bad = join(dir, 'flags.pcap');
    publish(bad, ['--conf-rev', '8', '--dataset', 'float32,bitstring:13,bool', '--dst-mac', '01:0c:cd:01:00:99']);
    const r = sclCheck(bad);
    const [row] = r.streams;
    expect(row!.frames).to.equal(FRAMES);
    expect(Object.entries(row!.fields).filter(([, n]) => n > 0)).to.deep.equal([
      ['dst_mac', FRAMES],
      ['conf_rev', FRAMES],
      ['entry_count', FRAMES],
    ]);
    expect(r.mismatches).to.equal(3 * FRAMES);
  });

  it('subscriber --scl: a stream the file does not define is unknown, and the GoCB is never seen', () => {
    const other = join(dir, 'other.pcap');
    run(['sim', 'publisher', '--pcap', other, '--count', '3']);
    const r = sclCheck(other);
    expect(r.unknown_streams).to.deep.equal([{ appid: '0x1000', gocb_ref: 'SIM1LD0/LLN0$GO$gcb01', src_mac: '02:00:00:00:00:01', frames: 3 }]);
    expect(r.never_seen).to.deep.equal(['PROT1LD0/LLN0$GO$gcb01']);
  });

  it('a CID without multiplier (MinTime 1000, MaxTime 3000): tshark shows a heartbeat of 3 s and TAL of 2 × the gap, at most 6 s', () => {
    const samu = join(dir, 'samu.pcap');
    run(['sim', 'publisher', '--scl', SAMU, '--gocb', 'gcbEvents', '--pcap', samu, '--duration', '16', '--start-time', '2026-01-01T00:00:00Z']);
    const rows = tshark(['-r', samu, '-T', 'fields', '-E', 'separator=;', '-e', 'frame.time_relative', '-e', 'goose.timeAllowedtoLive', '-e', 'goose.appid'])
      .trim()
      .split('\n')
      .map((l) => l.split(';'));
    const times = rows.map((r) => Number(r[0]));
    const tals = rows.map((r) => Number(r[1]));
    expect(rows.every((r) => r[2] === '0x1000')).to.equal(true);
    // doubling from MinTime 1 s: 0, 1, 3, then every MaxTime 3 s
    expect(times).to.deep.equal([0, 1, 3, 6, 9, 12, 15]);
    // timeAllowedtoLive = 2 × the gap to the next frame: 2 s, 4 s, then 6 s for the heartbeat
    expect(tals).to.deep.equal([2000, 4000, 6000, 6000, 6000, 6000, 6000]);
  });
});
