// Reference frames for the benchmark and tests: a typical GOOSE frame (20 entries of mixed
// types, the shape a protection relay publishes) and a minimal one (1 boolean).
import type { Data, GooseFrame } from '../../bridge/codec/types.js';
import { RESERVED1_SIMULATION_BIT } from '../../bridge/codec/types.js';

const QUALITY_GOOD: Data = { type: 'bit-string', bits: 13, value: Uint8Array.from([0, 0]) };
const T = { secondsSinceEpoch: 1_700_000_000, fraction: 0x400000, quality: 0x0a };

export function typicalGooseFrame(): GooseFrame {
  const allData: Data[] = [
    { type: 'boolean', value: true },
    QUALITY_GOOD,
    { type: 'boolean', value: false },
    QUALITY_GOOD,
    { type: 'bit-string', bits: 2, value: Uint8Array.from([0x40]) }, // Dbpos on
    QUALITY_GOOD,
    { type: 'utc-time', value: T },
    { type: 'integer', value: 1234n },
    { type: 'integer', value: -42n },
    { type: 'unsigned', value: 65535n },
    { type: 'float32', value: 230.5 },
    QUALITY_GOOD,
    { type: 'float32', value: 49.98 },
    { type: 'float64', value: 1.0e-3 },
    { type: 'visible-string', value: 'CB_A' },
    { type: 'structure', value: [{ type: 'float32', value: 11.25 }, QUALITY_GOOD, { type: 'utc-time', value: T }] },
    { type: 'binary-time', msOfDay: 43_200_000, days: 14_600 },
    { type: 'octet-string', value: Uint8Array.from([1, 2, 3, 4]) },
    { type: 'boolean', value: true },
    { type: 'integer', value: 1n << 40n },
  ];
  return {
    kind: 'goose',
    eth: { dst: '01:0c:cd:01:00:10', src: '02:00:00:00:00:01', vlan: { pcp: 4, dei: false, vid: 10 } },
    header: { appId: 0x1010, reserved1: 0, reserved2: 0 },
    padding: new Uint8Array(0),
    pdu: {
      gocbRef: 'IED1PROT/LLN0$GO$gcbTrip',
      timeAllowedToLive: 2000,
      datSet: 'IED1PROT/LLN0$dsTrip',
      goID: 'IED1_TRIP',
      t: T,
      stNum: 17,
      sqNum: 3,
      simulation: false,
      confRev: 1,
      ndsCom: false,
      numDatSetEntries: allData.length,
      allData,
    },
  };
}

export function minimalGooseFrame(): GooseFrame {
  return {
    kind: 'goose',
    eth: { dst: '01:0c:cd:01:00:02', src: '02:00:00:00:00:01' },
    header: { appId: 1, reserved1: RESERVED1_SIMULATION_BIT, reserved2: 0 },
    padding: new Uint8Array(0),
    pdu: {
      gocbRef: 'IED1LD0/LLN0$GO$gcb1',
      timeAllowedToLive: 2000,
      datSet: 'IED1LD0/LLN0$DS1',
      t: T,
      stNum: 5,
      sqNum: 7,
      simulation: true,
      confRev: 3,
      ndsCom: false,
      numDatSetEntries: 1,
      allData: [{ type: 'boolean', value: true }],
    },
  };
}
