// Leftovers of a crashed run (killed with SIGKILL, machine hiccup) are found by the harness's
// name prefix and removed when their owning process is dead; a parallel live run is left alone.
import { isPidAlive, runSync } from './exec.js';
import { parseNamespaceName } from '../run-id.js';
import { destroyNamespaceSync } from '../cleanup.js';

/** Names from `ip netns list` output ("name (id: 3)" or "name"). */
export function parseNetnsList(out: string): string[] {
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n !== '');
}

/** Namespaces made by the harness whose owning pid is not alive. Pure given isAlive. */
export function staleNamespaces(names: readonly string[], isAlive: (pid: number) => boolean): string[] {
  return names.filter((n) => {
    const parsed = parseNamespaceName(n);
    return parsed !== null && !isAlive(parsed.id.pid);
  });
}

/** Removes every stale harness namespace; returns their names. */
export function cleanStaleRuns(): string[] {
  const stale = staleNamespaces(parseNetnsList(runSync(['ip', 'netns', 'list'])), isPidAlive);
  for (const ns of stale) destroyNamespaceSync(ns, 500);
  return stale;
}
