// suite:all fails when a suite fails, and its report names the suite. The IGMP suite is made to
// fail through suite:all's failure hook (no traffic, no topology: a few seconds).
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { skipUnlessRoot } from '../testkit/preconditions.js';
import { allPlan } from './all-suites.js';
import { slicesFor } from './latency-suite.js';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../', import.meta.url));

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('suite:all with a failing suite', function () {
  this.timeout(60_000);
  let out = '';
  before(function () {
    // The CLI refuses to start without root (it would build namespaces); the hook needs none.
    skipUnlessRoot(this, 'suite:all');
    out = mkdtempSync(join(tmpdir(), 'gbh-all-fail-'));
  });
  after(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('exits 1 when the IGMP suite fails, and summary.md, report.html and --json name it', async () => {
    const r = await runCli(['all', '--smoke', '--suites', 'igmp', '--inject-failure', 'igmp', '--out', out, '--json']);
    expect(r.code, r.stderr).to.equal(1);
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as { failed: Array<{ suite: string; error: string }> };
    expect(result.failed.map((f) => f.suite)).to.deep.equal(['igmp']);
    expect(r.stderr).to.match(/suite\(s\) failed: igmp/);
    const summary = readFileSync(join(out, 'summary.md'), 'utf8');
    expect(summary).to.match(/## Suites that FAILED[\s\S]*\| igmp \| injected failure/);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).to.match(/<td>igmp<\/td><td class="v v-failed">FAILED<\/td>/);
    const meta = JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8')) as Record<string, string>;
    expect(meta.command).to.equal(`suites all --smoke --suites igmp --inject-failure igmp --out ${out} --json`);
    expect(meta.commit).to.match(/^[0-9a-f]{7,}|^unknown/);
    // Provenance report:compare checks: the machine and the load it ran under, at both ends.
    expect(meta.clean_tree).to.match(/^(yes|no|unknown)$/);
    expect(meta.commit!.includes('uncommitted')).to.equal(meta.clean_tree === 'no');
    expect(meta.kernel).to.equal(release());
    expect(meta.cpu_model).to.equal(cpus()[0]!.model.trim());
    for (const k of ['load_avg_start', 'load_avg_end']) expect(meta[k], k).to.match(/^\d+\.\d\d\/\d+\.\d\d\/\d+\.\d\d$/);
  });

  it('refuses a latency --duration too short for its rounds, instead of yielding fewer slices', async () => {
    const r = await runCli(['latency', '--duration', '1', '--out', out]);
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stderr).to.contain('--duration 1 holds only 4 slice(s)');
  });

  it('plans as many slices as rounds for the smoke and the short run (report:compare needs ≥ 10)', () => {
    for (const smoke of [true, false]) {
      const { durationS, rounds } = allPlan(smoke).latency;
      expect(slicesFor(durationS, rounds), `smoke ${smoke}`).to.equal(rounds).and.to.be.at.least(10);
    }
  });

  it('refuses an unknown suite name with exit 2 (could not run), naming it', async () => {
    const bad = await runCli(['all', '--suites', 'igmp,bogus', '--out', out]);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.contain('"bogus"');
  });
});
