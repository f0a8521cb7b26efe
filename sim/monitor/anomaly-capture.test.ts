// Each crafted anomaly goes through the monitor and --capture-dir's store; tshark (the
// independent decoder) must find the offending frame in the event's snippet pcap, at the
// event's time, and the JSON beside it must be the logged event.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipUnlessTshark } from '../../testkit/preconditions.js';
import { END_MS, framesOf, GRACE_MS, SCENARIOS, T0_US, type Scenario } from './anomaly-scenarios.js';
import { CaptureStore } from './capture-store.js';
import { GooseMonitor } from './goose-monitor.js';
import type { MonitorEvent } from './monitor-event.js';

interface Row {
  us: number;
  appid: number;
  st: number;
  sq: number;
  malformed: boolean;
}

/** Every frame of the pcap as tshark decodes it (one tshark run per file: it is slow to start). */
function tsharkRows(pcap: string): Row[] {
  const out = execFileSync('tshark', ['-r', pcap, '-T', 'fields', '-E', 'separator=,', '-e', 'frame.time_epoch', '-e', 'goose.appid', '-e', 'goose.stNum', '-e', 'goose.sqNum', '-e', '_ws.malformed'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return out
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split(','))
    // tshark 4.0 prints 32-bit unsigned fields as signed: >>> 0 maps them back
    .map(([t, appid, st, sq, bad]) => ({ us: epochUs(t!), appid: Number(appid), st: Number(st) >>> 0, sq: Number(sq) >>> 0, malformed: bad !== undefined && bad !== '' }));
}

/** "1795…​.450000000" → µs exactly. */
function epochUs(s: string): number {
  const [sec, frac = ''] = s.split('.');
  return Number(sec) * 1e6 + Number((frac + '000000').slice(0, 6));
}

async function captureRun(s: Scenario, dir: string): Promise<MonitorEvent[]> {
  const store = await CaptureStore.open({
    dir,
    ring: { fileBytes: 64 * 1024, fileUs: 60e6, maxBytes: 1024 * 1024 },
    snippets: { windowUs: 2_000_000, maxBytes: 10 * 1024 * 1024 },
    historyBytes: 16 * 1024 * 1024,
  });
  const events: MonitorEvent[] = [];
  const monitor = new GooseMonitor({
    graceUs: GRACE_MS * 1000,
    expected: s.expected,
    ...(s.transferThresholdMs !== undefined ? { transferThresholdUs: s.transferThresholdMs * 1000 } : {}),
    onEvent: (e) => {
      store.event(e);
      events.push(e);
    },
  });
  for (const f of framesOf(s)) {
    monitor.tick(f.rxUs);
    store.tick(f.rxUs);
    store.frame(f.buf, f.rxUs, f.rxUs);
    monitor.handleFrame(f.buf, f.rxUs);
  }
  monitor.finish(T0_US + END_MS * 1000);
  await store.close();
  return events;
}

describe('anomaly captures: the snippet pcap holds the offending frame (tshark)', function () {
  this.timeout(120_000);
  let dir = '';
  before(function () {
    skipUnlessTshark(this, 'the anomaly capture check');
    dir = mkdtempSync(join(tmpdir(), 'gb-monitor-capture-'));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const s of SCENARIOS) {
    it(`${s.kind}`, async () => {
      const events = await captureRun(s, join(dir, s.kind));
      const e = events.find((x) => x.kind === s.kind)!;
      expect(e.capture).to.be.a('string');
      const pcap = join(dir, s.kind, 'events', e.capture!);
      const saved = JSON.parse(readFileSync(pcap.replace(/\.pcap$/, '.json'), 'utf8')) as MonitorEvent & { capture_frames: number };
      expect(saved).to.deep.include(e);
      expect(saved.capture_frames).to.be.greaterThan(0);
      const all = tsharkRows(pcap);
      expect(all.length).to.equal(saved.capture_frames);
      const times = all.map((r) => r.us);
      expect(Math.min(...times)).to.be.at.least(e.mono_us - 2_000_000);
      expect(Math.max(...times)).to.be.at.most(e.mono_us + 2_000_000);
      if (s.kind === 'never-seen') return; // nothing was received to show
      // the offending frame: the stream's frame at the event's time — or, for a stopped
      // stream, its last frame before the silence
      const w = s.want;
      const at = s.kind === 'stopped' ? T0_US + 400_000 : e.mono_us;
      const hit = all.find((r) => r.us === at && r.appid === (w.stream?.appId ?? 0x1001));
      expect(hit, `frame at ${at} in ${pcap}`).to.not.equal(undefined);
      if (s.kind === 'malformed') expect(hit!.malformed, 'tshark also finds it malformed').to.equal(true);
      else expect([hit!.st, hit!.sq]).to.deep.equal(s.kind === 'stopped' ? [1, 4] : [w.st, w.sq]);
    });
  }

  it('the ring holds every frame of a short run', async () => {
    const s = SCENARIOS[0]!;
    await captureRun(s, join(dir, 'ring-all'));
    const ringDir = join(dir, 'ring-all', 'ring');
    const files = readdirSync(ringDir).sort();
    expect(files[0]).to.equal('ring-000001.pcap');
    const n = files.reduce((sum, f) => sum + tsharkRows(join(ringDir, f)).length, 0);
    expect(n).to.equal(framesOf(s).length);
    expect(existsSync(join(dir, 'ring-all', 'events'))).to.equal(true);
  });
});
