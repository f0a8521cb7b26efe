// A decodable GOOSE frame of one stream (APPID + gocbRef + source MAC) with the numbers a
// subscriber judges: what the sim/ tests feed their trackers and monitors. Defaults: one
// boolean entry, TAL 1 s, confRev 1, no VLAN.
import { encodeFrame, utcTimeFromMicros } from '../bridge/codec/index.js';
import type { Data, GooseFrame } from '../bridge/codec/types.js';

export interface TestStream {
  appId: number;
  src: string;
  gocbRef: string;
}

export interface TestMessage {
  stNum: number;
  sqNum: number;
  /** The PDU's `t`, µs since the epoch. */
  tUs: number;
  timeAllowedToLive?: number;
  datSet?: string;
  allData?: Data[];
  confRev?: number;
  ndsCom?: boolean;
  simulation?: boolean;
}

export function streamGooseFrame(stream: TestStream, m: TestMessage): GooseFrame {
  const allData = m.allData ?? [{ type: 'boolean', value: false }];
  return {
    kind: 'goose',
    eth: { dst: '01:0c:cd:01:00:01', src: stream.src },
    header: { appId: stream.appId, reserved1: 0, reserved2: 0 },
    padding: new Uint8Array(0),
    pdu: {
      gocbRef: stream.gocbRef,
      timeAllowedToLive: m.timeAllowedToLive ?? 1000,
      datSet: m.datSet ?? 'LD0/LLN0$DS1',
      t: utcTimeFromMicros(m.tUs),
      stNum: m.stNum,
      sqNum: m.sqNum,
      simulation: m.simulation ?? false,
      confRev: m.confRev ?? 1,
      ndsCom: m.ndsCom ?? false,
      numDatSetEntries: allData.length,
      allData,
    },
  };
}

/** streamGooseFrame, encoded. */
export function encodedStreamGoose(stream: TestStream, m: TestMessage): Buffer {
  return Buffer.from(encodeFrame(streamGooseFrame(stream, m)));
}
