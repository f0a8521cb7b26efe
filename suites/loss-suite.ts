// Random loss on the stand-in's egress port towards the subscriber (nftables `numgen random`; no
// netem here), GOOSE publishers following the retransmission schedule. Per loss rate and path:
// injected (exact nft counter) vs subscriber-measured loss with statistical bounds, the bridges'
// WAN-gap counters, and the fraction of state changes delivered within 4 ms / 10 ms / 100 ms / 1 s
// beside the prediction from the injected p and the run's measured per-frame delays.
import type { Row } from './report/csv.js';
import { writeCsv } from './report/csv.js';
import { renderTable } from './report/table.js';
import { lossTable, type Topology } from '../testkit/topology/index.js';
import { wilsonInterval, predictedDeliveryProbability, deliveredFraction, histogramCdf } from './stats/loss-statistics.js';
import { runFlow, decodeHistogram, type GooseSenderResult } from './traffic/flow.js';
import { withPath, withTopology, type SuiteCommon } from './suite-context.js';
import type { Progress } from './report/progress.js';
import { PATH_FAILURE_COLUMNS, runPathFailure } from './path-failure.js';

export interface LossOptions extends SuiteCommon {
  lossPercents: readonly number[];
  durationS: number;
  publishers: number;
  eventIntervalMs: number;
  sizeBytes?: number;
  t1Ms?: number;
  t0Ms?: number;
  progress?: Progress;
  /** The WAN path-failure scenario (two paths, one cut and restored) when the bridge is measured; default on. */
  pathFailure?: boolean;
}

