// Signals during start-up are held and acted on once the daemon runs; real signals to this process.
import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { DaemonSignals } from './daemon-signals.js';

describe('daemon signals: installed before start-up', () => {
  let signals: DaemonSignals | undefined;
  afterEach(() => signals?.close());

  function record(): { calls: string[]; actions: { stop(s: string): void; reload(): void } } {
    const calls: string[] = [];
    return { calls, actions: { stop: (s) => calls.push(`stop ${s}`), reload: () => calls.push('reload') } };
  }

  it('a SIGHUP and a SIGTERM sent during start-up do not end the process; the stop acts once the daemon runs, the reload gives way to it', async () => {
    const held: string[] = [];
    signals = new DaemonSignals(process, (s) => held.push(s));
    process.kill(process.pid, 'SIGHUP');
    process.kill(process.pid, 'SIGTERM');
    process.kill(process.pid, 'SIGTERM');
    await sleep(100);
    expect(held).to.deep.equal(['SIGHUP', 'SIGTERM']);
    const { calls, actions } = record();
    signals.attach(actions);
    expect(calls).to.deep.equal(['stop SIGTERM']);
  });

  it('a SIGHUP during start-up reloads once the daemon runs; later signals act at once', async () => {
    signals = new DaemonSignals(process);
    process.kill(process.pid, 'SIGHUP');
    process.kill(process.pid, 'SIGHUP');
    await sleep(100);
    const { calls, actions } = record();
    signals.attach(actions);
    expect(calls).to.deep.equal(['reload']);
    process.kill(process.pid, 'SIGTERM');
    await sleep(100);
    expect(calls).to.deep.equal(['reload', 'stop SIGTERM']);
  });
});
