import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import { GbError } from '../../errors/error-codes.js';
import { skipUnlessTshark } from '../../testkit/preconditions.js';
import { CaptureParser, parseCapture, PcapWriter, readCapture, CaptureFileReader } from './index.js';

const frameArb = fc.uint8Array({ minLength: 14, maxLength: 1600 });
const tsArb = fc.integer({ min: 0, max: 4_000_000_000 * 1_000_000 });

function sampleFrames(n: number): { data: Uint8Array; ts: number }[] {
  const out = [];
  for (let i = 0; i < n; i++) {
    const data = new Uint8Array(60 + ((i * 37) % 1400));
    for (let j = 0; j < data.length; j++) data[j] = (i * 7 + j) & 0xff;
    out.push({ data, ts: 1_700_000_000_000_000 + i * 1_234_567 });
  }
  return out;
}

describe('pcap', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gb-pcap-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('PcapWriter + readCapture', () => {
    it('reads back every frame and microsecond timestamp it wrote', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(frameArb, tsArb), { maxLength: 40 }), async (records) => {
          const path = join(dir, 'roundtrip.pcap');
          const w = await PcapWriter.open(path);
          for (const [data, ts] of records) w.write(data, ts);
          await w.close();
          const got = await readCapture(path);
          expect(got.format).to.equal('pcap');
          expect(got.damage).to.equal(undefined);
          expect(got.frames.length).to.equal(records.length);
          got.frames.forEach((f, i) => {
            expect(Buffer.from(f.data).equals(Buffer.from(records[i]![0]))).to.equal(true);
            expect(f.timestampUs).to.equal(records[i]![1]);
            expect(f.linkType).to.equal(1);
            expect(f.originalLength).to.equal(records[i]![0].length);
          });
        }),
        { numRuns: 30 },
      );
    });

    it('accepts bigint timestamps and spans many write chunks', async () => {
      const path = join(dir, 'many.pcap');
      const w = await PcapWriter.open(path);
      const frames = sampleFrames(2000); // ~1.4 MB: several 256 KiB chunks
      for (const f of frames) w.write(f.data, BigInt(f.ts));
      await w.close();
      const got = await readCapture(path);
      expect(got.frames.map((f) => f.timestampUs)).to.deep.equal(frames.map((f) => f.ts));
      expect(got.frames.map((f) => f.data.length)).to.deep.equal(frames.map((f) => f.data.length));
    });

    it('truncates frames to snaplen but records the original length', async () => {
      const path = join(dir, 'snap.pcap');
      const w = await PcapWriter.open(path, { snaplen: 100 });
      w.write(new Uint8Array(300).fill(7), 5);
      await w.close();
      const [f] = (await readCapture(path)).frames;
      expect(f!.data.length).to.equal(100);
      expect(f!.originalLength).to.equal(300);
    });

    it('rejects an unwritable path with GB_ERR_PCAP naming it', async () => {
      const path = join(dir, 'no-such-dir', 'x.pcap');
      const err = await PcapWriter.open(path).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(GbError);
      expect((err as GbError).code).to.equal('GB_ERR_PCAP');
      expect((err as GbError).message).to.include(path);
    });
  });

  describe('readCapture', () => {
    it('fails with GB_ERR_PCAP naming the file for a file that is not a capture', async () => {
      const path = join(dir, 'text.pcap');
      writeFileSync(path, 'hello, this is not a capture file\n');
      const err = await readCapture(path).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(GbError);
      expect((err as GbError).code).to.equal('GB_ERR_PCAP');
      expect((err as GbError).message).to.include(path);
    });

    it('fails with GB_ERR_PCAP naming the file for a missing file', async () => {
      const path = join(dir, 'missing.pcap');
      const err = await readCapture(path).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((err as GbError).code).to.equal('GB_ERR_PCAP');
      expect((err as GbError).message).to.include(path);
    });

    it('returns the frames before a record cut short and says where the cut is', async () => {
      const path = join(dir, 'cut.pcap');
      const w = await PcapWriter.open(path);
      w.write(new Uint8Array(64).fill(1), 1);
      w.write(new Uint8Array(64).fill(2), 2);
      await w.close();
      const whole = readFileSync(path);
      const got = parseCapture(whole.subarray(0, whole.length - 10), 'cut.pcap');
      expect(got.frames.length).to.equal(1);
      expect(got.damage).to.deep.include({ kind: 'truncated', offset: 24 + 16 + 64 });
    });

    it('reads a big-endian classic pcap', () => {
      const frame = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x88, 0xb8]);
      const b = Buffer.alloc(24 + 16 + frame.length);
      b.writeUInt32BE(0xa1b2c3d4, 0);
      b.writeUInt16BE(2, 4);
      b.writeUInt16BE(4, 6);
      b.writeUInt32BE(65535, 16);
      b.writeUInt32BE(1, 20);
      b.writeUInt32BE(1000, 24);
      b.writeUInt32BE(999_999, 28);
      b.writeUInt32BE(frame.length, 32);
      b.writeUInt32BE(frame.length, 36);
      b.set(frame, 40);
      const got = parseCapture(b, 'be.pcap');
      expect(got.frames[0]!.timestampUs).to.equal(1000 * 1_000_000 + 999_999);
      expect([...got.frames[0]!.data]).to.deep.equal([...frame]);
    });

    it('reads a hand-built big-endian pcapng with if_tsresol 2^-10 and a simple packet block', () => {
      const be = (n: number) => {
        const x = Buffer.alloc(4);
        x.writeUInt32BE(n);
        return x;
      };
      const block = (type: number, body: Buffer) => {
        const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
        const total = 12 + padded.length;
        return Buffer.concat([be(type), be(total), padded, be(total)]);
      };
      const shb = block(0x0a0d0d0a, Buffer.concat([be(0x1a2b3c4d), Buffer.from([0, 1, 0, 0]), Buffer.alloc(8, 0xff)]));
      const tsresolOpt = Buffer.from([0, 9, 0, 1, 0x80 | 10, 0, 0, 0, 0, 0, 0, 0]);
      const idb = block(1, Buffer.concat([Buffer.from([0, 1, 0, 0]), be(0), tsresolOpt]));
      const data = Buffer.from('0102030405060708090a0b0c88b8ff', 'hex');
      const units = 3 * 1024 + 512; // 3.5 s in 1/1024 s units
      const epb = block(6, Buffer.concat([be(0), be(0), be(units), be(data.length), be(data.length), data]));
      const spb = block(3, Buffer.concat([be(data.length), data]));
      const got = parseCapture(Buffer.concat([shb, idb, epb, spb]), 'be.pcapng');
      expect(got.format).to.equal('pcapng');
      expect(got.frames.length).to.equal(2);
      expect(got.frames[0]!.timestampUs).to.equal(3_500_000);
      expect(Buffer.from(got.frames[0]!.data).equals(data)).to.equal(true);
      expect(Buffer.from(got.frames[1]!.data).equals(data)).to.equal(true);
    });

    it('never throws anything but GbError on arbitrary bytes', () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.uint8Array({ maxLength: 200 }),
            fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.concat([Buffer.from('d4c3b2a1', 'hex'), b])),
            fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.concat([Buffer.from('0a0d0d0a', 'hex'), b])),
            fc
              .uint8Array({ maxLength: 200 })
              .map((b) => Buffer.concat([Buffer.from('0a0d0d0a1c0000004d3c2b1a', 'hex'), b])),
          ),
          (bytes) => {
            try {
              const got = parseCapture(bytes, 'fuzz');
              for (const f of got.frames) expect(f.data.length).to.be.at.most(bytes.length);
            } catch (err) {
              expect(err).to.be.instanceOf(GbError);
            }
          },
        ),
        { numRuns: 2000 },
      );
    });
  });

  describe('CaptureParser fed in chunks', () => {
    const be = (n: number) => {
      const x = Buffer.alloc(4);
      x.writeUInt32BE(n);
      return x;
    };
    const block = (type: number, body: Buffer, trailer?: number) => {
      const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
      const total = 12 + padded.length;
      return Buffer.concat([be(type), be(total), padded, be(trailer ?? total)]);
    };
    const shb = block(0x0a0d0d0a, Buffer.concat([be(0x1a2b3c4d), Buffer.from([0, 1, 0, 0]), Buffer.alloc(8, 0xff)]));
    const idb = block(1, Buffer.concat([Buffer.from([0, 1, 0, 0]), be(0)]));
    const epb = (data: Buffer, trailer?: number) =>
      block(6, Buffer.concat([be(0), be(0), be(1), be(data.length), be(data.length), data]), trailer);
    const frame = Buffer.from('0102030405060708090a0b0c88b8ff', 'hex');

    function feed(bytes: Uint8Array, cuts: number[]) {
      const parser = new CaptureParser('chunks');
      const frames: { data: string; ts: number }[] = [];
      let at = 0;
      for (const cut of [...cuts.filter((c) => c < bytes.length).sort((a, b) => a - b), bytes.length]) {
        for (const f of parser.push(bytes.subarray(at, cut))) frames.push({ data: Buffer.from(f.data).toString('hex'), ts: f.timestampUs });
        at = cut;
      }
      return { frames, end: parser.finish() };
    }

    it('gives the same frames and end however a pcap or pcapng file is cut into chunks', async () => {
      const path = join(dir, 'chunks.pcap');
      const w = await PcapWriter.open(path);
      for (const f of sampleFrames(12)) w.write(f.data, f.ts);
      await w.close();
      const pcap = readFileSync(path);
      const ng = Buffer.concat([shb, idb, epb(frame), epb(frame), shb, idb, epb(frame)]);
      fc.assert(
        fc.property(fc.constantFrom(pcap, ng, pcap.subarray(0, pcap.length - 7)), fc.array(fc.nat(), { maxLength: 12 }), (bytes, cuts) => {
          const whole = feed(bytes, []);
          const chunked = feed(bytes, cuts.map((c) => c % (bytes.length + 1)));
          expect(chunked).to.deep.equal(whole);
          expect(whole.frames.length).to.be.greaterThan(0);
        }),
        { numRuns: 300 },
      );
    });

    it('reports a pcapng block with a bogus length as malformed after the frames before it', () => {
      const bogus = Buffer.concat([be(6), be(0xfffffff0), Buffer.alloc(40)]);
      const got = parseCapture(Buffer.concat([shb, idb, epb(frame), bogus, epb(frame)]), 'bogus.pcapng');
      expect(got.frames.length).to.equal(1);
      expect(got.damage).to.deep.include({ kind: 'malformed', offset: shb.length + idb.length + epb(frame).length });
      expect(got.damage!.reason).to.include('bad block length 4294967280');
    });

    it('reports a pcapng block whose trailing length disagrees as malformed', () => {
      const got = parseCapture(Buffer.concat([shb, idb, epb(frame), epb(frame, 8)]), 'trailer.pcapng');
      expect(got.frames.length).to.equal(1);
      expect(got.damage?.kind).to.equal('malformed');
      expect(got.damage!.reason).to.include('ends with length 8');
    });

    it('reports a classic pcap record longer than any real packet as malformed instead of waiting for it', async () => {
      const path = join(dir, 'huge-record.pcap');
      const w = await PcapWriter.open(path);
      w.write(new Uint8Array(64).fill(1), 1);
      await w.close();
      const header = Buffer.alloc(16);
      header.writeUInt32LE(0x7fffffff, 8);
      const got = parseCapture(Buffer.concat([readFileSync(path), header, Buffer.alloc(100)]), 'huge.pcap');
      expect(got.frames.length).to.equal(1);
      expect(got.damage).to.deep.include({ kind: 'malformed', offset: 24 + 16 + 64 });
    });

    it('rejects a file that is not a capture from its first chunk', () => {
      const parser = new CaptureParser('random.bin');
      expect(() => parser.push(Buffer.from('6e6f7420612063617074757265', 'hex'))).to.throw(GbError, 'unknown magic number 0x6e6f7420');
    });
  });

  describe('CaptureFileReader', () => {
    it('stops reading when the caller stops iterating, and returns the end of a full read', async () => {
      const path = join(dir, 'batches.pcap');
      const w = await PcapWriter.open(path);
      for (const f of sampleFrames(3000)) w.write(f.data, f.ts); // ~2 MB: several 256 KiB chunks
      await w.close();
      let batches = 0;
      const early = new CaptureFileReader(path);
      for await (const frames of early) {
        expect(frames.length).to.be.greaterThan(0);
        if (++batches === 2) break;
      }
      expect(batches).to.equal(2);
      expect(early.end).to.equal(undefined);
      const full = new CaptureFileReader(path);
      let total = 0;
      for await (const frames of full) total += frames.length;
      expect(total).to.equal(3000);
      expect(full.end).to.deep.equal({ format: 'pcap' });
    });
  });

  describe('interoperability with tshark / tcpdump / editcap', () => {
    before(function () {
      skipUnlessTshark(this, 'pcap interoperability test');
    });

    it('tshark and tcpdump read what PcapWriter writes: same count, lengths and times', async () => {
      const path = join(dir, 'interop.pcap');
      const frames = sampleFrames(50);
      const w = await PcapWriter.open(path);
      for (const f of frames) w.write(f.data, f.ts);
      await w.close();
      const fields = execFileSync('tshark', ['-r', path, '-T', 'fields', '-e', 'frame.len', '-e', 'frame.time_epoch'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .trim()
        .split('\n')
        .map((l) => l.split('\t'));
      expect(fields.length).to.equal(frames.length);
      fields.forEach(([len, epoch], i) => {
        expect(Number(len)).to.equal(frames[i]!.data.length);
        const [s, frac] = epoch!.split('.');
        expect(BigInt(s!) * 1_000_000n + BigInt(frac!.padEnd(9, '0').slice(0, 6))).to.equal(BigInt(frames[i]!.ts));
      });
      const dump = execFileSync('tcpdump', ['-r', path, '-nn', '-tt'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      // tcpdump may print continuation lines; each frame starts with its epoch timestamp.
      const lines = dump.split('\n').filter((l) => /^\d+\.\d{6} /.test(l));
      expect(lines.length).to.equal(frames.length);
      expect(lines[1]!.startsWith(`${Math.floor(frames[1]!.ts / 1e6)}.${String(frames[1]!.ts % 1e6).padStart(6, '0')}`)).to.equal(
        true,
      );
    });

    it('reads pcapng and nanosecond pcap written by editcap', async () => {
      const path = join(dir, 'src.pcap');
      const frames = sampleFrames(20);
      const w = await PcapWriter.open(path);
      for (const f of frames) w.write(f.data, f.ts);
      await w.close();
      const nsec = join(dir, 'ns.pcap');
      const ng = join(dir, 'x.pcapng');
      const ngns = join(dir, 'ns.pcapng');
      execFileSync('editcap', ['-F', 'nsecpcap', path, nsec]);
      execFileSync('editcap', ['-F', 'pcapng', path, ng]);
      execFileSync('editcap', ['-F', 'pcapng', nsec, ngns]);
      for (const [file, format] of [
        [nsec, 'pcap'],
        [ng, 'pcapng'],
        [ngns, 'pcapng'],
      ] as const) {
        const got = await readCapture(file);
        expect(got.format, file).to.equal(format);
        expect(got.frames.map((f) => f.timestampUs), file).to.deep.equal(frames.map((f) => f.ts));
        got.frames.forEach((f, i) => expect(Buffer.from(f.data).equals(Buffer.from(frames[i]!.data)), file).to.equal(true));
      }
    });
  });
});
