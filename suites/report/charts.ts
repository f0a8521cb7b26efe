// The report's charts as Vega-Lite specs rendered to SVG in Node (no browser, no network), so
// report.html is one self-contained file that opens offline.
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { TRANSFER_TIME_CLASSES } from '../stats/latency-summary.js';
import { isRatioPath, REFERENCE_PATH } from '../compare/derived.js';

export type Datum = Record<string, string | number | boolean | null>;

const VEGA_LITE = 'https://vega.github.io/schema/vega-lite/v6.json';

/** Lines with points, one panel per value of the facet's field. */
function facetedLines(title: string, values: unknown[], facet: object, size: { width: number; height: number }, encoding: object): TopLevelSpec {
  return { $schema: VEGA_LITE, title, data: { values }, facet, spec: { ...size, mark: { type: 'line', point: true }, encoding } } as TopLevelSpec;
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** "Nines" position of a percentile: 0 → 0, 90 → 1, 99 → 2, 99.9 → 3 (100 is drawn at 6 nines). */
export function ninesOf(percentile: number): number {
  const rest = 1 - Math.min(percentile, 99.9999) / 100;
  return Math.round(-Math.log10(rest) * 1e6) / 1e6 + 0; // + 0 turns -0 (percentile 0) into 0
}

export function latencyNinesSpec(curve: Datum[]): TopLevelSpec {
  const data = curve.map((d) => ({ ...d, nines: ninesOf(Number(d.percentile)), latency_us: Math.max(1, Number(d.latency_us)) }));
  const maxNines = Math.max(3, ...data.map((d) => d.nines));
  const ticks = [0, 1, 2, 3, 4, 5, 6].filter((t) => t <= maxNines);
  return {
    $schema: VEGA_LITE,
    title: 'One-way latency by percentile (log "nines" axis) with IEC 61850-5 transfer-time classes',
    width: 560,
    height: 300,
    layer: [
      {
        data: { values: data },
        mark: { type: 'line', point: true },
        encoding: {
          x: {
            field: 'nines', type: 'quantitative', title: 'percentile',
            axis: { values: ticks, labelExpr: "['0%','90%','99%','99.9%','99.99%','99.999%','99.9999%'][datum.value]" },
            scale: { domain: [0, maxNines] },
          },
          y: { field: 'latency_us', type: 'quantitative', title: 'latency (µs)', scale: { type: 'log' } },
          color: { field: 'path', type: 'nominal' },
        },
      },
      {
        data: { values: TRANSFER_TIME_CLASSES.map((c) => ({ limit_us: c.maxUs, label: `${c.name} ≤ ${c.maxUs / 1000} ms` })) },
        layer: [
          { mark: { type: 'rule', strokeDash: [4, 4], color: '#999' }, encoding: { y: { field: 'limit_us', type: 'quantitative' } } },
          { mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: '#666' }, encoding: { y: { field: 'limit_us', type: 'quantitative' }, x: { value: 0 }, text: { field: 'label' } } },
        ],
      },
    ],
  } as TopLevelSpec;
}

export function throughputSpec(rows: Datum[]): TopLevelSpec {
  return {
    $schema: VEGA_LITE,
    title: 'Highest loss-free rate per frame size (RFC 2544 search)',
    width: 420,
    height: 260,
    data: { values: rows.filter((r) => !isRatioPath(r.path)).map((r) => ({ ...r, frame_bytes: Number(r.frame_bytes) })) },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'frame_bytes', type: 'ordinal', title: 'frame size (bytes)', sort: 'ascending', axis: { labelAngle: 0 } },
      xOffset: { field: 'path', type: 'nominal' },
      y: { field: 'rate_fps', type: 'quantitative', title: 'frames/s' },
      color: { field: 'path', type: 'nominal' },
      tooltip: [{ field: 'rate_fps' }, { field: 'mbit_s' }],
    },
  } as TopLevelSpec;
}

export function deliverySpec(points: Datum[]): TopLevelSpec {
  return facetedLines(
    'State changes delivered within a deadline vs injected loss (dashed: prediction from the injected loss and each frame’s measured delay)',
    points,
    { column: { field: 'path', type: 'nominal' } },
    { width: 280, height: 220 },
    {
      x: { field: 'loss_percent', type: 'quantitative', title: 'injected loss (%)' },
      y: { field: 'fraction', type: 'quantitative', title: 'fraction delivered', scale: { zero: false } },
      color: { field: 'deadline', type: 'nominal', sort: ['4ms', '10ms', '100ms', '1s'] },
      strokeDash: { field: 'kind', type: 'nominal', sort: ['measured', 'predicted'] },
    },
  );
}

/**
 * Per-slice latency over the run (latency-slices.csv), one panel per path beside VXLAN (the pair
 * whose ratio the gate tests): p50 solid, p99 dashed, so drift and bursts show as steps and a
 * burst that hits both paths of a round shows in both lines. Ratio rows are not paths: left out.
 */
