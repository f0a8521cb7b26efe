// `npm run suite:igmp -- …`: parses arguments and calls the library (index.ts, real-mode.ts).
// suites/cli.ts adds it with register(program); this file also runs on its own
// (`tsx suites/igmp/cli.ts --help`).
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { defaultOutDir } from '../report/csv.js';
import { fileURLToPath } from 'node:url';
import { IGMP_DEFAULTS, estimateSuiteSeconds, runIgmpSuite } from './index.js';
import { igmpSection } from './all-hook.js';
import { writeReportFolder } from '../report/report-folder.js';
import { runMeta } from '../report/run-meta.js';
import { runRealReceiver, runRealSender } from './real-mode.js';
import { parseFastLeaveList, parseScenarioList } from './scenario-plan.js';

function intIn(name: string, min: number, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer ${min}..${max}, got ${JSON.stringify(v)}`);
    return n;
  };
}
function numIn(name: string, min: number, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a number ${min}..${max}, got ${JSON.stringify(v)}`);
    return n;
  };
}
function ipv4Multicast(v: string): string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(v);
  if (m === null || m.slice(1).some((o) => Number(o) > 255) || Number(m[1]) < 224 || Number(m[1]) > 239) {
    throw new InvalidArgumentError(`--group must be an IPv4 multicast address (224.0.0.0/4), got ${JSON.stringify(v)}`);
  }
  return v;
}
function wrap<T>(f: (v: string) => T) {
  return (v: string): T => {
    try {
      return f(v);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
  };
}


interface IgmpCliOptions {
  scale: number;
  out?: string;
  scenarios: number[];
  fastLeave: boolean[];
  intervals: number;
  rate: number;
  group: string;
  port: number;
  json: boolean;
  holder: 'auto' | 'daemon' | 'socket';
  real: boolean;
  role?: 'sender' | 'receiver';
  mcastIf?: string;
  duration?: number;
  scenario: number;
  keepalive?: 'none' | 'rejoin' | 'report';
  keepaliveInterval?: number;
  member: 'self' | 'external';
  ttl: number;
  runId: number;
}

export function igmpCommand(): Command {
  return new Command('igmp')
    .description(
      'Validate Transit Gateway IGMP timeout behaviour on the time-scaled stand-in: scenarios 1-6 (healthy, ' +
        'queries blocked, keepalive by re-join, keepalive by report, keepalive slower than the timeout, ' +
        'restart / uplink flap) with fast leave off and on; writes igmp.csv, igmp-timeline.csv, igmp-windows.csv. ' +
        'With --real: one role of the same measurement across two real hosts.',
    )
    .option('--scale <n>', 'time scale 1..120 (60: the 120 s query interval takes 2 s)', numIn('--scale', 1, 120), IGMP_DEFAULTS.scale)
    .option('--out <dir>', 'output directory (default reports/<UTC timestamp>)')
    .addOption(
      new Option('--scenarios <list>', 'scenarios to run, e.g. 1,2,4').argParser(wrap(parseScenarioList)).default([...IGMP_DEFAULTS.scenarios], '1,2,3,4,5,6'),
    )
    .addOption(
      new Option('--fast-leave <list>', 'stand-in fast-leave modes: off, on or off,on').argParser(wrap(parseFastLeaveList)).default([...IGMP_DEFAULTS.fastLeave], 'off,on'),
    )
    .option('--intervals <n>', 'membership intervals scenarios 1, 3, 4 run for (>= 10 for a meaningful keepalive cost)', numIn('--intervals', 0.5, 1000), IGMP_DEFAULTS.intervals)
    .option('--rate <fps>', 'numbered stream rate, frames/s', intIn('--rate', 1, 20000), IGMP_DEFAULTS.rateFps)
    .option('--group <ip>', 'multicast group', ipv4Multicast, IGMP_DEFAULTS.group)
    .option('--port <n>', 'UDP port', intIn('--port', 1, 65535), IGMP_DEFAULTS.port)
    .addOption(
      new Option('--holder <who>', 'who holds the member\'s membership: auto (the daemon for 3-6), daemon, or socket (a plain socket; keepalives driven by the suite)')
        .choices(['auto', 'daemon', 'socket'])
        .default('auto'),
    )
    .option('--json', 'print the igmp.csv rows as JSON on stdout', false)
    .option('--real', 'real Transit Gateway mode (unscaled timers, two real hosts)', false)
    .addOption(new Option('--role <role>', 'real mode: this host\'s role').choices(['sender', 'receiver']))
    .option('--mcast-if <ifname>', 'real mode: interface facing the TGW (its IPv4 address is used)')
    .option('--duration <s>', 'real mode: seconds to run', numIn('--duration', 1, 7 * 86400))
    .option('--scenario <n>', 'real mode, receiver: scenario 1..5 it measures (sets the keepalive and expectations)', intIn('--scenario', 1, 5), 1)
    .addOption(new Option('--keepalive <kind>', 'real mode, receiver: override the scenario\'s keepalive').choices(['none', 'rejoin', 'report']))
    .option('--keepalive-interval <s>', 'real mode, receiver: seconds between keepalives', numIn('--keepalive-interval', 0.1, 86400))
    .addOption(
      new Option('--member <who>', 'real mode, receiver: self = join and run the keepalive here; external = a goose-bridge daemon on this host holds the membership, only count')
        .choices(['self', 'external'])
        .default('self'),
    )
    .option('--ttl <n>', 'real mode, sender: IP TTL of the stream (a TGW routes)', intIn('--ttl', 1, 255), 32)
    .option('--run-id <n>', 'real mode: stream id both roles agree on', intIn('--run-id', 0, 0xffffffff), 1)
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stderr.write(s), writeErr: (s) => process.stderr.write(s) });
}

