// Real Transit Gateway mode: the same measurement across two real hosts with unscaled timers.
// The sender sends the numbered stream; the receiver holds the membership (with the chosen
// keepalive), captures IGMP on its interface and writes the CSVs. Nothing here can run against a
// real TGW on this machine; the suite's test runs both roles in two namespaces of the stand-in.
import { spawn } from 'node:child_process';
import { ManagedProcess } from '../../testkit/topology/managed-process.js';
import { summarizeScenario, type ScenarioResult } from './igmp-results.js';
import { formatIgmpTable, writeIgmpCsvs, type IgmpFiles } from './igmp-csv.js';
import { MembershipWatch } from './membership-watch.js';
import { MembershipHolder, StreamReceiver, StreamSender, monotonicUs } from './numbered-stream.js';
import { observedStream } from './observed-stream.js';
import { sendIgmpV2Report } from '../../native/index.js';
import { findUplink, usableUplink } from '../../bridge/wan/uplink.js';
import { KEEPALIVE_INTERVAL_TGW_S, SLOW_KEEPALIVE_INTERVAL_TGW_S } from './scenario-plan.js';
import { unscaledTiming } from './scenario-timing.js';

export interface RealCommon {
  group: string;
  port: number;
  mcastIf: string;
  durationS: number;
  runId: number;
  log: (line: string) => void;
}

/** IPv4 address of the uplink, found as the bridge finds it, or GB_ERR_NO_INTERFACE naming it. */
export function interfaceAddress(mcastIf: string): string {
  return usableUplink(findUplink(mcastIf)).address;
}

export async function runRealSender(opts: RealCommon & { rateFps: number; ttl: number }): Promise<{ sent: number; sendErrors: number }> {
  const sender = new StreamSender({
    group: opts.group,
    port: opts.port,
    ifaddr: interfaceAddress(opts.mcastIf),
    rateFps: opts.rateFps,
    runId: opts.runId,
    ttl: opts.ttl,
  });
  await sender.start();
  opts.log(`sending ${opts.rateFps} frames/s to ${opts.group}:${opts.port} via ${opts.mcastIf} for ${opts.durationS} s`);
  await sleepInterruptible(opts.durationS * 1000);
  const r = await sender.stop();
  opts.log(`sent ${r.sent} frames (${r.sendErrors} send errors)`);
  return { sent: r.sent, sendErrors: r.sendErrors };
}

/** Expectations and default keepalive of each scenario as it can be run against a real TGW. */
export const REAL_SCENARIOS: Record<number, { id: string; keepalive: 'none' | 'rejoin' | 'report'; intervalS: number | null; expectLoss: boolean }> = {
  1: { id: '1-healthy', keepalive: 'none', intervalS: null, expectLoss: false },
  2: { id: '2-queries-blocked', keepalive: 'none', intervalS: null, expectLoss: true },
  3: { id: '3-keepalive-rejoin', keepalive: 'rejoin', intervalS: KEEPALIVE_INTERVAL_TGW_S, expectLoss: false },
  4: { id: '4-keepalive-report', keepalive: 'report', intervalS: KEEPALIVE_INTERVAL_TGW_S, expectLoss: false },
  5: { id: '5-keepalive-too-slow', keepalive: 'report', intervalS: SLOW_KEEPALIVE_INTERVAL_TGW_S, expectLoss: true },
};

export interface RealReceiverOptions extends RealCommon {
  scenario: number;
  outDir: string;
  keepalive?: 'none' | 'rejoin' | 'report';
  keepaliveIntervalS?: number;
  /** 'external': a goose-bridge daemon on this host holds the membership; only count (no join). */
  member?: 'self' | 'external';
}

