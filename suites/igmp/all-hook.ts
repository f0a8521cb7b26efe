// suite:all's hook: a short IGMP run into the same folder, and its section of summary.md /
// report.html (table + timeline chart; suite:igmp uses the same section).
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from '../report/charts.js';
import type { ExtraSection } from '../report/report-folder.js';
import { renderMarkdownTable } from '../report/table.js';
import { IGMP_COLUMNS, runIgmpSuite, type IgmpSuiteOptions, type IgmpSuiteResult, type TimelineRow } from './index.js';
import type { ScenarioNumber } from './scenario-plan.js';

/** Scale and scenarios for suite:all (~1.5 min) and its CI smoke (~30 s). */
export function igmpAllPlan(smoke: boolean): Pick<IgmpSuiteOptions, 'scale' | 'scenarios' | 'fastLeave' | 'intervals'> {
  return smoke
    ? // The claims CI guards: the report keepalive loses nothing even with fast leave, the re-join
      // one does lose, and blocked queries lose membership on time.
      { scale: 120, scenarios: [2, 3, 4] as ScenarioNumber[], fastLeave: [true], intervals: 1 }
    : { scale: 120, scenarios: [1, 2, 3, 4, 5, 6] as ScenarioNumber[], fastLeave: [false, true], intervals: 1 };
}

const CHART_EVENTS = new Set([
  'mdb-added', 'mdb-deleted', 'leave', 'keepalive-rejoin', 'keepalive-report', 'monitor-reregister',
  'daemon-stop', 'daemon-start', 'uplink-down', 'uplink-up',
]);

/** Daemon restarts as [stop, start] spans per run, in TGW seconds (a stop without a start runs to the end). */
export function restartSpans(rows: readonly TimelineRow[]): Array<{ run: string; from_s: number; to_s: number }> {
  const out: Array<{ run: string; from_s: number; to_s: number }> = [];
  const open = new Map<string, number>();
  const end = new Map<string, number>();
  for (const r of rows) {
    const run = `${r.scenario} (fast leave ${r.fast_leave})`;
    end.set(run, Math.max(end.get(run) ?? 0, r.t_tgw_s));
    if (r.event === 'daemon-stop') open.set(run, r.t_tgw_s);
    if (r.event === 'daemon-start' && open.has(run)) {
      out.push({ run, from_s: open.get(run)!, to_s: r.t_tgw_s });
      open.delete(run);
    }
  }
  for (const [run, from] of open) out.push({ run, from_s: from, to_s: end.get(run) ?? from });
  return out;
}

/**
 * Frames per 100 ms (step area) with the membership events as rules and daemon restarts as
 * shaded spans of their real length, one panel per run, all on one TGW-seconds axis.
 */
export function timelineSpec(rows: readonly TimelineRow[]): TopLevelSpec {
  const spans = restartSpans(rows).map((s) => ({ ...s, kind: 'restart' }));
  const values = rows
    .filter((r) => r.frames !== '' || CHART_EVENTS.has(r.event))
    .map((r) => ({
      run: `${r.scenario} (fast leave ${r.fast_leave})`,
      kind: r.frames === '' ? 'event' : 'bin',
      t_tgw_s: r.t_tgw_s,
      frames: r.frames === '' ? null : r.frames,
      event: r.event,
    }));
  const all = [...values, ...spans];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Frames received per 100 ms, membership events, daemon restarts shaded (one TGW-seconds axis)',
    data: { values: all },
    facet: { row: { field: 'run', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left' } } },
    spec: {
      width: 560,
      height: 60,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'restart'" }],
          mark: { type: 'rect', color: '#f4a6a6', opacity: 0.5 },
          encoding: { x: { field: 'from_s', type: 'quantitative' }, x2: { field: 'to_s' } },
        },
        {
          transform: [{ filter: "datum.kind === 'bin'" }],
          mark: { type: 'area', interpolate: 'step-after', opacity: 0.6 },
          encoding: {
            x: { field: 't_tgw_s', type: 'quantitative', title: 'TGW seconds' },
            y: { field: 'frames', type: 'quantitative', title: 'frames' },
          },
        },
        {
          transform: [{ filter: "datum.kind === 'event'" }],
          mark: { type: 'rule', strokeWidth: 1 },
          encoding: {
            x: { field: 't_tgw_s', type: 'quantitative' },
            color: { field: 'event', type: 'nominal', title: 'event' },
          },
        },
      ],
    },
  } as TopLevelSpec;
}

/** Runs the IGMP suite for suite:all; a failure propagates (suite:all records it and exits non-zero). */
export async function runIgmpForAll(o: { out: string; scale: number; smoke: boolean; log: (l: string) => void }): Promise<ExtraSection> {
  // suite:all's --scale is for the other suites' topology; the IGMP runs need a high scale to fit.
  const plan = igmpAllPlan(o.smoke);
  const r = await runIgmpSuite({ ...plan, outDir: o.out, log: o.log });
  process.stderr.write(`${r.table}\n`);
  return igmpSection(r, plan.scale ?? o.scale);
}

/** The IGMP section of summary.md / report.html: table and timeline chart. */
export async function igmpSection(r: Pick<IgmpSuiteResult, 'rows' | 'timeline'>, scale: number): Promise<ExtraSection> {
  const rows = r.rows.map((x) => ({ ...x }));
  const markdown =
    `Scale ${scale}: times in TGW seconds (timer-driven values × scale). Full run: \`npm run suite:igmp\`.\n\n` +
    renderMarkdownTable([...IGMP_COLUMNS], rows);
  return {
    title: 'IGMP membership (Transit Gateway timeout)',
    markdown,
    section: {
      title: 'IGMP membership (Transit Gateway timeout)',
      charts: [await renderSvg(timelineSpec(r.timeline))],
      tables: [{ caption: 'igmp.csv', columns: [...IGMP_COLUMNS], rows }],
      notes: [
        'Queries are dropped at the member (security group without inbound IGMP) in scenarios 2–5.',
        'Keepalive "rejoin" = drop + add membership (sends a Leave); "report" = IGMPv2 report on a raw socket, no Leave.',
      ],
    },
  };
}
