// The layering over the whole import graph: errors → native → bridge (codec/pcap, then config,
// wan, igmp, spec, then daemon, then cli) → sim → bin; testkit/ and suites/ above them for tests.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importsOf, layeringViolations, shippedFiles } from './import-graph.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ENTRIES = ['bin/cli.ts', 'native/index.ts'];

function repositorySources(): Map<string, string> {
  const list = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.mjs'], { cwd: ROOT, encoding: 'utf8' });
  return new Map(list.split('\n').filter((f) => f !== '' && !f.startsWith('dist/')).map((f) => [f, readFileSync(join(ROOT, f), 'utf8')]));
}

describe('layering', () => {
  it('no lower layer imports an upper one, bridge/ and sim/ import nothing from suites/, and nothing shipped imports testkit/ or a devDependency', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const files = repositorySources();
    expect(shippedFiles(files, ENTRIES).size, 'the CLI reaches the daemon, the codec and the simulator').to.be.greaterThan(100);
    expect(layeringViolations(files, ENTRIES, Object.keys(pkg.devDependencies))).to.deep.equal([]);
  });

  it('reads static, dynamic, re-export and worker-URL imports', () => {
    const text = `import a from './a.js';\nexport { b } from '../b.js';\nconst c = await import('./c.js');\nimport fc from 'fast-check';\nimport { x } from '@scope/pkg/sub';\nimport 'node:fs';\nnew Worker(new URL('./w.ts', import.meta.url));`;
    expect(importsOf('bridge/codec/x.ts', text)).to.deep.equal({
      files: ['bridge/codec/a.js', 'bridge/b.js', 'bridge/codec/c.js', 'bridge/codec/w.ts'],
      packages: ['fast-check', '@scope/pkg'],
    });
  });

  it('names each kind of breach', () => {
    const files = new Map([
      ['bin/cli.ts', `import './../bridge/codec/codec.ts';`],
      ['bridge/codec/codec.ts', `import '../daemon/daemon.js';\nimport fc from 'fast-check';\nimport '../../testkit/frames.js';`],
      ['bridge/daemon/daemon.ts', ''],
      ['bridge/daemon/daemon.netns.test.ts', `import '../../suites/topology.js';`],
      ['bridge/codec/codec.test.ts', `import '../daemon/daemon.js';`],
      ['testkit/frames.ts', ''],
      ['suites/topology.ts', ''],
    ]);
    expect(layeringViolations(files, ['bin/cli.ts'], ['fast-check'])).to.deep.equal([
      'bridge/codec/codec.ts → bridge/daemon/daemon.ts: bridge/codec sits below bridge/daemon',
      'bridge/codec/codec.ts → testkit/frames.ts: shipped code never imports testkit/',
      'bridge/codec/codec.ts → fast-check: shipped code never imports a devDependency',
      'bridge/daemon/daemon.netns.test.ts → suites/topology.ts: bridge/ never imports suites/',
    ]);
  });
});