export async function runRealReceiver(
  opts: RealReceiverOptions,
): Promise<{ result: ScenarioResult; files: IgmpFiles; table: string; inferredTail: number }> {
  const sc = REAL_SCENARIOS[opts.scenario];
  if (sc === undefined) throw new RangeError(`--scenario must be 1..5 in real mode (6 needs the daemon and a link flap), got ${opts.scenario}`);
  const external = opts.member === 'external';
  const keepalive = external ? 'none' : (opts.keepalive ?? sc.keepalive);
  const intervalS = keepalive === 'none' ? null : (opts.keepaliveIntervalS ?? sc.intervalS ?? KEEPALIVE_INTERVAL_TGW_S);
  const ifaddr = interfaceAddress(opts.mcastIf);
  const sendReport = keepalive === 'report' ? sendIgmpV2Report : null;

  const watch = new MembershipWatch(
    (argv, label) => new ManagedProcess(label, 'host', spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] })),
    opts.mcastIf,
    false,
  );
  await watch.ready();
  const receiver = new StreamReceiver({ group: opts.group, port: opts.port, runId: opts.runId });
  const holder = external ? null : new MembershipHolder(opts.group, ifaddr);
  let timer: NodeJS.Timeout | null = null;
  let startUs = 0;
  let endUs = 0;
  let events: Awaited<ReturnType<typeof watch.stop>>;
  // Whatever fails (port in use, join refused), the watchers, sockets and timer are released.
  try {
    await receiver.start();
    startUs = monotonicUs();
    if (holder !== null) {
      await holder.join();
      watch.add({ atUs: monotonicUs(), kind: 'daemon-start', group: opts.group, source: 'holder' });
    }
    if (intervalS !== null) {
      timer = setInterval(() => {
        const atUs = monotonicUs();
        try {
          if (keepalive === 'rejoin') holder?.rejoin();
          else sendReport?.({ ifname: opts.mcastIf, group: opts.group });
          watch.add({ atUs, kind: keepalive === 'rejoin' ? 'keepalive-rejoin' : 'keepalive-report', group: opts.group, source: ifaddr });
        } catch (err) {
          opts.log(`keepalive failed: ${(err as Error).message}`);
        }
      }, intervalS * 1000);
    }
    opts.log(
      `receiving ${opts.group}:${opts.port} on ${opts.mcastIf} (${ifaddr}) for ${opts.durationS} s, scenario ${sc.id}, ` +
        (external ? 'membership held by the goose-bridge daemon on this host' : `keepalive ${keepalive}`) +
        (intervalS !== null ? ` every ${intervalS} s` : ''),
    );
    await sleepInterruptible(opts.durationS * 1000);
    endUs = monotonicUs();
  } finally {
    if (timer) clearInterval(timer);
    await receiver.stop();
    await holder?.close();
    events = await watch.stop();
  }

  const obs = observedStream(receiver.frames(), receiver.senderRateFps, endUs);
  if (obs.sent === 0) opts.log('no frame of the stream arrived: check the sender, the security group (UDP port) and the TGW multicast domain');
  const firstRx = obs.frames.length > 0 ? Math.min(...obs.frames.map((f) => f.rxUs)) : startUs;
  const result = summarizeScenario({
    scenario: sc.id,
    fastLeave: 'tgw',
    timing: unscaledTiming(),
    keepalive: external ? 'daemon-report' : keepalive,
    keepaliveIntervalS: external ? null : intervalS,
    group: opts.group,
    memberAddress: ifaddr,
    streamStartUs: firstRx,
    streamEndUs: endUs,
    sent: obs.sent,
    frames: obs.frames,
    events,
    expectLoss: sc.expectLoss,
    recoverIsTimerDriven: false,
  });
  const files = await writeIgmpCsvs(opts.outDir, [result.row], result.timeline, result.windowRows);
  return { result, files, table: formatIgmpTable([result.row]), inferredTail: obs.inferredTail };
}

/** Sleeps, but ends early on SIGINT/SIGTERM so an operator can stop a long run and keep its CSVs. */
function sleepInterruptible(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(t);
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}
