// `goose-bridge status` (one summary) and `goose-bridge monitor` (refreshed live), read from the
// stats file the daemon writes. Summaries go to stderr, --json to stdout (project convention).
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { CONFIG_KEYS, envName } from '../config/config-keys.js';
import type { StatsSnapshot } from '../daemon/bridge-counters.js';
import { isPidAlive, readStatsFile } from '../daemon/stats-file.js';
import { PipeOutput } from './pipe-output.js';
import { DropHistory, formatTopTalkers } from './forwarding-view.js';
import { formatStatus } from './status-format.js';
import { validateStatsSnapshot } from './stats-validate.js';

const DEFAULT_STATS = CONFIG_KEYS.find((d) => d.key === 'stats_file')!.default;

function statsPath(opt: string | undefined): string {
  return opt ?? process.env[envName('stats_file')] ?? DEFAULT_STATS;
}


function read(path: string): StatsSnapshot | string {
  if (!existsSync(path)) return `no stats file at ${path}: is the daemon running with --stats-file ${path}?`;
  let parsed: unknown;
  try {
    parsed = readStatsFile(path);
  } catch (err) {
    return `cannot read ${path}: ${(err as Error).message}`;
  }
  const valid = validateStatsSnapshot(parsed);
  return valid.ok ? valid.snapshot : `${path} is not a stats file this command can read: ${valid.problem}`;
}

export function registerStatusCommands(program: Command): void {
  program
    .command('status')
    .description("summary of a running bridge, from its stats file")
    .option('--stats-file <path>', `stats file the daemon writes (default: ${DEFAULT_STATS}; env ${envName('stats_file')})`)
    .option('--json', 'print the raw stats JSON on stdout')
    .action((opts: { statsFile?: string; json?: boolean }) => {
      const path = statsPath(opts.statsFile);
      const s = read(path);
      if (typeof s === 'string') {
        process.stderr.write(`goose-bridge status: ${s}\n`);
        process.exitCode = 1;
        return;
      }
      const running = isPidAlive(s.pid);
      if (opts.json) process.stdout.write(`${JSON.stringify({ ...s, running }, null, 2)}\n`);
      else process.stderr.write(formatStatus(s, { nowMs: Date.now(), running, staleAfterMs: 15_000 }));
      if (running === false) process.exitCode = 1;
    });

  program
    .command('monitor')
    .description('live view of a running bridge (refreshes the status summary; Ctrl-C ends)')
    .option('--stats-file <path>', `stats file the daemon writes (default: ${DEFAULT_STATS}; env ${envName('stats_file')})`)
    .option('--interval <seconds>', 'refresh period', '1')
    .option('--top <n>', 'APPIDs shown in the top-talkers list (when the stats file counts per APPID)', '10')
    .action(async (opts: { statsFile?: string; interval: string; top: string }) => {
      const path = statsPath(opts.statsFile);
      const period = Number(opts.interval);
      if (!Number.isFinite(period) || period < 0.1 || period > 3600) {
        process.stderr.write(`goose-bridge monitor: --interval "${opts.interval}" is not a number of seconds from 0.1 to 3600\n`);
        process.exitCode = 2;
        return;
      }
      const top = Number(opts.top);
      if (!Number.isInteger(top) || top < 1 || top > 10_000) {
        process.stderr.write(`goose-bridge monitor: --top "${opts.top}" is not a whole number from 1 to 10000\n`);
        process.exitCode = 2;
        return;
      }
      let previous: StatsSnapshot | undefined;
      const out = new PipeOutput(process.stderr);
      const drops = new DropHistory();
      while (!out.closed) {
        const s = read(path);
        let screen = typeof s === 'string' ? `${s}\n` : formatStatus(s, { nowMs: Date.now(), running: isPidAlive(s.pid), staleAfterMs: 15_000, ...(previous ? { previous } : {}) });
        if (typeof s !== 'string') {
          drops.push(s);
          screen += `\n${[...formatTopTalkers(s, previous, top), '', ...drops.lines()].join('\n')}\n`;
        }
        // Redraw in place on a terminal; piped or redirected, each snapshot follows the last, plain.
        const clear = process.stderr.isTTY ? '\x1b[2J\x1b[H' : '\n';
        await out.write(`${clear}${new Date().toISOString()}  (every ${period} s; Ctrl-C ends)\n\n${screen}`);
        if (typeof s !== 'string' && s.time !== previous?.time) previous = s;
        await new Promise((r) => setTimeout(r, period * 1000));
      }
    });
}
