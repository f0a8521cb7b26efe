import { expect } from 'chai';
import { PATH_SILENCE_MS, PathWatch, redundancySnapshot, siteId } from './redundancy.js';
import type { EngineCounts } from '../../native/engine.js';

describe('redundancy: path watch', () => {
  it('reports a path silent while the other carries datagrams, once, and restored when it receives again', () => {
    const w = new PathWatch();
    expect(w.tick(0, [10, 10])).to.deep.equal([]);
    expect(w.tick(1000, [10, 60])).to.deep.equal([]);
    expect(w.tick(PATH_SILENCE_MS, [10, 110])).to.deep.equal([{ event: 'path-silent', path: 0 }]);
    expect(w.silent).to.deep.equal([true, false]);
    expect(w.tick(PATH_SILENCE_MS + 1000, [10, 160]), 'reported once').to.deep.equal([]);
    expect(w.tick(PATH_SILENCE_MS + 2000, [15, 210])).to.deep.equal([{ event: 'path-restored', path: 0, silentMs: PATH_SILENCE_MS + 2000 }]);
    expect(w.silent).to.deep.equal([false, false]);
  });

  it('does not call a quiet WAN a silent path, nor the only path', () => {
    const both = new PathWatch();
    for (let t = 0; t <= 10_000; t += 1000) expect(both.tick(t, [5, 5])).to.deep.equal([]);
    const one = new PathWatch();
    for (let t = 0; t <= 10_000; t += 1000) expect(one.tick(t, [5])).to.deep.equal([]);
  });
});

describe('redundancy: snapshot', () => {
  it('counts as missing on a path the delivered frames it carried no copy of', () => {
    const row = (first: number, seen: number) => ({ datagrams_sent: 0, send_errors: 0, datagrams_received: seen, frames_first: first, redundant_copies: seen - first, frames_seen: seen, skew_samples: 0, skew_ewma_us: 0, skew_max_us: 0 });
    const e: EngineCounts = { counters: { site_peers: 1, lan_writer: 1, l2_frames_left_to_peer: 0, wan_control_datagrams: 7 }, toWanDrops: {}, fromWanDrops: {}, paths: [row(70, 100), row(30, 60), row(0, 0), row(0, 0)] };
    const s = redundancySnapshot(e, ['up0', 'up1'], [false, true], 'bay-1');
    expect(s.paths.map((p) => [p.uplink, p.missing_frames, p.silent])).to.deep.equal([['up0', 0], ['up1', 40]].map(([u, m], i) => [u, m, i === 1]));
    expect(s.lan_writer).to.equal(true);
  });

  it('gives a site a non-zero id, the same for the same name', () => {
    expect(siteId('')).to.equal(0);
    expect(siteId('bay-1')).to.equal(siteId('bay-1')).and.not.equal(0);
    expect(siteId('bay-1')).to.not.equal(siteId('bay-2'));
  });
});
