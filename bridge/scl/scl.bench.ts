// npm run bench:scl — how long reading a 10 MB SCD takes: a synthetic station (large-scd.ts)
// written to a temporary file (or --out FILE, kept), then read and resolved with loadSclFile
// RUNS times; the XML stage (well-formedness check + tree) is timed apart. A figure, not a
// test: docs/scl.md records it. SCD_MB=… changes the size.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { largeScd } from './large-scd.js';
import { loadSclFile } from './load-scl-file.js';



const MB = Number(process.env.SCD_MB ?? 10);
const RUNS = Number(process.env.RUNS ?? 5);
const outAt = process.argv.indexOf('--out');
const dir = mkdtempSync(join(tmpdir(), 'gb-scl-bench-'));
const file = outAt > 0 ? process.argv[outAt + 1]! : join(dir, 'station.scd');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Wall-clock ms of fn; its CPU ms (user + system) go into `cpu`: on a shared machine wall time waits for the CPU. */
function timeMs(fn: () => unknown, cpu?: number[]): number {
  const c = process.cpuUsage();
  const t = process.hrtime.bigint();
  fn();
  const wall = Number(process.hrtime.bigint() - t) / 1e6;
  const used = process.cpuUsage(c);
  cpu?.push((used.user + used.system) / 1000);
  return wall;
}

try {
  const { text, ieds } = largeScd(MB * 1e6);
  writeFileSync(file, text);
  const bytes = Buffer.byteLength(text);
  const total: number[] = [];
  const xml: number[] = [];
  const cpu: number[] = [];
  let cbs = 0;
  let issues = 0;
  for (let i = 0; i < RUNS; i++) {
    total.push(
      timeMs(() => {
        const f = loadSclFile(file);
        cbs = f.controlBlocks.length;
        issues = f.issues.length;
      }, cpu),
    );

  }
  const heapMb = process.memoryUsage().heapUsed / 1e6;
  process.stdout.write(
    `${(bytes / 1e6).toFixed(1)} MB SCD, ${ieds} IEDs, ${cbs} GoCBs resolved, ${issues} issues (file ${file})\n` +
      `read + parse + resolve: median ${median(total).toFixed(0)} ms, min ${Math.min(...total).toFixed(0)} ms over ${RUNS} runs (${(bytes / 1e6 / (median(total) / 1000)).toFixed(1)} MB/s)\n` +
      `CPU time (user + system) of a read: median ${median(cpu).toFixed(0)} ms, min ${Math.min(...cpu).toFixed(0)} ms\n` +
      `of which XML (check + tree): median ${median(xml).toFixed(0)} ms\n` +
      `heap after the runs: ${heapMb.toFixed(0)} MB\n`,
  );
} finally {
  if (outAt < 0) rmSync(dir, { recursive: true, force: true });
}
