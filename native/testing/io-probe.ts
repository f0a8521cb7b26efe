// Child process for the native tests: runs ONE scenario inside a network namespace (started
// as `ip netns exec NS node --import tsx io-probe.ts SCENARIO PARAMS_JSON`) and prints one
// JSON line with what it observed. The assertions live in the *.test.ts files.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { GbError } from '../../errors/error-codes.js';
import { PacketSocket, TapDevice, frameAt, hasCapNetRaw, sendIgmpV2Leave, sendIgmpV2Report, type FrameBatch } from '../index.js';

const [scenario, paramsJson] = process.argv.slice(2);
const params = JSON.parse(paramsJson ?? '{}') as Record<string, unknown>;

function str(key: string): string {
  const v = params[key];
  if (typeof v !== 'string') throw new Error(`io-probe ${scenario}: param ${key} must be a string, got ${JSON.stringify(v)}`);
  return v;
}

const TEST_FRAME = `010ccd010001026e6174000188b8${'00'.repeat(46)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(pred: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!pred() && Date.now() < end) await sleep(5);
  await sleep(50); // and a little longer, so extra (unexpected) frames would show up too
}

function errorInfo(f: () => unknown): { code?: string; message: string; isGbError: boolean } | null {
  try {
    f();
    return null;
  } catch (e) {
    return { code: (e as GbError).code, message: (e as Error).message, isGbError: e instanceof GbError };
  }
}

/** Frames a handler receives, as hex, keeping only ours (source MAC 02:6e:61:74:00:xx). */
function collector(): { frames: string[]; onBatch: (b: FrameBatch) => void; batchesOk: boolean } {
  const c = {
    frames: [] as string[],
    batchesOk: true,
    onBatch(b: FrameBatch) {
      // The batch's views must agree with each other (one block, frames back to back).
      if (b.offsets.length !== b.count || b.lengths.length !== b.count || b.rxTimeUs.length !== b.count) c.batchesOk = false;
      for (let i = 0; i < b.count; i++) {
        const f = frameAt(b, i);
        if (f.subarray(6, 11).toString('hex') === '026e617400') c.frames.push(f.toString('hex'));
      }
    },
  };
  return c;
}

async function roundtrip(): Promise<unknown> {
  const name = str('tap');
  const frames = (params.frames as string[]).map((h) => Buffer.from(h, 'hex'));
  const tap = TapDevice.create(name);
  const ps = PacketSocket.open(name);
  const psAll = PacketSocket.open(name, { includeOutgoing: true });
  const atPacket = collector();
  const atPacketAll = collector();
  const atTap = collector();
  let rxTimesMonotonic = true;
  let lastRx = 0;
  const before = Number(process.hrtime.bigint() / 1000n);
  ps.start((b) => {
    for (let i = 0; i < b.count; i++) {
      if (b.rxTimeUs[i]! < lastRx) rxTimesMonotonic = false;
      lastRx = b.rxTimeUs[i]!;
    }
    atPacket.onBatch(b);
  });
  psAll.start(atPacketAll.onBatch);
  tap.start(atTap.onBatch);

  const tapWrites = frames.map((f) => tap.write(f));
  await waitFor(() => atPacket.frames.length >= frames.length, 3000);
  const psSends = frames.map((f) => ps.send(f));
  await waitFor(() => atTap.frames.length >= frames.length, 3000);
  const after = Number(process.hrtime.bigint() / 1000n);
  const result = {
    tapWrites,
    psSends,
    atPacket: atPacket.frames,
    atPacketAll: atPacketAll.frames,
    atTap: atTap.frames,
    batchesOk: atPacket.batchesOk && atTap.batchesOk,
    rxTimesMonotonic,
    rxTimeInRange: lastRx >= before && lastRx <= after,
    tapStats: tap.stats(),
    psStats: ps.stats(),
  };
  ps.close();
  psAll.close();
  tap.close();
  return result;
}

async function etherTypeFilter(): Promise<unknown> {
  const name = str('tap');
  const frames = (params.frames as string[]).map((h) => Buffer.from(h, 'hex'));
  const tap = TapDevice.create(name);
  const ps = PacketSocket.open(name, { etherTypes: params.etherTypes as number[] });
  const got = collector();
  ps.start(got.onBatch);
  for (const f of frames) tap.write(f);
  await waitFor(() => false, 300);
  const result = { received: got.frames, stats: ps.stats() };
  ps.close();
  tap.close();
  return result;
}

function tapExists(): unknown {
  return { error: errorInfo(() => TapDevice.create(str('name'))) };
}

function tapTwice(): unknown {
  const first = TapDevice.create(str('name'));
  const error = errorInfo(() => TapDevice.create(str('name')));
  first.close();
  return { error };
}

function closeRemoves(): unknown {
  const name = str('name');
  const tap = TapDevice.create(name);
  tap.start(() => {});
  tap.write(Buffer.from(TEST_FRAME, 'hex'));
  const existedWhileOpen = existsSync(`/sys/class/net/${name}`);
  const operstate = execFileSync('ip', ['-o', 'link', 'show', name], { encoding: 'utf8' });
  tap.close();
  const existsAfterClose = existsSync(`/sys/class/net/${name}`);
  const secondClose = errorInfo(() => tap.close());
  const writeAfterClose = errorInfo(() => tap.write(Buffer.alloc(60)));
  const finalStats = tap.stats();
  return { existedWhileOpen, up: /[<,]UP[,>]/.test(operstate), existsAfterClose, secondClose, writeAfterClose, finalStats };
}

async function readerStopsWhenDeleted(): Promise<unknown> {
  const name = str('name');
  const tap = TapDevice.create(name);
  let error: { code: string; message: string } | undefined;
  tap.start(
    () => {},
    (e) => (error = { code: e.code, message: e.message }),
  );
  execFileSync('ip', ['link', 'del', name]);
  await waitFor(() => error !== undefined, 3000);
  const writeAfterDelete = errorInfo(() => tap.write(Buffer.from(TEST_FRAME, 'hex'))) ?? tap.write(Buffer.from(TEST_FRAME, 'hex'));
  const stats = tap.stats();
  tap.close();
  return { error, fatalErrno: stats.fatalErrno, writeAfterDelete, writeDrops: stats.writeDrops };
}

async function packetReaderStopsWhenDeleted(): Promise<unknown> {
  const name = str('name');
  execFileSync('ip', ['link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}p`]);
  execFileSync('ip', ['link', 'set', name, 'up']);
  const ps = PacketSocket.open(name);
  let error: { code: string; message: string } | undefined;
  ps.start(
    () => {},
    (e) => (error = { code: e.code, message: e.message }),
  );
  execFileSync('ip', ['link', 'del', name]);
  await waitFor(() => error !== undefined, 3000);
  const stats = ps.stats();
  ps.close();
  return { error, fatalErrno: stats.fatalErrno };
}

