// Crafted GOOSE traffic, one scenario per monitor event kind: a healthy stream B next to a
// stream A that misbehaves once in a known way. Shared by the monitor's pure tests and the
// capture test (tshark reads the snippets). Frames are encoded by the codec, so they go through
// the monitor's pure entry point handleFrame(buf, rxUs) exactly as received frames do.
import { encodeFrame, utcTimeFromMicros } from '../../bridge/codec/index.js';
import type { Data, GooseFrame } from '../../bridge/codec/types.js';
import type { StreamKey } from '../goose/stream-tracker.js';
import type { EventKind } from './event-kinds.js';

/** 2026-11-30T00:00:00Z in µs: receive times are wall clock, as for a pcap. */
export const T0_US = Date.UTC(2026, 10, 30) * 1000;
export const TAL_MS = 1000;
export const GRACE_MS = 500;
export const END_MS = 2500;

export const A: StreamKey = { appId: 0x1001, src: '02:00:00:00:00:01', gocbRef: 'IED1LD0/LLN0$GO$gcb01' };
export const B: StreamKey = { appId: 0x1002, src: '02:00:00:00:00:02', gocbRef: 'IED2LD0/LLN0$GO$gcb01' };
export const C: StreamKey = { appId: 0x1003, src: '02:00:00:00:00:03', gocbRef: 'IED3LD0/LLN0$GO$gcb01' };

const TWO: Data[] = [{ type: 'boolean', value: false }, { type: 'integer', value: 7n }];

export interface Msg {
  at: number; // ms after T0
  st: number;
  sq: number;
  confRev?: number;
  data?: Data[];
  numEntries?: number;
  ndsCom?: boolean;
  /** Reserved1 bit 15. */
  simBit?: boolean;
  /** The PDU's simulation/test field. */
  test?: boolean;
  /** `t` this long before the receive time (ms); default: at the state's first message. */
  tBeforeMs?: number;
  corrupt?: boolean;
}

export interface Scenario {
  kind: EventKind;
  a: Msg[];
  /** Whether stream B keeps sending after A's messages (default true). */
  bTo?: number;
  expected?: StreamKey[];
  transferThresholdMs?: number;
  /** Other events the scenario causes by construction. */
  also?: EventKind[];
  /** The event: on which stream, which numbers, which evidence. */
  want: { stream: StreamKey | null; st: number | null; sq: number | null; atMs: number; evidence: Record<string, unknown> };
}

function frame(k: StreamKey, m: Msg, stateAtMs: number): GooseFrame {
  const data = m.data ?? TWO;
  const tUs = T0_US + (m.tBeforeMs !== undefined ? m.at - m.tBeforeMs : stateAtMs) * 1000;
  return {
    kind: 'goose',
    eth: { dst: '01:0c:cd:01:00:01', src: k.src },
    header: { appId: k.appId, reserved1: m.simBit ? 0x8000 : 0, reserved2: 0 },
    padding: new Uint8Array(0),
    pdu: {
      gocbRef: k.gocbRef,
      timeAllowedToLive: TAL_MS,
      datSet: 'LD0/LLN0$DS1',
      goID: 'ied',
      t: utcTimeFromMicros(tUs),
      stNum: m.st,
      sqNum: m.sq,
      simulation: m.test ?? false,
      confRev: m.confRev ?? 1,
      ndsCom: m.ndsCom ?? false,
      numDatSetEntries: m.numEntries ?? data.length,
      allData: data,
    },
  };
}

/** Breaks the encoded frame: the allData tag (0xAB) becomes an unknown one. */
function corrupt(buf: Buffer): Buffer {
  const i = buf.lastIndexOf(0xab);
  buf[i] = 0x9f;
  return buf;
}

/** Every 100 ms from fromMs to toMs, sqNum counting up from sq. */
export function beats(fromMs: number, toMs: number, st: number, sq: number, extra: Partial<Msg> = {}): Msg[] {
  const out: Msg[] = [];
  for (let at = fromMs; at <= toMs; at += 100) out.push({ at, st, sq: sq++, ...extra });
  return out;
}

export interface TimedFrame {
  rxUs: number;
  buf: Buffer;
}

/** A's and B's frames in receive order. */
export function framesOf(s: Scenario): TimedFrame[] {
  const out: (TimedFrame & { order: number })[] = [];
  let order = 0;
  const add = (k: StreamKey, msgs: Msg[]): void => {
    const stateAt = new Map<number, number>();
    for (const m of msgs) {
      if (!stateAt.has(m.st)) stateAt.set(m.st, m.at);
      const buf = encodeFrame(frame(k, m, stateAt.get(m.st)!));
      out.push({ rxUs: T0_US + m.at * 1000, buf: m.corrupt ? corrupt(buf) : buf, order: order++ });
    }
  };
  add(A, s.a);
  add(B, beats(50, s.bTo ?? END_MS, 1, 0));
  out.sort((x, y) => x.rxUs - y.rxUs || x.order - y.order);
  return out.map(({ rxUs, buf }) => ({ rxUs, buf }));
}

