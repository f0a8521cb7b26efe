import { expect } from 'chai';
import fc from 'fast-check';
import { IGMP_COLUMNS, summarizeScenario, type ScenarioMeasurement } from './igmp-results.js';
import { igmpCsvText, timelineCsvText, formatIgmpTable } from './igmp-csv.js';
import { parseTcpdumpIgmpLine, type MembershipEvent } from './membership-events.js';
import { igmpTiming } from './scenario-timing.js';
import { runIgmpCli } from './cli.js';
import { timelineSpec } from './all-hook.js';
import { renderSvg } from '../report/charts.js';

// Captured with `tcpdump -l -n -tt -i tgw-b igmp` on the stand-in (scale 60).
const CAPTURED = [
  '1795273792.251409 IP 0.0.0.0 > 224.0.0.106: igmp v2 report 224.0.0.106',
  '1795273792.315356 IP 0.0.0.0 > 224.0.0.1: igmp query v2 [max resp time 10]',
  '1795273792.415369 IP 10.77.0.12 > 224.0.1.100: igmp v2 report 224.0.1.100',
  '1795273795.404987 IP 10.77.0.12 > 224.0.0.2: igmp leave 224.0.1.100',
  '1795273795.405000 IP 0.0.0.0 > 224.0.0.1: igmp query v2 [max resp time 10] [gaddr 224.0.1.100]',
  'listening on pb, link-type EN10MB (Ethernet), snapshot length 262144 bytes',
];

describe('parseTcpdumpIgmpLine', () => {
  it('reads queries, group queries, reports and leaves, moved onto the monotonic clock', () => {
    const offset = -1_795_273_000_000_000;
    const evs = CAPTURED.map((l) => parseTcpdumpIgmpLine(l, offset));
    expect(evs.map((e) => e?.kind ?? null)).to.deep.equal(['report', 'query', 'report', 'leave', 'group-query', null]);
    expect(evs[2]).to.deep.equal({ atUs: 792_415_369, kind: 'report', group: '224.0.1.100', source: '10.77.0.12' });
    expect(evs[4]).to.include({ group: '224.0.1.100', source: '0.0.0.0' });
    expect(evs[1]).to.include({ group: '' });
  });
});

const G = '224.0.1.100';
const MEMBER = '10.77.0.12';

/** A 200 frames/s stream of `sent` frames from t=1 s where frames in [lossFrom, lossTo) are missing. */
function measurement(over: Partial<ScenarioMeasurement> & { sent: number; lossFrom?: number; lossTo?: number }): ScenarioMeasurement {
  const start = 1_000_000;
  const frames = [];
  for (let s = 0; s < over.sent; s++) {
    if (over.lossFrom !== undefined && s >= over.lossFrom && s < (over.lossTo ?? over.sent)) continue;
    frames.push({ seq: s, rxUs: start + s * 5_000 + 300 });
  }
  return {
    scenario: 'x',
    fastLeave: false,
    timing: igmpTiming(60),
    keepalive: 'none',
    keepaliveIntervalS: null,
    group: G,
    memberAddress: MEMBER,
    streamStartUs: start,
    streamEndUs: start + (over.sent - 1) * 5_000,
    frames,
    events: [],
    expectLoss: false,
    recoverIsTimerDriven: false,
    ...over,
  };
}

