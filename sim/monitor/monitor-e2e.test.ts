// As root, on a veth pair in a throw-away namespace: two `sim publisher` processes (one IED,
// and three IEDs) feed `sim subscriber --fail-on stopped`. The single IED's publisher is killed
// mid-run: within TAL + grace the event log must show one timestamped "stopped" event for
// exactly that stream, nothing for the three that keep running, and the exit code must be 1.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedProcess, runSync } from '../../testkit/topology/index.js';
import { createVethNamespace, deleteNamespace } from '../../testkit/netns.js';
import { skipUnlessAddon, skipUnlessRoot } from '../../testkit/preconditions.js';
import { waitFor } from '../../testkit/wait.js';
import type { SubscriberReport } from '../goose/stream-statistics.js';
import type { MonitorEvent } from './monitor-event.js';

const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'bin', 'cli.ts');
const T0_MS = 250;
const TAL_MS = 2000; // --tal-factor 8 × t0
const GRACE_MS = 1000;

describe('monitor: a publisher killed mid-run (root, network namespace)', function () {
  this.timeout(90_000);
  let ns = '';
  let a = '';
  let b = '';
  let dir = '';
  const procs: ManagedProcess[] = [];

  function sim(label: string, args: string[]): ManagedProcess {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', cli, 'sim', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const p = new ManagedProcess(label, ns, child);
    procs.push(p);
    return p;
  }

  function rxPackets(): number {
    const [link] = JSON.parse(runSync(['ip', '-n', ns, '-s', '-j', 'link', 'show', b])) as { stats64: { rx: { packets: number } } }[];
    return link!.stats64.rx.packets;
  }

  /** Waits until a one-second window sees more than perSecond frames arrive. */
  async function untilRate(what: string, perSecond: number): Promise<void> {
    let mark = { at: Date.now(), n: rxPackets() };
    await waitFor(what, () => {
      if (Date.now() - mark.at < 1000) return false;
      const n = rxPackets();
      const rate = ((n - mark.n) * 1000) / (Date.now() - mark.at);
      mark = { at: Date.now(), n };
      return rate > perSecond;
    }, 30_000);
  }

  before(function () {
    skipUnlessRoot(this, 'the monitor end-to-end test over veth');
    skipUnlessAddon(this, 'the monitor end-to-end test');
    dir = mkdtempSync(join(tmpdir(), 'gb-monitor-e2e-'));
    ({ ns, a, b } = createVethNamespace('mon'));
  });

  after(async () => {
    await Promise.all(procs.map((p) => p.stop(2000)));
    if (dir) {
      deleteNamespace(ns);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('one "stopped" event for exactly the killed stream, within TAL + grace; table, JSON and --fail-on stopped agree', async () => {
    const log = join(dir, 'events.jsonl');
    const sub = sim('subscriber', ['subscriber', '--interface', b, '--event-log', log, '--json', '--fail-on', 'stopped', '--stopped-grace', String(GRACE_MS), '--capture-dir', join(dir, 'cap')]);
    await waitFor('the subscriber to open its socket', () => sub.stderr.includes('receiving on'), 30_000);
    const common = ['--interface', a, '--t0', String(T0_MS), '--tal-factor', '8', '--duration', '60'];
    // start-up takes seconds on a busy machine: the receiving end's packet counter tells when
    // each publisher is on the wire (1 stream: 4 frames/s; then 4 streams: 16 frames/s)
    const lone = sim('publisher 1', ['publisher', ...common, '--appid', '0x1000', '--src-mac', '02:00:00:00:00:01']);
    await untilRate('publisher 1 to send', 3);
    sim('publishers 2-4', ['publisher', ...common, '--publishers', '3', '--appid', '0x2000', '--src-mac', '02:00:00:00:01:01', '--gocb-ref', 'IEDB{n}LD0/LLN0$GO$gcb01']);
    await untilRate('publishers 2-4 to send', 10);
    await new Promise((r) => setTimeout(r, 2000));
    const killedAtMs = Date.now();
    lone.child.kill('SIGKILL');
    await lone.exited;
    await new Promise((r) => setTimeout(r, TAL_MS + GRACE_MS + 3000));
    const exit = await sub.stop(10_000);
    expect(exit.code, sub.stderr).to.equal(1);
    expect(sub.stderr).to.match(/--fail-on stopped: stopped 1/);
    expect(sub.stderr).to.match(/verdict: anomaly \d+, tal-expired \d+, stopped 1, never-seen 0/);
    const report = JSON.parse(sub.stdout) as SubscriberReport;
    expect(report.totals).to.include({ streams_stopped: 1, stopped: 1 });
    expect(report.streams[0]).to.include({ appid: '0x1000', status: 'stopped', stopped: 1 });

    const events = readFileSync(log, 'utf8').trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as MonitorEvent);
    expect(events.map((e) => `${e.kind} ${e.stream?.appid}`), sub.stderr).to.deep.equal(['stopped 0x1000']);
    const e = events[0]!;
    expect(e.stream).to.deep.equal({ appid: '0x1000', src_mac: '02:00:00:00:00:01', gocb_ref: 'SIM1LD0/LLN0$GO$gcb01' });
    // the last frame came at most one heartbeat before the kill; the event is TAL + grace after
    // it (a 10 ms tick, plus slack for a machine whose 2 cores are shared)
    const lastValidMs = Date.parse(String(e.evidence.last_valid_time));
    expect(lastValidMs).to.be.within(killedAtMs - T0_MS - 100, killedAtMs + 50);
    const eventMs = Date.parse(e.time);
    expect(eventMs - lastValidMs).to.be.within(TAL_MS + GRACE_MS, TAL_MS + GRACE_MS + 500);
    expect(Number(e.evidence.silent_ms)).to.be.at.least(TAL_MS + GRACE_MS);
    expect(e.mono_us).to.be.greaterThan(0);
    expect(e.capture).to.match(/^000001-stopped-0x1000\.pcap$/);
  });
});
