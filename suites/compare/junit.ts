// JUnit XML of a comparison: one testsuite, one testcase per rule and key, so CI systems show a
// regression as a failed test natively. A missing figure or derived rows that contradict the raw
// rows are failures too; a skipped optional rule and a figure that could not be judged (a bound)
// are <skipped/>. Pure.
import { FAILING, type Finding } from './compare.js';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

function body(f: Finding): string {
  const figures = `baseline ${f.baseline ?? '–'}, current ${f.current ?? '–'}, limit ${f.limit ?? '–'}, p ${f.p_value ?? '–'}, false alarm ${f.false_alarm}; ${f.detail}`;
  if (f.status === 'regressed') return `<failure type="regressed" message="${esc(figures)}">${esc(f.why)}</failure>`;
  if (f.status === 'missing' || f.status === 'inconsistent') return `<failure type="${f.status}" message="${esc(f.detail || 'figure missing')}">${esc(f.why)}</failure>`;
  if (f.status === 'unjudged') return `<skipped message="${esc(f.detail)}"/>`;
  if (f.status === 'skipped') return `<skipped message="${esc(f.detail || 'optional rule, figure absent')}"/>`;
  return `<system-out>${esc(figures)}</system-out>`;
}

export function junitXml(findings: readonly Finding[], suiteName = 'report:compare'): string {
  const failures = findings.filter((f) => FAILING.includes(f.status)).length;
  const skipped = findings.filter((f) => f.status === 'skipped' || f.status === 'unjudged').length;
  const cases = findings
    .map((f) => `    <testcase classname="${esc(`${suiteName}.${f.kind}`)}" name="${esc(f.key && f.key !== '*' ? `${f.rule} [${f.key}]` : f.rule)}">${body(f)}</testcase>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="${findings.length}" failures="${failures}">
  <testsuite name="${esc(suiteName)}" tests="${findings.length}" failures="${failures}" errors="0" skipped="${skipped}">
${cases}
  </testsuite>
</testsuites>
`;
}
