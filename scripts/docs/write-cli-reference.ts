// `npm run docs:cli`: regenerates docs/cli.md from the commander definitions.
import { writeFileSync } from 'node:fs';
import { buildPrograms, renderCliReference } from './cli-reference.js';

const CLI_REFERENCE_PATH = new URL('../../docs/cli.md', import.meta.url);

writeFileSync(CLI_REFERENCE_PATH, renderCliReference(await buildPrograms()));
process.stderr.write('wrote docs/cli.md\n');
