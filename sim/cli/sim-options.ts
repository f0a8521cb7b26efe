// What every `goose-bridge sim …` command shares: option parsers whose errors name the option,
// the configuration error (exit 2), the output choice (--interface or --pcap in virtual time),
// signal handling and the publishers' run-and-report step. The commands import this module; it
// imports none of them.
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import type { VlanTag } from '../../bridge/codec/types.js';
import { tableStream } from '../../bridge/cli/answer-stream.js';
import { GbError } from '../../errors/error-codes.js';
import { setRealtimePriority } from '../core/realtime-priority.js';
import type { PublisherOutput } from '../core/real-time-loop.js';
import { IdentityError } from '../core/identity-range.js';
import { DatasetSpecError } from '../goose/dataset-spec.js';
import { EventPlanError } from '../goose/event-plan.js';
import { ExpectConfigError } from '../goose/expect-config.js';
import { ScheduleConfigError } from '../goose/retransmission-schedule.js';
import { MonitorConfigError } from '../monitor/monitor-options.js';

/** A configuration error naming the option: the CLI turns it into exit code 2. */
export class SimConfigError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`--${option}: ${message}`);
  }
}

export function int(option: string, min: number, max: number): (v: string) => number {
  return (v) => {
    const n = /^0x[0-9a-f]+$/i.test(v.trim()) ? parseInt(v, 16) : /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`--${option} must be a whole number ${min} … ${max} (decimal or 0x hex).`);
    return n;
  };
}

export function num(option: string, min: number, max: number, exclusiveMin = false): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || (exclusiveMin ? n <= min : n < min) || n > max) {
      throw new InvalidArgumentError(`--${option} must be a number ${exclusiveMin ? '>' : '≥'} ${min} and ≤ ${max}.`);
    }
    return n;
  };
}

/** The text of the file an option names; an unreadable file is an error of that option. */
export function readText(option: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new SimConfigError(option, `cannot read ${path}: ${(err as Error).message}`);
  }
}

/** Runs `fn`, turning known configuration errors into a SimConfigError naming `option`. */
export function named<T>(option: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SimConfigError) throw err;
    if (err instanceof DatasetSpecError || err instanceof EventPlanError || err instanceof ExpectConfigError || err instanceof RangeError) {
      throw new SimConfigError(option, err.message);
    }
    if (err instanceof ScheduleConfigError || err instanceof IdentityError) throw new SimConfigError(err.key, err.message);
    throw err;
  }
}

export function exclusive(opts: object, a: string, b: string, need: boolean): void {
  const o = opts as Record<string, unknown>;
  const ka = camel(a);
  const kb = camel(b);
  if (o[ka] !== undefined && o[kb] !== undefined) throw new SimConfigError(a, `--${a} and --${b} exclude each other`);
  if (need && o[ka] === undefined && o[kb] === undefined) throw new SimConfigError(a, `one of --${a} or --${b} is required`);
}

/** Options the user typed (command line or environment), not commander's defaults. */
export function typedOptions(cmd: Command): Set<string> {
  return new Set(cmd.options.map((opt) => opt.attributeName()).filter((k) => ['cli', 'env'].includes(cmd.getOptionValueSource(k) ?? '')));
}

