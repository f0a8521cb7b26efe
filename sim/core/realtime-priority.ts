// Opt-in real-time scheduling for the publisher process (--rt-priority): under SCHED_FIFO
// the event loop is woken at its deadline even when other processes keep every CPU busy, which
// is what keeps p99 send-time error in the tens of µs on a shared machine (see README, bench:sim).
// Node cannot call sched_setscheduler(2) itself; util-linux's chrt does it for our pid. The
// loop sleeps between frames, so a real-time publisher takes little CPU from others (and the
// kernel's RT throttling, sched_rt_runtime_us, still bounds it).
import { execFileSync } from 'node:child_process';
import { GbError } from '../../errors/error-codes.js';

export function setRealtimePriority(priority: number): void {
  if (!Number.isInteger(priority) || priority < 1 || priority > 99) throw new RangeError(`rt-priority must be 1 … 99, got ${priority}`);
  try {
    // every thread: the event loop waits on V8's GC helper threads, which must not be starved
    execFileSync('chrt', ['--fifo', '--all-tasks', '--pid', String(priority), String(process.pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new GbError('GB_ERR_PERMISSION', `cannot set SCHED_FIFO priority ${priority} with chrt (needs root / CAP_SYS_NICE and util-linux): ${stderr || (err as Error).message}`, { cause: err });
  }
}
