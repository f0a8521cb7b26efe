// `sim subscriber --scl` names the leaves of structure-valued dataset members by their DA path:
// checked against tshark's decoding of the same frames (the GOOSE dissector shows the nested
// MMS structures), leaf by leaf in order — names, types the SCL gives them, values — and the
// members a state change lists are the leaves tshark shows changing between the two frames.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { find, parsePdml, type PdmlNode } from '../../testkit/oracles/pdml-parser.js';
import { skipUnlessTshark } from '../../testkit/preconditions.js';
import type { SubscriberReport } from '../goose/stream-statistics.js';

const cli = join(import.meta.dirname, '..', '..', 'bin', 'cli.ts');
const CID = join(import.meta.dirname, '..', '..', 'fixtures', 'scl', 'nested-members.cid');

/** The leaves of fixtures/scl/nested-members.cid's DSNested, as its DataTypeTemplates define them, with their tshark type. */
const LEAVES: [string, string][] = [
  ['LD0/XCBR1.Pos.stVal [ST]', 'bit-string:2'],
  ['LD0/XCBR1.Pos.q [ST]', 'bit-string:13'],
  ['LD0/XCBR1.Pos.t [ST]', 'utc-time'],
  ['LD0/GGIO1.AnIn1.mag.f [MX]', 'floating-point'],
  ['LD0/MMXU1.PhV.phsA.cVal.mag.f [MX]', 'floating-point'],
  ['LD0/MMXU1.PhV.phsA.cVal.ang.f [MX]', 'floating-point'],
  ['LD0/MMXU1.PhV.phsA.q [MX]', 'bit-string:13'],
  ['LD0/MMXU1.PhV.phsB.cVal.mag.f [MX]', 'floating-point'],
  ['LD0/MMXU1.PhV.phsB.cVal.ang.f [MX]', 'floating-point'],
  ['LD0/MMXU1.PhV.phsB.q [MX]', 'bit-string:13'],
  ['LD0/LLN0.Beh.stVal [ST]', 'integer'],
  ['LD0/GGIO1.Ind1.stVal [ST]', 'boolean'],
];

function run(args: string[]): string {
  return execFileSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

interface TsharkLeaf {
  type: string;
  /** In the monitor's notation (bits as 0/1, float as a number, time as µs since 1970). */
  value: string;
}

function bitsOf(hex: string, n: number): string {
  let s = '';
  for (const byte of Buffer.from(hex, 'hex')) s += byte.toString(2).padStart(8, '0');
  return s.slice(0, n);
}

/** tshark's utc-time text `Jan  1, 2026 00:00:00.030000000 UTC` as µs since 1970. */
function tsharkTimeUs(show: string): number {
  const m = /^(.*\d{2}:\d{2}:\d{2})\.(\d+) UTC$/.exec(show)!;
  return Date.parse(`${m[1]} UTC`) * 1000 + Math.round(Number(`0.${m[2]}`) * 1e6);
}

/** The basic values of one tshark Data node, depth first (structures opened). */
function tsharkLeaves(data: PdmlNode, out: TsharkLeaf[] = []): TsharkLeaf[] {
  const type = /^Data: ([\w-]+) \(/.exec(data.attrs.showname ?? '')?.[1] ?? '?';
  const [inner] = data.children.filter((c) => c.name !== 'ber.bitstring.padding');
  if (type === 'structure') {
    for (const c of inner!.children) tsharkLeaves(c, out);
  } else if (type === 'bit-string') {
    const bits = (inner!.attrs.value ?? '').length * 4 - Number(find(data, 'ber.bitstring.padding')!.attrs.show);
    out.push({ type: `bit-string:${bits}`, value: bitsOf(inner!.attrs.value ?? '', bits) });
  } else if (type === 'floating-point') {
    // MMS float: an exponent-width byte (8: float32), then the IEEE 754 bytes
    out.push({ type, value: String(Buffer.from((inner!.attrs.value ?? '').slice(2), 'hex').readFloatBE(0)) });
  } else if (type === 'boolean') {
    out.push({ type, value: inner!.attrs.show === '1' ? 'true' : 'false' });
  } else if (type === 'utc-time') {
    out.push({ type, value: String(tsharkTimeUs(inner!.attrs.show ?? '')) });
  } else {
    out.push({ type, value: inner!.attrs.show ?? '' });
  }
  return out;
}

function frameLeaves(packet: PdmlNode): TsharkLeaf[] {
  return find(packet, 'goose.allData')!.children.flatMap((d) => tsharkLeaves(d));
}

/** The monitor's value text in the notation of tsharkLeaves (an ISO time as µs). */
function ours(name: string, text: string): string {
  return LEAVES.find(([n]) => n === name)?.[1] === 'utc-time' ? String(Date.parse(text) * 1000 + Number(text.slice(23, 26))) : text;
}

describe('sim subscriber --scl: structure members leaf by leaf, against tshark', function () {
  this.timeout(120_000);
  let dir: string;
  let pcap: string;
  before(function () {
    skipUnlessTshark(this, 'the tshark comparison of nested member names');
    dir = mkdtempSync(join(tmpdir(), 'gb-nested-'));
    pcap = join(dir, 'nested.pcap');
    run(['sim', 'publisher', '--scl', CID, '--pcap', pcap, '--count', '12', '--event-interval', '30', '--start-time', '2026-01-01T00:00:00Z']);
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("names each leaf by its DA path in tshark's order, with tshark's type and value; a state change lists the leaves tshark shows changing", () => {
    const report = JSON.parse(run(['sim', 'subscriber', '--scl', CID, '--pcap', pcap, '--json'])) as SubscriberReport;
    const stream = report.streams[0]!;
    const packets = parsePdml(execFileSync('tshark', ['-r', pcap, '-T', 'pdml'], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] }));
    const last = frameLeaves(packets.at(-1)!);
    const values = Object.entries(stream.values!);
    expect(values.map(([n]) => n)).to.deep.equal(LEAVES.map(([n]) => n));
    expect(last.map((l) => l.type)).to.deep.equal(LEAVES.map(([, t]) => t));
    expect(values.map(([n, v]) => ours(n, v))).to.deep.equal(last.map((l) => l.value));

    // the last state change: the leaves that differ between the last frame of the state before and its first frame
    const change = stream.last_changes!.at(-1)!;
    const stOf = (p: PdmlNode): number => Number(find(p, 'goose.stNum')!.attrs.show);
    const first = packets.findIndex((p) => stOf(p) === change.st_num);
    const [before, after] = [frameLeaves(packets[first - 1]!), frameLeaves(packets[first]!)];
    const differ = LEAVES.filter((_, i) => before[i]!.value !== after[i]!.value).map(([n]) => n);
    expect(differ.length).to.be.greaterThan(0);
    expect(change.changed.map((c) => c.member)).to.deep.equal(differ);
    for (const c of change.changed) {
      const i = LEAVES.findIndex(([n]) => n === c.member);
      expect([ours(c.member, c.before!), ours(c.member, c.after!)]).to.deep.equal([before[i]!.value, after[i]!.value]);
    }
  });
});
