// Whether two report folders can be compared at all: each run's meta.json records where it ran
// (CPU model, kernel) and from what (commit, clean tree). A gate across machines or against a
// baseline built from uncommitted code still runs, but says so first. Pure over meta.json.
import { readMeta } from '../report/run-meta.js';

/** Warnings (empty: nothing known that makes the runs incomparable). */
export function provenanceWarnings(baselineDir: string, currentDir: string): string[] {
  return provenanceOf(readMeta(baselineDir), readMeta(currentDir));
}

export function provenanceOf(base: Record<string, string>, cur: Record<string, string>): string[] {
  const out: string[] = [];
  const fields = [['cpu_model', 'CPU model'], ['kernel', 'kernel'], ['cpus', 'CPU count']] as const;
  for (const [side, meta] of [['baseline', base], ['current run', cur]] as const) {
    const absent = fields.filter(([f]) => meta[f] === undefined).map(([, what]) => what);
    if (absent.length) out.push(`the ${side}'s meta.json does not record ${absent.join(', ')}: cannot tell whether both runs come from the same kind of machine`);
  }
  for (const [field, what] of fields) {
    const [b, c] = [base[field], cur[field]];
    if (b !== undefined && c !== undefined && b !== c) out.push(`different machines: baseline ${what} "${b}", current "${c}" — thresholds were set on the baseline's machine; ratios against VXLAN travel better than absolute figures`);
  }
  if (base.clean_tree === 'no' || /uncommitted/.test(base.commit ?? '')) out.push(`the baseline was made from a tree with uncommitted changes (${base.commit ?? '?'}): it measures code that is not in the repository`);
  return out;
}
