// Rough figures for the daemon's hot paths on this machine (not a test; the suites measure
// properly). Run as root:  tsx suites/daemon/daemon-throughput.bench.ts MODE [rate] [count]
//   both: host A's application blasts numbered GOOSE frames into goose0 at `rate`; A's daemon
//         forwards, B's daemon writes them into B's goose0 (both directions of the chain).
//   tx:   only host A's daemon (TAP → filter → encapsulate → send); B joins with a plain socket
//         that counts datagrams.
//   rx:   only host B's daemon (receive → verify → TAP write); host A sends GB1 datagrams from a
//         plain UDP socket at `rate`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topology, sleep } from '../../testkit/topology/index.js';
import { DaemonUnderTest, FRAME_TOOL, TSX } from '../../testkit/daemon/bridge-under-test.js';
import { gooseTestFrame } from '../../testkit/frames/goose-test-frames.js';
import type { StatsSnapshot } from '../../bridge/daemon/bridge-counters.js';

const mode = process.argv[2] ?? 'both';
const rate = Number(process.argv[3] ?? '50000');
const count = Number(process.argv[4] ?? '500000');
const GROUP = '224.0.1.100';
const dir = mkdtempSync(join(tmpdir(), 'gb-bench-'));
const topo = await Topology.create({ hosts: 2, scale: 60 });
const nonZero = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v > 0));
/** Host B's daemon: what it received from the WAN and wrote into goose0, against the frames offered. */
const receiverFigures = (sb: StatsSnapshot) => ({
  b_datagrams_received: sb.from_wan.datagrams_received,
  b_frames_written: sb.from_wan.frames_written,
  b_gap_frames: sb.from_wan.gap_frames,
  b_drops: nonZero(sb.from_wan.drops),
  delivered_pct: +((100 * sb.from_wan.frames_written) / count).toFixed(2),
});
try {
  const [a, b] = [topo.host(1), topo.host(2)];
  await topo.waitUntilForwarding();
  const frame = gooseTestFrame({ n: 0, totalLength: 200 });
  const result: Record<string, unknown> = { mode, target_rate: rate, frames_offered: count, frame_bytes: frame.length };
  if (mode === 'both' || mode === 'tx') {
    const da = DaemonUnderTest.spawn(topo, a, join(dir, 'a.json'));
    const db = mode === 'both' ? DaemonUnderTest.spawn(topo, b, join(dir, 'b.json')) : null;
    const counter = mode === 'tx'
      ? topo.spawn(b.ns, [process.execPath, '-e', `const s=require('dgram').createSocket({type:'udp4',reuseAddr:true,recvBufferSize:8<<20});let n=0;s.on('message',()=>n++);s.bind(61850,'${GROUP}',()=>s.addMembership('${GROUP}','${b.address}'));process.on('SIGTERM',()=>{console.log(n);process.exit(0)});`], 'counter')
      : null;
    await Promise.all([da.started(), db?.started()]);
    await topo.waitForMembers(GROUP, [b.tgwPort]);
    const out = await topo.exec(a.ns, [TSX, FRAME_TOOL, 'blast', 'goose0', frame.toString('hex'), String(count), String(rate)], { timeoutMs: 600_000 });
    const [, sent, us] = out.trim().split('\n').at(-1)!.split(' ');
    await sleep(1500);
    const sa = da.stats();
    Object.assign(result, {
      offered_rate: Math.round(Number(sent) / (Number(us) / 1e6)),
      a_tap_frames_read: sa.to_wan.frames_read,
      a_datagrams_sent: sa.to_wan.datagrams_sent,
      a_drops: nonZero(sa.to_wan.drops),
    });
    if (db) {
      Object.assign(result, receiverFigures(db.stats()));
    }
    if (counter) {
      await counter.stop(2000);
      result.b_plain_socket_received = Number(counter.stdout.trim());
      result.delivered_pct = +((100 * Number(counter.stdout.trim())) / count).toFixed(2);
    }
  } else {
    const db = DaemonUnderTest.spawn(topo, b, join(dir, 'b.json'));
    await db.started();
    await topo.waitForMembers(GROUP, [b.tgwPort]);
    const dgram = Buffer.concat([Buffer.from('47420100' + '1122334455667788' + '00000000', 'hex'), frame]);
    const out = await topo.exec(a.ns, [process.execPath, '-e', `
      const s=require('dgram').createSocket({type:'udp4',sendBufferSize:8<<20});
      const d=Buffer.from('${dgram.toString('hex')}','hex');
      s.bind(0,'${a.address}',()=>{s.setMulticastInterface('${a.address}');s.setMulticastTTL(8);s.connect(61850,'${GROUP}',async()=>{
        const t0=process.hrtime.bigint();let n=0;
        while(n<${count}){const due=Math.min(${count},Math.floor(Number(process.hrtime.bigint()-t0)/1e9*${rate}));
          if(due<=n){await new Promise(r=>setImmediate(r));continue;}
          while(n<due){d.writeUInt32BE(n>>>0,12);s.send(d);n++;}}
        console.log(n, Number(process.hrtime.bigint()-t0)/1000);setTimeout(()=>process.exit(0),200);});});`], { timeoutMs: 600_000 });
    const [sent, us] = out.trim().split(' ');
    await sleep(1500);
    Object.assign(result, { offered_rate: Math.round(Number(sent) / (Number(us) / 1e6)), ...receiverFigures(db.stats()) });
  }
  console.log(JSON.stringify(result));
} finally {
  await topo.destroy();
  rmSync(dir, { recursive: true, force: true });
}