function camel(s: string): string {
  return s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** --vlan-id / --vlan-priority, the same on every publisher. */
export function addVlanOptions(cmd: Command): Command {
  return cmd
    .option('--vlan-id <vid>', '802.1Q VLAN id (a tag is sent only if --vlan-id or --vlan-priority is given)', int('vlan-id', 0, 4095))
    .option('--vlan-priority <pcp>', '802.1Q priority 0 … 7 (default 4 when tagged)', int('vlan-priority', 0, 7));
}

/** The 802.1Q tag of --vlan-id / --vlan-priority (priority 4 when only the id is given), or none. */
export function vlanOption(o: { vlanId?: number; vlanPriority?: number }): VlanTag | undefined {
  if (o.vlanId === undefined && o.vlanPriority === undefined) return undefined;
  return { pcp: o.vlanPriority ?? 4, dei: false, vid: o.vlanId ?? 0 };
}

/** Options a publisher's --scl run takes as overrides: only those the user typed. */
export function typedPicker<O extends object>(o: O, given: ReadonlySet<string>): <K extends keyof O>(k: K) => O[K] | undefined {
  return (k) => (given.has(k as string) ? o[k] : undefined);
}

/** With --scl: the address options the user typed, as overrides of the file's values. */
export function typedAddressOverrides(
  o: { appid: number; dstMac: string; vlanId?: number; vlanPriority?: number },
  given: ReadonlySet<string>,
): { appId?: number; dstMac?: string; vlanId?: number; vlanPriority?: number } {
  const pick = typedPicker(o, given);
  return { appId: pick('appid'), dstMac: pick('dstMac'), vlanId: pick('vlanId'), vlanPriority: pick('vlanPriority') };
}

/** Installs SIGINT/SIGTERM handlers that abort the run; returns the signal and a remover. */
export function abortOnSignals(): { signal: AbortSignal; dispose: () => void } {
  const ac = new AbortController();
  const handler = (): void => ac.abort();
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: ac.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

export interface OutputOpts {
  interface?: string;
  pcap?: string;
  startTime?: string;
  duration?: number;
  count?: number;
  rtPriority?: number;
}

/**
 * --interface or --pcap (virtual time, needs an end; --start-time and --rt-priority only where
 * they apply). `wholeSecond`: the start time must fall on a whole second (SV's smpCnt 0).
 */
export function publisherOutput(o: OutputOpts, wholeSecond = false): PublisherOutput {
  exclusive(o, 'interface', 'pcap', true);
  exclusive(o, 'duration', 'count', false);
  if (o.pcap === undefined) {
    if (o.startTime !== undefined) throw new SimConfigError('start-time', 'only applies to --pcap (virtual time)');
    return { kind: 'interface', ifname: o.interface! };
  }
  if (o.rtPriority !== undefined) throw new SimConfigError('rt-priority', 'only applies to --interface (a --pcap run is virtual time)');
  if (o.duration === undefined && o.count === undefined) throw new SimConfigError('pcap', 'a --pcap run is written in virtual time and needs --duration or --count');
  const output: PublisherOutput = { kind: 'pcap', path: o.pcap };
  if (o.startTime !== undefined) {
    const ms = Date.parse(o.startTime);
    if (Number.isNaN(ms) || (wholeSecond && ms % 1000 !== 0)) {
      throw new SimConfigError('start-time', `must be an ISO-8601 time${wholeSecond ? ' on a whole second' : ''} like 2026-01-01T00:00:00Z, got "${o.startTime}"`);
    }
    output.startWallUs = ms * 1000;
  }
  return output;
}

/** Start-up failures that are the invocation's fault (wrong interface, unreadable file, not root). */
const BAD_INVOCATION = new Set(['GB_ERR_NO_INTERFACE', 'GB_ERR_PCAP', 'GB_ERR_PERMISSION', 'GB_ERR_CONFIG']);

/** A GbError (stable code, clear message) is reported without a stack; others propagate. */
export function reportRunError(err: unknown): void {
  if (err instanceof GbError) {
    process.stderr.write(`goose-bridge sim: ${err.message}\n`);
    process.exitCode = BAD_INVOCATION.has(err.code) ? 2 : 1;
    return;
  }
  throw err;
}

export function asConfigError(cmd: Command, err: unknown): never {
  if (err instanceof SimConfigError || err instanceof MonitorConfigError) cmd.error(`error: ${err.message}`, { exitCode: 2, code: 'GB_ERR_CONFIG' });
  throw err;
}

/**
 * A publisher command's run: SCHED_FIFO if asked, stopped by SIGINT/SIGTERM, the summary on
 * stderr (with --json: JSON on stdout), exit code 1 when frames could not be sent.
 */
export async function runPublisherCommand<S extends { send_failures: number }>(
  o: { rtPriority?: number; json: boolean },
  run: (signal: AbortSignal) => Promise<S>,
  format: (summary: S) => string,
): Promise<void> {
  const { signal, dispose } = abortOnSignals();
  try {
    if (o.rtPriority !== undefined) setRealtimePriority(o.rtPriority);
    const summary = await run(signal);
    tableStream(o.json).write(format(summary));
    if (o.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    if (summary.send_failures > 0) process.exitCode = 1;
  } catch (err) {
    reportRunError(err);
  } finally {
    dispose();
  }
}
