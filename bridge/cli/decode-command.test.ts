import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { KNOWN_ANSWERS_CAPTURE, writeKnownAnswersCapture } from '../codec/make-known-answers-capture.js';

const CLI = fileURLToPath(new URL('../../bin/goose-bridge.js', import.meta.url));

function decode(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'decode', ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('goose-bridge decode (the real CLI)', () => {
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

  it('prints a readable form by default, including the failed frame number and error', () => {
    const r = decode(KNOWN_ANSWERS_CAPTURE);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include('frame 1  2023-11-14T22:13:20.000000Z  202 bytes');
    expect(r.stdout).to.include('gocbRef IED2CTRL/LLN0$GO$gcbAll');
    expect(r.stdout).to.include('not GOOSE/SV/GSE (EtherType 0x0806)');
    expect(r.stdout).to.match(/frame 7 .*\n {2}decode error: truncated at byte 98 in goosePdu\.allData\[0\]/);
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

  it('decodes the frames before the cut of a truncated capture, says so, and exits 0', () => {
    const whole = readFileSync(KNOWN_ANSWERS_CAPTURE);
    const path = join(dir, 'cut.pcap');
    writeFileSync(path, whole.subarray(0, whole.length - 20));
    const r = decode(path, '--json');
    expect(r.status).to.equal(0);
    expect(r.stdout.trim().split('\n')).to.have.length(6);
    expect(r.stderr).to.include(path).and.include('ends inside a record');
  });
});
