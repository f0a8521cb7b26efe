// Runs one scenario plan on a fresh harness topology: h1 sends the numbered stream, h2 is the
// member (its membership held by a holder process or the daemon, queries optionally dropped by a
// security-group table), the stand-in's port is watched, and the result is summarised.
import { Topology } from '../../testkit/topology/topology.js';
import { securityGroupDropQueriesTable } from '../../testkit/topology/nft-rules.js';
import { run, sleep } from '../../testkit/topology/exec.js';
import * as cmd from '../../testkit/topology/commands.js';
import { summarizeScenario, type ScenarioResult } from './igmp-results.js';
import type { ReceivedFrame } from './loss-windows.js';
import type { MembershipEvent, MembershipEventKind } from './membership-events.js';
import { MembershipWatch } from './membership-watch.js';
import { monotonicUs } from './numbered-stream.js';
import {
  KEEPALIVE_INTERVAL_TGW_S,
  MONITOR_INTERVAL_TGW_S,
  MONITOR_THRESHOLD,
  keepaliveLabel,
  type MembershipHolderKind,
  type ScenarioPlan,
} from './scenario-plan.js';
import { igmpTiming, roundS } from './scenario-timing.js';
import type { ManagedProcess } from '../../testkit/topology/managed-process.js';
import { tmpdir } from 'node:os';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StreamWorker, REPO_ROOT, workerArgv, type WorkerMessage } from './stream-worker-process.js';

/** Whoever holds the member's membership: stopped at the end (and restarted in scenario 6). */
interface Holder {
  stop(): Promise<void>;
}

const DAEMON_EVENTS: Record<string, MembershipEventKind> = {
  'igmp-check-failed': 'monitor-check-failed',
  'igmp-reregister': 'monitor-reregister',
};

/**
 * The goose-bridge daemon as the member: it owns a TAP in the member's namespace, joins the
 * group on the uplink, and runs the plan's keepalive strategy and its membership monitor with
 * intervals scaled like the stand-in's. Its JSON log lines give the keepalive and monitor events.
 */
async function startDaemon(
  plan: ScenarioPlan,
  scale: number,
  opts: RunScenarioOptions,
  member: { uplink: string; address: string; ns: string },
  spawn: (argv: readonly string[], label: string) => ManagedProcess,
  note: (kind: MembershipEventKind, source: string, atUs?: number) => void,
): Promise<Holder> {
  const wall = (tgwS: number): string => String(roundS(tgwS / scale));
  const statsFile = join(tmpdir(), `goose-bridge-igmp-${process.pid}-${member.ns}.json`);
  const args = [
    'run', '--interface', 'gbig0', '--group', opts.group, '--port', String(opts.port), '--mcast-if', member.uplink,
    '--stats-file', statsFile, '--log-format', 'json',
    // The suite's receiver is a socket beside the daemon on the member host; the kernel tier would
    // take the stream's GB1 datagrams off the uplink before any socket sees them.
    '--data-plane', 'user',
    plan.keepalive === 'none' ? '--no-enable-igmp-keepalive' : '--enable-igmp-keepalive',
    '--keepalive-strategy', plan.keepalive === 'rejoin' ? 'rejoin' : 'report',
    '--igmp-keepalive-interval', plan.keepaliveIntervalS !== null ? String(plan.keepaliveIntervalS) : wall(KEEPALIVE_INTERVAL_TGW_S),
    '--igmp-monitor-interval', wall(MONITOR_INTERVAL_TGW_S),
    '--igmp-reregister-threshold', String(MONITOR_THRESHOLD),
  ];
  const p = spawn([process.execPath, join(REPO_ROOT, 'bin', 'goose-bridge.js'), ...args], 'goose-bridge daemon');
  let started = false;
  // The daemon logs (pino, JSON) to stderr; stdout is read too in case that changes.
  const onLog = (stream: NodeJS.ReadableStream | null): void => {
    let buf = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (d: string) => {
      const at = monotonicUs();
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        onLine(line, at);
      }
    });
  };
  const onLine = (line: string, at: number): void => {
    {
      let rec: { event?: string; strategy?: string; msg?: string };
      try {
        rec = JSON.parse(line) as typeof rec;
      } catch {
        return;
      }
      if (rec.event === 'started') started = true;
      else if (rec.event === 'stopped') {
        const r = rec as Record<string, unknown>;
        opts.log(`goose-bridge stopped: ${r.wanDatagramsReceived} datagrams received, ${r.l2FramesWritten} frames written into its TAP`);
      }
      else if (rec.event === 'igmp-keepalive') note(rec.strategy === 'rejoin' ? 'keepalive-rejoin' : 'keepalive-report', member.address, at);
      else if (rec.event === 'keepalive-fallback' || rec.event === 'igmp-keepalive-failed') opts.log(`goose-bridge: ${rec.msg ?? rec.event}`);
      const k = rec.event === undefined ? undefined : DAEMON_EVENTS[rec.event];
      if (k !== undefined) note(k, 'goose-bridge', at);
    }
  };
  onLog(p.child.stdout);
  onLog(p.child.stderr);
  const deadline = Date.now() + 20_000;
  while (!started) {
    if (!p.running) throw new Error(`goose-bridge daemon exited during start-up: ${p.describe()}`);
    if (Date.now() > deadline) throw new Error(`goose-bridge daemon did not log "started" within 20 s: ${p.describe()}`);
    await sleep(20);
  }
  return {
    stop: async () => {
      await p.stop(5000);
      // IGMP_KEEP_STATS=1 leaves the daemon's stats file in the temp dir for inspection.
      if (!process.env.IGMP_KEEP_STATS) await rm(statsFile, { force: true });
    },
  };
}

