// One Sampled Values stream's state (APPID + svID + source MAC), judged sample by sample:
//   smpCnt continuity — gaps (missing samples), duplicates, out-of-order (late) samples, values
//     at or beyond the sample rate (the counter did not wrap at the rate);
//   smpSynch and confRev changes, samples not synchronised, quality flags per sample;
//   per frame: inter-arrival jitter |Δrx − Δsample time| (RFC 3393 delay variation) and the age
//     of its last sample, rx − sample instant, assuming the publisher's grid puts smpCnt 0 on the
//     whole seconds of the receive clock (our publisher does; meaningful only with a shared clock);
//   the signal: true RMS and fundamental phasor (one-cycle DFT) per channel over the last full
//     cycle, and disturbances — the first sample whose cycle-to-cycle difference
//     |x[n] − x[n − N]| exceeds 10 % of the channel's peak (an incremental-quantity detector,
//     as protection uses), re-armed after a quiet cycle;
//   the fault record: at the stream's first disturbance (the fault inception), the cycle just
//     before it (pre-fault) and, once it has arrived, the first full cycle from it (fault).
// Pure: receive times are passed in.
import { LATENCY_MAX_US, newMicrosHistogram } from '../core/latency-samples.js';
import { SV_CHANNELS, SV_SCALE } from './sv-model.js';

export interface SvStreamKey {
  appId: number;
  svID: string;
  src: string;
}

export function svStreamId(k: SvStreamKey): string {
  return `${k.appId}|${k.svID}|${k.src}`;
}

export interface SvTrackerOptions {
  samplesPerSecond: number;
  /** Nominal frequency: samples per cycle = samplesPerSecond / nominalHz. */
  nominalHz: number;
}

export interface SvDisturbance {
  channel: (typeof SV_CHANNELS)[number];
  smpCnt: number;
  rxUs: number;
}

export interface SvPhasor {
  /** True RMS over the cycle, A or V. */
  rms: number;
  fundamentalRms: number;
  /** Fundamental's angle, degrees, relative to the cycle that starts at smpCnt 0. */
  angleDeg: number;
}

export interface SvFaultRecord {
  /** The channel whose step was seen first (others may step at the same sample). */
  channel: (typeof SV_CHANNELS)[number];
  smpCnt: number;
  /** Samples since the stream's first sample (by smpCnt, so lost samples count too). */
  sampleIndex: number;
  /** Receive time of the frame carrying the inception sample (the tracker's clock). */
  rxUs: number;
  /** The cycle before the inception sample, 8 channels. */
  prefault: SvPhasor[];
  /** The cycle from the inception sample on; undefined until it arrived without a gap. */
  fault: SvPhasor[] | undefined;
}

/** Quality bits (IEC 61850-7-3 in the 9-2LE 32-bit encoding). */
const Q_VALIDITY = 0x3;
const Q_INVALID = 0x1;
const Q_QUESTIONABLE = 0x3;
const Q_TEST = 0x800;
const CHANNELS = 8;
const DISTURBANCE_FRACTION = 0.1;
/** LSBs of difference always tolerated (quantisation of a channel that is ~0, e.g. IN). */
const DISTURBANCE_FLOOR = 20;
const MAX_DISTURBANCES = 16;

/** What a stream tracker counts, each a column of the SV report (docs/sv.md). */
export const SV_STREAM_COUNTERS = [
  'frames',
  'samples',
  // samples skipped by smpCnt, less those that arrived late; gaps: the jumps that skipped them
  'missing',
  'gaps',
  'duplicates',
  'outOfOrder',
  // smpCnt at or beyond the rate (the counter did not wrap at the rate)
  'wrapErrors',
  'smpSynchChanges',
  // samples with smpSynch 0
  'unsynchronized',
  'confRevChanges',
  // samples with a channel invalid, questionable or in test
  'qualityInvalid',
  'qualityQuestionable',
  'qualityTest',
  // samples whose seqData is not the 9-2LE 8 × (value, quality) layout
  'not92le',
  // every one seen (the list keeps the first MAX_DISTURBANCES)
  'disturbances',
] as const;
export type SvStreamCounters = Record<(typeof SV_STREAM_COUNTERS)[number], number>;

