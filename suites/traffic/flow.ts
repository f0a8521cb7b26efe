// Runs one measured flow on a topology: receivers on the destination hosts, then the sender on
// the source host, then collects every side's JSON. The processes are the lean traffic endpoints
// of traffic-cli.ts, started inside the host namespaces.
import { fileURLToPath } from 'node:url';
import * as hdr from 'hdr-histogram-js';
import type { Topology, ManagedProcess } from '../../testkit/topology/index.js';
import { sleep } from '../../testkit/topology/index.js';

const SCRIPT = fileURLToPath(new URL('./traffic-cli.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface ConstantSenderResult {
  mode: 'constant';
  /** Frames scheduled and offered once each (refused ones included: they count as lost). */
  offered: number;
  /** Frames the sender's kernel refused (not retried). */
  refused: number;
  rateFps: number;
  achievedFps: number;
  durationS: number;
  /** When the first frame was due and when the last was sent, CLOCK_MONOTONIC µs (the machine-CPU windows). */
  startUs: number;
  endUs: number;
  /** HdrHistogram (compressed base64) of actual − scheduled send time, µs, one sample per frame. */
  lagHistogram: string;
}
export interface GooseSenderResult {
  mode: 'goose';
  sent: number;
  refused: number;
  retransmissionLateP50Us: number;
  retransmissionLateP99Us: number;
  durationS: number;
  publishers: Array<{ publisher: number; states: number; countedStates: number }>;
}
export interface ReceiverResult {
  mode: 'recv';
  received: number;
  distinct: number;
  duplicates: number;
  outOfOrder: number;
  foreign: number;
  kernelDrops: number;
  firstRxUs: number;
  lastRxUs: number;
  histogram: string;
  /** Constant mode: per slice (the sender's --slice), actual and scheduled send → receive. */
  slices: Array<{ slice: number; distinct: number; histogram: string; schedHistogram: string }>;
  firstDeliveries: Array<[number, number, number]>;
  /** GOOSE mode: per frame index in a state (sqNum), state change → arrival, µs (HdrHistogram, base64). */
  frameDelays: Array<{ sq: number; histogram: string }>;
}

export function trafficArgv(args: readonly string[]): string[] {
  return [process.execPath, '--import', 'tsx', SCRIPT, ...args];
}

function parseLastJson<T>(p: ManagedProcess): T {
  const lines = p.stdout.trim().split('\n');
  const last = lines[lines.length - 1];
  if (!last) throw new Error(`${p.describe()}: printed no result`);
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(`${p.describe()}: result is not JSON: ${last.slice(0, 200)}`);
  }
}

/** Generous: a node + tsx start-up on a machine shared by many jobs has taken over 20 s. */
function waitReady(p: ManagedProcess, timeoutMs = 90_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${p.describe()}: not ready within ${timeoutMs} ms`)), timeoutMs);
    const onData = (d: Buffer | string): void => {
      buf += String(d);
      if (buf.includes('ready\n')) {
        clearTimeout(timer);
        p.child.stderr?.off('data', onData);
        resolve();
      }
    };
    p.child.stderr?.on('data', onData);
    void p.exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${p.describe()}: exited before ready`));
    });
  });
}

export interface FlowSpec {
  topology: Topology;
  ifname: string;
  from: number;
  to: readonly number[];
  size: number;
  /** Sender arguments after `--interface`/`--size` (mode-specific). */
  sender: { mode: 'send-constant'; rate: number; duration: number; publishers: number; slice?: number } | {
    mode: 'send-goose';
    duration: number;
    publishers: number;
    eventIntervalMs: number;
    t1Ms: number;
    t0Ms: number;
    windowMs: number;
    seed: number;
  };
  /** Hook called once every receiver is listening and before the sender starts. */
  beforeSend?: () => Promise<void>;
  settleMs?: number;
}

export interface FlowResult<S> {
  sender: S;
  receivers: Map<number, ReceiverResult>;
}

/** Starts the receivers of a flow and waits until each listens. */
export async function startReceivers(spec: FlowSpec): Promise<Map<number, ManagedProcess>> {
  const topo = spec.topology;
  const receivers = new Map<number, ManagedProcess>();
  try {
    for (const h of spec.to) {
      const args = ['recv', '--interface', spec.ifname, '--size', String(spec.size)];
      if (spec.sender.mode === 'send-goose') args.push('--first-deliveries');
      receivers.set(h, topo.spawn(topo.host(h).ns, trafficArgv(args), `receiver h${h}`, { cwd: REPO }));
    }
    await Promise.all([...receivers.values()].map((p) => waitReady(p)));
    return receivers;
  } catch (err) {
    for (const p of receivers.values()) await p.stop(1000);
    throw err;
  }
}

