// The three-phase signal a simulated merging unit samples: per phase
//   x(t) = √2 · A · [cos(ωt + φ) + Σ_h (p_h/100) · cos(h(ωt + φ))]
// with the neutral channels IN = IA + IB + IC and VN = VA + VB + VC (calculated, as many merging
// units do). A fault step switches chosen phases to other magnitudes/angles from one sample on.
// Values are in 9-2LE units: currents 1 mA per LSB, voltages 10 mV per LSB. Pure.

/** 9-2LE channel order of seqData. */
export const SV_CHANNELS = ['IA', 'IB', 'IC', 'IN', 'VA', 'VB', 'VC', 'VN'] as const;
export type SvChannel = (typeof SV_CHANNELS)[number];
/** Engineering value of one LSB: A for currents, V for voltages (IEC 61850-9-2LE). */
export const SV_SCALE = [0.001, 0.001, 0.001, 0.001, 0.01, 0.01, 0.01, 0.01] as const;
export const SV_UNIT = ['A', 'A', 'A', 'A', 'V', 'V', 'V', 'V'] as const;

export interface Harmonic {
  order: number;
  /** Amplitude relative to the fundamental, percent. */
  percent: number;
}

export interface SvFault {
  /** Seconds after the first sample of the run. */
  atS: number;
  /** Faulted phases, a subset of "ABC". */
  phases: string;
  currentRmsA: number;
  voltageRmsV: number;
  /** Current lags its phase voltage by this much during the fault (degrees). */
  currentLagDeg: number;
}

export interface SvModelConfig {
  frequencyHz: number;
  voltageRmsV: number;
  currentRmsA: number;
  /** Phase angles of VA, VB, VC (degrees). */
  voltageAnglesDeg: readonly [number, number, number];
  /** Current lags its phase voltage by this much (degrees; power factor angle). */
  currentLagDeg: number;
  harmonics: readonly Harmonic[];
  fault?: SvFault;
}

export const DEFAULT_SV_MODEL: SvModelConfig = {
  frequencyHz: 50,
  voltageRmsV: 63.5,
  currentRmsA: 1,
  voltageAnglesDeg: [0, -120, 120],
  currentLagDeg: 30,
  harmonics: [],
};

export class SvModelError extends Error {
  override readonly name = 'SvModelError';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`--${key}: ${message}`);
  }
}

const INT32_MAX = 0x7fffffff;
const DEG = Math.PI / 180;

/** "3:5,5:2.5" → third harmonic 5 %, fifth 2.5 %. */
export function parseHarmonics(spec: string): Harmonic[] {
  if (spec.trim() === '') return [];
  return spec.split(',').map((part) => {
    const m = /^\s*(\d+)\s*:\s*([0-9.]+)\s*$/.exec(part);
    const order = m ? Number(m[1]) : NaN;
    const percent = m ? Number(m[2]) : NaN;
    if (!m || !Number.isInteger(order) || order < 2 || order > 63 || !Number.isFinite(percent) || percent < 0 || percent > 100) {
      throw new SvModelError('harmonics', `"${part.trim()}" is not ORDER:PERCENT with ORDER 2 … 63 and PERCENT 0 … 100 (e.g. 3:5,5:2)`);
    }
    return { order, percent };
  });
}

/** "0,-120,120" → three angles in degrees. */
export function parseAngles(spec: string): [number, number, number] {
  const parts = spec.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 3 || parts.some((x) => !Number.isFinite(x) || Math.abs(x) > 360)) {
    throw new SvModelError('voltage-angles', `"${spec}" must be three angles in degrees (−360 … 360) like 0,-120,120`);
  }
  return parts as [number, number, number];
}

