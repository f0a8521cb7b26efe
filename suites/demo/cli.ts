// `npm run demo` → `tsx suites/cli.ts demo`: the quick start. suites/cli.ts adds it with
// register(program). Exit codes: 0 frames crossed the bridges, 1 nothing arrived or a step
// failed, 2 bad arguments or not root.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { isRoot } from '../../testkit/preconditions.js';
import { DEMO_DEFAULTS, runDemo } from './demo.js';
import { deliveredFrames, formatDemoSummary } from './demo-summary.js';

const intIn = (name: string, min: number, max: number) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer ${min}..${max}, got ${JSON.stringify(v)}`);
  return n;
};

export function register(program: Command): void {
  program
    .command('demo')
    .description('two hosts and a TGW stand-in in namespaces, a bridge on each, sim publisher → sim subscriber across them; prints what arrived and removes everything (root)')
    .addOption(new Option('--duration <s>', 'seconds of traffic').default(DEMO_DEFAULTS.durationS).argParser(intIn('--duration', 1, 600)))
    .addOption(new Option('--publishers <n>', 'simulated IEDs on host 1').default(DEMO_DEFAULTS.publishers).argParser(intIn('--publishers', 1, 512)))
    .option('--json', 'print the subscriber report and bridge counters as JSON on stdout', false)
    .action(async (o: { duration: number; publishers: number; json: boolean }) => {
      if (!isRoot()) {
        process.stderr.write('demo: needs root to build network namespaces and TAP devices (try: sudo npm run demo)\n');
        process.exitCode = 2;
        return;
      }
      const log = (line: string): void => void process.stderr.write(`${line}\n`);
      const r = await runDemo({ durationS: o.duration, publishers: o.publishers, log });
      process.stderr.write(`\n${formatDemoSummary(r)}`);
      if (o.json) process.stdout.write(`${JSON.stringify({ report: r.report, bridges: Object.fromEntries(r.bridgeCounters) }, null, 2)}\n`);
      log(`demo: removed every namespace, interface and process of run ${r.runPrefix}*`);
      if (deliveredFrames(r) === 0) process.exitCode = 1;
    });
}
