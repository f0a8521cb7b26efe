// The benchmarks' sink: a veth pair in a throw-away network namespace (root), removed afterwards,
// also on SIGINT/SIGTERM. Each benchmark child runs inside it with `ip netns exec`.
import { execFileSync } from 'node:child_process';
import { createVeth, vethNames } from './test-support/sim-processes.js';

/** Creates namespace + veth (both ends up), runs fn(ns, sendEnd), always deletes the namespace. */
export function withBenchVeth<T>(prefix: string, fn: (ns: string, sendEnd: string) => T): T {
  const names = vethNames(prefix);
  const { ns, a } = names;
  const cleanup = (): void => {
    try {
      execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  };
  process.on('SIGINT', cleanup);
  process.on('SIGTERM', cleanup);
  try {
    createVeth(names);
    return fn(ns, a);
  } finally {
    cleanup();
    process.off('SIGINT', cleanup);
    process.off('SIGTERM', cleanup);
  }
}

/** True when the native addon is built (the benchmarks fall back to a no-op sink otherwise). */
export function addonBuilt(): boolean {
  try {
    execFileSync(process.execPath, ['-e', "require('./native/build/Release/goose_native.node')"], { stdio: 'ignore', cwd: `${import.meta.dirname}/..` });
    return true;
  } catch {
    return false;
  }
}