/** Checks what a parser cannot: the peak of every channel fits an INT32 and the fault phases are real. */
export function validateModel(m: SvModelConfig, samplesPerSecond: number): void {
  if (!(m.frequencyHz > 0) || m.frequencyHz >= samplesPerSecond / 2) {
    throw new SvModelError('frequency', `signal frequency ${m.frequencyHz} Hz must be > 0 and below half the sample rate (${samplesPerSecond / 2} Hz)`);
  }
  const gain = 1 + m.harmonics.reduce((a, h) => a + h.percent / 100, 0);
  const peak = (rms: number, scale: number): number => (3 * Math.SQRT2 * rms * gain) / scale; // neutral = up to 3 phases
  const worstI = Math.max(m.currentRmsA, m.fault?.currentRmsA ?? 0);
  const worstV = Math.max(m.voltageRmsV, m.fault?.voltageRmsV ?? 0);
  if (peak(worstI, SV_SCALE[0]) > INT32_MAX) throw new SvModelError('current', `${worstI} A rms overflows the INT32 current channel (1 mA per LSB)`);
  if (peak(worstV, SV_SCALE[4]) > INT32_MAX) throw new SvModelError('voltage', `${worstV} V rms overflows the INT32 voltage channel (10 mV per LSB)`);
  if (m.fault && !/^[ABC]{1,3}$/.test(m.fault.phases)) throw new SvModelError('fault-phases', `"${m.fault.phases}" must be phases from A, B, C (e.g. A, BC, ABC)`);
}

/**
 * Sample values of the model at sample index n (time n / samplesPerSecond from the grid origin,
 * where smpCnt 0 falls) written into `out` (8 INT32 channels). `faultFromIndex` is the first
 * sample index of the fault (Infinity for none).
 */
export class SvSignal {
  private readonly omega: number;
  private readonly harmonics: readonly Harmonic[];
  private readonly normal: PhaseSet;
  private readonly faulted: PhaseSet;

  constructor(
    readonly model: SvModelConfig,
    readonly samplesPerSecond: number,
    readonly faultFromIndex = Infinity,
  ) {
    validateModel(model, samplesPerSecond);
    this.omega = (2 * Math.PI * model.frequencyHz) / samplesPerSecond;
    this.harmonics = model.harmonics;
    this.normal = phaseSet(model, '', 0, 0, 0);
    const f = model.fault;
    this.faulted = f ? phaseSet(model, f.phases, f.currentRmsA, f.voltageRmsV, f.currentLagDeg) : this.normal;
  }

  sampleInto(n: number, out: Int32Array): void {
    const set = n >= this.faultFromIndex ? this.faulted : this.normal;
    // n up to ~1e12 keeps full double precision of ωn; reduce to one turn first
    const wt = (this.omega * n) % (2 * Math.PI);
    let iSum = 0;
    let vSum = 0;
    for (let p = 0; p < 3; p++) {
      const i = Math.round(this.wave(wt, set.iPeak[p]!, set.iPhase[p]!));
      const v = Math.round(this.wave(wt, set.vPeak[p]!, set.vPhase[p]!));
      out[p] = i;
      out[4 + p] = v;
      iSum += i;
      vSum += v;
    }
    out[3] = iSum;
    out[7] = vSum;
  }

  private wave(wt: number, peak: number, phase: number): number {
    const a = wt + phase;
    let x = Math.cos(a);
    for (const h of this.harmonics) x += (h.percent / 100) * Math.cos(h.order * a);
    return peak * x;
  }
}

interface PhaseSet {
  iPeak: number[];
  iPhase: number[];
  vPeak: number[];
  vPhase: number[];
}

function phaseSet(m: SvModelConfig, faulted: string, iRms: number, vRms: number, lagDeg: number): PhaseSet {
  const set: PhaseSet = { iPeak: [], iPhase: [], vPeak: [], vPhase: [] };
  for (let p = 0; p < 3; p++) {
    const isFaulted = faulted.includes('ABC'[p]!);
    const vAngle = m.voltageAnglesDeg[p]! * DEG;
    set.vPeak.push((Math.SQRT2 * (isFaulted ? vRms : m.voltageRmsV)) / SV_SCALE[4 + p]!);
    set.vPhase.push(vAngle);
    set.iPeak.push((Math.SQRT2 * (isFaulted ? iRms : m.currentRmsA)) / SV_SCALE[p]!);
    set.iPhase.push(vAngle - (isFaulted ? lagDeg : m.currentLagDeg) * DEG);
  }
  return set;
}
