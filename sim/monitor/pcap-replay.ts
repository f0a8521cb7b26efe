// The scale benchmark's generator: replays a capture onto an interface through a packet socket,
// paced by the capture's own timestamps (every millisecond, the frames due by then go out in one
// sendmmsg batch), as many IEDs would. Run inside the benchmark's namespace:
//   tsx sim/monitor/pcap-replay.ts IFNAME FILE.pcap [START_FILE]
// With START_FILE it loads the capture, says `loaded` on stderr and starts once that file exists
// (loading a large capture on a busy machine takes seconds a subscriber's --duration must not
// spend; a file, as a signal would reach `ip netns exec`, not this process).
// Prints `sent N refused M in S s` on stdout when done.
import { existsSync } from 'node:fs';
import { readCapture } from '../../bridge/pcap/index.js';
import { PacketSocket } from '../../native/index.js';

const [ifname, file, startFile] = process.argv.slice(2);
if (!ifname || !file) throw new Error('usage: pcap-replay IFNAME FILE.pcap');
const frames = (await readCapture(file)).frames;
const socket = PacketSocket.open(ifname);
if (startFile) {
  process.stderr.write('loaded\n');
  while (!existsSync(startFile)) await new Promise((r) => setTimeout(r, 1));
}
const t0 = frames[0]?.timestampUs ?? 0;
process.stderr.write(`replaying ${frames.length} frames on ${ifname}\n`);
const start = performance.now();
let sent = 0;
let refused = 0;
let i = 0;
while (i < frames.length) {
  const dueUs = (performance.now() - start) * 1000;
  const batch: Uint8Array[] = [];
  while (i < frames.length && frames[i]!.timestampUs - t0 <= dueUs) batch.push(frames[i++]!.data);
  if (batch.length > 0) {
    // the socket's buffer may be momentarily full: retry the rest, count only what never went
    let off = 0;
    for (let attempt = 0; off < batch.length && attempt < 100; attempt++) {
      off += socket.sendMany(batch.slice(off));
      if (off < batch.length) await new Promise((r) => setTimeout(r, 1));
    }
    sent += off;
    refused += batch.length - off;
  }
  await new Promise((r) => setTimeout(r, 1));
}
socket.close();
process.stdout.write(`sent ${sent} refused ${refused} in ${((performance.now() - start) / 1000).toFixed(2)} s\n`);
