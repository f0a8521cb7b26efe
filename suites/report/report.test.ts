import { expect } from 'chai';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toCsv, parseCsv, writeCsv, defaultOutDir } from './csv.js';
import { renderTable, renderMarkdownTable } from './table.js';
import { etaSeconds, renderBar } from './progress.js';
import { ninesOf, renderSvg, sliceTimelineSpec, throughputSpec, type Datum } from './charts.js';
import { evaluateGoals, goalsMarkdown, gsoCaveat } from './goals.js';
import { shortTrials, writeReportFolder } from './report-folder.js';
import { LATENCY_COLUMNS, PERCENTILE_CURVE_COLUMNS, RESOURCE_COLUMNS, latencyRow, ratioRow } from '../latency-suite.js';
import { newLatencyHistogram } from '../stats/latency-summary.js';
import { THROUGHPUT_COLUMNS, ratioBound, throughputFigure } from '../throughput-suite.js';
import { LOSS_COLUMNS } from '../loss-suite.js';
import { escapeHtml } from './html-report.js';

describe('CSV writing', () => {
  it('round-trips any cell text through csv-stringify and our reader, columns in order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), fc.integer(), fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }))), { maxLength: 20 }), (rows) => {
        const csv = toCsv(['a', 'b', 'c'], rows.map(([a, b, c]) => ({ a, b, c })));
        const back = parseCsv(csv);
        expect(csv.split('\n')[0]).to.equal('a,b,c');
        expect(back.length).to.equal(rows.length);
        back.forEach((r, i) => {
          const [a, b, c] = rows[i]!;
          expect(r.a).to.equal(a);
          expect(Number(r.b)).to.equal(b);
          expect(r.c).to.equal(c === null ? '' : String(c));
        });
      }),
    );
  });
  it('refuses a row with a column the header lacks, and writes empty cells for missing figures', () => {
    expect(() => toCsv(['a'], [{ a: 1, z: 2 }])).to.throw(/z/);
    expect(toCsv(['a', 'b'], [{ a: 1 }, { a: Infinity, b: true }])).to.equal('a,b\n1,\n,true\n');
    expect(defaultOutDir(new Date('2026-11-21T15:04:05.123Z'))).to.equal(join('reports', '2026-11-21T15-04-05Z'));
  });
});

describe('tables', () => {
  it('align every column to the widest cell', () => {
    const t = renderTable(['path', { key: 'latency_p50_us', label: 'p50 µs' }], [{ path: 'bridge', latency_p50_us: 12 }, { path: 'bridge/vxlan', latency_p50_us: 1.23456 }]);
    const lines = t.trimEnd().split('\n');
    expect(new Set(lines.map((l) => l.length)).size).to.equal(1);
    expect(t).to.contain('1.235');
    expect(renderMarkdownTable(['a'], [{ a: 'x|y' }])).to.equal('| a |\n|---|\n| x\\|y |\n');
    expect(renderBar(1, 2, 10)).to.equal('[█████░░░░░]  50%');
  });
});

describe('latency ratio row', () => {
  it('divides each figure of a path by VXLAN’s and names the row after the path', () => {
    const r = ratioRow({ path: 'bridge', latency_p50_us: 300, latency_p99_us: 900, rate_fps: 1000 }, { path: 'vxlan', latency_p50_us: 100, latency_p99_us: 0 })!;
    expect(r.path).to.equal('bridge/vxlan');
    expect(r.latency_p50_us).to.equal(3);
    expect(r.latency_p99_us).to.equal(null);
    expect(ratioRow(undefined, { path: 'vxlan' })).to.equal(null);
    expect(ratioRow({ path: 'relay', latency_p50_us: 150 }, { path: 'vxlan', latency_p50_us: 100 })).to.include({ path: 'relay/vxlan', latency_p50_us: 1.5 });
  });
  it('writes only latency.csv columns: every key a row and a ratio row carry is a column', () => {
    const h = newLatencyHistogram();
    for (let us = 10; us <= 1000; us += 10) h.recordValue(us);
    const row = latencyRow('bridge', { rateFps: 1000, publishers: 1, sizeBytes: 200 } as Parameters<typeof latencyRow>[1], { sent: 100, refused: 0, received: 100, actual: h, sched: h, lag: h, slices: 4 }, 0.25);
    const ratio = ratioRow(row, { ...row, path: 'vxlan' })!;
    for (const r of [row, ratio]) expect(Object.keys(r).filter((k) => !(LATENCY_COLUMNS as readonly string[]).includes(k)), String(r.path)).to.deep.equal([]);
    expect(Number(row.latency_p50_us)).to.be.within(490, 510);
    expect(ratio.latency_p99_us).to.equal(1);
  });
});