/** Closes a packet socket from inside its handler while frames keep arriving. */
async function closeUnderLoad(): Promise<unknown> {
  const name = str('tap');
  const tap = TapDevice.create(name);
  const ps = PacketSocket.open(name);
  let batches = 0;
  let callsAfterClose = 0;
  let closed = false;
  ps.start(() => {
    if (closed) callsAfterClose++;
    if (++batches === 3) {
      ps.close();
      closed = true;
    }
  });
  const f = Buffer.from(TEST_FRAME, 'hex');
  const burst = Array.from({ length: 64 }, () => f);
  let written = 0;
  for (let i = 0; i < 400 && !closed; i++) {
    written += tap.writeMany(burst);
    await new Promise((r) => setImmediate(r));
  }
  await sleep(200);
  tap.close();
  return { batches, callsAfterClose, closed, written };
}

/** Terminates workers whose readers are running: the environment cleanup hook must stop them. */
async function workerTerminate(): Promise<unknown> {
  const name = str('tap');
  const existsAfter: boolean[] = [];
  for (let round = 0; round < 3; round++) {
    const w = new Worker(new URL('./reader-worker.mjs', import.meta.url), { workerData: { tap: name } });
    await new Promise<void>((resolve, reject) => {
      w.on('message', (m) => m === 'flowing' && resolve());
      w.on('error', reject);
    });
    await w.terminate();
    existsAfter.push(existsSync(`/sys/class/net/${name}`));
  }
  return { existsAfter };
}

