// What a report's header says about the run: version, commit, command line, machine, times.
// Kept in meta.json beside the CSVs so re-rendering an old folder keeps its header.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { join } from 'node:path';

export const META_FILE = 'meta.json';

function commit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
    return dirty ? `${sha} (uncommitted changes)` : sha;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function runMeta(started: Date, argv: readonly string[] = process.argv): Record<string, string> {
  return {
    version: `goose-bridge ${version()}`,
    commit: commit(),
    command: ['suites', ...argv.slice(2)].join(' '),
    started: started.toISOString(),
    finished: new Date().toISOString(),
    machine: `${hostname()}, ${cpus().length} CPU(s) ${cpus()[0]?.model ?? ''}`.trim(),
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
