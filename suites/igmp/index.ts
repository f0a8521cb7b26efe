// The IGMP validation suite: scenarios 1–6 with fast leave off and on, on the harness
// topology with scaled timers; writes igmp.csv, igmp-timeline.csv and igmp-windows.csv.
// suite:all calls runIgmpSuite(); report:compare reads igmp.csv (see IGMP_COLUMNS).
import type { IgmpRow, TimelineRow, WindowRow } from './igmp-results.js';
import { formatIgmpTable, writeIgmpCsvs, type IgmpFiles } from './igmp-csv.js';
import { runScenario } from './run-scenario.js';
import { holderFor, planScenario, type HolderChoice, type ScenarioNumber } from './scenario-plan.js';
import { igmpTiming } from './scenario-timing.js';
import { validateScale } from '../../testkit/topology/igmp-timers.js';

export { IGMP_COLUMNS, TIMELINE_COLUMNS, WINDOW_COLUMNS } from './igmp-results.js';
export type { IgmpRow, TimelineRow, WindowRow } from './igmp-results.js';
export { IGMP_CSV, IGMP_TIMELINE_CSV, IGMP_WINDOWS_CSV, formatIgmpTable } from './igmp-csv.js';

export interface IgmpSuiteOptions {
  /** 1..120; 60 plays the TGW's 120 s query interval in 2 s. */
  scale?: number;
  /** Where the CSVs go (created). */
  outDir: string;
  scenarios?: ScenarioNumber[];
  /** Fast-leave modes of the stand-in's port, in run order. */
  fastLeave?: boolean[];
  /** Membership intervals scenarios 1, 3 and 4 run for (≥ 10 gives each keepalive ~45 chances to lose frames). */
  intervals?: number;
  rateFps?: number;
  group?: string;
  port?: number;
  /** Who holds the member's membership: the goose-bridge daemon for scenarios 3–6 and a plain
   * socket for 1–2 ('auto', default), or one of them for all. */
  holder?: HolderChoice;
  log?: (line: string) => void;
}

export interface IgmpSuiteResult {
  rows: IgmpRow[];
  timeline: TimelineRow[];
  windows: WindowRow[];
  files: IgmpFiles;
  /** The summary table (the CLI prints it to stderr). */
  table: string;
}

export const IGMP_DEFAULTS = {
  scale: 60,
  intervals: 10,
  rateFps: 200,
  group: '224.0.1.100',
  port: 61850,
  scenarios: [1, 2, 3, 4, 5, 6] as ScenarioNumber[],
  fastLeave: [false, true],
} as const;

/** Wall-clock seconds the suite's streams take (set-up adds ~2–3 s per scenario run). */
export function estimateSuiteSeconds(opts: Pick<IgmpSuiteOptions, 'scale' | 'scenarios' | 'fastLeave' | 'intervals'>): number {
  const timing = igmpTiming(opts.scale ?? IGMP_DEFAULTS.scale);
  let s = 0;
  for (const n of opts.scenarios ?? IGMP_DEFAULTS.scenarios) {
    for (const p of planScenario(n, timing, { intervals: opts.intervals ?? IGMP_DEFAULTS.intervals })) s += p.durationS + 3;
  }
  return Math.round(s * (opts.fastLeave ?? IGMP_DEFAULTS.fastLeave).length);
}

export async function runIgmpSuite(opts: IgmpSuiteOptions): Promise<IgmpSuiteResult> {
  const scale = validateScale(opts.scale ?? IGMP_DEFAULTS.scale);
  const intervals = opts.intervals ?? IGMP_DEFAULTS.intervals;
  const timing = igmpTiming(scale);
  const log = opts.log ?? (() => {});
  const rows: IgmpRow[] = [];
  const timeline: TimelineRow[] = [];
  const windows: WindowRow[] = [];
  const keepalives: Array<number | null> = [];
  const runs = (opts.fastLeave ?? IGMP_DEFAULTS.fastLeave).flatMap((fl) =>
    (opts.scenarios ?? IGMP_DEFAULTS.scenarios).flatMap((n) => planScenario(n, timing, { intervals }).map((plan) => ({ fl, plan }))),
  );
  let i = 0;
  for (const { fl, plan } of runs) {
    i++;
    log(`[${i}/${runs.length}] scenario ${plan.id}, fast leave ${fl ? 'on' : 'off'}, scale ${scale}`);
    const r = await runScenario(plan, {
      scale,
      fastLeave: fl,
      group: opts.group ?? IGMP_DEFAULTS.group,
      port: opts.port ?? IGMP_DEFAULTS.port,
      rateFps: opts.rateFps ?? IGMP_DEFAULTS.rateFps,
      holder: holderFor(plan, opts.holder ?? 'auto'),
      log,
    });
    // Two counts of the same loss: sent − received, and the numbers missing from the receiver's
    // sequence space (the loss windows). A duplicate or out-of-range frame counted as received
    // makes them differ.
    const inWindows = r.windowRows.reduce((n, w) => n + w.lost, 0);
    if (inWindows !== r.row.frames_lost) throw new Error(`scenario ${plan.id}: ${r.row.frames_lost} frames lost by count but ${inWindows} missing from the sequence space`);
    rows.push(r.row);
    // Frames lost per keepalive only means something where the keepalive is the only cause of loss.
    const holds = plan.event === null && plan.keepaliveIntervalS !== null && plan.keepaliveIntervalS < timing.membershipTimeoutS;
    keepalives.push(holds ? r.wall.keepalives : null);
    timeline.push(...r.timeline);
    windows.push(...r.windowRows);
  }
  const files = await writeIgmpCsvs(opts.outDir, rows, timeline, windows);
  return { rows, timeline, windows, files, table: formatIgmpTable(rows, keepalives) };
}