export class SvStreamTracker {
  readonly counters = Object.fromEntries(SV_STREAM_COUNTERS.map((n) => [n, 0])) as SvStreamCounters;
  /** The last sample's smpSynch and confRev (-1 before the first). */
  smpSynch = -1;
  confRev = -1;
  /** OR of every quality word seen. */
  qualityOr = 0;
  readonly jitter = newMicrosHistogram(true);
  readonly age = newMicrosHistogram(true);
  /** The first disturbances seen (counters.disturbances counts them all). */
  readonly disturbances: SvDisturbance[] = [];
  fault: SvFaultRecord | undefined;

  readonly samplesPerCycle: number;
  private readonly rate: number;
  private readonly usPerSample: number;
  /** Unwrapped index (+1) of the sample last seen in each smpCnt slot; 0 = never. */
  private readonly seen: Float64Array;
  private readonly ring: Int32Array;
  private readonly sumSq = new Float64Array(CHANNELS);
  private readonly quietUntil = new Float64Array(CHANNELS);
  private lastU = -1;
  private firstU = -1;
  /** Unwrapped index of the last sample of the fault record's fault cycle. */
  private faultCycleEndU = -1;
  private lastCnt = -1;
  private lastRx = 0;
  /** Consecutive in-order samples ending at lastU (the signal window is valid when ≥ a cycle). */
  private run = 0;
  private frameU = -1;
  private frameRx = 0;
  private prevFrameU = -1;
  private prevFrameRx = 0;

  constructor(
    readonly key: SvStreamKey,
    opts: SvTrackerOptions,
  ) {
    this.rate = opts.samplesPerSecond;
    this.samplesPerCycle = opts.samplesPerSecond / opts.nominalHz;
    if (!Number.isInteger(this.samplesPerCycle)) throw new RangeError(`sample rate ${opts.samplesPerSecond}/s is not a whole number of samples per ${opts.nominalHz} Hz cycle`);
    this.usPerSample = 1e6 / this.rate;
    this.seen = new Float64Array(this.rate);
    this.ring = new Int32Array(this.samplesPerCycle * CHANNELS);
  }

  /** One frame's ASDUs (in order), received at rxUs. */
  beginFrame(): void {
    this.counters.frames++;
    this.frameU = -1;
  }

  endFrame(rxUs: number): void {
    if (this.frameU < 0) return;
    if (this.prevFrameU >= 0) {
      const ipdv = Math.abs(rxUs - this.prevFrameRx - (this.frameU - this.prevFrameU) * this.usPerSample);
      this.jitter.recordValue(Math.min(LATENCY_MAX_US, Math.round(ipdv)));
    }
    this.prevFrameU = this.frameU;
    this.prevFrameRx = rxUs;
    const cnt = this.frameU % this.rate;
    const sinceSecond = rxUs - cnt * this.usPerSample;
    const age = sinceSecond - Math.floor(sinceSecond / 1e6) * 1e6;
    this.age.recordValue(Math.min(LATENCY_MAX_US, Math.round(age)));
  }

  /** One ASDU. `values`/`qualities` are the 8 channels, or undefined when seqData is not 9-2LE. */
  sample(smpCnt: number, smpSynch: number, confRev: number, values: ArrayLike<number> | undefined, qualities: ArrayLike<number> | undefined, rxUs: number): void {
    this.counters.samples++;
    if (smpSynch !== this.smpSynch) {
      if (this.smpSynch >= 0) this.counters.smpSynchChanges++;
      this.smpSynch = smpSynch;
    }
    if (smpSynch === 0) this.counters.unsynchronized++;
    if (confRev !== this.confRev) {
      if (this.confRev >= 0) this.counters.confRevChanges++;
      this.confRev = confRev;
    }
    if (qualities) this.judgeQuality(qualities);
    else this.counters.not92le++;
    if (smpCnt >= this.rate) {
      this.counters.wrapErrors++;
      return;
    }
    const u = this.unwrap(smpCnt, rxUs);
    if (u < 0) return;
    this.seen[smpCnt] = u + 1;
    this.lastU = u;
    this.lastCnt = smpCnt;
    this.lastRx = rxUs;
    this.frameU = u;
    if (values) this.signal(u, values, smpCnt, rxUs);
  }

