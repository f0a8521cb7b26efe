// Test helper: sends UDP payloads (hex arguments, in order, 2 ms apart) to GROUP:PORT out of
// the interface holding LOCAL_ADDRESS, TTL 8. Run inside a host namespace. FLOOD=N sends the
// payloads N times back to back instead (a flood). FILE=path sends the datagrams of a file (each a
// u16 big-endian length, then that many bytes; zero-length ones included) in order, paced at about
// 20,000 per second so that the receiver's socket buffer never overflows.
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';

const [group, port, local, ...hex] = process.argv.slice(2);
if (group === undefined || port === undefined || local === undefined) {
  process.stderr.write('usage: udp-send-tool GROUP PORT LOCAL_ADDRESS HEX…\n');
  process.exit(2);
}
const s = createSocket('udp4');
await new Promise<void>((r) => s.bind(0, local, () => r()));
s.setMulticastInterface(local);
s.setMulticastTTL(8);
const flood = Number(process.env.FLOOD ?? '0');
for (let i = 0; i < flood; i++) {
  for (const h of hex) s.send(Buffer.from(h, 'hex'), Number(port), group);
  if (i % 64 === 63) await new Promise((r) => setImmediate(r));
}
if (process.env.FILE !== undefined) {
  const bytes = readFileSync(process.env.FILE);
  let n = 0;
  for (let at = 0; at < bytes.length; n++) {
    const len = bytes.readUInt16BE(at);
    const d = bytes.subarray(at + 2, at + 2 + len);
    at += 2 + len;
    await new Promise<void>((resolve, reject) => s.send(d, Number(port), group, (err) => (err ? reject(err) : resolve())));
    if (n % 100 === 99) await new Promise((r) => setTimeout(r, 5));
  }
}
for (const h of flood > 0 ? [] : hex) {
  await new Promise<void>((resolve, reject) => s.send(Buffer.from(h, 'hex'), Number(port), group, (err) => (err ? reject(err) : resolve())));
  await new Promise((r) => setTimeout(r, 2));
}
s.close();
