import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SubscriberReport } from '../goose/stream-statistics.js';

const cli = join(import.meta.dirname, '..', '..', 'bin', 'cli.ts');

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'sim', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('goose-bridge sim (CLI)', function () {
  this.timeout(60_000);
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gb-sim-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [args, named] of [
    [['--t0', '1', '--t1', '5'], /t1 \(5000 µs\) must not exceed t0/],
    [['--dataset', 'bool,bitstrin:3'], /--dataset: dataset entry 2 \("bitstrin:3"\)/],
    [['--tal-factor', '1'], /--tal-factor must be a number > 1/],
    [['--publishers', '20000'], /--publishers must be a whole number 1 … 16384/],
    [['--appid', '0x3ff0', '--publishers', '100'], /--appid: .*passes 0x3FFF/],
    [['--events', 'poisson:-1'], /--events: events poisson rate/],
  ] as const) {
    it(`stops with exit 2 naming the option: ${args.join(' ')}`, () => {
      const r = run(['publisher', '--pcap', join(dir, 'x.pcap'), '--duration', '1', ...args]);
      expect(r.status).to.equal(2);
      expect(r.stderr).to.match(named);
    });
  }

  it('needs exactly one of --interface / --pcap', () => {
    expect(run(['publisher', '--duration', '1']).stderr).to.match(/one of --interface or --pcap is required/);
    expect(run(['subscriber', '--interface', 'x', '--pcap', 'y']).status).to.equal(2);
  });

  it('plays an --events timeline with explicit values; the subscriber reads the pcap back with no anomaly', () => {
    const events = join(dir, 'events.json');
    writeFileSync(events, JSON.stringify([{ at_ms: 100, publisher: 0, values: [true, 42] }, { at_ms: 300, values: [false, null] }]));
    const pcap = join(dir, 'timeline.pcap');
    const pub = run(['publisher', '--pcap', pcap, '--duration', '3', '--publishers', '2', '--dataset', 'bool,int32', '--events', events, '--json', '--start-time', '2026-01-01T00:00:00Z']);
    expect(pub.status, pub.stderr).to.equal(0);
    const summary = JSON.parse(pub.stdout) as { frames: number; events: number };
    expect(summary.events).to.equal(3); // publisher 0 at 100 ms, both at 300 ms
    const sub = run(['subscriber', '--pcap', pcap, '--json']);
    expect(sub.status, sub.stderr).to.equal(0);
    const report = JSON.parse(sub.stdout) as SubscriberReport;
    expect(report.totals).to.include({ streams: 2, anomalies: 0, goose_messages: summary.frames });
    // publisher 0 (starts at 0): events at 100 and 300 ms. Publisher 1's staggered start is
    // t0/2 = 500 ms, so the 300 ms event starts it early, already in state 2.
    const [p0, p1] = [report.streams.find((s) => s.appid === '0x1000')!, report.streams.find((s) => s.appid === '0x1001')!];
    expect(p0).to.include({ state_changes: 2, last_st_num: 3 });
    expect(p1).to.include({ state_changes: 0, last_st_num: 2 });
    expect(report.streams[0]!.first_rx_us).to.equal(Date.parse('2026-01-01T00:00:00Z') * 1000);
  });

  it('reports a TAL expiry and lost frames when reading a capture with frames removed', () => {
    const pcap = join(dir, 'gappy.pcap');
    expect(run(['publisher', '--pcap', pcap, '--duration', '5', '--t0', '200']).status).to.equal(0);
    // drop heartbeats 10 … 12 (seconds-long silence > TAL = 400 ms): editcap-free, via our own reader/writer
    const script = `import { readCapture, PcapWriter } from '${join(import.meta.dirname, '..', '..', 'bridge', 'pcap', 'index.ts')}';
      const cap = await readCapture(${JSON.stringify(pcap)}); const w = await PcapWriter.open(${JSON.stringify(pcap + '.cut')});
      cap.frames.forEach((f, i) => { if (i < 10 || i > 12) w.write(f.data, f.timestampUs); }); await w.close();`;
    const cut = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(cut.status, cut.stderr).to.equal(0);
    const report = JSON.parse(run(['subscriber', '--pcap', `${pcap}.cut`, '--json']).stdout) as SubscriberReport;
    expect(report.totals).to.include({ frames_lost: 3, tal_expired: 1, duplicate_messages: 0, out_of_order_messages: 0 });
  });
});
