// What a report's header says about the run: version, commit (and whether the tree was clean),
// command line, machine (CPU model, kernel), times and load average at start and end. Kept in
// meta.json beside the CSVs so re-rendering an old folder keeps its header, and so report:compare
// can warn when two runs come from different machines or the baseline from uncommitted code.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, hostname, loadavg, release } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';

export const META_FILE = 'meta.json';

const git = (args: string[]): string => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();

/**
 * Full commit id and whether the working tree matched it (untracked files count: they may be code).
 * The run's own output folder is left out: a baseline regenerated in place must not call its own
 * fresh files "uncommitted changes".
 */
function source(outDir?: string): { commit: string; clean_tree: string } {
  try {
    const sha = git(['rev-parse', 'HEAD']);
    // A folder outside the repository is no pathspec of it (git refuses one), and needs no exclusion.
    const rel = outDir ? relative(git(['rev-parse', '--show-toplevel']), resolve(outDir)) : '';
    const exclude = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? ['--', '.', `:(exclude)${rel}`] : [];
    const clean = git(['status', '--porcelain', ...exclude]) === '';
    return { commit: clean ? sha : `${sha} (uncommitted changes)`, clean_tree: clean ? 'yes' : 'no' };
  } catch {
    return { commit: 'unknown (not a git checkout)', clean_tree: 'unknown' };
  }
}

/** 1/5/15-minute load average, e.g. "3.12/2.80/2.41": how busy the machine was. */
export function loadAverage(): string {
  return loadavg().map((x) => x.toFixed(2)).join('/');
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The run's header; `startLoad` is the load average taken when the run began, `outDir` where it writes. */
export function runMeta(started: Date, startLoad = 'not recorded', argv: readonly string[] = process.argv, outDir?: string): Record<string, string> {
  return {
    version: `goose-bridge ${version()}`,
    ...source(outDir),
    command: ['suites', ...argv.slice(2)].join(' '),
    started: started.toISOString(),
    finished: new Date().toISOString(),
    machine: `${hostname()}, ${cpus().length} CPU(s) ${cpus()[0]?.model ?? ''}`.trim(),
    cpu_model: cpus()[0]?.model.trim() ?? 'unknown',
    cpus: String(cpus().length),
    kernel: release(),
    load_avg_start: startLoad,
    load_avg_end: loadAverage(),
    node: process.version,
  };
}

export function writeMeta(dir: string, meta: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
}

export function readMeta(dir: string): Record<string, string> {
  const p = join(dir, META_FILE);
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as Record<string, string>) : {};
}
