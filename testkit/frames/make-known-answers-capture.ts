// Writes fixtures/captures/known-answers.pcap: every Ethernet frame of the known-answer
// vectors (fixtures/vectors/goose-known-answers.json), one per millisecond, plus one frame
// that is not GOOSE (ARP) and one malformed GOOSE frame, so `decode` has all three outcomes
// to show. Run: npx tsx testkit/frames/make-known-answers-capture.ts
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PcapWriter } from '../../bridge/pcap/index.js';

const VECTORS = fileURLToPath(new URL('../../fixtures/vectors/goose-known-answers.json', import.meta.url));
export const KNOWN_ANSWERS_CAPTURE = fileURLToPath(new URL('../../fixtures/captures/known-answers.pcap', import.meta.url));

/** An ARP request: valid Ethernet, not ours. */
const ARP = 'ffffffffffff02000000000108060001080006040001020000000001c0a80001000000000000c0a80002';

export async function writeKnownAnswersCapture(path = KNOWN_ANSWERS_CAPTURE): Promise<number> {
  const vectors = (JSON.parse(readFileSync(VECTORS, 'utf8')) as { frames: { name: string; hex: string }[] }).frames;
  const frames = vectors.filter((v) => !v.name.startsWith('RKAT')).map((v) => Buffer.from(v.hex, 'hex'));
  frames.push(Buffer.from(ARP, 'hex'));
  // KAT2 with its allData boolean claiming 5 content bytes: a typed decode error.
  const broken = Buffer.from(frames[1]!);
  broken[broken.length - 2] = 0x05;
  frames.push(broken);
  const w = await PcapWriter.open(path);
  const t0 = 1_700_000_000_000_000;
  frames.forEach((f, i) => w.write(f, t0 + i * 1000));
  await w.close();
  return frames.length;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const n = await writeKnownAnswersCapture();
  process.stdout.write(`wrote ${n} frames to ${KNOWN_ANSWERS_CAPTURE}\n`);
}
