// CLOCK_MONOTONIC in µs without allocating: the project's clock is
// Number(process.hrtime.bigint() / 1000n), but a BigInt per call turns a spin-wait into
// hundreds of MB/s of garbage (and GC pauses). performance.now() reads the same monotonic
// clock (libuv's uv_hrtime) as a double from a fixed origin; the offset between the two is
// calibrated once (the tightest of many bracketing reads), so they agree to about a µs.
function calibrate(): number {
  let best = Infinity;
  let offset = 0;
  for (let i = 0; i < 200; i++) {
    const before = process.hrtime.bigint();
    const p = performance.now();
    const after = process.hrtime.bigint();
    const spread = Number(after - before);
    if (spread < best) {
      best = spread;
      offset = Number((before + after) / 2n) / 1000 - p * 1000;
    }
  }
  return offset;
}

const offsetUs = calibrate();

/** CLOCK_MONOTONIC µs (integer), allocation-free. */
export function fastMonotonicUs(): number {
  return Math.round(performance.now() * 1000 + offsetUs);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Blocks the thread for about `us` microseconds without burning CPU (a futex wait with a
 * fractional-ms timeout, unlike setTimeout's whole ms). For the last stretch before a deadline:
 * a sleeping thread is woken promptly by the kernel's scheduler, while a spinning one is
 * preempted for whole time slices when the CPUs are shared.
 */
export function sleepUs(us: number): void {
  if (us > 0) Atomics.wait(sleeper, 0, 0, us / 1000);
}
