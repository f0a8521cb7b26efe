import { expect } from 'chai';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFrame } from '../../bridge/codec/index.js';
import { PcapWriter } from '../../bridge/pcap/index.js';
import { skipUnlessTshark } from '../../testkit/preconditions.js';
import { buildProbeTemplate, readProbeFields, writeProbeFields, PROBE_MIN_BYTES } from './probe-frame.js';
import { SeqBitmap } from './seq-bitmap.js';

describe('probe frame', () => {
  it('is exactly the requested size and round-trips its patched fields for any publisher', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: PROBE_MIN_BYTES, max: 9000 }),
        fc.integer({ min: 0, max: 511 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 2 ** 50 }),
        (size, pub, st, sq, tx) => {
          const { frame, layout } = buildProbeTemplate(size, pub);
          expect(frame.length).to.equal(size);
          writeProbeFields(frame, layout, { stNum: st, sqNum: sq, txUs: tx, eventUs: tx - 1 });
          // Any publisher's frame reads back with publisher 0's layout (fixed-width names).
          expect(readProbeFields(frame, buildProbeTemplate(size, 0).layout)).to.deep.equal({ publisher: pub, stNum: st, sqNum: sq, txUs: tx, eventUs: tx - 1 });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('decodes as a GOOSE frame with the project codec (stNum, sqNum where we patched them)', () => {
    for (const size of [PROBE_MIN_BYTES, 200, 1500]) {
      const { frame, layout } = buildProbeTemplate(size, 7);
      writeProbeFields(frame, layout, { stNum: 3, sqNum: 123456, txUs: 1, eventUs: 2 });
      const r = decodeFrame(frame);
      expect(r.ok, JSON.stringify(r)).to.equal(true);
      if (!r.ok) return;
      const f = r.value as { kind?: string; pdu?: { stNum: number; sqNum: number; gocbRef: string } };
      expect(f.pdu?.stNum).to.equal(3);
      expect(f.pdu?.sqNum).to.equal(123456);
      expect(f.pdu?.gocbRef).to.equal('GBPROBE007/LLN0$GO$gcb');
    }
  });

  it('rejects sizes and publishers it cannot build, and frames that are not probes', () => {
    expect(() => buildProbeTemplate(PROBE_MIN_BYTES - 1, 0)).to.throw(/frame size/);
    expect(() => buildProbeTemplate(200, 512)).to.throw(/publisher/);
    const { frame, layout } = buildProbeTemplate(200, 0);
    expect(readProbeFields(frame.subarray(0, 199), layout)).to.equal(null);
    const other = Buffer.from(frame);
    other.writeUInt16BE(0x0001, 14); // an APPID outside the probes' range
    expect(readProbeFields(other, layout)).to.equal(null);
    // An R-GOOSE path rebuilds the Ethernet header with its own source MAC: still the probe.
    const rebuilt = Buffer.from(frame);
    rebuilt.set([0x02, 0x00, 0x00, 0x06, 0x18, 0x50], 6);
    expect(readProbeFields(rebuilt, layout)?.publisher).to.equal(0);
  });

  describe('with tshark', () => {
    before(function () {
      skipUnlessTshark(this, 'the probe-frame Wireshark check');
    });
    it('is a clean GOOSE frame for Wireshark (no malformed/expert errors)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'gbh-probe-'));
      try {
        const path = join(dir, 'p.pcap');
        const w = await PcapWriter.open(path);
        for (const [i, size] of [PROBE_MIN_BYTES, 200, 1500].entries()) {
          const { frame, layout } = buildProbeTemplate(size, i);
          writeProbeFields(frame, layout, { stNum: 1, sqNum: i, txUs: 0, eventUs: 0 });
          w.write(frame, 1_700_000_000_000_000 + i);
        }
        await w.close();
        const out = execFileSync('tshark', ['-r', path, '-T', 'fields', '-e', 'goose.sqNum', '-e', 'goose.stNum', '-e', '_ws.malformed', '-e', '_ws.expert.severity'], { encoding: 'utf8' });
        const lines = out.trim().split('\n').map((l) => l.split('\t'));
        expect(lines.map((l) => l[0])).to.deep.equal(['0', '1', '2']);
        for (const l of lines) {
          expect(l[1]).to.equal('1');
          expect(l[2] ?? '').to.equal('');
          expect(l[3] ?? '').to.equal('');
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});


describe('SeqBitmap', () => {
  it('reports each sequence number new exactly once, growing as needed', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5_000_000 }), { maxLength: 300 }), (seqs) => {
        const b = new SeqBitmap();
        const seen = new Set<number>();
        for (const s of seqs) {
          expect(b.add(s)).to.equal(!seen.has(s));
          seen.add(s);
          expect(b.has(s)).to.equal(true);
        }
      }),
    );
  });
});