export const DEADLINES_MS = [4, 10, 100, 1000] as const;
const dl = (ms: number): string => (ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`);

export const LOSS_COLUMNS = [
  'path', 'loss_set_percent', 'sent', 'received', 'lost', 'injected_drops', 'injected_percent',
  'measured_loss_percent', 'measured_ci95_low_percent', 'measured_ci95_high_percent',
  'expected_low_percent', 'expected_high_percent', 'within_bounds', 'unexplained_lost', 'wan_gap_frames', 'wan_gap_events',
  'states', 'latency_p50_us', 'retransmission_late_p50_us', 'retransmission_late_p99_us',
  ...DEADLINES_MS.flatMap((d) => [`delivered_${dl(d)}_fraction`, `predicted_${dl(d)}_fraction`]),
] as const;

const pct = (x: number): number => Math.round(x * 1e4) / 1e2;

export interface LossResult {
  rows: Row[];
  files: string[];
  table: string;
}

export async function runLossSuite(o: LossOptions): Promise<LossResult> {
  const rows: Row[] = [];
  const failureRows: Row[] = [];
  const size = o.sizeBytes ?? 200;
  const t1Ms = o.t1Ms ?? 2;
  const t0Ms = o.t0Ms ?? 1000;
  await withTopology(o, 2, async (topo) => {
    const rxPort = topo.host(2).tgwPort;
    // Loss is injected per packet on the stand-in: a UDP GSO run must be datagrams again by then,
    // as on a real network (where the sending NIC or stack cuts it), or one drop would take a run.
    const uplinkGso = topo.uplinkGso;
    if (uplinkGso) await topo.setUplinkGso(false);
    try {
      await measurePaths(topo, rxPort);
      if (o.pathFailure !== false && o.paths.includes('bridge')) {
        o.progress?.step('loss: WAN path cut and restored');
        failureRows.push(await runPathFailure(topo, { durationS: o.durationS, publishers: o.publishers, eventIntervalMs: o.eventIntervalMs, sizeBytes: size, log: o.log }));
      }
    } finally {
      if (uplinkGso) await topo.setUplinkGso(true);
    }
  });
  async function measurePaths(topo: Topology, rxPort: string): Promise<void> {
    for (const name of o.paths) {
      await withPath(name, topo, async (path) => {
        for (const [i, loss] of o.lossPercents.entries()) {
          o.progress?.step(`loss ${name} ${loss} %`);
          const table = lossTable(`gbh_loss_${i}`, { ports: [rxPort], group: path.group, udpPort: path.udpPort, lossPercent: loss });
          const before = (await path.counters()).get(2) ?? {};
          let injected = 0;
          const r = await runFlow<GooseSenderResult>({
            topology: topo,
            ifname: path.ifname,
            from: 1,
            to: [2],
            size,
            sender: {
              mode: 'send-goose', duration: o.durationS, publishers: o.publishers, eventIntervalMs: o.eventIntervalMs,
              t1Ms, t0Ms, windowMs: 1100, seed: 1 + i,
            },
            beforeSend: () => topo.applyNft(topo.tgwNs, table),
            settleMs: 600,
          });
          injected = await topo.nftCounterPackets(topo.tgwNs, table);
          await topo.removeNft(topo.tgwNs, table);
          await new Promise((res) => setTimeout(res, 700)); // one more stats-file write
          const after = (await path.counters()).get(2) ?? {};
          const rx = r.receivers.get(2)!;
          const sent = r.sender.sent;
          const lost = sent - rx.distinct;
          const p = loss / 100;
          const half = 1.96 * Math.sqrt((p * (1 - p)) / Math.max(1, sent));
          const ci = wilsonInterval(lost, sent);
          const measured = sent > 0 ? lost / sent : 0;
          // States whose 1 s window lay inside the run; delay null = never delivered.
          const first = new Map<string, number>();
          for (const [pub, st, d] of rx.firstDeliveries) first.set(`${pub}:${st}`, d);
          const delays: Array<number | null> = [];
          for (const pub of r.sender.publishers) {
            for (let st = 1; st <= pub.countedStates; st++) delays.push(first.get(`${pub.publisher}:${st}`) ?? null);
          }
          const h = decodeHistogram(rx.histogram);
          const p50 = h.totalCount > 0 ? h.getValueAtPercentile(50) : 0;
          // The prediction uses this run's measured delay of each frame of a state (generator
          // lateness and path latency included); loss is the only cause it models.
          const frameCdfs = rx.frameDelays.map((x) => {
            const fh = decodeHistogram(x.histogram);
            return histogramCdf((q) => fh.getValueAtPercentile(q), fh.totalCount);
          });
          const delta = (k: string): number | null => (k in after ? (after[k] ?? 0) - (before[k] ?? 0) : null);
          const row: Row = {
            path: name, loss_set_percent: loss, sent, received: rx.distinct, lost,
            injected_drops: injected, injected_percent: sent > 0 ? pct(injected / sent) : null,
            measured_loss_percent: pct(measured), measured_ci95_low_percent: pct(ci.low), measured_ci95_high_percent: pct(ci.high),
            expected_low_percent: pct(Math.max(0, p - half)), expected_high_percent: pct(Math.min(1, p + half)),
            within_bounds: measured >= p - half && measured <= p + half,
            // Frames lost beyond what nftables dropped: loss the path itself caused.
            unexplained_lost: lost - injected,
            wan_gap_frames: delta('from_wan.gap_frames'), wan_gap_events: delta('from_wan.gap_events'),
            states: delays.length, latency_p50_us: p50,
            retransmission_late_p50_us: r.sender.retransmissionLateP50Us, retransmission_late_p99_us: r.sender.retransmissionLateP99Us,
          };
          for (const d of DEADLINES_MS) {
            row[`delivered_${dl(d)}_fraction`] = Math.round(deliveredFraction(delays, d * 1000) * 1e4) / 1e4;
            row[`predicted_${dl(d)}_fraction`] = Math.round(predictedDeliveryProbability(p, frameCdfs, d * 1000) * 1e4) / 1e4;
          }
          rows.push(row);
          o.log(`loss ${name} ${loss} %: sent ${sent}, received ${rx.distinct}, injected ${injected}, states ${delays.length}, duplicates ${rx.duplicates}`);
        }
      });
    }
  }
  const files = [writeCsv(o.out, 'loss.csv', LOSS_COLUMNS, rows)];
  if (failureRows.length > 0) files.push(writeCsv(o.out, 'loss-path-failure.csv', PATH_FAILURE_COLUMNS, failureRows));
  const table = renderTable(
    [
      'path', { key: 'loss_set_percent', label: 'set %' }, 'sent', 'lost', { key: 'injected_percent', label: 'injected %' },
      { key: 'measured_loss_percent', label: 'measured %' }, { key: 'within_bounds', label: 'in 95% bounds' },
      { key: 'wan_gap_frames', label: 'WAN gaps' }, 'states',
      ...DEADLINES_MS.map((d) => ({ key: `delivered_${dl(d)}_fraction`, label: `≤${dl(d)}` })),
      ...DEADLINES_MS.map((d) => ({ key: `predicted_${dl(d)}_fraction`, label: `pred ≤${dl(d)}` })),
    ],
    rows,
  );
  const failureTable = failureRows.length === 0 ? '' : `\n${renderTable(['scenario', 'sent', 'lost', 'delivered_twice', 'path1_missing_frames', 'path2_missing_frames', 'path1_skew_ewma_us', 'path2_skew_ewma_us'], failureRows)}`;
  return { rows, files, table: table + failureTable };
}
