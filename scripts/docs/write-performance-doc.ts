// `npm run docs:performance -- REPORT_DIR`: regenerates docs/performance.md from a report folder.
import { writeFileSync } from 'node:fs';
import { renderPerformanceDoc } from './performance-doc.js';

const dir = process.argv[2];
if (dir === undefined || process.argv.length > 3) {
  process.stderr.write('usage: npm run docs:performance -- REPORT_DIR (a folder written by npm run suite:all)\n');
  process.exitCode = 2;
} else {
  try {
    writeFileSync(new URL('../../docs/performance.md', import.meta.url), renderPerformanceDoc(dir));
    process.stderr.write(`wrote docs/performance.md from ${dir}\n`);
  } catch (err) {
    process.stderr.write(`docs:performance: ${(err as Error).message}\n`);
    process.exitCode = 2;
  }
}
