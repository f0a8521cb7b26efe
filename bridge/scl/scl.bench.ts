// npm run bench:scl — peak resident memory and time of `goose-bridge scl FILE` (the bundled CLI,
// a child process measured by /usr/bin/time) on large synthetic station SCDs (IEDs with instance
// values, and compact ones: ~7,000 IEDs and 28,000 GoCBs in 50 MB) and on hostile
// files: 12.5 M empty elements (50 MB), 1.5 M elements nested (10.5 MB), 7 M dataset members
// (50 MB, all kept until a limit stops them). Baseline in the same run: the same CLI on a small
// CID. A figure, not a test: docs/scl.md records it. SCD_MB=… changes the SCD's size; --keep DIR
// keeps the files there.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMPACT_IED, FULL_IED, hostileScl, largeScd } from './large-scd.js';

const root = join(import.meta.dirname, '..', '..');
const MB = Number(process.env.SCD_MB ?? 50);
const keepAt = process.argv.indexOf('--keep');
const dir = keepAt > 0 ? process.argv[keepAt + 1]! : mkdtempSync(join(tmpdir(), 'gb-scl-bench-'));

interface Measure {
  input: string;
  fileMb: number;
  exit: number;
  peakRssMb: number;
  wallS: number;
  cpuS: number;
  said: string;
}

/** Runs `goose-bridge scl FILE` under /usr/bin/time; the answer goes to /dev/null. */
function measure(input: string, file: string): Measure {
  const timeOut = join(dir, 'time.txt');
  const r = spawnSync('/usr/bin/time', ['-o', timeOut, '-f', '%M %e %U %S', process.execPath, join(root, 'bin', 'goose-bridge.js'), 'scl', file], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const [kb, wall, user, sys] = readFileSync(timeOut, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  const said = /goose-bridge scl: .*/.exec(r.stderr)?.[0] ?? (r.stderr.split('\n')[0] ?? '');
  return { input, fileMb: statSync(file).size / 1e6, exit: r.status ?? -1, peakRssMb: kb! / 1024, wallS: wall!, cpuS: user! + sys!, said: said.replace(file, 'FILE').slice(0, 200) };
}

try {
  execFileSync('npm', ['run', '--silent', 'bundle'], { cwd: root, stdio: 'inherit' });
  const inputs: [string, () => string][] = [
    ['small CID (baseline)', () => readFileSync(join(root, 'fixtures', 'scl', 'prot1-2007b.cid'), 'utf8')],
    [`${MB} MB SCD, full IEDs`, () => largeScd(MB * 1e6, FULL_IED).text],
    [`${MB} MB SCD, compact IEDs`, () => largeScd(MB * 1e6, COMPACT_IED).text],
    ['12.5 M empty elements', () => hostileScl('flat', 12_500_000)],
    ['1.5 M nested elements', () => hostileScl('deep', 1_500_000)],
    ['7 M dataset members', () => hostileScl('kept', 7_000_000)],
  ];
  const rows: Measure[] = [];
  inputs.forEach(([name, text], i) => {
    const file = join(dir, `input-${i}.scd`);
    writeFileSync(file, text());
    rows.push(measure(name, file));
  });
  const base = rows[0]!.peakRssMb;
  for (const m of rows) {
    process.stdout.write(
      `${m.input.padEnd(24)} ${m.fileMb.toFixed(1).padStart(6)} MB  exit ${m.exit}  peak RSS ${m.peakRssMb.toFixed(0).padStart(5)} MB (${(m.peakRssMb / base).toFixed(2)} × baseline)  wall ${m.wallS.toFixed(2)} s  CPU ${m.cpuS.toFixed(2)} s\n    ${m.said}\n`,
    );
  }
} finally {
  if (keepAt < 0) rmSync(dir, { recursive: true, force: true });
}
