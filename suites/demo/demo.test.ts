// `npm run demo` as a newcomer runs it (root): the CLI as a real process, then a check that the
// run left nothing behind: no namespace, interface, process or temporary file with its names.
import { expect } from 'chai';
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipUnlessRoot } from '../../testkit/preconditions.js';
import type { SubscriberReport } from '../../sim/goose/stream-statistics.js';

const ROOT = join(import.meta.dirname, '..', '..');

interface DemoRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/** Runs `suites/cli.ts demo`; `interruptWhen` sends SIGINT once stderr contains that text. */
function runDemo(args: string[], interruptWhen?: string): Promise<DemoRun> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'suites/cli.ts', 'demo', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (interruptWhen !== undefined && stderr.includes(interruptWhen)) {
      interruptWhen = undefined;
      child.kill('SIGINT');
    }
  });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr, elapsedMs: Date.now() - started })));
}

function runPrefixOf(stderr: string): string {
  const m = /topology (gbh-\d+-[a-z0-9]+-):/.exec(stderr);
  if (m === null) throw new Error(`the demo did not name its run:\n${stderr}`);
  return m[1]!;
}

/** Everything on the machine still carrying the run's names. */
function leftovers(prefix: string): string[] {
  const found: string[] = [];
  for (const ns of execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n')) {
    if (ns.startsWith(prefix)) found.push(`namespace ${ns}`);
  }
  for (const line of execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).split('\n')) {
    if (line.includes(prefix)) found.push(`interface ${line}`);
  }
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(prefix)) found.push(`process ${pid}: ${cmdline}`);
    } catch {
      /* exited meanwhile */
    }
  }
  for (const f of readdirSync(tmpdir())) if (f.startsWith(prefix)) found.push(`file ${join(tmpdir(), f)}`);
  return found;
}

describe('npm run demo (root: namespaces, TAP devices)', function () {
  this.timeout(120_000);

  before(function () {
    skipUnlessRoot(this, 'the demo');
  });

  it('carries frames from sim publisher on host 1 to sim subscriber on host 2 within a minute, then leaves nothing behind', async () => {
    const r = await runDemo(['--json']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.elapsedMs, 'a newcomer waits less than a minute').to.be.below(60_000);
    const out = JSON.parse(r.stdout) as { report: SubscriberReport; bridges: Record<string, Record<string, number>> };
    expect(out.report.totals.goose_messages).to.be.greaterThan(100);
    expect(out.report.totals.streams_never_seen).to.equal(0);
    expect(out.bridges['1']?.['to_wan.datagrams_sent']).to.be.greaterThan(0);
    expect(out.bridges['2']?.['from_wan.frames_written']).to.be.at.least(out.report.totals.goose_messages);
    expect(r.stderr).to.match(/(OK|NOT OK): 4\/4 streams, \d+ messages across the two bridges, frames lost \d+/);
    // the subscriber stops after the publisher and the frames in flight: what host 2 wrote is what it received
    expect(r.stderr).to.match(/sim subscriber on host 2: \d+ GOOSE messages received/);
    expect(leftovers(runPrefixOf(r.stderr))).to.deep.equal([]);
  });

  it('Ctrl-C while the bridges run removes everything and exits 130', async () => {
    const r = await runDemo([], 'goose-bridge running on both hosts');
    expect(r.code, r.stderr).to.equal(130);
    expect(leftovers(runPrefixOf(r.stderr))).to.deep.equal([]);
  });
});
