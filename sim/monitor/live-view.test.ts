import { expect } from 'chai';
import { encodeFrame, utcTimeFromMicros } from '../../bridge/codec/index.js';
import type { StreamKey } from '../stream-tracker.js';
import { GooseMonitor } from './goose-monitor.js';
import { fit, formatView } from './live-view.js';

const T0 = Date.UTC(2026, 10, 30) * 1000;

function frame(k: StreamKey, st: number, sq: number): Buffer {
  return encodeFrame({
    kind: 'goose',
    eth: { dst: '01:0c:cd:01:00:01', src: k.src },
    header: { appId: k.appId, reserved1: 0, reserved2: 0 },
    padding: new Uint8Array(0),
    pdu: { gocbRef: k.gocbRef, timeAllowedToLive: 1000, datSet: 'LD0/LLN0$DS1', t: utcTimeFromMicros(T0), stNum: st, sqNum: sq, simulation: false, confRev: 1, ndsCom: false, numDatSetEntries: 1, allData: [{ type: 'boolean', value: false }] },
  });
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
  const ctx = { nowUs: T0 + 2_010_000, wallOffsetUs: 0, width: 80, height: 24, offset: 0, recent: ['event 1', 'event 2'] };

  it('2000 streams fit an 80 × 24 terminal: summary, problems first, a scroll line', () => {
    const { lines } = formatView(m, ctx);
    expect(lines.length).to.be.at.most(24);
    expect(lines.every((l) => [...l].length <= 80), lines.find((l) => [...l].length > 80)).to.equal(true);
    expect(lines[0]).to.match(/^streams 2001: ok 1998 anom 1 late 0 stop 1 never 1 \| 0 msg\/s \| events 2 malf 0$/);
    expect(lines[1]).to.match(/rows 1-\d+ of 2001/);
    expect(lines[3]).to.match(/^STOP 0x15dc IED1500…g_name 1\/0 +-1\.01s +0\.0 00:00:00\.0 - +1 STOP$/);
    expect(lines[4]).to.match(/^NEVR 0x1fa0/);
    expect(lines[5]).to.match(/^ANOM 0x1007 .* 1 GAP$/);
    expect(lines[6]).to.match(/^ok {3}0x1000 /);
    expect(lines.slice(-2)).to.deep.equal(['event 1', 'event 2']);
  });

  it('scrolling past the end stops at the last page; a wider terminal widens the gocbRef column', () => {
    const end = formatView(m, { ...ctx, offset: 1_000_000 });
    expect(end.offset).to.equal(2001 - (24 - 4 - 3));
    expect(end.lines[1]).to.match(/rows 1985-2001 of 2001/);
    const wide = formatView(m, { ...ctx, width: 120 });
    expect(wide.lines[3]).to.include('IED1500LD0/LLN0$GO$gcb01_with_a_long_name');
  });

  it('fit keeps both ends of a long name', () => {
    expect(fit('IED1LD0/LLN0$GO$gcb01', 14)).to.equal('IED1LD0…$gcb01');
    expect(fit('short', 8)).to.equal('short   ');
  });
});
