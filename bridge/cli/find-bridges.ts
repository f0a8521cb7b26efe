// Finds the bridges of this network namespace from the stats files in /run/goose-bridge (each
// bridge writes its own by default: net<inode>-<interface>.json). A file counts as a bridge here
// when the pid it names is alive and runs in this network namespace; /run is shared by every
// namespace of the host, so the other files belong to bridges elsewhere or to stopped ones.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StatsSnapshot } from '../daemon/bridge-counters.js';
import { STATS_DIR, isPidAlive, netnsInode, netnsPrefix, readStatsFile } from '../daemon/stats-file.js';
import { validateStatsSnapshot } from './stats-validate.js';

export interface FoundBridge {
  path: string;
  snapshot: StatsSnapshot;
}

export interface BridgeSurvey {
  /** This process's network namespace inode (null: /proc does not say). */
  netns: number | null;
  /** Live bridges of this namespace, by interface name. */
  here: FoundBridge[];
  /** Files of this namespace whose pid is gone (last stats of stopped bridges). */
  stopped: FoundBridge[];
  /** Live bridges in other namespaces (their files share the directory). */
  elsewhere: number;
}

function where(pid: number, path: string, mine: number | null): 'here' | 'elsewhere' | 'stopped' | 'gone' {
  const named = path.slice(path.lastIndexOf('/') + 1).startsWith(netnsPrefix(mine));
  if (!isPidAlive(pid)) return named ? 'stopped' : 'gone';
  // The writer's namespace, when /proc lets us see it (root, or the same user); else the file name says.
  const theirs = netnsInode(pid);
  if (theirs !== null && mine !== null) return theirs === mine ? 'here' : 'elsewhere';
  return named || !/^net[0-9]+-/.test(path.slice(path.lastIndexOf('/') + 1)) ? 'here' : 'elsewhere';
}

/** Reads every stats file in `dir` (unreadable and foreign files are skipped) and sorts them. */
export function surveyBridges(dir = STATS_DIR): BridgeSurvey {
  const mine = netnsInode();
  const survey: BridgeSurvey = { netns: mine, here: [], stopped: [], elsewhere: 0 };
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isFile() && d.name.endsWith('.json'))
      .map((d) => d.name);
  } catch {
    return survey; // no directory: no bridge has written there
  }
  for (const name of names) {
    const path = join(dir, name);
    let valid;
    try {
      valid = validateStatsSnapshot(readStatsFile(path));
    } catch {
      continue;
    }
    if (!valid.ok) continue;
    const found = { path, snapshot: valid.snapshot };
    const w = where(valid.snapshot.pid, path, mine);
    if (w === 'here') survey.here.push(found);
    else if (w === 'stopped') survey.stopped.push(found);
    else if (w === 'elsewhere') survey.elsewhere++;
  }
  const byInterface = (x: FoundBridge, y: FoundBridge): number => x.snapshot.interface.localeCompare(y.snapshot.interface);
  survey.here.sort(byInterface);
  survey.stopped.sort(byInterface);
  return survey;
}

/** One line naming a found bridge: interface, pid, file. */
export function describeBridge(b: FoundBridge): string {
  return `${b.snapshot.interface} (pid ${b.snapshot.pid}, ${b.path})`;
}

/** Why no bridge was found here, with what was found instead. */
export function noBridgeHere(s: BridgeSurvey, dir = STATS_DIR): string {
  const lines = [`no bridge is running in this network namespace (net:[${s.netns ?? '?'}]): no stats file in ${dir} names a live process here`];
  if (s.stopped.length > 0) lines.push(`stopped bridges of this namespace (their last stats): ${s.stopped.map(describeBridge).join(', ')}`);
  if (s.elsewhere > 0) lines.push(`${s.elsewhere} bridge(s) run in other network namespaces: run this command there (ip netns exec NAME goose-bridge …)`);
  lines.push('a bridge started with --stats-file PATH: pass the same --stats-file here');
  return lines.join('\n');
}