export interface RunScenarioOptions {
  scale: number;
  fastLeave: boolean;
  group: string;
  port: number;
  rateFps: number;
  holder: MembershipHolderKind;
  log: (line: string) => void;
}

const WORKER_EVENTS: Record<string, MembershipEventKind> = {
  'keepalive-rejoin': 'keepalive-rejoin',
  'keepalive-report': 'keepalive-report',
};

/** The kernel's setting is read back so a silently ignored flag cannot pass for a measured mode. */
export async function setFastLeave(tgwNs: string, port: string, on: boolean): Promise<void> {
  await run(cmd.setFastLeave(tgwNs, port, on));
  const shown = JSON.parse(await run(['bridge', '-n', tgwNs, '-d', '-j', 'link', 'show', 'dev', port])) as Array<{ fastleave?: boolean }>;
  if (shown[0]?.fastleave !== on) throw new Error(`stand-in port ${port}: fastleave is ${String(shown[0]?.fastleave)}, wanted ${on}`);
}

export async function runScenario(plan: ScenarioPlan, opts: RunScenarioOptions): Promise<ScenarioResult> {
  const timing = igmpTiming(opts.scale);
  // Fast leave is set (and read back) here rather than through Topology's option.
  const topo = await Topology.create({ hosts: 2, scale: opts.scale, fastLeave: false, log: opts.log });
  try {
    const sender = topo.host(1);
    const member = topo.host(2);
    await setFastLeave(topo.tgwNs, member.tgwPort, opts.fastLeave);
    const runId = (Math.random() * 0xffffffff) >>> 0;
    const spawnIn = (ns: string) => (argv: readonly string[], label: string) =>
      topo.spawn(ns, argv, label, { stdio: ['pipe', 'pipe', 'pipe'], keepStdout: false, cwd: REPO_ROOT });

    if (plan.blockQueries) await topo.applyNft(member.ns, securityGroupDropQueriesTable());
    const watch = new MembershipWatch(spawnIn(topo.tgwNs), member.tgwPort, true);
    await watch.ready();
    await topo.waitUntilForwarding();

    const note = (kind: MembershipEventKind, source: string, atUs = monotonicUs()): void =>
      watch.add({ atUs, kind, group: opts.group, source });
    const fromWorker = (m: WorkerMessage): void => {
      const kind = WORKER_EVENTS[m.ev];
      if (kind !== undefined && typeof m.atUs === 'number') note(kind, member.address, m.atUs);
      if (m.ev === 'error') opts.log(`member: ${String(m.message)}`);
    };

    const receiver = new StreamWorker(
      spawnIn(member.ns)(workerArgv('receive', { group: opts.group, port: opts.port, 'run-id': runId }), 'igmp receiver'),
    );
    await receiver.waitFor('ready');

    const startHolder = async (): Promise<Holder> => {
      note('daemon-start', opts.holder === 'daemon' ? 'goose-bridge' : 'holder');
      if (opts.holder === 'daemon') return startDaemon(plan, timing.scale, opts, member, spawnIn(member.ns), note);
      const args: Record<string, string | number> = {
        group: opts.group, ifaddr: member.address, ifname: member.uplink, keepalive: plan.keepalive,
      };
      if (plan.keepaliveIntervalS !== null) args['keepalive-interval-ms'] = Math.round(plan.keepaliveIntervalS * 1000);
      const w = new StreamWorker(spawnIn(member.ns)(workerArgv('hold', args), 'igmp membership holder'), fromWorker);
      await w.waitFor('joined');
      return { stop: async () => void (await w.stop()) };
    };
    let holder = await startHolder();
    await topo.waitForMembers(opts.group, [member.tgwPort]);

    const tx = new StreamWorker(
      spawnIn(sender.ns)(
        workerArgv('send', { group: opts.group, port: opts.port, ifaddr: sender.address, rate: opts.rateFps, 'run-id': runId }),
        'igmp sender',
      ),
    );
    await tx.waitFor('started');
    opts.log(`scenario ${plan.id} fast-leave ${opts.fastLeave ? 'on' : 'off'}: streaming ${plan.durationS} s at ${opts.rateFps} frames/s`);
    await sleep(plan.durationS * 1000);

    let recoverFromUs: number | undefined;
    if (plan.event !== null) {
      const firstFrameAfter = async (fromUs: number, timeoutMs: number): Promise<void> => {
        receiver.command(`arrival-after ${Math.round(fromUs)}`);
        try {
          await receiver.waitFor('arrival', timeoutMs);
        } catch {
          opts.log(`scenario ${plan.id}: no frame within ${timeoutMs} ms after the event`);
        }
        // Keep streaming a little so the recovered flow is on the timeline too.
        await sleep(Math.max(300, plan.durationS * 250));
      };
      if (plan.event === 'daemon-restart') {
        note('daemon-stop', opts.holder === 'daemon' ? 'goose-bridge' : 'holder');
        await holder.stop();
        recoverFromUs = monotonicUs();
        holder = await startHolder();
      } else {
        note('uplink-down', member.uplink);
        await run(['ip', '-n', member.ns, 'link', 'set', member.uplink, 'down']);
        await sleep(Math.max(200, timing.queryIntervalS * 200));
        await run(['ip', '-n', member.ns, 'link', 'set', member.uplink, 'up']);
        recoverFromUs = monotonicUs();
        note('uplink-up', member.uplink, recoverFromUs);
      }
      await firstFrameAfter(recoverFromUs, Math.max(10_000, timing.membershipTimeoutS * 1000));
    }

    const sent = await tx.stop();
    await sleep(100); // datagrams in flight
    const got = await receiver.stop();
    await holder.stop();
    const events: MembershipEvent[] = await watch.stop();

    const flat = (got.frames as number[] | undefined) ?? [];
    const frames: ReceivedFrame[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) frames.push({ seq: flat[i]!, rxUs: flat[i + 1]!, sentUs: flat[i + 2]! });
    const firstSentUs = Number(sent.firstSentUs);
    const lastSentUs = Number(sent.lastSentUs);
    const result = summarizeScenario({
      scenario: plan.id,
      fastLeave: opts.fastLeave,
      timing,
      keepalive: keepaliveLabel(plan, opts.holder),
      keepaliveIntervalS: plan.keepaliveIntervalS,
      group: opts.group,
      memberAddress: member.address,
      streamStartUs: firstSentUs,
      streamEndUs: lastSentUs,
      sent: Number(sent.sent),
      frames,
      events,
      expectLoss: plan.expectLoss,
      recoverIsTimerDriven: plan.recoverIsTimerDriven,
      ...(recoverFromUs !== undefined ? { recoverFromUs } : {}),
    });
    const r = result.row;
    opts.log(
      `scenario ${plan.id} fast-leave ${r.fast_leave}: sent ${r.frames_sent} received ${r.frames_received} lost ${r.frames_lost} ` +
        `in ${r.loss_windows} window(s)` +
        (result.wall.timeToLossS !== null ? `, loss ${result.wall.timeToLossS} s after the last report` : '') +
        (result.wall.timeToRecoverS !== null ? `, recovered in ${result.wall.timeToRecoverS} s` : '') +
        ` (wall clock; send errors ${Number(sent.sendErrors)}, foreign datagrams ${Number(got.foreign)})`,
    );
    return result;
  } finally {
    await topo.destroy();
  }
}
