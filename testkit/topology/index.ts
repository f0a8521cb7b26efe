// The harness topology library: suites and tests import from here.
export * from './topology.js';
export * from '../run-id.js';
export * from './host-names.js';
export * from './igmp-timers.js';
export * from './nft-rules.js';
export * from './mdb.js';
export * from '../cleanup.js';
export * from './stale.js';
export * from './managed-process.js';
export { run, runSync, sleep, monotonicUs, isPidAlive, CommandError } from './exec.js';
export * as commands from './commands.js';
export * from './second-path.js';
