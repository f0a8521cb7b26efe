// npm run bench:codec — encode/decode frames per second on one core for a typical GOOSE
// frame (20 mixed entries) and a minimal one, for the hand-rolled codec and, for comparison,
// the asn1js-based variant. A figure, not a test: README records the numbers.
import { decodeGoosePduWithAsn1js, encodeGoosePduWithAsn1js } from '../../testkit/oracles/asn1js-goose-pdu.js';
import { decodeFrame, decodeGoosePdu, encodeFrame, encodeGoosePdu, FrameHeaderPeek, peekFrameHeader } from './index.js';
import { minimalGooseFrame, typicalGooseFrame } from '../../testkit/frames/sample-frames.js';

const DURATION_MS = Number(process.env.BENCH_MS ?? 1000);
let sink = 0;

function measure(name: string, fn: () => unknown): number {
  // Warm up so the JIT has optimised the path before timing.
  for (let i = 0; i < 20_000; i++) fn();
  let n = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(DURATION_MS) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 1000; i++) if (fn()) sink++;
    n += 1000;
    now = process.hrtime.bigint();
  }
  const perSecond = Math.round((n * 1e9) / Number(now - start));
  process.stdout.write(`${name.padEnd(44)} ${perSecond.toLocaleString('en-US').padStart(12)} frames/s\n`);
  return perSecond;
}

for (const [label, frame] of [
  ['typical (20 entries)', typicalGooseFrame()],
  ['minimal (1 boolean)', minimalGooseFrame()],
] as const) {
  const bytes = encodeFrame(frame);
  const apdu = bytes.subarray(bytes.length - (bytes.readUInt16BE(frame.eth.vlan ? 20 : 16) - 8));
  process.stdout.write(`\n${label}: ${bytes.length}-byte frame, ${apdu.length}-byte goosePdu\n`);
  measure('encodeFrame', () => encodeFrame(frame));
  measure('decodeFrame', () => decodeFrame(bytes).ok);
  const peek = new FrameHeaderPeek();
  measure('peekFrameHeader', () => peekFrameHeader(bytes, peek) === peek);
  measure('encodeGoosePdu (hand-rolled)', () => encodeGoosePdu(frame.pdu));
  measure('decodeGoosePdu (hand-rolled)', () => decodeGoosePdu(apdu).ok);
  measure('encodeGoosePduWithAsn1js (asn1js toBER)', () => encodeGoosePduWithAsn1js(frame.pdu));
  measure('decodeGoosePduWithAsn1js (asn1js fromBER)', () => decodeGoosePduWithAsn1js(apdu).ok);
}
if (sink < 0) console.log(sink);
