import { expect } from 'chai';
import { decodeFrame } from '../../bridge/codec/index.js';
import { encodedStreamGoose } from '../../testkit/sim-goose-frame.js';
import { GooseMonitor } from '../monitor/goose-monitor.js';
import { buildReport, CSV_COLUMNS, formatCsv, formatTable, TABLE_WIDTH } from './stream-statistics.js';

function frame(appId: number, st: number, sq: number, tUs: number): Uint8Array {
  const stream = { appId, src: '02:00:00:00:00:01', gocbRef: 'IED/LLN0$GO$g' };
  return encodedStreamGoose(stream, { stNum: st, sqNum: sq, tUs, timeAllowedToLive: 2000, datSet: 'IED/LLN0$DS', allData: [{ type: 'boolean', value: true }] });
}

describe('StreamReceiver and the report', () => {
  it('dispatches by stream key, counts decode errors by reason and other EtherTypes, lists never-seen streams', () => {
    const rx = new GooseMonitor({ graceUs: 0, decode: decodeFrame, expected: [{ appId: 0x10, gocbRef: 'IED/LLN0$GO$g', src: '02:00:00:00:00:01' }, { appId: 0x99, gocbRef: 'X', src: '02:00:00:00:00:09' }], onEvent: () => {} });
    rx.handleFrame(frame(0x10, 1, 0, 1000), 1500);
    rx.handleFrame(frame(0x10, 1, 1, 1000), 2500);
    rx.handleFrame(frame(0x11, 5, 3, 1000), 2600); // a second stream (other APPID), not expected
    const truncated = frame(0x10, 1, 2, 1000).subarray(0, 30);
    rx.handleFrame(truncated, 2700);
    const ipv4 = new Uint8Array(60);
    ipv4[12] = 0x08;
    rx.handleFrame(ipv4, 2800);
    const report = buildReport(rx);
    expect(report.totals).to.include({ streams: 3, streams_never_seen: 1, streams_unexpected: 1, frames: 5, goose_messages: 3, other_frames: 1, decode_errors: 1 });
    expect(Object.values(report.totals.decode_errors_by_reason)).to.deep.equal([1]);
    expect(report.streams[0]).to.include({ appid: '0x0099', status: 'never-seen' });
    // event latency: sqNum-0 frame received 500 µs after its t
    const ok = report.streams.find((r) => r.appid === '0x0010')!;
    expect(ok).to.include({ messages: 2, event_latency_count: 1, event_latency_p50_us: 500, status: 'ok' });
    // the last dataset by member (by position without SCL names), in the JSON only
    expect(ok.values).to.deep.equal({ '[0]': 'true' });
    // the decode error is the run's one anomaly; never-seen and unexpected are verdicts of their own
    expect(report.totals.anomalies).to.equal(1);
    const table = formatTable(report);
    expect(table).to.match(/never-seen/).and.match(/verdict: anomaly 1, tal-expired 0, stopped 0, never-seen 1, unexpected 1/);
    expect(Math.max(...table.split('\n').map((l) => l.length))).to.be.at.most(TABLE_WIDTH);
  });

  it('writes one CSV row per stream with the documented columns', () => {
    const rx = new GooseMonitor({ graceUs: 0, onEvent: () => {} });
    for (let i = 0; i < 5; i++) rx.handleFrame(frame(0x20 + i, 1, 0, 0), 10);
    // no field here needs quoting, so a plain split reads it
    const [header, ...lines] = formatCsv(buildReport(rx)).trim().split('\n');
    const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [header!.split(',')[i]!, v])));
    expect(rows).to.have.length(5);
    expect(Object.keys(rows[0]!)).to.deep.equal(CSV_COLUMNS);
    expect(rows[0]).to.include({ appid: '0x0020', messages: '1', status: 'ok', expected: 'true' });
  });
});
