import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BridgeCounters, snapshotCounters, TO_WAN_INDEX, type StatsSnapshot } from '../daemon/bridge-counters.js';
import { DropHistory, formatTopTalkers, perAppId } from './forwarding-view.js';

function snap(timeMs: number, arpDrops: number, perAppid?: Record<string, unknown>): StatsSnapshot {
  const c = new BridgeCounters();
  c.l2FramesRead = 1000;
  c.toWanDrops[TO_WAN_INDEX.arp!] = arpDrops;
  const s = snapshotCounters(
    c,
    { gapFrames: 0, gapEvents: 0, lateFrames: 0, duplicates: 0, stale: 0, ownDatagrams: 0, senders: 1 },
    { nowMs: timeMs, startedMs: timeMs - 10_000, pid: process.pid, senderId: '00112233aabbccdd', interface: 'goose0', uplink: 'ens5', groups: ['224.0.1.100'], port: 61850, keepaliveStrategy: 'report', membership: {}, lastKeepaliveMs: null, lastCheckMs: null },
  );
  return perAppid ? ({ ...s, per_appid: perAppid } as StatsSnapshot) : s;
}

const app = (toWan: number, fromWan: number, drops: Record<string, number> = {}) => ({
  to_wan_frames: toWan,
  to_wan_bytes: toWan * 200,
  from_wan_frames: fromWan,
  from_wan_bytes: fromWan * 200,
  dropped: Object.values(drops).reduce((a, b) => a + b, 0),
  drops,
});

describe('monitor: what the daemon forwards, per APPID and drops over time', () => {
  it('top talkers by frames/s between two snapshots, the heaviest first, limited to --top', () => {
    const prev = snap(1_000_000, 0, { '0x1000': app(100, 0), '0x2000': app(100, 50), '0x3000': app(10, 0) });
    const cur = snap(1_002_000, 0, { '0x1000': app(120, 0), '0x2000': app(300, 250, { 'too-large': 3 }), '0x3000': app(11, 0), '0x4000': app(2, 0) });
    const lines = formatTopTalkers(cur, prev, 3);
    expect(lines[0]).to.equal('Top APPIDs (3 of 4)');
    expect(lines.slice(2).map((l) => l.trim().split(/\s+/).slice(0, 3))).to.deep.equal([
      ['0x2000', '100', '100'],
      ['0x1000', '10.0', '0.0'],
      ['0x4000', '1.0', '0.0'], // new since the previous snapshot: counted from 0
    ]);
    expect(lines[2]).to.match(/3 {2}too-large 3$/);
  });

  it('says so when the stats file has no per-APPID counters, and rejects a malformed block', () => {
    expect(formatTopTalkers(snap(1_000_000, 0), undefined, 10)).to.deep.equal(['Per APPID  not in the stats file (this daemon does not count per APPID)']);
    expect(perAppId(snap(1_000_000, 0, { '0x1000': { to_wan_frames: 'x' } }))).to.equal(undefined);
  });

  it('drops by reason: rate now, the last minute and the whole window', () => {
    const h = new DropHistory(600);
    for (let t = 0; t <= 120; t += 10) h.push(snap(1_000_000 + t * 1000, t * 2));
    const lines = h.lines();
    expect(lines[0]).to.match(/^Drops by reason/);
    expect(lines[1]).to.match(/TAP → WAN arp\s+2\.0\/s {2}last 60 s 120 {2}last 120 s 240$/);
    const quiet = new DropHistory();
    quiet.push(snap(1_000_000, 5));
    quiet.push(snap(1_010_000, 5));
    expect(quiet.lines()).to.deep.equal(['Drops over the last 10 s: none']);
  });

  it('goose-bridge monitor on a crafted stats file: per-APPID view, no escape codes into a pipe', async function () {
    this.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), 'gb-monitor-stats-'));
    try {
      const file = join(dir, 'stats.json');
      writeFileSync(file, JSON.stringify(snap(Date.now(), 4, { '0x1000': app(500, 20) })));
      const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', '..', 'bin', 'cli.ts'), 'monitor', '--stats-file', file, '--interval', '0.2'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let err = '';
      child.stdout.on('data', (d: Buffer) => (err += d.toString()));
      const until = Date.now() + 45_000;
      while (!err.includes('Drops') && Date.now() < until && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      expect(err).to.match(/0x1000\s+-\s+-\s+500\s+20\s+0/);
      expect(err).to.include('Top APPIDs (1)');
      expect(err).to.not.include('\x1b');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
