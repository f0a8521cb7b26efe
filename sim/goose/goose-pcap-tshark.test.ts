// --pcap output read back by tshark (the reference dissector): every frame decodes cleanly and
// each stream's inter-frame times are the schedule's, to the microsecond.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipUnlessTshark } from '../../testkit/preconditions.js';
import { createSchedule, type ScheduleName } from './retransmission-schedule.js';

const cli = join(import.meta.dirname, '..', '..', 'bin', 'cli.ts');

function tshark(args: string[]): string {
  return execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

/** "1795274292.002000000" → 1795274292002000 exactly (no float rounding). */
function epochUs(s: string): number {
  const [sec, frac = ''] = s.split('.');
  return Number(sec) * 1e6 + Number((frac + '000000').slice(0, 6));
}

describe('sim publisher --pcap read back by tshark', function () {
  this.timeout(120_000);
  let dir: string;
  before(function () {
    skipUnlessTshark(this, 'the tshark read-back of --pcap output');
    dir = mkdtempSync(join(tmpdir(), 'gb-sim-pcap-'));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const schedule of ['doubling', 'fixed'] as ScheduleName[]) {
    it(`decodes every frame cleanly and matches the ${schedule} schedule to the microsecond`, () => {
      const pcap = join(dir, `${schedule}.pcap`);
      const [t0Ms, t1Ms, eventMs, publishers] = [500, 3, 1700, 3];
      execFileSync(process.execPath, ['--import', 'tsx', cli, 'sim', 'publisher', '--pcap', pcap, '--duration', '8', '--publishers', String(publishers),
        '--t0', String(t0Ms), '--t1', String(t1Ms), '--schedule', schedule, '--event-interval', String(eventMs), '--vlan-id', '5', '--st-num', '4294967294'], { stdio: 'ignore' });
      // the oracle: no malformed frame, no expert info of any severity
      expect(tshark(['-r', pcap, '-Y', '_ws.malformed || _ws.expert']).trim()).to.equal('');
      const rows = tshark(['-r', pcap, '-T', 'fields', '-E', 'separator=,', '-e', 'frame.time_epoch', '-e', 'goose.appid', '-e', 'goose.stNum', '-e', 'goose.sqNum', '-e', 'goose.timeAllowedtoLive', '-e', 'vlan.id'])
        .trim()
        .split('\n')
        .map((l) => l.split(','));
      const sched = createSchedule(schedule, { t0Us: t0Ms * 1000, t1Us: t1Ms * 1000 });
      const byStream = new Map<string, { at: number; st: number; sq: number; tal: number }[]>();
      for (const [time, appid, st, sq, tal, vid] of rows) {
        expect(vid).to.equal('5');
        const list = byStream.get(appid!) ?? byStream.set(appid!, []).get(appid!)!;
        // tshark 4.0 shows 32-bit unsigned fields as signed: map back
        list.push({ at: epochUs(time!), st: Number(st) >>> 0, sq: Number(sq) >>> 0, tal: Number(tal) });
      }
      expect(byStream.size).to.equal(publishers);
      let checkedGaps = 0;
      let stateChanges = 0;
      for (const frames of byStream.values()) {
        const first = frames[0]!;
        expect(first).to.include({ st: 4294967294, sq: 0 });
        for (let i = 1; i < frames.length; i++) {
          const [a, b] = [frames[i - 1]!, frames[i]!];
          // TAL of a frame covers the gap to its successor in the schedule
          expect(a.tal).to.equal(Math.ceil((2 * sched.gapAfter(a.sq)) / 1000));
          if (b.st === a.st) {
            expect(b.sq, 'sqNum').to.equal(a.sq + 1);
            expect(b.at - a.at, `gap after sqNum ${a.sq}`).to.equal(sched.gapAfter(a.sq));
            checkedGaps++;
          } else {
            stateChanges++;
            expect(b.st, 'stNum wraps 0xFFFFFFFF → 1').to.equal(a.st === 0xffffffff ? 1 : a.st + 1);
            expect(b.sq).to.equal(0);
            expect((b.at - first.at) % (eventMs * 1000), 'event time').to.equal(0);
          }
        }
      }
      expect(checkedGaps).to.be.greaterThan(50);
      expect(stateChanges).to.equal(publishers * 4); // events at 1.7, 3.4, 5.1, 6.8 s after each start
    });
  }

  it('the oracle flags a damaged frame (so a clean result means something)', () => {
    const pcap = join(dir, 'good.pcap');
    execFileSync(process.execPath, ['--import', 'tsx', cli, 'sim', 'publisher', '--pcap', pcap, '--count', '2'], { stdio: 'ignore' });
    const bytes = readFileSync(pcap);
    // first record: file header 24 + record header 16; the goosePdu (61 LL) sits 14 + 8 = 22 bytes
    // into the frame, its first field gocbRef (80 LL) right after: claim gocbRef runs past the PDU
    expect(bytes[24 + 16 + 22 + 2]).to.equal(0x80);
    bytes[24 + 16 + 22 + 3] = 0x70;
    const bad = join(dir, 'bad.pcap');
    writeFileSync(bad, bytes);
    expect(tshark(['-r', bad, '-Y', '_ws.malformed || _ws.expert']).trim()).to.not.equal('');
  });
});
