// docs/naming.md is the one table of names: its configuration rows are CONFIG_KEYS' keys, flags,
// variables and fields, and each counter row says where the engine's counter really goes (the
// BridgeCounters field, the stats file, the metric), checked by sending a value through them.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { engineLayout, type EngineCounts } from '../../native/engine.js';
import { CONFIG_KEYS, envName, keyFlag } from '../../bridge/config/config-keys.js';
import { BridgeCounters, absorbEngineCounts, snapshotCounters, type StatsSnapshot } from '../../bridge/daemon/bridge-counters.js';
import { buildRegistry } from '../../bridge/daemon/metrics-server.js';
import { redundancySnapshot } from '../../bridge/daemon/redundancy.js';

const PAGE = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'naming.md'), 'utf8');
const NONE = '—';

/** The rows of the table under `## heading`, cells without backticks. */
function table(heading: string): string[][] {
  const section = PAGE.split(/^## /m).find((s) => s.startsWith(`${heading}\n`));
  expect(section, `docs/naming.md has a "## ${heading}" section`).to.be.a('string');
  return section!
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('|---'))
    .slice(1)
    .map((l) => l.slice(1, -1).split('|').map((c) => c.trim().replace(/`/g, '')));
}

function countsWith(label: string, value: number): EngineCounts {
  const l = engineLayout();
  const zeros = (labels: readonly string[]): Record<string, number> => Object.fromEntries(labels.map((x) => [x, 0]));
  return {
    counters: { ...zeros(l.counters), [label]: value },
    toWanDrops: zeros(l.toWanDrops),
    fromWanDrops: zeros(l.fromWanDrops),
    paths: Array.from({ length: l.maxPaths }, () => zeros(l.perPath)),
  };
}

/** The stats file as the daemon writes it, from these engine counts. */
function snapshotOf(counts: EngineCounts): { counters: BridgeCounters; snap: StatsSnapshot } {
  const counters = new BridgeCounters();
  const totals = absorbEngineCounts(counts, counters);
  const snap = snapshotCounters(counters, totals, {
    nowMs: 2_000_000, startedMs: 1_000_000, pid: 4242, senderId: 'ab', interface: 'goose0', uplink: 'up0', groups: ['224.0.1.100'],
    port: 61850, keepaliveStrategy: 'report', membership: {}, lastKeepaliveMs: null, lastCheckMs: null,
  });
  snap.redundancy = redundancySnapshot(counts, ['up0'], [false], 'site-a');
  return { counters, snap };
}

function at(snap: StatsSnapshot, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], snap);
}

/** Every numeric (or boolean) leaf under the data-plane sections, by path. */
function leaves(o: unknown, prefix: string): Array<[string, unknown]> {
  if (o === null || typeof o !== 'object') return [[prefix, o]];
  return Object.entries(o).flatMap(([k, v]) => leaves(v, prefix === '' ? k : `${prefix}.${k}`));
}

describe('docs/naming.md: one table of names', () => {
  it('lists every configuration key with its flags, variable and BridgeConfig field, and nothing else', () => {
    const rows = table('Configuration');
    expect(rows.map((r) => r[1]).sort()).to.deep.equal(CONFIG_KEYS.map((d) => d.key).sort());
    for (const d of CONFIG_KEYS) {
      const [, , flags, env, field] = rows.find((r) => r[1] === d.key)!;
      const expected = [d.short === undefined ? null : `-${d.short}`, `--${d.flag}`, keyFlag(d) === null ? null : `--${keyFlag(d)}`].filter((f) => f !== null).join(', ');
      expect({ key: d.key, flags, env, field }).to.deep.equal({ key: d.key, flags: expected, env: envName(d.key), field: d.field });
    }
  });

  it('lists every engine counter, and each goes to the field, the stats entry and the metric its row names', async () => {
    const rows = table('Counters');
    expect(rows.map((r) => r[0]).sort()).to.deep.equal([...engineLayout().counters].sort());
    for (const [label, field, stats, metric] of rows as Array<[string, string, string, string]>) {
      const { counters, snap } = snapshotOf(countsWith(label, 1));
      if (field !== NONE) expect((counters as unknown as Record<string, unknown>)[field], `${label} → BridgeCounters.${field}`).to.equal(1);
      const published = leaves({ to_wan: snap.to_wan, from_wan: snap.from_wan, redundancy: snap.redundancy }, '').filter(([, v]) => v === 1 || v === true).map(([p]) => p);
      if (stats === NONE) expect(published, `${label} is published nowhere`).to.deep.equal([]);
      else expect(published, `${label} → ${stats}`).to.include(stats);
      const metrics = await buildRegistry(() => snap).getMetricsAsJSON();
      const showing = metrics.filter((m) => m.name !== 'goose_bridge_uptime_seconds' && m.values.some((v) => v.value === 1)).map((m) => m.name);
      expect(showing, `${label} → ${metric}`).to.deep.equal(metric === NONE ? [] : [metric]);
    }
  });

  it('docs/bridge.md\'s table of keys has every key once, with its flags, variable and default', () => {
    const bridge = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'bridge.md'), 'utf8');
    const section = bridge.split(/^## /m).find((x) => x.startsWith('Configuration keys\n'))!;
    const rows = section.split('\n').filter((l) => /^\| `[a-z_0-9]+` \|/.test(l)).map((l) => l.slice(1, -1).split(' | ').map((c) => c.trim()));
    expect(rows.map((r) => r[0]).sort()).to.deep.equal(CONFIG_KEYS.map((d) => `\`${d.key}\``).sort());
    for (const d of CONFIG_KEYS) {
      const [, flags, env, def] = rows.find((r) => r[0] === `\`${d.key}\``)!;
      for (const f of [d.flag, keyFlag(d)].filter((x) => x !== null)) expect(flags, d.key).to.include(`\`--${f} `);
      expect(env, d.key).to.equal(`\`${envName(d.key)}\``);
      expect(def, d.key).to.equal(`\`${d.default === '' ? '""' : d.default}\``);
    }
  });

  it('names every drop reason of the engine in bridge.md, where each is explained', () => {
    const bridge = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'bridge.md'), 'utf8');
    const l = engineLayout();
    expect([...l.toWanDrops, ...l.fromWanDrops].filter((r) => !bridge.includes(`\`${r}\``))).to.deep.equal([]);
  });
});
