import { expect } from 'chai';
import { encodedStreamGoose } from '../../testkit/sim-goose-frame.js';
import type { StreamKey } from '../goose/stream-tracker.js';
import { GooseMonitor } from './goose-monitor.js';
import { fit, formatView } from './live-view.js';

const T0 = Date.UTC(2026, 10, 30) * 1000;

function frame(k: StreamKey, st: number, sq: number): Buffer {
  return encodedStreamGoose(k, { stNum: st, sqNum: sq, tUs: T0 });
}

function key(i: number): StreamKey {
  return { appId: 0x1000 + i, src: `02:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`, gocbRef: `IED${i}LD0/LLN0$GO$gcb01_with_a_long_name` };
}

/** 2000 streams, 1 s of heartbeats every 500 ms; stream 1500 falls silent after its first frame, stream 7 skips two sqNums. */
function busyMonitor(): GooseMonitor {
  const m = new GooseMonitor({ graceUs: 500_000, expected: [...Array.from({ length: 2000 }, (_, i) => key(i)), key(4000)], onEvent: () => {} });
  for (let step = 0; step <= 4; step++) {
    const at = T0 + step * 500_000;
    m.tick(at);
    for (let i = 0; i < 2000; i++) {
      if (i === 1500 && step > 0) continue;
      m.handleFrame(frame(key(i), 1, i === 7 && step > 1 ? step + 2 : step), at + i);
    }
  }
  m.tick(T0 + 2_000_000 + 5000);
  return m;
}

describe('monitor live view', () => {
  const m = busyMonitor();
  const changes = Array.from({ length: 30 }, (_, i) => `state change ${i}`);
  const ctx = { nowUs: T0 + 2_010_000, wallOffsetUs: 0, width: 80, height: 24, offset: 0, findings: ['finding 1', 'finding 2'], info: changes };

  it('2000 streams fit an 80 × 24 terminal: summary, problems first, a scroll line, findings in their own pane', () => {
    const { lines } = formatView(m, ctx);
    expect(lines.length).to.be.at.most(24);
    expect(lines.every((l) => [...l].length <= 80), lines.find((l) => [...l].length > 80)).to.equal(true);
    expect(lines[0]).to.equal('2001 streams: ok 1998 anom 1 late 0 stop 1 never 1 | 0 msg/s');
    expect(lines[1]).to.match(/^\d\d:\d\d:\d\d findings: anomaly 1, tal-expired 0, stopped 1 \| rows 1-\d+ of 2001/);
    expect(lines[3]).to.match(/^STOP 0x15dc IED150…_name 1\/0 +-1\.01s +0\.0 00:00:00\.0 - +0 STOP$/);
    expect(lines[4]).to.match(/^NEVR 0x1fa0/);
    expect(lines[5]).to.match(/^ANOM 0x1007 .* 1 GAP$/);
    expect(lines[6]).to.match(/^ok {3}0x1000 /);
    // 30 state changes do not push the findings out: each pane has its share of the height
    const f = lines.indexOf('latest findings:');
    expect(lines.slice(f + 1, f + 3)).to.deep.equal(['finding 1', 'finding 2']);
    expect(lines.slice(-3)).to.deep.equal(['latest state changes:', 'state change 28', 'state change 29']);
  });

  it('a taller terminal shows more rows and more of each pane', () => {
    const { lines } = formatView(m, { ...ctx, height: 40, findings: Array.from({ length: 30 }, (_, i) => `finding ${i}`) });
    expect(lines.length).to.equal(40);
    expect(lines.filter((l) => l.startsWith('finding '))).to.have.length(9); // a quarter of 40, less its title
    expect(lines.filter((l) => l.startsWith('state change '))).to.have.length(4); // an eighth
    expect(lines.filter((l) => /^(ok|ANOM|STOP|NEVR|LATE) /.test(l))).to.have.length(40 - 3 - 11 - 6);
  });

  it('scrolling past the end stops at the last page; a wider terminal widens the gocbRef column', () => {
    const end = formatView(m, { ...ctx, offset: 1_000_000 });
    const room = 24 - 3 - (1 + 3) - (1 + 3); // head, blank + findings pane (title, 2 lines), blank + state changes (an eighth)
    expect(end.offset).to.equal(2001 - room);
    expect(end.lines[1]).to.match(new RegExp(`rows ${2001 - room + 1}-2001 of 2001`));
    const wide = formatView(m, { ...ctx, width: 140 });
    expect(wide.lines[3]).to.include('IED1500LD0/LLN0$GO$gcb01_with_a_long_name');
  });

  it('fit keeps both ends of a long name', () => {
    expect(fit('IED1LD0/LLN0$GO$gcb01', 14)).to.equal('IED1LD0…$gcb01');
    expect(fit('short', 8)).to.equal('short   ');
  });
});