const head = beats(0, 400, 1, 0); // st 1, sq 0 … 4
const tail = (extra: Partial<Msg> = {}, st = 1, sq = 5): Msg[] => beats(500, END_MS, st, sq, extra);

export const SCENARIOS: Scenario[] = [
  { kind: 'sq-gap', a: [...head, ...beats(500, END_MS, 1, 7)], want: { stream: A, st: 1, sq: 7, atMs: 500, evidence: { expected_sq_num: 5, missing: 2 } } },
  { kind: 'st-jump', a: [...head, ...tail({}, 4, 0)], want: { stream: A, st: 4, sq: 0, atMs: 500, evidence: { expected_st_num: 2, states_skipped: 2, missing: 2 } } },
  { kind: 'st-backwards', a: [...beats(0, 400, 5, 0), ...tail({}, 2, 0)], want: { stream: A, st: 2, sq: 0, atMs: 500, evidence: { st_num_before: 5 } } },
  { kind: 'duplicate', a: [...head, { at: 450, st: 1, sq: 4 }, ...tail()], want: { stream: A, st: 1, sq: 4, atMs: 450, evidence: { newest_st_num: 1, newest_sq_num: 4 } } },
  {
    kind: 'out-of-order',
    a: [...head, { at: 500, st: 2, sq: 0 }, { at: 510, st: 1, sq: 5 }, ...beats(600, END_MS, 2, 1)],
    want: { stream: A, st: 1, sq: 5, atMs: 510, evidence: { newest_st_num: 2, newest_sq_num: 0 } },
  },
  { kind: 'tal-expired', a: [...head, ...beats(1700, END_MS, 1, 5)], want: { stream: A, st: 1, sq: 5, atMs: 1700, evidence: { tal_ms: TAL_MS, late_ms: 300, silent_ms: 1300 } } },
  // A's last frame at 400 ms: deadline 1400, stopped once past 1900 while B keeps arriving,
  // judged at B's next frame (1950 ms)
  { kind: 'stopped', a: head, want: { stream: A, st: 1, sq: 4, atMs: 1950, evidence: { tal_ms: TAL_MS, grace_ms: GRACE_MS, silent_ms: 1550 } } },
  { kind: 'conf-rev-change', a: [...head, ...tail({ confRev: 2 })], want: { stream: A, st: 1, sq: 5, atMs: 500, evidence: { conf_rev_before: 1, conf_rev: 2 } } },
  {
    kind: 'dataset-change',
    a: [...head, ...tail({ data: [{ type: 'boolean', value: false }] })],
    want: { stream: A, st: 1, sq: 5, atMs: 500, evidence: { shape_before: 'boolean,integer', shape: 'boolean', differs_from_first: true } },
  },
  {
    kind: 'entry-count-mismatch',
    a: [...head, { at: 500, st: 1, sq: 5, numEntries: 3 }, ...beats(600, END_MS, 1, 6)],
    want: { stream: A, st: 1, sq: 5, atMs: 500, evidence: { num_dat_set_entries: 3, all_data_entries: 2 } },
  },
  { kind: 'nds-com', a: [...head, ...tail({ ndsCom: true })], want: { stream: A, st: 1, sq: 5, atMs: 500, evidence: {} } },
  { kind: 'simulation', a: [...head, ...tail({ simBit: true })], want: { stream: A, st: 1, sq: 5, atMs: 500, evidence: { reserved1: '0x8000' } } },
  { kind: 'test', a: [...head, ...tail({ test: true })], want: { stream: A, st: 1, sq: 5, atMs: 500, evidence: {} } },
  {
    kind: 'malformed',
    a: [...head, { at: 450, st: 1, sq: 5, corrupt: true }, ...beats(500, END_MS, 1, 6)],
    also: ['sq-gap'], // the broken frame was sq 5: its successor shows the gap
    want: { stream: null, st: null, sq: null, atMs: 450, evidence: { appid: '0x1001', src_mac: A.src } },
  },
  {
    kind: 'transfer-time',
    a: [...head, { at: 500, st: 2, sq: 0, tBeforeMs: 50 }, ...beats(600, END_MS, 2, 1, { tBeforeMs: 100 })],
    transferThresholdMs: 10,
    want: { stream: A, st: 2, sq: 0, atMs: 500, evidence: { transfer_us: 50_000, threshold_us: 10_000 } },
  },
  { kind: 'unexpected-stream', a: beats(0, END_MS, 1, 0), expected: [A, C], also: ['never-seen'], want: { stream: B, st: 1, sq: 0, atMs: 50, evidence: {} } },
  { kind: 'never-seen', a: beats(0, END_MS, 1, 0), expected: [A, B, C], want: { stream: C, st: null, sq: null, atMs: END_MS, evidence: {} } },
];
