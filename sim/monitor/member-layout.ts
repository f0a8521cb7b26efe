// A GoCB dataset's layout from SCL, leaf by leaf: each FCDA's type as the DataTypeTemplates
// resolve it (LNodeType → DOType → DA/SDO → DAType → BDA, bridge/scl/type-templates.ts) walked
// down to its basic values, each named by its DA path under the FCDA's reference —
// `LD0/XCBR1.Pos [ST]` gives `LD0/XCBR1.Pos.stVal [ST]`, `….Pos.q [ST]`, `….Pos.t [ST]` — in the
// order IEC 61850-8-1 sends them inside the entry's MMS structure. Pure.
import type { DatasetMember, SclType } from '../../bridge/scl/scl-model.js';
import type { DatasetLayout, MemberLayout, MemberLeaf } from './dataset-values.js';

/** `LD0/XCBR1.Pos [ST]` → [`LD0/XCBR1.Pos`, ` [ST]`]. */
function splitFc(ref: string): [string, string] {
  const m = / \[[A-Za-z]+\]$/.exec(ref);
  return m ? [ref.slice(0, m.index), m[0]] : [ref, ''];
}

function leaves(t: SclType, base: string, fc: string, path: number[], out: MemberLeaf[]): void {
  if (t.kind !== 'struct') {
    out.push({ name: `${base}${fc}`, path });
    return;
  }
  t.members.forEach((m, i) => leaves(m.type, `${base}.${m.name}`, fc, [...path, i], out));
}

/** One FCDA's leaves (a single leaf with an empty path when it is a basic value). */
export function memberLayout(m: Pick<DatasetMember, 'ref' | 'type'>): MemberLayout {
  const [base, fc] = splitFc(m.ref);
  const out: MemberLeaf[] = [];
  leaves(m.type, base, fc, [], out);
  return { name: m.ref, leaves: out };
}

/** A control block's dataset by entry position (its FCDA number); an FCDA SCL could not resolve is a gap. */
export function datasetLayout(members: readonly DatasetMember[]): DatasetLayout {
  const out: (MemberLayout | undefined)[] = [];
  for (const m of members) out[m.fcda - 1] = memberLayout(m);
  return Array.from(out);
}
