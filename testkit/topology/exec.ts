// The harness's process helpers: testkit's (run a command, no shell) plus the clock and the pid
// check the harness shares with the rest of goose-bridge.
export { CommandError, run, runSync, spawnArgv, sleep, sleepSync } from '../exec.js';

/** CLOCK_MONOTONIC in µs, the clock every part of goose-bridge shares for latency. */
export { monotonicUs } from '../../native/index.js';

export { isPidAlive } from '../../bridge/daemon/stats-file.js';
