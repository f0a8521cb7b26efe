// Guaranteed teardown: everything a run creates registers a synchronous teardown here, and the
// process runs them all on normal exit, uncaught exceptions, SIGINT, SIGTERM and SIGHUP. Teardowns
// are synchronous because 'exit' and signal handlers cannot wait for promises.
import { CommandError, runSync, sleepSync } from './exec.js';

type Teardown = () => void;

const registry = new Map<number, { label: string; teardown: Teardown }>();
let nextId = 1;
let installed = false;

function runAll(): void {
  // Newest first: later registrations may depend on earlier ones (a process inside a namespace).
  for (const id of [...registry.keys()].sort((a, b) => b - a)) {
    const entry = registry.get(id);
    registry.delete(id);
    try {
      entry?.teardown();
    } catch (err) {
      process.stderr.write(`cleanup of ${entry?.label}: ${(err as Error).message}\n`);
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.on(sig, () => {
      process.stderr.write(`\n${sig}: removing ${registry.size} harness resource(s)…\n`);
      runAll();
      process.exit(code);
    });
  }
}

/** Registers a teardown; returns a function that unregisters it (after the caller tore down itself). */
export function registerCleanup(label: string, teardown: Teardown): () => void {
  install();
  const id = nextId++;
  registry.set(id, { label, teardown });
  return () => {
    registry.delete(id);
  };
}

export function namespacePids(ns: string): number[] {
  try {
    return runSync(['ip', 'netns', 'pids', ns])
      .split(/\s+/)
      .filter((s) => s !== '')
      .map(Number)
      .filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    return [];
  }
}

/** Kills every process inside a namespace (TERM, then KILL after graceMs) and deletes it. A
 * namespace with a live process inside would outlive `ip netns delete` invisibly. */
export function destroyNamespaceSync(ns: string, graceMs = 2000): void {
  for (const [sig, waitMs] of [['SIGTERM', graceMs], ['SIGKILL', 2000]] as const) {
    const pids = namespacePids(ns);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
    const deadline = Date.now() + waitMs;
    // `ip netns pids` lists only tasks still in the namespace
    while (Date.now() < deadline && namespacePids(ns).length > 0) sleepSync(20);
  }
  try {
    runSync(['ip', 'netns', 'delete', ns]);
  } catch (err) {
    if (!(err instanceof CommandError && /No such file|not found|Cannot remove/i.test(err.stderr))) throw err;
  }
}
