// Cost of the kernel tier's to_wan program per frame (native/bpf/gb1-tc.bpf.c), as the kernel
// times it: BPF_PROG_TEST_RUN once per frame, each frame different (as a publisher's are: its
// sequence number changes), so the loop guard's map sees a new fingerprint every time. The
// run time covers the program and its helpers (checksum, fingerprint, map updates, adding the
// headers); the redirect to the uplink happens after it and is not in the figure.
//   npm run bench:kernel -- [--frames N] [--sizes 200,1500] [--object path.bpf.o] [--json]     (root)
// Table to stderr; --json prints one object per size to stdout: {frame_bytes, frames, ns_p50, ns_mean, ns_p99}
import { KERNEL_OBJECT_PATH, KernelPathObject, kernelPathSupport, TC_ACT_REDIRECT } from './kernel-path.js';
import type { EngineConfig } from './engine.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? '') : fallback;
}

const frames = Number(option('--frames', '50000'));
if (!Number.isInteger(frames) || frames <= 0) throw new Error(`--frames: '${option('--frames', '')}' is not a positive integer`);
const sizes = option('--sizes', '200').split(',').map(Number);
for (const s of sizes) if (!Number.isInteger(s) || s < 30 || s > 9000) throw new Error(`--sizes: '${s}' is not a frame length of 30..9000 bytes`);
const json = process.argv.includes('--json');
// Another build of the object (e.g. a baseline's), to compare side by side.
const objectPath = option('--object', KERNEL_OBJECT_PATH);

const support = kernelPathSupport();
if (!support.ok) throw new Error(`bench:kernel: the kernel tier cannot run here: ${support.reason}`);

const engine: EngineConfig = { enableSv: false, enableGse: false, checkAppIdRange: true, appIdAllow: null, groups: ['239.1.1.1'], rules: [], maxFrame: 9000, maxDatagram: 9100, l2Mtu: 9000, gateway: false };
const kp = KernelPathObject.load(objectPath);
kp.configure({
  engine,
  ownSender: { hi: 0, lo: 3 },
  seqSlots: [0],
  port: 10000,
  ttl: 16,
  uplinks: [{ ifindex: 1, address: '10.0.0.1', mac: '02:00:00:00:00:01' }],
  l2: { ifindex: 1, ingress: true },
  generation: 1,
});

/** A GOOSE frame of `size` bytes whose bytes 26..29 (in the APDU) carry `n`. */
function frame(size: number, n: number): Buffer {
  const f = Buffer.alloc(size, 0x61);
  Buffer.from('010ccd010001020000000001' + '88b8' + '0001', 'hex').copy(f);
  f.writeUInt16BE(size - 14, 16);
  f.writeUInt32BE(0, 18);
  f.writeUInt32BE(n >>> 0, 26);
  return f;
}

const rows = [];
for (const size of sizes) {
  kp.resetState();
  const ns = new Float64Array(frames);
  for (let i = 0; i < frames; i++) {
    const r = kp.testRun('to_wan', frame(size, i));
    if (r.action !== TC_ACT_REDIRECT) throw new Error(`to_wan did not forward a ${size}-byte frame: ${r.verdict}`);
    ns[i] = r.durationNs;
  }
  ns.sort();
  const mean = ns.reduce((a, b) => a + b, 0) / frames;
  rows.push({ frame_bytes: size, frames, ns_p50: ns[Math.floor(frames / 2)]!, ns_mean: Math.round(mean), ns_p99: ns[Math.floor(frames * 0.99)]! });
}
kp.close();
console.error('to_wan per frame (BPF_PROG_TEST_RUN)\nbytes   frames  ns_p50  ns_mean  ns_p99');
for (const r of rows) console.error(`${String(r.frame_bytes).padStart(5)}  ${String(r.frames).padStart(7)}  ${String(r.ns_p50).padStart(6)}  ${String(r.ns_mean).padStart(7)}  ${String(r.ns_p99).padStart(6)}`);
if (json) for (const r of rows) console.log(JSON.stringify(r));
