// `sim subscriber` with the monitor's options, as a real CLI process reading a pcap that
// `sim publisher --pcap` wrote: exit codes for CI, the JSON event log on stdout, bad values.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MonitorEvent } from './monitor-event.js';

const cli = join(import.meta.dirname, '..', '..', 'bin', 'cli.ts');

function sim(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'sim', ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
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

  it('the same run without --fail-on, or failing only on lost streams, exits 0', () => {
    expect(sim(['subscriber', '--pcap', pcap, '--expect', expect4]).status).to.equal(0);
    expect(sim(['subscriber', '--pcap', pcap, '--expect', expect4, '--fail-on', 'lost,anomaly']).status).to.equal(0);
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
    [['--fail-on', 'lost,bogus'], /--fail-on: "bogus" is not a group/],
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
