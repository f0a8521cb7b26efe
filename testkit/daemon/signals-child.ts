// A process of its own for the daemon-signals test: installs DaemonSignals, sends itself real
// signals and prints what was held and acted on as JSON (a signal that ended it shows as its exit).
// Run apart from the test runner, whose own SIGHUP/SIGTERM handlers (testkit/cleanup.ts) would end it.
import { setTimeout as sleep } from 'node:timers/promises';
import { DaemonSignals } from '../../bridge/daemon/daemon-signals.js';

const held: string[] = [];
const calls: string[] = [];
const actions = { stop: (s: string) => calls.push(`stop ${s}`), reload: () => calls.push('reload') };
const signals = new DaemonSignals(process, (s) => held.push(s));
const send = (...sigs: NodeJS.Signals[]): void => sigs.forEach((s) => process.kill(process.pid, s));

if (process.argv[2] === 'stop-during-start-up') {
  send('SIGHUP', 'SIGTERM', 'SIGTERM');
  await sleep(100);
  signals.attach(actions);
} else {
  send('SIGHUP', 'SIGHUP');
  await sleep(100);
  signals.attach(actions);
  calls.push('|');
  send('SIGTERM');
  await sleep(100);
}
signals.close();
process.stdout.write(`${JSON.stringify({ held, calls })}\n`);
