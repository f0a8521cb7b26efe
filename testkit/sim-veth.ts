// The benchmarks' sink: a veth pair in a throw-away network namespace (root), removed afterwards,
// also on SIGINT/SIGTERM (testkit's cleanup registry). Each benchmark child runs inside it with `ip netns exec`.
import { execFileSync } from 'node:child_process';
import { deleteNamespace } from './netns.js';
import { createVethNamespace } from './sim-processes.js';

/** Creates namespace + veth (both ends up), runs fn(ns, sendEnd), always deletes the namespace. */
export function withBenchVeth<T>(role: string, fn: (ns: string, sendEnd: string) => T): T {
  const { ns, a } = createVethNamespace(role);
  try {
    return fn(ns, a);
  } finally {
    deleteNamespace(ns);
  }
}

/** True when the native addon is built (the benchmarks fall back to a no-op sink otherwise). */
export function addonBuilt(): boolean {
  try {
    execFileSync(process.execPath, ['-e', "require('../sim/native/build/Release/goose_native.node')"], { stdio: 'ignore', cwd: `${import.meta.dirname}/..` });
    return true;
  } catch {
    return false;
  }
}
