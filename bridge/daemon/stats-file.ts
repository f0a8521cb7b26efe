// The stats JSON file: written to a temporary file beside it and renamed over it, so a reader
// (status, monitor, a suite) never sees half a file.
import { mkdirSync, readFileSync, renameSync, writeFileSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StatsSnapshot } from './bridge-counters.js';

export function writeStatsFileAtomic(path: string, snapshot: StatsSnapshot): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, `${JSON.stringify(snapshot, null, 2)}\n`);
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      /* nothing to remove */
    }
    throw err;
  }
}

export function readStatsFile(path: string): StatsSnapshot {
  return JSON.parse(readFileSync(path, 'utf8')) as StatsSnapshot;
}

/** Whether the process that wrote a stats file still runs (EPERM: it runs, as another user). */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