export function sliceTimelineSpec(slices: Datum[]): TopLevelSpec {
  const measured = slices.filter((r) => !isRatioPath(r.path));
  const others = [...new Set(measured.map((r) => String(r.path)))].filter((p) => p !== REFERENCE_PATH);
  const hasReference = measured.some((r) => r.path === REFERENCE_PATH);
  const panels = others.length ? others.map((p) => ({ panel: hasReference ? `${p} vs ${REFERENCE_PATH}` : p, paths: hasReference ? [p, REFERENCE_PATH] : [p] })) : [{ panel: REFERENCE_PATH, paths: [REFERENCE_PATH] }];
  const values = panels.flatMap(({ panel, paths }) =>
    measured
      .filter((r) => paths.includes(String(r.path)))
      .flatMap((r) => [
        { panel, path: r.path, start_s: Number(r.start_s), figure: 'p50', latency_us: Number(r.latency_p50_us) },
        { panel, path: r.path, start_s: Number(r.start_s), figure: 'p99', latency_us: Number(r.latency_p99_us) },
      ])
      .filter((d) => d.latency_us > 0),
  );
  return facetedLines(
    'Latency per slice over the run, one panel per path beside VXLAN (interleaved slices; solid p50, dashed p99)',
    values,
    { row: { field: 'panel', type: 'nominal', title: null } },
    { width: 560, height: 180 },
    {
      x: { field: 'start_s', type: 'quantitative', title: 'slice start (s since the first slice)' },
      y: { field: 'latency_us', type: 'quantitative', title: 'latency (µs)', scale: { type: 'log' } },
      color: { field: 'path', type: 'nominal' },
      strokeDash: { field: 'figure', type: 'nominal', sort: ['p50', 'p99'] },
    },
  );
}

/** Latency CDF per path, actual and scheduled send → receive (latency-percentiles.csv). */
export function latencyCdfSpec(curve: Datum[]): TopLevelSpec {
  const values = curve.map((d) => ({ path: d.path, kind: d.kind ?? 'actual', latency_us: Math.max(1, Number(d.latency_us)), fraction: Number(d.percentile) / 100 }));
  return {
    $schema: VEGA_LITE,
    title: 'Latency CDF (solid: actual send → receive; dashed: scheduled send → receive)',
    width: 560,
    height: 240,
    data: { values },
    mark: { type: 'line', interpolate: 'step-after' },
    encoding: {
      x: { field: 'latency_us', type: 'quantitative', title: 'latency (µs)', scale: { type: 'log' } },
      y: { field: 'fraction', type: 'quantitative', title: 'fraction of frames ≤ x' },
      color: { field: 'path', type: 'nominal' },
      strokeDash: { field: 'kind', type: 'nominal', sort: ['actual', 'sched'] },
    },
  } as TopLevelSpec;
}

/** Every throughput trial (throughput-trials.csv): rate tried, in order, loss-free or not. */
export function throughputTrialsSpec(trials: Datum[]): TopLevelSpec {
  const values = trials.map((t) => ({ ...t, trial: Number(t.trial), rate_fps: Number(t.rate_fps), run: `${t.path} ${t.frame_bytes} B`, outcome: t.loss_free === 'true' ? 'loss-free' : 'lost frames' }));
  return {
    $schema: VEGA_LITE,
    title: 'Throughput search trials (RFC 2544 binary search)',
    width: 420,
    height: 220,
    data: { values },
    mark: { type: 'line', point: { filled: true, size: 80 } },
    encoding: {
      x: { field: 'trial', type: 'ordinal', title: 'trial', axis: { labelAngle: 0 } },
      y: { field: 'rate_fps', type: 'quantitative', title: 'offered frames/s' },
      color: { field: 'run', type: 'nominal' },
      shape: { field: 'outcome', type: 'nominal' },
      tooltip: [{ field: 'rate_fps' }, { field: 'lost' }, { field: 'refused' }],
    },
  } as TopLevelSpec;
}

/** Measured loss with its 95 % Wilson interval against the injected rate (loss.csv). */
export function lossIntervalSpec(rows: Datum[]): TopLevelSpec {
  const values = rows.map((r) => ({
    path: r.path, set: Number(r.loss_set_percent), measured: Number(r.measured_loss_percent),
    low: Number(r.measured_ci95_low_percent), high: Number(r.measured_ci95_high_percent),
  }));
  return {
    $schema: VEGA_LITE,
    title: 'Measured loss with 95 % confidence interval vs injected (diagonal)',
    width: 360,
    height: 240,
    data: { values },
    layer: [
      { mark: { type: 'rule', strokeDash: [4, 4], color: '#999' }, encoding: { x: { datum: 0, type: 'quantitative' }, y: { datum: 0, type: 'quantitative' }, x2: { datum: Math.max(1, ...values.map((v) => v.set)) }, y2: { datum: Math.max(1, ...values.map((v) => v.set)) } } },
      { mark: { type: 'errorbar', ticks: true }, encoding: { x: { field: 'set', type: 'quantitative', title: 'injected loss (%)' }, y: { field: 'low', type: 'quantitative', title: 'measured loss (%)' }, y2: { field: 'high' }, color: { field: 'path', type: 'nominal' } } },
      { mark: { type: 'point', filled: true }, encoding: { x: { field: 'set', type: 'quantitative' }, y: { field: 'measured', type: 'quantitative' }, color: { field: 'path', type: 'nominal' } } },
    ],
  } as TopLevelSpec;
}
