// The documentation stays true: README short and its links alive, the CLI reference regenerated
// from the commander definitions, every CSV column named in the results schema, and the
// performance page rendered from a report folder's figures.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPrograms, renderCliReference } from './cli-reference.js';
import { anchorsOf, brokenLinks, relativeLinks } from './markdown-links.js';
import { renderPerformanceDoc } from './performance-doc.js';
import { LATENCY_COLUMNS, PERCENTILE_CURVE_COLUMNS, RESOURCE_COLUMNS } from '../../suites/latency-suite.js';
import { THROUGHPUT_COLUMNS, TRIAL_COLUMNS } from '../../suites/throughput-suite.js';
import { LOSS_COLUMNS } from '../../suites/loss-suite.js';
import { IGMP_COLUMNS, TIMELINE_COLUMNS, WINDOW_COLUMNS } from '../../suites/igmp/igmp-results.js';
import { CSV_COLUMNS } from '../../sim/goose/stream-statistics.js';
import { SEND_LOG_COLUMNS } from '../../sim/goose/publisher-runner.js';
import { RECV_LOG_COLUMNS } from '../../sim/goose/subscriber-runner.js';
import { readCsv } from '../../suites/report/csv.js';
import { ERROR_CODES } from '../../errors/error-codes.js';

const ROOT = join(import.meta.dirname, '..', '..');
const doc = (name: string): string => readFileSync(join(ROOT, name), 'utf8');

describe('documentation', () => {
  it('README fits on a few screens (≤ 300 lines)', () => {
    expect(doc('README.md').split('\n').length).to.be.at.most(300);
  });

  it('every relative link of README.md and docs/*.md resolves, anchors included', () => {
    const files = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
    expect(relativeLinks(doc('README.md')).length, 'README links into docs/').to.be.greaterThan(5);
    expect(files.flatMap((f) => brokenLinks(join(ROOT, f)).map((b) => `${f}: ${b}`))).to.deep.equal([]);
  });

  it('the link checker catches a missing file and a missing anchor', () => {
    expect(anchorsOf('# Deployment on AWS (Transit Gateway)\n## `goose-bridge run`\n```\n# not a heading\n```\n<a id="x"></a>')).to.deep.equal(
      new Set(['deployment-on-aws-transit-gateway', 'goose-bridge-run', 'x']),
    );
    expect(relativeLinks('[a](docs/a.md) [b](https://x.org) `[c](d.md)` [e](#top)')).to.deep.equal(['docs/a.md', '#top']);
  });

  it('docs/cli.md is what `npm run docs:cli` generates from the current commander definitions', async () => {
    const fresh = renderCliReference(await buildPrograms());
    expect(doc('docs/cli.md') === fresh, 'docs/cli.md is stale: run `npm run docs:cli` and commit it').to.equal(true);
    // every command of both CLIs has its section
    for (const c of ['goose-bridge run', 'goose-bridge sim publisher', 'goose-bridge decode', 'suites latency', 'suites igmp', 'suites demo']) {
      expect(fresh).to.include(`## \`${c}\``);
    }
  });

  it('docs/errors.md lists every GB_ERR_* code of errors/error-codes.ts, in order, its meaning starting with the table\'s', () => {
    const rows = [...doc('docs/errors.md').matchAll(/^\| `(GB_ERR_[A-Z_]+)` \| (.*?) \| [^|]* \|$/gm)];
    expect(rows.map((m) => m[1])).to.deep.equal(Object.keys(ERROR_CODES));
    for (const [, code, meaning] of rows) expect(meaning, code).to.satisfy((m: string) => m.startsWith(ERROR_CODES[code as keyof typeof ERROR_CODES]));
  });

  it('docs/results-schema.md names every column every CSV writer writes', () => {
    const schema = doc('docs/results-schema.md');
    const columns = new Set<string>([
      ...LATENCY_COLUMNS, ...PERCENTILE_CURVE_COLUMNS, ...RESOURCE_COLUMNS, ...THROUGHPUT_COLUMNS, ...TRIAL_COLUMNS, ...LOSS_COLUMNS,
      ...IGMP_COLUMNS, ...TIMELINE_COLUMNS, ...WINDOW_COLUMNS, ...CSV_COLUMNS, ...SEND_LOG_COLUMNS, ...RECV_LOG_COLUMNS,
    ]);
    expect([...columns].filter((c) => !schema.includes(`\`${c}\``))).to.deep.equal([]);
  });

  it('docs/performance.md is rendered from a report folder: goals and the folder\'s own figures', () => {
    const dir = join(ROOT, 'fixtures', 'baselines', 'smoke');
    const page = renderPerformanceDoc(dir);
    const bridge = readCsv(join(dir, 'latency.csv')).find((r) => r.path === 'bridge')!;
    expect(page).to.match(/^# Performance\n/);
    expect(page).to.include('| one-way latency p99 ≤ 1 ms at 1,000 frames/s |');
    expect(page).to.include(`| bridge | ${bridge.rate_fps} | ${bridge.frame_bytes} | ${bridge.slices} | ${bridge.sent} | ${bridge.refused} | ${bridge.received} | ${bridge.lost} | ${bridge.latency_p50_us} |`);
    expect(() => renderPerformanceDoc(join(ROOT, 'docs'))).to.throw(/no suite CSVs/);
  });
});
