import { expect } from 'chai';
import { RetryScope } from './retry-scope.js';

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('RetryScope', () => {
  it('retries with doubling delays until the attempt succeeds, then reports the recovery once', async () => {
    const events: string[] = [];
    const scope = new RetryScope(5, {
      recovered: (w) => events.push(`recovered ${w}`),
      failed: (w, err, next) => events.push(`failed ${w} ${err.message} ${next}`),
    });
    let calls = 0;
    scope.retry('tap', () => {
      if (++calls < 3) throw new Error(`try ${calls}`);
    });
    await wait(100);
    expect(events).to.deep.equal(['failed tap try 1 10', 'failed tap try 2 20', 'recovered tap']);
    expect(scope.pending).to.equal(0);
  });

  it('a cancelled scope runs no further attempt and reports nothing, not even for an attempt in flight', async () => {
    const events: string[] = [];
    const scope = new RetryScope(5, { recovered: (w) => events.push(w), failed: (w) => events.push(`failed ${w}`) });
    let calls = 0;
    let release!: () => void;
    scope.retry('socket', () => {
      calls++;
      return new Promise<void>((r) => (release = r));
    });
    scope.retry('tap', () => {
      calls++;
      throw new Error('x');
    }, 50);
    await wait(20);
    scope.cancel();
    release();
    await wait(100);
    expect(calls).to.equal(1);
    expect(events).to.deep.equal([]);
    expect(scope.pending).to.equal(0);
  });
});
