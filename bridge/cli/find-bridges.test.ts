import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { BridgeCounters, snapshotCounters } from '../daemon/bridge-counters.js';
import { instanceStatsPath, netnsInode } from '../daemon/stats-file.js';
import { noBridgeHere, surveyBridges } from './find-bridges.js';

function statsOf(pid: number, iface: string): string {
  const now = Date.now();
  return JSON.stringify(
    snapshotCounters(
      new BridgeCounters(),
      { gapFrames: 0, gapEvents: 0, lateFrames: 0, duplicates: 0, stale: 0, ownDatagrams: 0, senders: 0 },
      { nowMs: now, startedMs: now, pid, senderId: '0011223344556677', interface: iface, uplink: 'lo', groups: [], port: 61850, keepaliveStrategy: 'report', membership: {}, lastKeepaliveMs: null, lastCheckMs: null },
    ),
  );
}

/** The pid of a process that has exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

describe('finding the bridges of this network namespace (status, monitor, doctor)', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gb-find-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the default stats file is named by network namespace and interface', () => {
    const ino = netnsInode();
    expect(ino).to.be.a('number');
    expect(instanceStatsPath('goose0')).to.equal(`/run/goose-bridge/net${ino}-goose0.json`);
    expect(instanceStatsPath('gw1', 42)).to.equal('/run/goose-bridge/net42-gw1.json');
  });

  it('a live pid of this namespace is a bridge here; its dead pid a stopped one; legacy, junk, FIFO and other files are skipped without blocking', () => {
    const ino = netnsInode();
    const dead = deadPid();
    writeFileSync(join(dir, `net${ino}-goose0.json`), statsOf(process.pid, 'goose0'));
    writeFileSync(join(dir, `net${ino}-goose1.json`), statsOf(dead, 'goose1'));
    writeFileSync(join(dir, 'stats.json'), statsOf(dead, 'goose9')); // an old daemon's shared default, long gone
    writeFileSync(join(dir, 'legacy.json'), statsOf(process.pid, 'goose7')); // a live writer with a path of its own choosing
    writeFileSync(join(dir, 'junk.json'), '\u0001not json');
    writeFileSync(join(dir, 'notes.txt'), 'x');
    execFileSync('mkfifo', [join(dir, 'fifo.json')]);
    const s = surveyBridges(dir);
    expect(s.netns).to.equal(ino);
    expect(s.here.map((b) => b.snapshot.interface)).to.deep.equal(['goose0', 'goose7']);
    expect(s.stopped.map((b) => b.snapshot.interface)).to.deep.equal(['goose1']);
    expect(s.elsewhere).to.equal(0);
    const none = noBridgeHere({ ...s, here: [], elsewhere: 2 }, dir);
    expect(none).to.include(`goose1 (pid ${dead}, ${dir}/net${ino}-goose1.json)`).and.include('2 bridge(s) run in other network namespaces');
  });

  it('no directory: no bridge, no error', () => {
    expect(surveyBridges(join(dir, 'absent'))).to.include({ elsewhere: 0 }).and.nested.include({ 'here.length': 0 });
  });
});
