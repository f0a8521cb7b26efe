// Benchmark of `goose-bridge decode` on a large capture: writes a ~100 MB pcap (GOOSE frames whose
// stNum/sqNum advance) and a 100 MB random file, runs the real CLI on them with its output piped
// to this process (as `| wc` would), and reports each run's peak RSS (GNU time's %M) and wall time.
// The goal is flat memory: peak RSS well under 150 MB whatever the file size.
// Usage: npm run bench:decode [-- --mb 100] [--json]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { encodeFrame } from '../codec/index.js';
import { typicalGooseFrame } from '../../testkit/frames/sample-frames.js';
import { PcapWriter } from '../pcap/index.js';

const CLI = fileURLToPath(new URL('../../bin/goose-bridge.js', import.meta.url));
const TIME = '/usr/bin/time';

interface Run {
  run: string;
  file_mb: number;
  exit_code: number | null;
  output_mb: number;
  wall_s: number;
  max_rss_mb: number;
}

async function writeCapture(path: string, megabytes: number): Promise<number> {
  const frame = typicalGooseFrame();
  const w = await PcapWriter.open(path);
  let frames = 0;
  for (let bytes = 24; bytes < megabytes * 1e6; frames++) {
    frame.pdu.stNum = 1 + Math.floor(frames / 100);
    frame.pdu.sqNum = frames % 100;
    const data = encodeFrame(frame);
    w.write(data, 1_700_000_000_000_000 + frames * 250);
    bytes += 16 + data.length;
  }
  await w.close();
  return frames;
}

/** Runs decode under GNU time, consuming its stdout; returns the figures of the run. */
function measure(run: string, file: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(TIME, ['-f', '%M %e', process.execPath, CLI, 'decode', file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let outBytes = 0;
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (outBytes += d.length));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stderr.trim().split('\n').at(-1) ?? '';
      const [kb, seconds] = last.split(' ').map(Number);
      if (!Number.isFinite(kb) || !Number.isFinite(seconds)) return reject(new Error(`no figures from ${TIME}: ${stderr}`));
      resolve({
        run,
        file_mb: Math.round(statSync(file).size / 1e5) / 10,
        exit_code: code,
        output_mb: Math.round(outBytes / 1e5) / 10,
        wall_s: seconds!,
        max_rss_mb: Math.round(kb! / 102.4) / 10,
      });
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mb: { type: 'string', default: '100' }, json: { type: 'boolean', default: false } } });
  const megabytes = Number(values.mb);
  const dir = mkdtempSync(join(tmpdir(), 'gb-decode-bench-'));
  try {
    const capture = join(dir, 'big.pcap');
    const frames = await writeCapture(capture, megabytes);
    const random = join(dir, 'random.bin');
    writeFileSync(random, randomBytes(megabytes * 1e6));
    const runs: Run[] = [];
    for (const [run, file, args] of [
      ['one line per frame', capture, []],
      ['--json', capture, ['--json']],
      ['-V (full tree)', capture, ['-V']],
      ['--summary', capture, ['--summary']],
      ['random file (rejected)', random, []],
    ] as const) {
      runs.push(await measure(run, file, [...args]));
    }
    if (values.json) {
      process.stdout.write(JSON.stringify({ frames, runs }) + '\n');
      return;
    }
    process.stderr.write(`decode of a ${megabytes} MB capture (${frames} GOOSE frames), output piped\n`);
    process.stderr.write(`${'run'.padEnd(24)} ${'exit'.padStart(4)} ${'out MB'.padStart(8)} ${'wall s'.padStart(7)} ${'max RSS MB'.padStart(10)}\n`);
    for (const r of runs) {
      process.stderr.write(`${r.run.padEnd(24)} ${String(r.exit_code).padStart(4)} ${r.output_mb.toFixed(1).padStart(8)} ${r.wall_s.toFixed(2).padStart(7)} ${r.max_rss_mb.toFixed(1).padStart(10)}\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
