// Worker thread for the io-probe 'worker-terminate' scenario: a TAP and a packet socket with
// running readers and frames flowing, until the main thread terminates the worker. That
// exercises the addon's environment cleanup hook (no close() is ever called here).
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { TapDevice, PacketSocket } = await import('../index.ts');
const tap = TapDevice.create(workerData.tap);
const ps = PacketSocket.open(workerData.tap);
let frames = 0;
let told = false;
ps.start((b) => {
  frames += b.count;
  if (frames > 2000 && !told) {
    told = true;
    parentPort.postMessage('flowing');
  }
});
const f = Buffer.alloc(60);
f[0] = 1;
f.writeUInt16BE(0x88b8, 12);
const burst = Array.from({ length: 64 }, () => f);
setInterval(() => {
  for (let k = 0; k < 20; k++) tap.writeMany(burst);
}, 1);
