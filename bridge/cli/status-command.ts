// `goose-bridge status` (one summary per bridge) and `goose-bridge monitor` (refreshed live),
// read from the stats files the daemons write: the one named by --stats-file, else every bridge
// running in this network namespace (find-bridges.ts). The answer (summary or --json) goes to
// stdout, errors to stderr.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { envName } from '../config/config-keys.js';
import type { StatsSnapshot } from '../daemon/bridge-counters.js';
import { AUTO_STATS_FILE, STATS_DIR, instanceStatsPath, isPidAlive, readStatsFile } from '../daemon/stats-file.js';
import { PipeOutput } from './pipe-output.js';
import { describeBridge, noBridgeHere, surveyBridges } from './find-bridges.js';
import { DropHistory, formatTopTalkers } from './forwarding-view.js';
import { formatStatus } from './status-format.js';
import { validateStatsSnapshot } from './stats-validate.js';

interface WhichOpts {
  statsFile?: string;
  interface?: string;
}

const STATS_FILE_HELP = `stats file the daemon writes (default: find every bridge running in this network namespace from ${STATS_DIR}; env ${envName('stats_file')})`;
const INTERFACE_HELP = 'the bridge on this L2 interface (TAP, or the attached NIC in gateway mode), when several run here';

/**
 * The stats files to read: the one named (option or environment), else the bridges running in
 * this network namespace, narrowed by --interface. `single`: the command shows one bridge.
 */
export function statsTargets(opts: WhichOpts, single: boolean): { paths: string[] } | { problem: string; exitCode: number } {
  const named = opts.statsFile ?? process.env[envName('stats_file')];
  if (named !== undefined && named !== '' && named !== AUTO_STATS_FILE) return { paths: [named] };
  const survey = surveyBridges();
  let here = survey.here;
  if (opts.interface !== undefined) {
    here = here.filter((b) => b.snapshot.interface === opts.interface);
    // Not running: its own file still holds its last stats (shown as NOT RUNNING).
    if (here.length === 0 && existsSync(instanceStatsPath(opts.interface))) return { paths: [instanceStatsPath(opts.interface)] };
    if (here.length === 0) {
      const others = survey.here.map(describeBridge).join(', ');
      return { problem: `no bridge on ${opts.interface} in this network namespace${others === '' ? '' : `; running here: ${others}`}`, exitCode: 1 };
    }
  }
  if (here.length === 0) return { problem: noBridgeHere(survey), exitCode: 1 };
  if (single && here.length > 1) {
    return { problem: `${here.length} bridges run in this network namespace: ${here.map(describeBridge).join(', ')}; choose one with --interface NAME`, exitCode: 2 };
  }
  return { paths: here.map((b) => b.path) };
}

function addWhichOptions(cmd: Command): Command {
  return cmd.option('--stats-file <path>', STATS_FILE_HELP).option('-i, --interface <name>', INTERFACE_HELP);
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
  addWhichOptions(program.command('status').description('summary of every bridge running in this network namespace (or of one), from its stats file'))
    .option('--json', 'print the raw stats JSON on stdout (one bridge: choose it with --interface when several run)')
    .action((opts: WhichOpts & { json?: boolean }) => {
      const which = statsTargets(opts, opts.json === true);
      if ('problem' in which) {
        process.stderr.write(`goose-bridge status: ${which.problem}\n`);
        process.exitCode = which.exitCode;
        return;
      }
      const summaries: string[] = [];
      for (const path of which.paths) {
        const s = read(path);
        if (typeof s === 'string') {
          process.stderr.write(`goose-bridge status: ${s}\n`);
          process.exitCode = 1;
          continue;
        }
        const running = isPidAlive(s.pid);
        if (opts.json) process.stdout.write(`${JSON.stringify({ ...s, running }, null, 2)}\n`);
        else summaries.push(formatStatus(s, { nowMs: Date.now(), running, staleAfterMs: 15_000 }));
        if (running === false) process.exitCode = 1;
      }
      process.stdout.write(summaries.join('\n'));
    });

  addWhichOptions(program.command('monitor').description('live view of a running bridge (refreshes the status summary; Ctrl-C ends)'))
    .option('--interval <seconds>', 'refresh period', '1')
    .option('--top <n>', 'APPIDs shown in the top-talkers list (when the stats file counts per APPID)', '10')
    .action(async (opts: WhichOpts & { interval: string; top: string }) => {
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
      const which = statsTargets(opts, true);
      if ('problem' in which) {
        process.stderr.write(`goose-bridge monitor: ${which.problem}\n`);
        process.exitCode = which.exitCode;
        return;
      }
      const path = which.paths[0]!;
      let previous: StatsSnapshot | undefined;
      const out = new PipeOutput(process.stdout);
      const drops = new DropHistory();
      while (!out.closed) {
        const s = read(path);
        let screen = typeof s === 'string' ? `${s}\n` : formatStatus(s, { nowMs: Date.now(), running: isPidAlive(s.pid), staleAfterMs: 15_000, ...(previous ? { previous } : {}) });
        if (typeof s !== 'string') {
          drops.push(s);
          screen += `\n${[...formatTopTalkers(s, previous, top), '', ...drops.lines()].join('\n')}\n`;
        }
        // Redraw in place on a terminal; piped or redirected, each snapshot follows the last, plain.
        const clear = process.stdout.isTTY ? '\x1b[2J\x1b[H' : '\n';
        await out.write(`${clear}${new Date().toISOString()}  (every ${period} s; Ctrl-C ends)\n\n${screen}`);
        if (typeof s !== 'string' && s.time !== previous?.time) previous = s;
        await new Promise((r) => setTimeout(r, period * 1000));
      }
    });
}