const log = (line: string): void => {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
};

async function execute(o: IgmpCliOptions): Promise<number> {
  const started = new Date();
  const outDir = o.out ?? defaultOutDir();
  if (o.real) {
    if (o.role === undefined) throw new InvalidArgumentError('--real needs --role sender|receiver');
    if (o.mcastIf === undefined) throw new InvalidArgumentError('--real needs --mcast-if IF (the interface facing the TGW)');
    if (o.duration === undefined) throw new InvalidArgumentError('--real needs --duration S');
    const common = { group: o.group, port: o.port, mcastIf: o.mcastIf, durationS: o.duration, runId: o.runId, log };
    if (o.role === 'sender') {
      const r = await runRealSender({ ...common, rateFps: o.rate, ttl: o.ttl });
      if (o.json) process.stdout.write(`${JSON.stringify(r)}\n`);
      return 0;
    }
    const r = await runRealReceiver({
      ...common,
      scenario: o.scenario,
      outDir,
      member: o.member,
      ...(o.keepalive !== undefined ? { keepalive: o.keepalive } : {}),
      ...(o.keepaliveInterval !== undefined ? { keepaliveIntervalS: o.keepaliveInterval } : {}),
    });
    process.stderr.write(`${r.table}\n`);
    log(`wrote ${r.files.igmpCsv}, ${r.files.timelineCsv}, ${r.files.windowsCsv} (${r.inferredTail} trailing frame(s) inferred from the sender's rate)`);
    if (o.json) process.stdout.write(`${JSON.stringify([r.result.row])}\n`);
    return 0;
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new InvalidArgumentError('suite:igmp builds network namespaces and needs root (CAP_NET_ADMIN, CAP_NET_RAW)');
  }
  log(`IGMP suite: scale ${o.scale}, scenarios ${o.scenarios.join(',')}, fast leave ${o.fastLeave.map((f) => (f ? 'on' : 'off')).join(',')}, ~${estimateSuiteSeconds({ scale: o.scale, scenarios: o.scenarios as never, fastLeave: o.fastLeave, intervals: o.intervals })} s`);
  const r = await runIgmpSuite({
    scale: o.scale,
    outDir,
    scenarios: o.scenarios as never,
    fastLeave: o.fastLeave,
    intervals: o.intervals,
    rateFps: o.rate,
    group: o.group,
    port: o.port,
    holder: o.holder,
    log,
  });
  process.stderr.write(`${r.table}\n`);
  log(`wrote ${r.files.igmpCsv}, ${r.files.timelineCsv}, ${r.files.windowsCsv}`);
  await writeReportFolder(outDir, runMeta(started, undefined, process.argv, outDir), [await igmpSection(r, o.scale)]);
  if (o.json) process.stdout.write(`${JSON.stringify(r.rows)}\n`);
  return 0;
}

/** suites/cli.ts's hook: adds `igmp` to the suites program (`npm run suite:igmp -- …`). */
export function register(program: Command): void {
  program.addCommand(
    igmpCommand().action(async (_opts: unknown, cmd: Command) => {
      try {
        process.exitCode = await execute(cmd.opts<IgmpCliOptions>());
      } catch (err) {
        if (err instanceof InvalidArgumentError || err instanceof RangeError) {
          process.stderr.write(`suite:igmp: ${err.message}\n`);
          process.exitCode = 2;
          return;
        }
        throw err;
      }
    }),
  );
}

/** Runs `igmp` with the arguments after it; returns the exit code (2 for bad arguments). */
export async function runIgmpCli(argv: readonly string[]): Promise<number> {
  const cmd = igmpCommand();
  try {
    cmd.parse([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  try {
    return await execute(cmd.opts<IgmpCliOptions>());
  } catch (err) {
    if (err instanceof InvalidArgumentError || err instanceof RangeError) {
      process.stderr.write(`suite:igmp: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  runIgmpCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`suite:igmp: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