describe('goals', () => {
  it('reports each goal with its figure, met or not, and "not measured" when absent', () => {
    const g = evaluateGoals(
      [{ path: 'bridge', rate_fps: '1000', latency_p99_us: '1500', latency_p99_9_us: '2900' }, { path: 'bridge/vxlan', latency_p50_us: '1.5' }],
      [{ path: 'bridge', frame_bytes: '200', rate_fps: '99000' }],
      [{ suite: 'latency', path: 'bridge', rate_fps: '1000', rss_peak_mb: '59', cpu_percent: '2.5' }],
      [{ path: 'bridge', streams: '24', sent: '5760000', lost: '3', loss_percent: '0.0001' }],
    );
    expect(g.map((x) => x.met)).to.deep.equal([false, null, true, false, true, true, false, false, null]);
    expect(g[3]!.figure).to.equal('1500 µs');
    const withKernel = evaluateGoals([{ path: 'bridge', rate_fps: '1000', latency_p99_us: '1500', latency_p99_9_us: '2900' }, { path: 'vxlan', rate_fps: '1000', latency_p99_us: '700', latency_p99_9_us: '3100' }], [], []);
    expect([withKernel[3]!.figure, withKernel[4]!.figure]).to.deep.equal(['1500 µs (VXLAN 700 µs)', '2900 µs (VXLAN 3100 µs)']);
    expect(g[7]!.figure).to.equal('3 lost of 5760000 (0.0001 %)');
    expect(evaluateGoals([], [], [], [])[7]!.met).to.equal(null);
  });
  it('judges the machine CPU per frame of bridge vs VXLAN net of the background, and keeps the machine rows out of the daemons\' goals', () => {
    const machine = (path: string, ns: number, bg: number) => ({ suite: 'latency', path, host: 'machine', rate_fps: '1000', cpu_percent: '150', cpu_ns_per_frame: String(ns), background_ns_per_frame: String(bg) });
    const daemon = { suite: 'latency', path: 'bridge', host: 'h1', rate_fps: '1000', rss_peak_mb: '50', cpu_percent: '1.5' };
    const g = evaluateGoals([], [], [daemon, machine('bridge', 60_000, 20_000), machine('vxlan', 50_000, 20_000)]);
    expect(g[6]).to.include({ figure: '1.5 % (highest of 1)', met: true });
    expect(g[8]).to.include({ figure: '1.33 × net of background (40,000 vs 30,000 ns); 1.2 × gross (60,000 vs 50,000 ns)', met: false });
    const close = evaluateGoals([], [], [machine('bridge', 55_000, 20_000), machine('vxlan', 50_000, 20_000)]);
    expect(close[8]!.met).to.equal(true);
    const saturated = evaluateGoals([], [], [machine('bridge', 55_000, 60_000), machine('vxlan', 50_000, 60_000)]);
    expect(saturated[8]).to.include({ figure: '1.1 × gross (55,000 vs 50,000 ns); net of background not positive', met: true });
  });
  it('shows the minimal relay of the same run beside the bridge, and judges only the bridge', () => {
    const g = evaluateGoals(
      [
        { path: 'bridge', rate_fps: '1000', latency_p99_us: '2600', latency_p99_9_us: '5400' }, { path: 'bridge/vxlan', latency_p50_us: '6.1' },
        { path: 'relay', rate_fps: '1000', latency_p99_us: '2900', latency_p99_9_us: '6000' }, { path: 'relay/vxlan', latency_p50_us: '5.7' },
      ],
      [{ path: 'bridge/vxlan', frame_bytes: '200', rate_fps: '0.45', bound: '=' }, { path: 'relay/vxlan', frame_bytes: '200', rate_fps: '0.3', bound: '=' }],
      [{ suite: 'latency', path: 'bridge', rate_fps: '1000', rss_peak_mb: '55', cpu_percent: '4.9' }, { suite: 'latency', path: 'relay', rate_fps: '1000', rss_peak_mb: '1.4', cpu_percent: '3.6' }],
    );
    expect(g.slice(1, 7).map((x) => x.figure)).to.deep.equal([
      '0.45 × VXLAN; minimal relay 0.3 ×', '6.1 × VXLAN (minimal relay 5.7 ×)', '2600 µs (minimal relay 2900 µs)',
      '5400 µs (minimal relay 6000 µs)', '55 MB (highest of 1)', '4.9 % (highest of 1; minimal relay 3.6 %)',
    ]);
    expect(g.slice(1, 7).map((x) => x.met)).to.deep.equal([false, false, false, false, true, false]);
  });
  it('writes a bound, not "met", when the throughput search hit its ceiling on either side', () => {
    const t = (ratio: string, bound: string) => [{ path: 'bridge', frame_bytes: '200', rate_fps: '95625', bound: '=' }, { path: 'bridge/vxlan', frame_bytes: '200', rate_fps: ratio, bound }];
    const ratioGoal = (ratio: string, bound: string) => evaluateGoals([], t(ratio, bound), [])[1]!;
    expect(ratioGoal('0.638', '≤')).to.include({ figure: '≤ 0.638 × VXLAN (could not judge: VXLAN\'s figure is a lower bound, limited_by ceiling)', met: null });
    expect(ratioGoal('0.4', '≤').met).to.equal(false); // an upper bound below the goal: missed for sure
    expect(ratioGoal('0.7', '≥').met).to.equal(true);
    expect(ratioGoal('0.7', '=').met).to.equal(true);
    expect(goalsMarkdown([ratioGoal('0.638', '≤')])).to.contain('| could not judge |');
    // The raw rows decide, not a stale ratio bound: a generator-limited VXLAN makes "= 2.181" an upper bound.
    const vxlanByGenerator = evaluateGoals([], [
      { path: 'bridge', frame_bytes: '200', rate_fps: '200000', bound: '=', limited_by: 'loss' },
      { path: 'vxlan', frame_bytes: '200', rate_fps: '91700', bound: '=', limited_by: 'generator' },
      { path: 'bridge/vxlan', frame_bytes: '200', rate_fps: '2.181', bound: '=' },
    ], [])[1]!;
    expect(vxlanByGenerator).to.include({ met: null, figure: '≤ 2.181 × VXLAN (could not judge: VXLAN\'s figure is a lower bound, limited_by generator)' });
    expect([ratioBound(true, false), ratioBound(false, true), ratioBound(true, true), ratioBound(false, false)]).to.deep.equal(['≥', '≤', '?', '=']);
    // A generator that could not offer the asked rate: what arrived loss-free is a lower bound.
    expect(throughputFigure(0, 69_136, 150_000)).to.deep.equal({ fps: 69_136, bound: '≥' });
    expect(throughputFigure(77_500, 76_000, 150_000)).to.deep.equal({ fps: 77_500, bound: '=' });
    expect(throughputFigure(150_000, 149_000, 150_000)).to.deep.equal({ fps: 150_000, bound: '≥' });
  });
  it('shows an ETA from the first step: the plan\'s until a quarter is done, then the pace', () => {
    expect(etaSeconds(0, 0, 40, 300)).to.equal(300);
    expect(etaSeconds(100, 5, 40, 300)).to.equal(200);
    expect(etaSeconds(100, 20, 40, 300)).to.equal(100);
    expect(etaSeconds(10, 0, 40)).to.equal(null);
    expect(etaSeconds(50, 40, 40, 300)).to.equal(0);
  });
});

