// `sim subscriber` with the monitor's options, as a real CLI process reading a pcap that
// `sim publisher --pcap` wrote: exit codes for CI, the JSON event log on stdout, bad values.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PcapWriter, readCapture } from '../../bridge/pcap/index.js';
import type { SubscriberReport } from '../goose/stream-statistics.js';
import type { MonitorEvent } from './monitor-event.js';

const cli = join(import.meta.dirname, '..', '..', 'bin', 'cli.ts');

function sim(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'sim', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Two captures interleaved by timestamp into one. */
async function merge(out: string, ...inputs: string[]): Promise<void> {
  const frames = (await Promise.all(inputs.map((p) => readCapture(p)))).flatMap((c) => c.frames).sort((a, b) => a.timestampUs - b.timestampUs);
  const w = await PcapWriter.open(out);
  for (const f of frames) w.write(f.data, f.timestampUs);
  await w.close();
}

describe('sim subscriber as a monitor (CLI, pcap input)', function () {
  this.timeout(60_000);
  let dir = '';
  let pcap = '';
  let expect4 = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gb-monitor-cli-'));
    pcap = join(dir, 'two.pcap');
    expect4 = join(dir, 'expect4.json');
    writeFileSync(expect4, JSON.stringify({ publishers: 4 }));
    const r = sim(['publisher', '--pcap', pcap, '--publishers', '2', '--duration', '3', '--event-interval', '700']);
    expect(r.status, r.stderr).to.equal(0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--expect with two never-seen streams and --fail-on never-seen exits 1, one JSON line per missing stream', () => {
    const r = sim(['subscriber', '--pcap', pcap, '--expect', expect4, '--fail-on', 'never-seen', '--event-log', '-']);
    expect(r.status, r.stderr).to.equal(1);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as MonitorEvent);
    expect(events.map((e) => [e.kind, e.stream?.appid])).to.deep.equal([['never-seen', '0x1002'], ['never-seen', '0x1003']]);
    expect(r.stderr).to.match(/--fail-on never-seen: never-seen 2/);
    expect(r.stderr).to.match(/NEVER-SEEN expected stream never seen 0x1002/);
    expect(r.stderr, 'no escape codes when stderr is not a terminal').to.not.include('\x1b');
  });

  it('the same run without --fail-on, or failing only on stopped streams and anomalies, exits 0', () => {
    expect(sim(['subscriber', '--pcap', pcap, '--expect', expect4]).status).to.equal(0);
    expect(sim(['subscriber', '--pcap', pcap, '--expect', expect4, '--fail-on', 'stopped,anomaly']).status).to.equal(0);
  });

  it('one publisher stops while another goes on: table, JSON, event log and --fail-on say "stopped" alike', async () => {
    const early = join(dir, 'early.pcap');
    const late = join(dir, 'late.pcap');
    const both = join(dir, 'both.pcap');
    expect(sim(['publisher', '--pcap', early, '--duration', '2', '--appid', '0x1000']).status).to.equal(0);
    expect(sim(['publisher', '--pcap', late, '--duration', '6', '--appid', '0x2000', '--src-mac', '02:00:00:00:01:01', '--gocb-ref', 'IEDB{n}LD0/LLN0$GO$gcb01']).status).to.equal(0);
    await merge(both, early, late);
    const r = sim(['subscriber', '--pcap', both, '--json', '--fail-on', 'stopped', '--event-log', join(dir, 'stop.jsonl')]);
    expect(r.status, r.stderr).to.equal(1);
    const report = JSON.parse(r.stdout) as SubscriberReport;
    expect(report.streams.map((s) => [s.appid, s.status, s.stopped, s.tal_expired])).to.deep.equal([['0x1000', 'stopped', 1, 0], ['0x2000', 'ok', 0, 0]]);
    expect(report.totals).to.include({ streams_stopped: 1, stopped: 1, tal_expired: 0, anomalies: 0 });
    expect(r.stderr).to.match(/verdict: anomaly 0, tal-expired 0, stopped 1, never-seen 0, unexpected 0/);
    expect(r.stderr).to.match(/--fail-on stopped: stopped 1/);
    const logged = readFileSync(join(dir, 'stop.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MonitorEvent);
    expect(logged.map((e) => [e.kind, e.group, e.stream?.appid])).to.deep.equal([['stopped', 'stopped', '0x1000']]);
    // what did not occur does not fail the run
    expect(sim(['subscriber', '--pcap', both, '--fail-on', 'anomaly,tal-expired']).status).to.equal(0);
    // both publishers ending together is the end of the run, not a stop: ok everywhere, exit 0
    const alone = sim(['subscriber', '--pcap', early, '--json', '--fail-on', 'stopped,anomaly,tal-expired']);
    expect(alone.status, alone.stderr).to.equal(0);
    expect((JSON.parse(alone.stdout) as SubscriberReport).streams.map((s) => s.status)).to.deep.equal(['ok']);
  });

  it('--capture-dir writes the ring and one capture with its JSON per event', () => {
    const cap = join(dir, 'cap');
    const log = join(dir, 'events.jsonl');
    const r = sim(['subscriber', '--pcap', pcap, '--expect', expect4, '--event-log', log, '--capture-dir', cap, '--ring-max-mb', '1', '--ring-file-mb', '0.25']);
    expect(r.status, r.stderr).to.equal(0);
    const logged = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MonitorEvent);
    expect(logged).to.have.length(2);
    expect(readdirSync(join(cap, 'events')).sort()).to.deep.equal(logged.flatMap((e) => [e.capture!.replace('.pcap', '.json'), e.capture!]).sort());
    expect(readdirSync(join(cap, 'ring'))).to.include('ring-000001.pcap');
  });

  for (const [args, named] of [
    [['--fail-on', 'stopped,bogus'], /--fail-on: "bogus" is not a group/],
    [['--fail-on', 'lost'], /--fail-on: "lost" is ambiguous/],
    [['--event-log', '-', '--json'], /--event-log: "-" \(stdout\) and --json/],
    [['--capture-dir', 'x', '--ring-max-mb', '10', '--ring-file-mb', '6'], /--ring-file-mb: 6 MiB must be at most half/],
    [['--stopped-grace', '0'], /--stopped-grace must be a number > 0/],
  ] as const) {
    it(`stops with exit 2 naming the option: ${args.join(' ')}`, () => {
      const r = sim(['subscriber', '--pcap', pcap, ...args]);
      expect(r.status).to.equal(2);
      expect(r.stderr).to.match(named);
    });
  }
});
