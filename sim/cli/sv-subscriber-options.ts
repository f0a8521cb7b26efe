// The subscriber's Sampled Values options and output: SV streams are tracked next to GOOSE ones
// and reported separately (table with the answer when any SV stream was seen, --sv-csv, --sv-json).
import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { tableStream } from '../../bridge/cli/answer-stream.js';
import type { SvReceiver } from '../sv/sv-receiver.js';
import { formatSvCsv, formatSvTable, svReport } from '../sv/sv-report.js';
import { int } from './sim-options.js';

export function addSvSubscriberOptions(cmd: Command): void {
  cmd
    .option('--sv-rate <n>', 'SV samples per second per stream: smpCnt wraps here (4000 = 80 × 50 Hz, 4800, 12800, 15360)', int('sv-rate', 1, 65536), 4000)
    .addOption(new Option('--sv-nominal <hz>', 'SV nominal frequency (default: implied by --sv-rate)').choices(['50', '60']))
    .option('--sv-csv <file>', 'write one row per SV stream (schema in docs/sv.md)')
    .option('--sv-json <file>', 'write the SV report (streams and disturbances) as JSON');
}

export function writeSvReport(sv: SvReceiver, o: { tableRows: number; json?: boolean; svCsv?: string; svJson?: string }): void {
  const report = svReport(sv);
  if (report.streams.length > 0) tableStream(o.json).write(formatSvTable(report.streams, o.tableRows));
  if (o.svCsv) writeFileSync(o.svCsv, formatSvCsv(report.streams));
  if (o.svJson) writeFileSync(o.svJson, `${JSON.stringify(report, null, 2)}\n`);
}
