// A GOOSE dataset layout from SCL member types: each basic type of IEC 61850-7-2 as the MMS
// type IEC 61850-8-1 sends it (Quality bitstring:13, Timestamp utctime, Dbpos/Tcmd/Check
// bitstring:2, Enum integer starting at its first EnumVal, VisStringN vstring:N, …), structures as struct(…). Pure; a type
// GOOSE cannot carry is an error naming the member.
import type { DatasetMember, SclType } from '../../bridge/scl/scl-model.js';
import type { EntrySpec } from '../goose/dataset-spec.js';

export class SclDatasetError extends Error {
  override readonly name = 'SclDatasetError';
}

const BASIC: Record<string, EntrySpec> = {
  BOOLEAN: { kind: 'bool' },
  INT8: { kind: 'int', bits: 8 },
  INT16: { kind: 'int', bits: 16 },
  INT32: { kind: 'int', bits: 32 },
  INT64: { kind: 'int', bits: 64 },
  INT8U: { kind: 'uint', bits: 8 },
  INT16U: { kind: 'uint', bits: 16 },
  INT24U: { kind: 'uint', bits: 32 },
  INT32U: { kind: 'uint', bits: 32 },
  FLOAT32: { kind: 'float', bits: 32 },
  FLOAT64: { kind: 'float', bits: 64 },
  Quality: { kind: 'bitstring', bits: 13 },
  Timestamp: { kind: 'utctime' },
  Dbpos: { kind: 'bitstring', bits: 2 },
  Tcmd: { kind: 'bitstring', bits: 2 },
  Check: { kind: 'bitstring', bits: 2 },
  Octet64: { kind: 'octetstring', size: 64 },
  VisString32: { kind: 'vstring', maxLength: 32 },
  VisString64: { kind: 'vstring', maxLength: 64 },
  VisString65: { kind: 'vstring', maxLength: 65 },
  VisString129: { kind: 'vstring', maxLength: 129 },
  VisString255: { kind: 'vstring', maxLength: 255 },
  ObjRef: { kind: 'vstring', maxLength: 129 },
  Currency: { kind: 'vstring', maxLength: 3 },
};

function entryOf(t: SclType, where: string): EntrySpec {
  if (t.kind === 'enum') return { kind: 'int', bits: 8, initial: BigInt(Math.max(-128, Math.min(127, t.firstOrd))) };
  if (t.kind === 'struct') return { kind: 'struct', members: t.members.map((m) => entryOf(m.type, `${where}.${m.name}`)) };
  const e = BASIC[t.bType];
  if (e === undefined) throw new SclDatasetError(`${where}: basic type ${t.bType} cannot be simulated (known: ${Object.keys(BASIC).join(', ')}, Enum, Struct)`);
  return { ...e };
}

/** The dataset spec of a control block's members, in order. */
export function datasetFromScl(members: readonly DatasetMember[]): EntrySpec[] {
  return members.map((m) => entryOf(m.type, m.ref));
}
