// The one way tests and benches make a throw-away network namespace: named after the process
// (`gbh-<pid>-<tag>-<role><n>`, so a crashed run's leftovers are recognisably dead and a later
// harness run removes them), loopback up, removed with everything inside by deleteNamespace(),
// and in any case on exit, Ctrl-C or SIGTERM (the cleanup registry). The harness topology
// (testkit/topology) uses the same names and registry for its multi-host networks.
import { registerCleanup, destroyNamespaceSync } from './cleanup.js';
import { runSync } from './exec.js';
import { makeRunId, namespaceName, type RunId } from './run-id.js';

let processRun: RunId | null = null;
let created = 0;
const unregisters = new Map<string, () => void>();

export interface NamespaceOptions {
  /** Turn IPv6 off inside: the kernel's own MLD / router solicitations stay out of captures. */
  disableIpv6?: boolean;
}

/** Creates a namespace for `role` (1-8 of [a-z0-9]) and returns its name. */
export function createNamespace(role: string, opts: NamespaceOptions = {}): string {
  if (!/^[a-z0-9]{1,8}$/.test(role)) throw new RangeError(`namespace role must be 1-8 of [a-z0-9], got ${JSON.stringify(role)}`);
  processRun ??= makeRunId();
  const ns = namespaceName(processRun, `${role}${++created}`);
  // Registered first: a failure half-way still removes what exists.
  unregisters.set(ns, registerCleanup(`namespace ${ns}`, () => destroyNamespaceSync(ns)));
  try {
    runSync(['ip', 'netns', 'add', ns]);
    runSync(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    if (opts.disableIpv6) {
      runSync(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
    }
  } catch (err) {
    deleteNamespace(ns);
    throw err;
  }
  return ns;
}

/** Stops every process inside, deletes the namespace and its interfaces; never throws on a missing one. */
export function deleteNamespace(ns: string | undefined): void {
  if (ns === undefined) return;
  destroyNamespaceSync(ns);
  unregisters.get(ns)?.();
  unregisters.delete(ns);
}

export interface VethNamespace {
  ns: string;
  /** The two ends of the pair, both up. */
  a: string;
  b: string;
}

/** A namespace (as createNamespace) holding a veth pair, both ends up. */
export function createVethNamespace(role: string): VethNamespace {
  const ns = createNamespace(role);
  const [a, b] = ['veth-a', 'veth-b']; // inside a private namespace the names need not be unique
  runSync(['ip', '-n', ns, 'link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
  for (const end of [a, b]) runSync(['ip', '-n', ns, 'link', 'set', end, 'up']);
  return { ns, a, b };
}

/** Runs fn on a fresh veth namespace and deletes the namespace afterwards, also when fn throws. */
export function withVethNamespace<T>(role: string, fn: (veth: VethNamespace) => T): T {
  const veth = createVethNamespace(role);
  try {
    return fn(veth);
  } finally {
    deleteNamespace(veth.ns);
  }
}