describe('charts and report folder', () => {
  it('places percentiles on a nines axis', () => {
    expect([ninesOf(0), ninesOf(90), ninesOf(99), ninesOf(99.9), ninesOf(100)]).to.deep.equal([0, 1, 2, 3, 6]);
  });
  it('draws no ratio row as a path: throughput bars and slice panels hold measured paths only, one panel per path beside VXLAN', () => {
    const tp = throughputSpec([{ path: 'bridge', frame_bytes: 200, rate_fps: 5 }, { path: 'vxlan', frame_bytes: 200, rate_fps: 7 }, { path: 'bridge/vxlan', frame_bytes: 200, rate_fps: 0.7 }, { path: 'relay/vxlan', frame_bytes: 200, rate_fps: 0.2 }]) as { data: { values: Datum[] } };
    expect(tp.data.values.map((v) => v.path)).to.deep.equal(['bridge', 'vxlan']);
    const slice = (path: string, round: number) => ({ path, round, start_s: round, latency_p50_us: 100, latency_p99_us: 900 });
    const spec = sliceTimelineSpec([slice('bridge', 1), slice('vxlan', 1), slice('relay', 1), slice('bridge/vxlan', 1), slice('relay/vxlan', 1)]) as { data: { values: Datum[] } };
    const values = spec.data.values;
    expect([...new Set(values.map((v) => v.panel))]).to.deep.equal(['bridge vs vxlan', 'relay vs vxlan']);
    expect(values.filter((v) => v.panel === 'relay vs vxlan').map((v) => `${v.path} ${v.figure}`)).to.deep.equal(['vxlan p50', 'vxlan p99', 'relay p50', 'relay p99']);
    expect(values.some((v) => String(v.path).includes('/'))).to.equal(false);
  });
  it('warns of short trials from measured rows only (ratio rows have no trial_s)', () => {
    const ratioRow = { path: 'bridge/vxlan', frame_bytes: '200', rate_fps: '0.7', trial_s: '' };
    expect(shortTrials([{ path: 'bridge', trial_s: '10' }, { path: 'vxlan', trial_s: '10' }, ratioRow])).to.equal(false);
    expect(shortTrials([{ path: 'bridge', trial_s: '1.5' }, ratioRow])).to.equal(true);
  });
  it('states the GSO caveat for the run\'s uplinks', () => {
    expect(gsoCaveat('on')).to.match(/AWS ENA.*lower.*--uplink-gso off/);
    expect(gsoCaveat('off')).to.match(/--uplink-gso off/).and.not.match(/lower/);
  });
  it('renders Vega-Lite to SVG offline', async () => {
    const svg = await renderSvg(throughputSpec([{ path: 'bridge', frame_bytes: 200, rate_fps: 5, mbit_s: 1 }]));
    expect(svg.startsWith('<svg')).to.equal(true);
    expect(svg).to.contain('frames/s');
  });
  it('writes summary.md and a self-contained report.html from a folder of suite CSVs', async function () {
    this.timeout(30_000);
    const dir = mkdtempSync(join(tmpdir(), 'gbh-report-'));
    try {
      writeCsv(dir, 'latency.csv', LATENCY_COLUMNS, [{ path: 'bridge', rate_fps: 1000, sent: 10, received: 10, lost: 0, latency_p50_us: 80, latency_p99_us: 400 }, { path: 'vxlan', rate_fps: 1000, latency_p50_us: 40 }]);
      writeCsv(dir, 'latency-percentiles.csv', PERCENTILE_CURVE_COLUMNS, [0, 50, 99, 99.9, 100].flatMap((p) => [{ path: 'bridge', percentile: p, latency_us: 10 + p }, { path: 'vxlan', percentile: p, latency_us: 5 + p }]));
      writeCsv(dir, 'throughput.csv', THROUGHPUT_COLUMNS, [{ path: 'bridge', frame_bytes: 200, rate_fps: 60000, mbit_s: 96 }, { path: 'vxlan', frame_bytes: 200, rate_fps: 90000, mbit_s: 144 }]);
      writeCsv(dir, 'resources-latency.csv', RESOURCE_COLUMNS, [{ suite: 'latency', path: 'bridge', host: 'h1', rate_fps: 1000, cpu_percent: 3, rss_peak_mb: 70 }]);
      writeCsv(dir, 'loss.csv', LOSS_COLUMNS, [{ path: 'bridge', loss_set_percent: 5, delivered_4ms_fraction: 0.99, predicted_4ms_fraction: 0.9975 }]);
      writeFileSync(join(dir, 'compare.json'), JSON.stringify({ baseline: 'b', tolerances: 't.json', warnings: ['different machines'], findings: [{ rule: 'r1', status: 'ok' }, { rule: 'r2', status: 'regressed' }, { rule: 'r3', status: 'unjudged' }] }));
      const r = await writeReportFolder(dir, { run: '<test>', load_avg_start: '3.10/2.00/1.50', load_avg_end: '4.00/2.50/1.70', cpus: '2' });
      const html = readFileSync(join(dir, 'report.html'), 'utf8');
      // latency CDF + nines, throughput, loss interval + delivery
      expect((html.match(/<svg/g) ?? []).length).to.equal(5);
      expect(html).to.contain('<td class="v v-regressed">regressed</td>').and.contain('<td class="v v-ok">ok</td>');
      expect(html).to.contain('<td class="v v-couldnotjudge">could not judge</td>');
      expect(r.summary).to.contain('## Regression gate').and.contain('Warning: different machines');
      expect(r.summary).to.contain('Load average (1/5/15 min) 3.10/2.00/1.50 at the start, 4.00/2.50/1.70 at the end, on 2 CPU(s)');
      expect(r.summary).to.contain('With GSO runs cut, as on AWS ENA');
      // The header survives a re-render that does not repeat it.
      await writeReportFolder(dir, { rendered: 'again' });
      expect(readFileSync(join(dir, 'summary.md'), 'utf8')).to.contain('- run: <test>').and.contain('- rendered: again');
      expect(html).to.not.match(/<script|https?:\/\/(?!www\.w3\.org|vega\.github\.io)/);
      expect(html).to.contain('&lt;test&gt;');
      expect(r.summary).to.contain('## Latency');
      expect(r.summary).to.contain('| one-way latency p99 ≤ 1 ms at 1,000 frames/s | 400 µs | yes |');
      expect(escapeHtml('<a href="x">&')).to.equal('&lt;a href=&quot;x&quot;&gt;&amp;');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