describe('summarizeScenario', () => {
  it('measures time to loss from the member\'s last report, in TGW seconds', () => {
    const events: MembershipEvent[] = [
      { atUs: 900_000, kind: 'report', group: G, source: MEMBER },
      { atUs: 950_000, kind: 'report', group: '224.0.0.106', source: '0.0.0.0' }, // someone else's
      { atUs: 1_200_000, kind: 'query', group: '', source: '0.0.0.0' },
    ];
    // Frames 0..1399 arrive (7 s), the rest of 2000 is lost.
    const r = summarizeScenario(measurement({ sent: 2000, lossFrom: 1400, events, expectLoss: true }));
    expect(r.row).to.include({ frames_sent: 2000, frames_received: 1400, frames_lost: 600, loss_windows: 1 });
    // Last frame before the gap: 1 s + 1399 × 5 ms + 0.3 ms; last report at 0.9 s → 7.0953 s → × 60.
    expect(r.wall.timeToLossS).to.equal(7.0953);
    expect(r.row.time_to_loss_s).to.be.closeTo(425.718, 1e-6);
    expect(r.row.expected_time_to_loss_s).to.equal(420);
    expect(r.row.time_to_recover_s).to.equal(''); // never came back
    expect(r.row.membership_timeout_s).to.equal(420);
    expect(r.row.query_interval_s).to.equal(120);
  });

  it('does not call a gap caused by a Leave (re-join) a membership timeout', () => {
    const events: MembershipEvent[] = [
      { atUs: 900_000, kind: 'report', group: G, source: MEMBER },
      { atUs: 1_000_000 + 100 * 5_000, kind: 'leave', group: G, source: MEMBER },
    ];
    const r = summarizeScenario(measurement({ sent: 400, lossFrom: 100, lossTo: 102, events }));
    expect(r.row.loss_windows).to.equal(1);
    expect(r.row.time_to_loss_s).to.equal('');
    // The gap (10 ms + 5 ms spacing) is not timer-driven: reported as measured.
    expect(r.row.time_to_recover_s).to.equal(0.015);
  });

  it('scales recovery only when a timer drives it', () => {
    const m = measurement({ sent: 400, lossFrom: 100, lossTo: 200 });
    expect(summarizeScenario({ ...m, recoverIsTimerDriven: true }).row.time_to_recover_s).to.be.closeTo(0.505 * 60, 1e-6);
    expect(summarizeScenario(m).row.time_to_recover_s).to.equal(0.505);
  });

  it('measures recovery from an event to the first frame after it', () => {
    const r = summarizeScenario(measurement({ sent: 400, lossFrom: 100, lossTo: 150, recoverFromUs: 1_000_000 + 120 * 5_000 }));
    expect(r.row.time_to_recover_s).to.equal(0.1503);
  });

  it('counts the frames that arrived and the numbers missing, and bins every arrival into the timeline', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 3000 }), (sent, a, b) => {
        const m = measurement({ sent, lossFrom: Math.min(a, b), lossTo: Math.max(a, b) });
        const r = summarizeScenario(m);
        // Against the generator's own counts, not against sent − received.
        const missing = Math.max(0, Math.min(Math.max(a, b), sent) - Math.min(Math.min(a, b), sent));
        expect(r.row.frames_received).to.equal(m.frames.length);
        expect(r.row.frames_lost).to.equal(missing);
        const binned = r.timeline.reduce((n, t) => n + (t.frames === '' ? 0 : t.frames), 0);
        expect(binned).to.equal(r.row.frames_received);
        expect(r.windowRows.reduce((n, w) => n + w.lost, 0)).to.equal(r.row.frames_lost);
      }),
    );
  });
});

describe('igmp.csv', () => {
  it('has exactly the documented columns, in order, and parses back', () => {
    const r = summarizeScenario(measurement({ sent: 100 }));
    const text = igmpCsvText([r.row]);
    expect(text.split('\n')[0]).to.equal(
      'scenario,fast_leave,scale,query_interval_s,membership_timeout_s,keepalive,keepalive_interval_s,duration_s,' +
        'frames_sent,frames_received,frames_lost,loss_windows,time_to_loss_s,expected_time_to_loss_s,time_to_recover_s',
    );
    // No value here contains a comma or quote, so a split reads it back.
    const [head, first] = text.trim().split('\n').map((l) => l.split(','));
    expect(head).to.deep.equal([...IGMP_COLUMNS]);
    const back = Object.fromEntries(head!.map((h, i) => [h, first![i]]));
    expect(back).to.include({ frames_sent: '100', frames_lost: '0', time_to_loss_s: '', fast_leave: 'off' });
    expect(timelineCsvText(r.timeline).split('\n')[0]).to.equal('scenario,fast_leave,scale,t_s,t_tgw_s,frames,event,group,source');
    const table = formatIgmpTable([{ ...r.row, scenario: 'scenario-under-test', frames_sent: 4321 }]);
    expect(table.split('\n').find((l) => l.includes('scenario-under-test'))).to.contain('4321');
  });
});

describe('suite:igmp arguments', () => {
  it('refuses a bad value with exit code 2 before building anything', async () => {
    const saved = process.stderr.write.bind(process.stderr);
    let said = '';
    process.stderr.write = ((s: string) => {
      said += s;
      return true;
    }) as typeof process.stderr.write;
    try {
      expect(await runIgmpCli(['--scale', '0'])).to.equal(2);
      expect(await runIgmpCli(['--scenarios', '1,9'])).to.equal(2);
      expect(await runIgmpCli(['--real', '--role', 'receiver', '--duration', '5'])).to.equal(2);
    } finally {
      process.stderr.write = saved;
    }
    expect(said).to.match(/--scale must be a number 1\.\.120, got "0"/);
    expect(said).to.match(/"9"/);
    expect(said).to.match(/--mcast-if/);
  });
});

describe('timelineSpec', () => {
  it('renders the frames-per-bin timeline with its membership events to SVG', async () => {
    const events: MembershipEvent[] = [{ atUs: 1_000_000 + 700 * 5_000, kind: 'mdb-deleted', group: G, source: 'tgw-h2' }];
    const r = summarizeScenario(measurement({ sent: 1000, lossFrom: 700, events }));
    const svg = await renderSvg(timelineSpec(r.timeline));
    expect(svg).to.match(/^<svg/);
    expect(svg).to.contain('mdb-deleted');
    expect(svg).to.contain('TGW seconds');
  });
});