/** Runs the flow's sender to completion. `seqStart` lets several senders feed one receiver. */
export async function runSender<S extends ConstantSenderResult | GooseSenderResult>(spec: FlowSpec, seqStart = 0): Promise<S> {
  const topo = spec.topology;
  const s = spec.sender;
  const sargs =
    s.mode === 'send-constant'
      ? ['send-constant', '--rate', String(s.rate), '--duration', String(s.duration), '--publishers', String(s.publishers), '--seq-start', String(seqStart), '--slice', String(s.slice ?? 1)]
      : [
          'send-goose', '--duration', String(s.duration), '--publishers', String(s.publishers),
          '--event-interval-ms', String(s.eventIntervalMs), '--t1-ms', String(s.t1Ms), '--t0-ms', String(s.t0Ms),
          '--window-ms', String(s.windowMs), '--seed', String(s.seed),
        ];
  const sender = topo.spawn(
    topo.host(spec.from).ns,
    trafficArgv([...sargs, '--interface', spec.ifname, '--size', String(spec.size)]),
    `sender h${spec.from}`,
    { cwd: REPO },
  );
  const exit = await sender.exited;
  if (exit.code !== 0) throw new Error(`${sender.describe()}`);
  return parseLastJson<S>(sender);
}

/** A constant-rate sender kept running between slices (`send-constant --serve`). */
export interface SliceSender {
  /** Sends one slice: `durationS` at the spec's rate, frames numbered from seqStart, stNum = slice. */
  runSlice(slice: number, seqStart: number, durationS: number): Promise<ConstantSenderResult>;
  stop(): Promise<void>;
}

export async function startSliceSender(spec: FlowSpec): Promise<SliceSender> {
  const s = spec.sender;
  if (s.mode !== 'send-constant') throw new Error('startSliceSender: a constant-rate flow is needed');
  const topo = spec.topology;
  const p = topo.spawn(
    topo.host(spec.from).ns,
    trafficArgv([
      'send-constant', '--serve', '--rate', String(s.rate), '--duration', String(s.duration), '--publishers', String(s.publishers),
      '--interface', spec.ifname, '--size', String(spec.size),
    ]),
    `slice sender h${spec.from}`,
    { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  await waitReady(p);
  let buf = '';
  const waiting: Array<(line: string) => void> = [];
  p.child.stdout?.on('data', (d: Buffer | string) => {
    buf += String(d);
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      waiting.shift()?.(line);
    }
  });
  return {
    runSlice: (slice, seqStart, durationS) =>
      new Promise<ConstantSenderResult>((resolve, reject) => {
        const onExit = (): void => reject(new Error(`${p.describe()}: exited during slice ${slice}`));
        void p.exited.then(onExit);
        waiting.push((line) => {
          try {
            resolve(JSON.parse(line) as ConstantSenderResult);
          } catch {
            reject(new Error(`${p.describe()}: result is not JSON: ${line.slice(0, 200)}`));
          }
        });
        p.child.stdin?.write(`${slice} ${seqStart} ${durationS}\n`);
      }),
    stop: async () => {
      p.child.stdin?.end();
      await p.stop(3000);
    },
  };
}

/** Stops the receivers (they print their result on SIGTERM) and parses what they report. */
export async function collectReceivers(receivers: Map<number, ManagedProcess>): Promise<Map<number, ReceiverResult>> {
  const results = new Map<number, ReceiverResult>();
  try {
    for (const [h, p] of receivers) {
      await p.stop(5000);
      results.set(h, parseLastJson<ReceiverResult>(p));
    }
  } finally {
    for (const p of receivers.values()) if (p.running) await p.stop(1000);
  }
  return results;
}

export async function runFlow<S extends ConstantSenderResult | GooseSenderResult>(spec: FlowSpec): Promise<FlowResult<S>> {
  const receivers = await startReceivers(spec);
  try {
    if (spec.beforeSend) await spec.beforeSend();
    const sender = await runSender<S>(spec);
    await sleep(spec.settleMs ?? 300);
    return { sender, receivers: await collectReceivers(receivers) };
  } finally {
    for (const p of receivers.values()) if (p.running) await p.stop(1000);
  }
}

export function decodeHistogram(b64: string): hdr.Histogram {
  return hdr.decodeFromCompressedBase64(b64);
}
