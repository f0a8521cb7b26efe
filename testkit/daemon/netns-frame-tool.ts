// Test helper process, run inside a host namespace (`ip netns exec NS tsx netns-frame-tool.ts …`)
// because a packet socket lives in the namespace that opens it.
//   inject IFNAME      stdin lines "HEX" or "HEX xCOUNT" → frames sent on IFNAME the way an
//                      application sends them; prints "sent N" after each line
//   capture IFNAME [ETHERTYPE,…|all] [outgoing]   prints one line per received frame: "<rx µs> <hex>"
//   stream IFNAME HEX PERIOD_MS   sends HEX with its last 4 bytes replaced by a counter, forever
//   blast IFNAME HEX COUNT RATE   sends COUNT numbered copies at RATE frames/s (batches each ms), prints "done SENT µs"
// Waits up to 10 s for the interface to appear (the daemon creates the TAP).
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { PacketSocket } from '../../native/index.js';

const [mode, ifname, types, extra] = process.argv.slice(2);
if (!['inject', 'capture', 'stream', 'blast'].includes(mode ?? '') || ifname === undefined) {
  process.stderr.write('usage: netns-frame-tool inject|capture|stream IFNAME …\n');
  process.exit(2);
}
const deadline = Date.now() + 10_000;
while (!existsSync(`/sys/class/net/${ifname}`)) {
  if (Date.now() > deadline) {
    process.stderr.write(`${ifname} did not appear\n`);
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 20));
}
const etherTypes = mode !== 'capture' || types === undefined || types === 'all' ? [] : types.split(',').map((t) => parseInt(t, 16));
const sock = PacketSocket.open(ifname, { etherTypes, includeOutgoing: extra === 'outgoing' });
process.on('SIGTERM', () => {
  sock.close();
  process.exit(0);
});

if (mode === 'capture') {
  sock.start((batch) => {
    let out = '';
    for (let i = 0; i < batch.count; i++) {
      const off = batch.offsets[i]!;
      out += `${batch.rxTimeUs[i]} ${batch.data.subarray(off, off + batch.lengths[i]!).toString('hex')}\n`;
    }
    process.stdout.write(out);
  });
  process.stdout.write('ready\n');
} else if (mode === 'blast') {
  const template = Buffer.from(types ?? '', 'hex');
  const count = Number(extra ?? '0');
  const rate = Number(process.argv[6] ?? '50000');
  const frames = Array.from({ length: 64 }, () => Buffer.from(template));
  const t0 = Number(process.hrtime.bigint() / 1000n);
  let sent = 0;
  let attempted = 0;
  while (attempted < count) {
    const now = Number(process.hrtime.bigint() / 1000n);
    const due = Math.min(count, Math.floor(((now - t0) * rate) / 1e6));
    if (due <= attempted) {
      await new Promise((r) => setImmediate(r));
      continue;
    }
    const n = Math.min(64, due - attempted);
    for (let i = 0; i < n; i++) frames[i]!.writeUInt32BE((attempted + i) >>> 0, template.length - 4);
    sent += sock.sendMany(frames.slice(0, n));
    attempted += n;
  }
  process.stdout.write(`done ${sent} ${Number(process.hrtime.bigint() / 1000n) - t0}\n`);
  sock.close();
  process.exit(0);
} else if (mode === 'stream') {
  const frame = Buffer.from(types ?? '', 'hex');
  const period = Number(extra ?? '1');
  let n = 0;
  let refused = 0;
  process.stdout.write('ready\n');
  setInterval(() => {
    frame.writeUInt32BE(n++ >>> 0, frame.length - 4);
    if (!sock.send(frame)) refused++;
  }, period);
  setInterval(() => process.stderr.write(`stream: ${n} sent, ${refused} refused\n`), 1000);
} else {
  process.stdout.write('ready\n');
  let total = 0;
  for await (const line of createInterface({ input: process.stdin })) {
    const [hex, times] = line.trim().split(/\s+/);
    if (!hex) continue;
    const frame = Buffer.from(hex, 'hex');
    const n = times?.startsWith('x') ? Number(times.slice(1)) : 1;
    for (let i = 0; i < n; i++) if (sock.send(frame)) total++;
    process.stdout.write(`sent ${total}\n`);
  }
  sock.close();
}
