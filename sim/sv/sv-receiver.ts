// Sampled Values side of the subscriber: every decoded SV frame goes to its stream's tracker
// (APPID + svID of the first ASDU + source MAC). Pure: receive times are passed in.
import type { SvFrame } from '../../bridge/codec/types.js';
import { SvStreamTracker, svStreamId, type SvTrackerOptions } from './sv-stream-tracker.js';

/** Nominal frequency implied by the 9-2LE sample rates (80 or 256 samples per 50/60 Hz cycle). */
const NOMINAL_OF_RATE: Record<number, number> = { 4000: 50, 4800: 60, 12800: 50, 15360: 60 };

export function svTrackerOptions(samplesPerSecond: number, nominalHz?: number): SvTrackerOptions {
  const nominal = nominalHz ?? NOMINAL_OF_RATE[samplesPerSecond];
  if (nominal === undefined) throw new RangeError(`sample rate ${samplesPerSecond}/s is not a 9-2LE rate (4000, 4800, 12800, 15360): give the nominal frequency too`);
  if (!Number.isInteger(samplesPerSecond / nominal)) throw new RangeError(`sample rate ${samplesPerSecond}/s is not a whole number of samples per ${nominal} Hz cycle`);
  return { samplesPerSecond, nominalHz: nominal };
}

export class SvReceiver {
  readonly streams = new Map<string, SvStreamTracker>();
  frames = 0;
  /** Added to receive times to give wall-clock µs (receive times on CLOCK_MONOTONIC: wall − monotonic). */
  wallOffsetUs = 0;

  constructor(readonly options: SvTrackerOptions) {}

  handleSv(frame: SvFrame, rxUs: number): void {
    this.frames++;
    const asdus = frame.pdu.asdus;
    const first = asdus[0];
    if (first === undefined) return;
    const key = { appId: frame.header.appId, svID: first.svID, src: frame.eth.src };
    const id = svStreamId(key);
    let t = this.streams.get(id);
    if (t === undefined) {
      t = new SvStreamTracker(key, this.options);
      this.streams.set(id, t);
    }
    t.beginFrame();
    for (const a of asdus) {
      const d = a.seqData instanceof Uint8Array ? undefined : a.seqData;
      t.sample(a.smpCnt, a.smpSynch, a.confRev, d?.values, d?.qualities, rxUs);
    }
    t.endFrame(rxUs);
  }
}
