import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { encodeFrame } from '../codec/index.js';
import { KNOWN_ANSWERS_CAPTURE, writeKnownAnswersCapture } from '../../testkit/frames/make-known-answers-capture.js';
import { typicalGooseFrame } from '../../testkit/frames/sample-frames.js';
import { parseCapture, PcapWriter } from '../pcap/index.js';

const CLI = fileURLToPath(new URL('../../bin/goose-bridge.js', import.meta.url));

function decode(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'decode', ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('goose-bridge decode (the real CLI)', function () {
  this.timeout(60_000); // each case starts the CLI; a loaded machine takes seconds per start
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gb-decode-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the committed known-answers capture is what its generator writes', async () => {
    const fresh = join(dir, 'fresh.pcap');
    await writeKnownAnswersCapture(fresh);
    expect(readFileSync(fresh).equals(readFileSync(KNOWN_ANSWERS_CAPTURE))).to.equal(true);
  });

  it('--json prints one object per frame: decoded values, not-ours, and the typed error of a bad frame; exit 0', () => {
    const r = decode(KNOWN_ANSWERS_CAPTURE, '--json');
    expect(r.status, r.stderr).to.equal(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    expect(lines.map((l) => l.frame)).to.deep.equal([1, 2, 3, 4, 5, 6, 7]);
    expect(lines.map((l) => l.kind ?? 'error')).to.deep.equal(['goose', 'goose', 'goose', 'goose', 'sv', 'not-ours', 'error']);
    expect(lines[0]!.pdu.gocbRef).to.equal('simpleIOGenericIO/LLN0$GO$gcbAnalogValues');
    expect(lines[0]!.eth.vlan).to.deep.equal({ pcp: 4, dei: false, vid: 0 });
    expect(lines[1]!.header.simulationBit).to.equal(true);
    const kat3 = lines[2]!.pdu;
    expect(kat3.sqNum).to.equal(4294967295);
    expect(kat3.allData[2]).to.deep.equal({ type: 'integer', value: '-1' }); // integers as strings
    expect(kat3.allData[6]).to.deep.equal({ type: 'octet-string', value: 'deadbeef' }); // bytes as hex
    expect(lines[4]!.pdu.asdus[0].svID).to.equal('MU0101');
    expect(lines[5]).to.include({ kind: 'not-ours', etherType: 0x0806 });
    expect(lines[6]!.error).to.deep.include({ code: 'truncated', offset: 98, path: 'goosePdu.allData[0]' });
  });

  it('prints one line per frame by default: time, src → dst, APPID, gocbRef, st/sq, TAL, entries, flags', () => {
    const r = decode(KNOWN_ANSWERS_CAPTURE);
    expect(r.status, r.stderr).to.equal(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).to.have.length(7);
    expect(lines[2]).to.match(
      /^ +3 +0\.002000 02:00:00:00:00:01 → 01:0c:cd:01:01:ff GOOSE 0x3fff IED2CTRL\/LLN0\$GO\$gcbAll st 128 sq 4294967295 TAL 4294967295 ms 13 entries \[vlan 1000 pcp 4, ndsCom\]$/,
    );
    expect(lines[1]).to.include('[sim]');
    expect(lines[4]).to.include('SV 0x4000 MU0101 smpCnt 3999 1 ASDUs');
    expect(lines[5]).to.include('EtherType 0x0806 (not GOOSE/SV/GSE)');
    expect(lines[6]).to.match(/^ +7 .*decode error: truncated at byte 98 in goosePdu\.allData\[0\]/);
  });

  it('-V prints the full tree, including the failed frame number and error', () => {
    const r = decode(KNOWN_ANSWERS_CAPTURE, '-V');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include('frame 1  2023-11-14T22:13:20.000000Z  202 bytes');
    expect(r.stdout).to.include('gocbRef IED2CTRL/LLN0$GO$gcbAll');
    expect(r.stdout).to.include('not GOOSE/SV/GSE (EtherType 0x0806)');
    expect(r.stdout).to.match(/frame 7 .*\n {2}decode error: truncated at byte 98 in goosePdu\.allData\[0\]/);
  });

  it('--appid and --gocb-ref keep only the matching frames, numbered as in the file; -c stops after n', () => {
    const numbers = (out: string) => out.trimEnd().split('\n').map((l) => Number(l.trim().split(' ')[0]));
    expect(numbers(decode(KNOWN_ANSWERS_CAPTURE, '--appid', '0x3fff,1').stdout)).to.deep.equal([2, 3]);
    expect(numbers(decode(KNOWN_ANSWERS_CAPTURE, '--appid', '16384', '--appid', '0').stdout)).to.deep.equal([4, 5]);
    expect(numbers(decode(KNOWN_ANSWERS_CAPTURE, '--gocb-ref', 'IED1LD0/LLN0$GO$gcb1').stdout)).to.deep.equal([2]);
    expect(numbers(decode(KNOWN_ANSWERS_CAPTURE, '-c', '3').stdout)).to.deep.equal([1, 2, 3]);
    const bad = decode(KNOWN_ANSWERS_CAPTURE, '--appid', '70000');
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.include('--appid').and.include('70000');
  });

  it('--summary prints one row per stream and counts the frames outside any stream', () => {
    const r = decode(KNOWN_ANSWERS_CAPTURE, '--summary', '--json');
    expect(r.status, r.stderr).to.equal(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.slice(0, -1).map((s) => s.appId)).to.deep.equal([0, 1, 1000, 0x3fff, 0x4000]);
    expect(rows[3]).to.include({ kind: 'goose', id: 'IED2CTRL/LLN0$GO$gcbAll', frames: 1, firstCount: 128 });
    expect(rows.at(-1)).to.deep.equal({ rgoose: 0, notOurs: 1, decodeErrors: 1, skipped: 0 });
    const text = decode(KNOWN_ANSWERS_CAPTURE, '--summary').stdout;
    expect(text).to.match(/^kind +APPID +gocbRef\/svID/);
    expect(text).to.include('5 streams; 1 frames not GOOSE/SV/GSE, 1 decode errors');
  });

  it('exits 2 naming the file when it is not a capture', () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'not a capture\n');
    const r = decode(path);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.include('GB_ERR_PCAP').and.include(path);
    expect(r.stdout).to.equal('');
  });

  it('exits 2 naming the file when it cannot be read', () => {
    const path = join(dir, 'missing.pcap');
    const r = decode(path);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.include(path);
  });

  it('decodes the frames before the cut of a truncated capture, says so, and exits 1', () => {
    const whole = readFileSync(KNOWN_ANSWERS_CAPTURE);
    const path = join(dir, 'cut.pcap');
    writeFileSync(path, whole.subarray(0, whole.length - 20));
    const r = decode(path, '--json');
    expect(r.status).to.equal(1);
    expect(r.stdout.trim().split('\n')).to.have.length(6);
    expect(r.stderr).to.include(path).and.include('is truncated at byte');
  });

  it('exits 1 on a pcapng block with a bogus length, after the frames before it', () => {
    const path = join(dir, 'bogus.pcapng');
    const blocks = pcapngBlocks(parseCapture(readFileSync(KNOWN_ANSWERS_CAPTURE), 'ka').frames.map((f) => f.data));
    blocks.at(-1)!.writeUInt32LE(0x7ffffff0, 4);
    writeFileSync(path, Buffer.concat(blocks));
    const r = decode(path);
    expect(r.status).to.equal(1);
    expect(r.stdout.trimEnd().split('\n')).to.have.length(6);
    expect(r.stderr).to.include('is malformed').and.include('bad block length 2147483632');
  });

  it('exits 0 without a stack when the reader closes the pipe early (| head)', async () => {
    const path = join(dir, 'big.pcap');
    const w = await PcapWriter.open(path);
    const frame = encodeFrame(typicalGooseFrame());
    for (let i = 0; i < 50_000; i++) w.write(frame, 1_700_000_000_000_000 + i * 1000);
    await w.close();
    const child = spawn(process.execPath, [CLI, 'decode', path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy(); // what head does after its first lines
    const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    expect(stderr).to.equal('');
    expect(status).to.equal(0);
  });
});

/** A little-endian pcapng file as its blocks: section header, one Ethernet interface, a packet block per frame. */
function pcapngBlocks(frames: Uint8Array[]): Buffer[] {
  const block = (type: number, body: Buffer) => {
    const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
    const b = Buffer.alloc(12 + padded.length);
    b.writeUInt32LE(type, 0);
    b.writeUInt32LE(b.length, 4);
    padded.copy(b, 8);
    b.writeUInt32LE(b.length, b.length - 4);
    return b;
  };
  const shb = Buffer.from('4d3c2b1a01000000ffffffffffffffff', 'hex');
  const idb = Buffer.from('0100000000000000', 'hex');
  const epb = (data: Uint8Array, i: number) => {
    const head = Buffer.alloc(20);
    head.writeUInt32LE(i * 1000, 8);
    head.writeUInt32LE(data.length, 12);
    head.writeUInt32LE(data.length, 16);
    return block(6, Buffer.concat([head, data]));
  };
  return [block(0x0a0d0d0a, shb), block(1, idb), ...frames.map(epb)];
}
