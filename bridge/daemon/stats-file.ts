// The stats JSON file: written to a temporary file beside it and renamed over it, so a reader
// (status, monitor, a suite) never sees half a file. By default each bridge has its own file,
// named by its network namespace and L2 interface: bridges in several namespaces of one host
// share /run but must not share a stats file.
import { type Stats, closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseJsonText, JsonTextError } from '../config/json-text.js';
import type { StatsSnapshot } from './bridge-counters.js';

/** Where the default (per-instance) stats files live. */
export const STATS_DIR = '/run/goose-bridge';
/** The stats_file value that asks for the per-instance default path. */
export const AUTO_STATS_FILE = 'auto';

/** The network namespace of a process: the inode of /proc/PID/ns/net; null when /proc does not say (gone, or not ours to inspect). */
export function netnsInode(pid: number | 'self' = 'self'): number | null {
  try {
    return statSync(`/proc/${pid}/ns/net`).ino;
  } catch {
    return null;
  }
}

/** File name prefix of the default stats files of one network namespace. */
export function netnsPrefix(inode: number | null): string {
  return `net${inode ?? 'unknown'}-`;
}

/** The default stats file of the bridge on `l2Interface` in this network namespace: /run/goose-bridge/net<inode>-<interface>.json. */
export function instanceStatsPath(l2Interface: string, inode: number | null = netnsInode()): string {
  return join(STATS_DIR, `${netnsPrefix(inode)}${l2Interface}.json`);
}

/** The file a daemon writes for `statsFile` ('auto': the per-instance default; '' none). */
export function statsPathFor(statsFile: string, l2Interface: string): string {
  return statsFile === AUTO_STATS_FILE ? instanceStatsPath(l2Interface) : statsFile;
}

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

/** A stats file that cannot be read, said without quoting its bytes. */
export class StatsFileError extends Error {}

function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isDirectory()) return 'a directory';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/**
 * Reads and parses a stats file. Opened without blocking and checked to be a regular file before
 * anything is read: a FIFO or a device at the path would otherwise block the reader forever.
 */
export function readStatsFile(path: string): StatsSnapshot {
  let text: string;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    throw new StatsFileError(`cannot open (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new StatsFileError(`${kindOf(st)}, not a regular file`);
    text = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
  try {
    return parseJsonText(text) as StatsSnapshot;
  } catch (err) {
    if (err instanceof JsonTextError) throw new StatsFileError(`not JSON: ${err.message}`);
    throw err;
  }
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
