import { expect } from 'chai';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture } from '../../bridge/pcap/index.js';
import { CaptureRing } from './capture-ring.js';

function onDisk(dir: string): number {
  return readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0);
}

describe('capture ring', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gb-ring-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('never holds more than its cap, on disk or counted, and keeps the newest frames', async () => {
    const ring = new CaptureRing(dir, { fileBytes: 10_000, fileUs: 3600e6, maxBytes: 35_000 });
    const frame = new Uint8Array(300);
    let maxCounted = 0;
    let maxOnDisk = 0;
    for (let i = 0; i < 2000; i++) {
      new DataView(frame.buffer).setUint32(0, i);
      ring.write(frame, 1_000_000 * 1e6 + i);
      maxCounted = Math.max(maxCounted, ring.bytes);
      // paced like a receiver, so that each new file is open before a file's worth waits
      if (i % 5 === 0) await new Promise((r) => setTimeout(r, 2));
      if (i % 50 === 0) maxOnDisk = Math.max(maxOnDisk, onDisk(dir));
    }
    await ring.close();
    expect(maxCounted).to.be.at.most(35_000);
    expect(maxOnDisk).to.be.at.most(35_000);
    expect(onDisk(dir)).to.equal(ring.bytes);
    const files = readdirSync(dir).sort();
    expect(files.length).to.equal(3);
    // 31 frames of 316 bytes per 10 000-byte file: 65 files, all but the last 3 deleted
    if (ring.droppedDiskBehind === 0) expect(ring.filesDeleted).to.equal(62);
    else expect(ring.filesDeleted).to.be.greaterThan(0);
    // the kept files hold the newest frames, consecutive, ending with the last one written
    const numbers: number[] = [];
    for (const f of files) for (const fr of (await readCapture(join(dir, f))).frames) numbers.push(new DataView(fr.data.buffer, fr.data.byteOffset).getUint32(0));
    expect(numbers.at(-1)).to.equal(1999);
    if (ring.droppedDiskBehind === 0) expect(numbers.every((n, k) => k === 0 || n === numbers[k - 1]! + 1)).to.equal(true);
    expect(numbers.length).to.be.greaterThan(2 * Math.floor((10_000 - 24) / 316));
  });
});
