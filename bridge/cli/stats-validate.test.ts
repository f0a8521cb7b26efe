import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { BridgeCounters, snapshotCounters } from '../daemon/bridge-counters.js';
import { validateStatsSnapshot } from './stats-validate.js';

const CLI = fileURLToPath(new URL('../../bin/goose-bridge.js', import.meta.url));

/** A snapshot as the daemon writes it, read back through JSON as status reads it. */
function writtenSnapshot(): Record<string, any> {
  const s = snapshotCounters(
    new BridgeCounters(),
    { gapFrames: 0, gapEvents: 0, lateFrames: 0, duplicates: 0, stale: 0, ownDatagrams: 0, senders: 0 },
    { nowMs: 1_000_000, startedMs: 0, pid: 4242, senderId: '00112233aabbccdd', interface: 'goose0', uplink: 'ens5', groups: ['224.0.1.100'], port: 61850, keepaliveStrategy: 'report', membership: { '224.0.1.100': null }, lastKeepaliveMs: null, lastCheckMs: null },
  );
  return JSON.parse(JSON.stringify(s)) as Record<string, any>;
}

function problem(value: unknown): string {
  const r = validateStatsSnapshot(value);
  if (r.ok) throw new Error('expected a problem');
  return r.problem;
}

describe('stats file validation (status, monitor)', () => {
  it('accepts what the daemon writes, with extra fields a newer daemon may add', () => {
    const s = writtenSnapshot();
    expect(validateStatsSnapshot(s).ok).to.equal(true);
    expect(validateStatsSnapshot({ ...s, kernel: { rcvbuf_errors: 3 } }).ok).to.equal(true);
  });

  it('says what is wrong: not an object, no version, a missing section, a field of the wrong type', () => {
    expect(problem([])).to.include('a list');
    expect(problem(null)).to.include('null');
    expect(problem({})).to.include('no version field');
    expect(problem({ ...writtenSnapshot(), version: 2 })).to.include('version 2');
    const { to_wan: _, ...noToWan } = writtenSnapshot();
    expect(problem(noToWan)).to.equal('to_wan is missing');
    const s = writtenSnapshot();
    s.from_wan.drops.oversize = 'many';
    s.time = 'yesterday';
    expect(problem(s)).to.equal('time is "yesterday", expected an ISO time; from_wan.drops.oversize is "many", expected number');
    expect(problem({ version: 1 })).to.match(/^time is missing; pid is missing; uptime_s is missing and \d+ more$/);
  });

  describe('the real CLI on bad stats files', () => {
    let dir: string;
    let file: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'gb-stats-'));
      file = join(dir, 'stats.json');
      writeFileSync(file, '{}\n');
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('status names the file and the problem, exit 1, no stack', () => {
      const r = spawnSync(process.execPath, [CLI, 'status', '--stats-file', file], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status).to.equal(1);
      expect(r.stderr.trim()).to.equal(`goose-bridge status: ${file} is not a stats file this command can read: it has no version field; this goose-bridge reads version 1 (is it a goose-bridge stats file, from the same release?)`);
    });

    it('status refuses a FIFO at once (it would block a reader forever), naming what it is', () => {
      const fifo = join(dir, 'fifo.json');
      execFileSync('mkfifo', [fifo]);
      const r = spawnSync(process.execPath, [CLI, 'status', '--stats-file', fifo], { encoding: 'utf8', timeout: 30_000 });
      expect(r.signal, 'status blocked on the FIFO').to.equal(null);
      expect(r.status).to.equal(1);
      expect(r.stderr.trim()).to.equal(`goose-bridge status: cannot read ${fifo}: a FIFO, not a regular file`);
    });

    it('status on a file that is not JSON names line, column and kind, and echoes none of its bytes', () => {
      const junk = join(dir, 'junk.json');
      writeFileSync(junk, '{"time": 1,\n \u0007\u001b[2Jsecret}');
      const r = spawnSync(process.execPath, [CLI, 'status', '--stats-file', junk], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status).to.equal(1);
      expect(r.stderr.trim()).to.equal(`goose-bridge status: cannot read ${junk}: not JSON: line 2, column 2: unexpected control character U+0007, expected a property name in double quotes`);
      expect(r.stderr).to.not.match(/[\u0000-\u0008\u000b-\u001f]/).and.not.include('secret');
    });

    it('monitor shows the problem and keeps watching instead of crashing, without screen codes when piped', async () => {
      const child = spawn(process.execPath, [CLI, 'monitor', '--stats-file', file, '--interval', '0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let screen = '';
      child.stdout.setEncoding('utf8');
      await new Promise<void>((resolve) =>
        child.stdout.on('data', (d: string) => {
          screen += d;
          if (screen.split('no version field').length > 2) resolve(); // shown twice: still running
        }),
      );
      child.kill('SIGTERM');
      await new Promise((resolve) => child.on('close', resolve));
      expect(screen).not.to.include('TypeError');
      expect(screen).not.to.include('\x1b[');
    });
  });
});
