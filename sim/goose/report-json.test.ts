import { expect } from 'chai';
import { framesOf, SCENARIOS } from '../monitor/anomaly-scenarios.js';
import { GooseMonitor } from '../monitor/goose-monitor.js';
import { ROWS_PER_CHUNK, writeJsonReport } from './report-json.js';
import { materialize, planReport, type LazyReport, type SubscriberReport } from './stream-statistics.js';

/** A report of `copies` × the scenarios' streams (rows repeated: the writer does not care). */
function report(copies: number): LazyReport {
  const m = new GooseMonitor({ graceUs: 500_000, onEvent: () => {} });
  for (const f of framesOf(SCENARIOS[0]!)) m.handleFrame(f.buf, f.rxUs);
  const one = planReport(m);
  return { rows: { length: one.rows.length * copies, at: (i) => one.rows.at(i % one.rows.length) }, totals: one.totals };
}

function written(r: LazyReport, stopAfterChecks = Infinity): { json: SubscriberReport; chunks: number; rows: number } {
  const chunks: string[] = [];
  let checks = 0;
  const rows = writeJsonReport((c) => chunks.push(c), r, { extra: { scl: { ok: true } }, stopRows: () => ++checks > stopAfterChecks });
  return { json: JSON.parse(chunks.join('')) as SubscriberReport, chunks: chunks.length, rows };
}

describe('the JSON report written in chunks', () => {
  it('holds every row in order, in chunks, with the totals and extra keys after them', () => {
    const r = report(100);
    const out = written(r);
    expect(out.json.streams).to.deep.equal(materialize(r).streams);
    expect(out.chunks).to.be.greaterThan(r.rows.length / ROWS_PER_CHUNK);
    expect(out.json.totals).to.deep.equal({ ...r.totals, streams_not_written: 0 });
    expect((out.json as unknown as { scl: unknown }).scl).to.deep.equal({ ok: true });
  });

  it('stops the rows where the deadline says, counts those left out, and stays valid JSON (also with none written)', () => {
    const r = report(100);
    const cut = written(r, 2);
    expect(cut.rows).to.equal(2 * ROWS_PER_CHUNK);
    expect(cut.json.streams).to.have.length(2 * ROWS_PER_CHUNK);
    expect(cut.json.totals.streams_not_written).to.equal(r.rows.length - 2 * ROWS_PER_CHUNK);
    const none = written(r, 0);
    expect([none.json.streams.length, none.json.totals.streams_not_written]).to.deep.equal([0, r.rows.length]);
  });
});