async function igmp(): Promise<unknown> {
  const count = Number(params.count ?? 1);
  const intervalMs = Number(params.intervalMs ?? 0);
  for (let i = 0; i < count; i++) {
    if (i > 0) await sleep(intervalMs);
    if (params.leave) sendIgmpV2Leave({ ifname: str('ifname'), group: str('group') });
    else sendIgmpV2Report({ ifname: str('ifname'), group: str('group') });
  }
  return { sent: count };
}

function igmpErrors(): unknown {
  return {
    badGroup: errorInfo(() => sendIgmpV2Report({ ifname: str('ifname'), group: '10.0.0.1' })),
    noInterface: errorInfo(() => sendIgmpV2Report({ ifname: 'nosuchif0', group: '239.1.2.3' })),
    packetNoInterface: errorInfo(() => PacketSocket.open('nosuchif0')),
  };
}

function unprivileged(): unknown {
  return {
    hasCapNetRaw: hasCapNetRaw(),
    igmp: errorInfo(() => sendIgmpV2Report({ ifname: str('ifname'), group: '239.1.2.3' })),
    packet: errorInfo(() => PacketSocket.open(str('ifname'))),
  };
}

/**
 * A paced run out of a packet socket into a TAP: every frame the TAP gets, with the fields the
 * sender patched (stNum u32 @20, sqNum u32 @24, txUs f64 @28, eventUs f64 @36; source MAC's last
 * octet names the template), plus what sendPaced returned.
 */
async function pacedSend(): Promise<unknown> {
  const name = str('tap');
  const tap = TapDevice.create(name);
  const ps = PacketSocket.open(name);
  const templates = [0, 1, 2].map((t) => Buffer.from(`010ccd010001026e617400${t.toString(16).padStart(2, '0')}88b8${'00'.repeat(86)}`, 'hex'));
  const got: Array<{ template: number; stNum: number; sqNum: number; txUs: number; eventUs: number }> = [];
  tap.start((b) => {
    for (let i = 0; i < b.count; i++) {
      const f = frameAt(b, i);
      if (f.subarray(6, 11).toString('hex') !== '026e617400') continue;
      got.push({ template: f[11]!, stNum: f.readUInt32BE(20), sqNum: f.readUInt32BE(24), txUs: f.readDoubleBE(28), eventUs: f.readDoubleBE(36) });
    }
  });
  const plan = { templates, offStNum: 20, offSqNum: 24, offTxUs: 28, offEventUs: 36, rateFps: Number(params.rateFps), total: Number(params.total), seqStart: 7, slice: 3, startUs: Number(process.hrtime.bigint() / 1000n) + 5000 };
  const r = await ps.sendPaced(plan);
  await waitFor(() => got.length >= r.offered, 3000);
  const rejected = errorInfo(() => ps.sendPaced({ ...plan, offTxUs: 200 }));
  tap.close();
  ps.close();
  return { plan: { ...plan, templates: templates.length }, offered: r.offered, refused: r.refused, endUs: r.endUs, lagUs: [...r.lagUs], got, rejected };
}

const scenarios: Record<string, () => unknown> = {
  'paced-send': pacedSend,
  roundtrip,
  'ethertype-filter': etherTypeFilter,
  'tap-exists': tapExists,
  'tap-twice': tapTwice,
  'close-removes': closeRemoves,
  'reader-stops-when-deleted': readerStopsWhenDeleted,
  'close-under-load': closeUnderLoad,
  'worker-terminate': workerTerminate,
  'packet-reader-stops-when-deleted': packetReaderStopsWhenDeleted,
  igmp,
  'igmp-errors': igmpErrors,
  unprivileged,
};

const run = scenarios[scenario ?? ''];
if (!run) throw new Error(`io-probe: unknown scenario '${scenario}' (known: ${Object.keys(scenarios).join(', ')})`);
const result = await run();
process.stdout.write(JSON.stringify(result) + '\n');
