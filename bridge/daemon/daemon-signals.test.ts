// Signals during start-up are held and acted on once the daemon runs: real signals, sent by a
// process to itself (testkit/daemon/signals-child.ts).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('../../testkit/daemon/signals-child.ts', import.meta.url));

function runChild(scenario: string): { held: string[]; calls: string[] } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', CHILD, scenario], { encoding: 'utf8', timeout: 30_000 });
  expect(r.signal, `the process was ended by ${r.signal}: ${r.stderr}`).to.equal(null);
  expect(r.status, r.stderr).to.equal(0);
  return JSON.parse(r.stdout) as { held: string[]; calls: string[] };
}

describe('daemon signals: installed before start-up', () => {
  it('a SIGHUP and a SIGTERM sent during start-up do not end the process; the stop acts once the daemon runs, the reload gives way to it', () => {
    const { held, calls } = runChild('stop-during-start-up');
    expect(held).to.deep.equal(['SIGHUP', 'SIGTERM']);
    expect(calls).to.deep.equal(['stop SIGTERM']);
  });

  it('a SIGHUP during start-up reloads once the daemon runs; later signals act at once', () => {
    const { held, calls } = runChild('reload-during-start-up');
    expect(held).to.deep.equal(['SIGHUP']);
    expect(calls).to.deep.equal(['reload', '|', 'stop SIGTERM']);
  });
});
