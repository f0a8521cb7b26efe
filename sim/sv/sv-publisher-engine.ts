// N merging units sampling one three-phase model on a shared sample grid, as units synchronised
// to the same PPS do: sample n is taken at originUs + n · 1e6 / rate and carries
// smpCnt = n mod rate, so smpCnt 0 falls on every whole second of the grid's clock. All units'
// frames fall due at the same instants, so each instant is one batch (one sendmmsg). A frame
// carries `asdus` consecutive samples and is due when its last sample is taken.
// Pure: the runner supplies the clock; this only says what is due and patches the frames.
import { SvFrameTemplate, type SvStreamIdentity } from './sv-frame-template.js';
import { SvSignal, type SvModelConfig } from './sv-model.js';

export interface SvEngineConfig {
  streams: SvStreamIdentity[];
  /** Samples per second per stream: 80 or 256 samples per cycle × 50 or 60 Hz. */
  samplesPerSecond: number;
  asdusPerFrame: number;
  confRev: number;
  smpSynch: number;
  /** Optional ASDU fields (SmvOpts dataSet / sampleRate of an SCL control block). */
  datSet?: string;
  smpRate?: number;
  /** 32-bit quality of every channel. */
  quality: number;
  model: SvModelConfig;
  durationUs?: number;
  /** Frames per stream. */
  countPerStream?: number;
}

/** Called with every stream's frame of one instant; the buffers are reused after it returns. */
export type SvBatchSink = (frames: Buffer[], scheduledUs: number) => void;

export class SvPublisherEngine {
  readonly templates: SvFrameTemplate[];
  /** Grid index of the first sample of the run (a multiple of asdusPerFrame). */
  readonly firstSample: number;
  /** Frames sent so far, per stream (every stream sends the same number). */
  framesPerStream = 0;
  private readonly signal: SvSignal;
  private readonly values = new Int32Array(8);
  private readonly usPerSample: number;
  private readonly endUs: number;
  private readonly batch: Buffer[];

  /**
   * `originUs`: time of grid sample 0 on the run's clock; the run starts with the first frame
   * boundary at or after `notBeforeUs`.
   */
  constructor(
    readonly config: SvEngineConfig,
    readonly originUs: number,
    notBeforeUs: number,
  ) {
    const { samplesPerSecond: rate, asdusPerFrame: asdus } = config;
    this.usPerSample = 1e6 / rate;
    this.firstSample = Math.max(0, Math.ceil((notBeforeUs - originUs) / this.usPerSample / asdus) * asdus);
    const faultAt = config.model.fault ? this.firstSample + Math.round(config.model.fault.atS * rate) : Infinity;
    this.signal = new SvSignal(config.model, rate, faultAt);
    this.templates = config.streams.map((id) => {
      const optional = { ...(config.datSet !== undefined ? { datSet: config.datSet } : {}), ...(config.smpRate !== undefined ? { smpRate: config.smpRate } : {}) };
      const t = new SvFrameTemplate(id, asdus, config.confRev, config.smpSynch, optional);
      t.setQuality(config.quality);
      return t;
    });
    this.batch = this.templates.map((t) => t.frame);
    this.endUs = config.durationUs === undefined ? Infinity : this.sampleUs(this.firstSample) + config.durationUs;
  }

  /** Time of grid sample n on the run's clock (µs, fractional when the rate does not divide 1e6). */
  sampleUs(n: number): number {
    return this.originUs + n * this.usPerSample;
  }

  /** Grid index of the first sample fault values start at (Infinity without a fault). */
  get faultSample(): number {
    return this.signal.faultFromIndex;
  }

  get done(): boolean {
    if (this.config.countPerStream !== undefined && this.framesPerStream >= this.config.countPerStream) return true;
    return this.nextDueRaw() >= this.endUs;
  }

  private nextDueRaw(): number {
    return this.sampleUs(this.firstSample + (this.framesPerStream + 1) * this.config.asdusPerFrame - 1);
  }

  /** When the next batch is due (µs), Infinity when the run is over. */
  nextDueUs(): number {
    return this.done ? Infinity : this.nextDueRaw();
  }

  /** Hands every batch due at or before nowUs to the sink; returns the number of frames. */
  runDue(nowUs: number, sink: SvBatchSink): number {
    let frames = 0;
    for (;;) {
      const due = this.nextDueUs();
      if (due > nowUs || due === Infinity) return frames;
      this.fill();
      this.framesPerStream++;
      sink(this.batch, due);
      frames += this.batch.length;
    }
  }

  private fill(): void {
    const { asdusPerFrame: asdus, samplesPerSecond: rate } = this.config;
    const base = this.firstSample + this.framesPerStream * asdus;
    for (let a = 0; a < asdus; a++) {
      const n = base + a;
      this.signal.sampleInto(n, this.values);
      const smpCnt = n % rate;
      for (const t of this.templates) {
        t.setSmpCnt(a, smpCnt);
        t.setValues(a, this.values);
      }
    }
  }

  get totalFrames(): number {
    return this.framesPerStream * this.templates.length;
  }
}
