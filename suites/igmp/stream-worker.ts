// Child process run inside a host namespace (`ip netns exec NS node --import tsx stream-worker.ts`):
// one end of the numbered stream, optionally holding the membership and driving a keepalive.
// Talks JSON lines: commands on stdin ("stop", "rejoin", "report", "arrival-after <µs>"), events on stdout.
//   send    --group G --port P --ifaddr A --rate R --run-id N [--ttl T]
//   receive --group G --port P --run-id N      (counts; joins nothing)
//   hold    --group G --ifaddr A --ifname I [--keepalive none|rejoin|report --keepalive-interval-ms MS]
// The membership holder is a process of its own so it can be restarted (scenario 6) while the
// receiver keeps counting, and so the daemon can take its place.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { MembershipHolder, StreamReceiver, StreamSender, monotonicUs } from './numbered-stream.js';
import { sendIgmpV2Report } from '../../native/index.js';

function emit(obj: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

function num(v: string | undefined, name: string): number {
  const n = Number(v);
  if (v === undefined || !Number.isFinite(n)) throw new RangeError(`--${name} must be a number, got ${JSON.stringify(v)}`);
  return n;
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      group: { type: 'string' },
      port: { type: 'string' },
      ifaddr: { type: 'string' },
      ifname: { type: 'string' },
      rate: { type: 'string' },
      ttl: { type: 'string' },
      'run-id': { type: 'string' },
      keepalive: { type: 'string', default: 'none' },
      'keepalive-interval-ms': { type: 'string' },
    },
  });
  const mode = positionals[0];
  const group = values.group ?? '';
  const commands = createInterface({ input: process.stdin });
  const stopped = new Promise<void>((resolve) => {
    commands.on('close', resolve);
    commands.on('line', (l) => {
      if (l.trim() === 'stop') resolve();
    });
  });

  if (mode === 'send') {
    const sender = new StreamSender({
      group,
      port: num(values.port, 'port'),
      ifaddr: values.ifaddr ?? '',
      rateFps: num(values.rate, 'rate'),
      runId: num(values['run-id'], 'run-id'),
      ...(values.ttl !== undefined ? { ttl: num(values.ttl, 'ttl') } : {}),
    });
    await sender.start();
    emit({ ev: 'started', atUs: monotonicUs() });
    await stopped;
    emit({ ev: 'result', ...(await sender.stop()) });
    return;
  }

  if (mode === 'receive') {
    const receiver = new StreamReceiver({ group, port: num(values.port, 'port'), runId: num(values['run-id'], 'run-id') });
    await receiver.start();
    // "arrival-after <µs>": report the first frame at or after that instant (recovery detection).
    commands.on('line', (l) => {
      const m = /^arrival-after (\d+)$/.exec(l.trim());
      if (m !== null) receiver.onFirstArrivalAfter(Number(m[1]), (atUs) => emit({ ev: 'arrival', atUs }));
    });
    emit({ ev: 'ready', atUs: monotonicUs() });
    await stopped;
    await receiver.stop();
    const frames = receiver.frames();
    // seq, arrival, send time per frame (one machine: one clock).
    const flat: number[] = new Array(frames.length * 3);
    frames.forEach((f, i) => {
      flat[3 * i] = f.seq;
      flat[3 * i + 1] = f.rxUs;
      flat[3 * i + 2] = f.sentUs ?? -1;
    });
    emit({ ev: 'result', foreign: receiver.foreign, frames: flat });
    return;
  }

  if (mode !== 'hold') throw new RangeError(`mode must be send, receive or hold, got ${JSON.stringify(mode)}`);
  const k = values.keepalive;
  if (k !== 'none' && k !== 'rejoin' && k !== 'report') {
    throw new RangeError(`--keepalive must be none, rejoin or report, got ${JSON.stringify(k)}`);
  }
  const ifname = values.ifname ?? '';
  // The report keepalive needs a raw IPPROTO_IGMP socket (Router Alert, TTL 1, TOS 0xc0), which
  // node:dgram cannot open: the native addon sends it (its binary loads on first use).
  const sendReport = k === 'report' ? sendIgmpV2Report : null;
  const holder = new MembershipHolder(group, values.ifaddr ?? '');
  const keepalive = (kind: 'rejoin' | 'report'): void => {
    const atUs = monotonicUs();
    try {
      if (kind === 'rejoin') holder.rejoin();
      else (sendReport ?? (() => {
        throw new Error('report keepalive not loaded (start with --keepalive report)');
      }))({ ifname, group });
      emit({ ev: `keepalive-${kind}`, atUs });
    } catch (err) {
      emit({ ev: 'error', atUs, message: (err as Error).message });
    }
  };
  await holder.join();
  emit({ ev: 'joined', atUs: monotonicUs() });
  const timer = k === 'none' ? null : setInterval(() => keepalive(k), num(values['keepalive-interval-ms'], 'keepalive-interval-ms'));
  commands.on('line', (l) => {
    const c = l.trim();
    if (c === 'rejoin' || c === 'report') keepalive(c);
  });
  await stopped;
  if (timer) clearInterval(timer);
  await holder.close();
  emit({ ev: 'result' });
}

// Exit only once stdout is drained: the result line can be hundreds of kB, and process.exit()
// would cut an asynchronous pipe write short.
main().then(
  () => process.stdout.write('', () => process.exit(0)),
  (err: unknown) => {
    process.stderr.write(`stream-worker: ${(err as Error).message}\n`);
    process.exit(2);
  },
);