  /** Unwrapped index of an in-order sample; -1 for a duplicate or a late (out-of-order) one. */
  private unwrap(smpCnt: number, rxUs: number): number {
    if (this.lastU < 0) return (this.firstU = smpCnt);
    const d = (smpCnt - this.lastCnt + this.rate) % this.rate;
    // whole wraps that passed unseen, judged by the receive clock (a long pause is not a small gap)
    const elapsed = ((rxUs - this.lastRx) * this.rate) / 1e6;
    const wraps = Math.max(0, Math.round((elapsed - d) / this.rate));
    if (wraps === 0 && (d === 0 || d > this.rate / 2)) {
      const back = d === 0 ? 0 : this.rate - d;
      if (this.seen[smpCnt] === this.lastU - back + 1) this.counters.duplicates++;
      else {
        this.counters.outOfOrder++;
        if (this.counters.missing > 0) this.counters.missing--; // a late sample that was counted missing
      }
      return -1;
    }
    const step = d + wraps * this.rate;
    if (step > 1) {
      this.counters.gaps++;
      this.counters.missing += step - 1;
      this.run = 0;
    }
    return this.lastU + step;
  }

  private judgeQuality(q: ArrayLike<number>): void {
    let or = 0;
    for (let c = 0; c < CHANNELS; c++) or |= q[c]!;
    if (or === 0) return;
    this.qualityOr = (this.qualityOr | or) >>> 0;
    let invalid = false;
    let questionable = false;
    for (let c = 0; c < CHANNELS; c++) {
      const v = q[c]! & Q_VALIDITY;
      if (v === Q_INVALID) invalid = true;
      else if (v === Q_QUESTIONABLE) questionable = true;
    }
    if (invalid) this.counters.qualityInvalid++;
    if (questionable) this.counters.qualityQuestionable++;
    if (or & Q_TEST) this.counters.qualityTest++;
  }

  private signal(u: number, values: ArrayLike<number>, smpCnt: number, rxUs: number): void {
    const n = this.samplesPerCycle;
    const slot = (u % n) * CHANNELS;
    // judged before the ring changes, so a fault record's pre-fault cycle is the one before u
    if (this.run >= n) {
      for (let c = 0; c < CHANNELS; c++) {
        const peak = Math.sqrt((2 * this.sumSq[c]!) / n);
        if (Math.abs(values[c]! - this.ring[slot + c]!) > DISTURBANCE_FRACTION * peak + DISTURBANCE_FLOOR) {
          if (u >= this.quietUntil[c]!) this.disturbance(c, u, smpCnt, rxUs);
          this.quietUntil[c] = u + n;
        }
      }
    }
    for (let c = 0; c < CHANNELS; c++) {
      const x = values[c]!;
      const old = this.ring[slot + c]!;
      this.sumSq[c] = (this.run === 0 ? 0 : this.sumSq[c]! - (this.run >= n ? old * old : 0)) + x * x;
      this.ring[slot + c] = x;
    }
    this.run++;
    if (u === this.faultCycleEndU && this.fault) this.fault.fault = this.phasors();
  }

  private disturbance(c: number, u: number, smpCnt: number, rxUs: number): void {
    this.counters.disturbances++;
    if (this.disturbances.length < MAX_DISTURBANCES) this.disturbances.push({ channel: SV_CHANNELS[c]!, smpCnt, rxUs });
    if (this.fault === undefined) {
      this.fault = { channel: SV_CHANNELS[c]!, smpCnt, sampleIndex: u - this.firstU, rxUs, prefault: this.phasors()!, fault: undefined };
      this.faultCycleEndU = u + this.samplesPerCycle - 1;
    }
  }

  /**
   * RMS and fundamental phasor of each channel over the last full cycle (engineering units:
   * A, V; angle in degrees relative to the cycle starting at smpCnt 0); undefined until a
   * cycle of consecutive samples arrived.
   */
  phasors(): SvPhasor[] | undefined {
    const n = this.samplesPerCycle;
    if (this.run < n) return undefined;
    const out = [];
    for (let c = 0; c < CHANNELS; c++) {
      let re = 0;
      let im = 0;
      for (let k = 0; k < n; k++) {
        const x = this.ring[k * CHANNELS + c]!;
        const th = (2 * Math.PI * k) / n;
        re += x * Math.cos(th);
        im -= x * Math.sin(th);
      }
      const scale = SV_SCALE[c]!;
      out.push({
        rms: Math.sqrt(this.sumSq[c]! / n) * scale,
        fundamentalRms: ((Math.SQRT2 * Math.hypot(re, im)) / n) * scale,
        angleDeg: (Math.atan2(im, re) * 180) / Math.PI,
      });
    }
    return out;
  }
}
