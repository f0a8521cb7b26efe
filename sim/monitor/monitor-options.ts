// The subscriber's monitor options (--event-log, --fail-on, --capture-dir, …): declared here so
// the subscriber command only adds one call, validated into a MonitorConfig. A bad value stops
// start-up with a MonitorConfigError naming the option.
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { EventKind } from './event-kinds.js';
import { FailOnError, parseFailOn } from './fail-on.js';

export class MonitorConfigError extends Error {
  override readonly name = 'MonitorConfigError';
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`--${option}: ${message}`);
  }
}

export interface MonitorOpts {
  eventLog?: string;
  failOn?: string;
  stoppedGrace: number;
  transferThreshold?: number;
  logStateChanges: boolean;
  view: 'auto' | 'live' | 'plain';
  captureDir?: string;
  ringMaxMb: number;
  ringFileMb: number;
  ringFileSeconds: number;
  snippetSeconds: number;
  snippetMaxMb: number;
}

export interface MonitorConfig {
  eventLog?: string;
  failOn: Set<EventKind>;
  graceUs: number;
  transferThresholdUs?: number;
  logStateChanges: boolean;
  view: 'auto' | 'live' | 'plain';
  capture?: { dir: string; ring: { fileBytes: number; fileUs: number; maxBytes: number }; snippets: { windowUs: number; maxBytes: number }; historyBytes: number };
}

const MIB = 1024 * 1024;

function positive(option: string, max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max) throw new InvalidArgumentError(`--${option} must be a number > 0 and ≤ ${max}, got "${v}".`);
    return n;
  };
}

export function addMonitorOptions(cmd: Command): Command {
  return cmd
    .option('--event-log <file|->', 'one JSON line per event (anomaly, stopped stream, …) to a file, or - for stdout')
    .option('--fail-on <list>', 'exit 1 when any of these occurred: groups anomaly, tal-expired, stopped, never-seen, unexpected and/or event kinds (docs/monitor.md)')
    .option('--stopped-grace <ms>', 'a stream silent for TAL + this, while others arrive, is "stopped"', positive('stopped-grace', 3_600_000), 500)
    .option('--transfer-threshold <ms>', 'report a state change whose first frame arrives later than this after its t (needs synchronised clocks)', positive('transfer-threshold', 3_600_000))
    .option('--log-state-changes', 'also log each state change (info) with the dataset members that changed and their values', false)
    .addOption(new Option('--view <mode>', 'auto: live screen when stderr is a terminal, else plain lines; live; plain').choices(['auto', 'live', 'plain']).default('auto'))
    .option('--capture-dir <dir>', 'keep a rotating pcap ring of everything received (DIR/ring) and a pcap around each event (DIR/events)')
    .option('--ring-max-mb <MiB>', 'hard cap of all ring files together', positive('ring-max-mb', 1_048_576), 100)
    .option('--ring-file-mb <MiB>', 'ring file size before the next one is started (at most half of --ring-max-mb)', positive('ring-file-mb', 1_048_576), 10)
    .option('--ring-file-seconds <s>', 'ring file duration before the next one is started', positive('ring-file-seconds', 31 * 24 * 3600), 60)
    .option('--snippet-seconds <s>', 'each event capture holds the frames from this long before to this long after the event', positive('snippet-seconds', 300), 5)
    .option('--snippet-max-mb <MiB>', 'hard cap of all event captures of the run together', positive('snippet-max-mb', 1_048_576), 100);
}

export function monitorConfig(o: MonitorOpts, context: { jsonOnStdout: boolean }): MonitorConfig {
  if (o.eventLog === '-' && context.jsonOnStdout) throw new MonitorConfigError('event-log', '"-" (stdout) and --json both write to stdout: give --event-log a file');
  let failOn = new Set<EventKind>();
  if (o.failOn !== undefined) {
    try {
      failOn = parseFailOn(o.failOn);
    } catch (err) {
      if (err instanceof FailOnError) throw new MonitorConfigError('fail-on', err.message);
      throw err;
    }
  }
  const cfg: MonitorConfig = { failOn, graceUs: Math.round(o.stoppedGrace * 1000), logStateChanges: o.logStateChanges, view: o.view };
  if (o.eventLog !== undefined) cfg.eventLog = o.eventLog;
  if (o.transferThreshold !== undefined) cfg.transferThresholdUs = Math.round(o.transferThreshold * 1000);
  if (o.captureDir !== undefined) {
    if (o.ringFileMb * 2 > o.ringMaxMb) throw new MonitorConfigError('ring-file-mb', `${o.ringFileMb} MiB must be at most half of --ring-max-mb (${o.ringMaxMb} MiB), so the ring keeps at least two files`);
    const windowUs = Math.round(o.snippetSeconds * 1e6);
    cfg.capture = {
      dir: o.captureDir,
      ring: { fileBytes: Math.floor(o.ringFileMb * MIB), fileUs: Math.round(o.ringFileSeconds * 1e6), maxBytes: Math.floor(o.ringMaxMb * MIB) },
      snippets: { windowUs, maxBytes: Math.floor(o.snippetMaxMb * MIB) },
      // frames before an event: at most the snippet cap, at most 256 MiB of memory
      historyBytes: Math.min(256 * MIB, Math.floor(o.snippetMaxMb * MIB)),
    };
  }
  return cfg;
}
