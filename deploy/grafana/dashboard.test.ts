// The Grafana dashboard queries only what the bridge exposes: every metric name in every
// panel's PromQL (and the variable's query) is one the metrics server registers, with labels it
// has, and every metric it registers is on some panel.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { buildRegistry } from '../../bridge/daemon/metrics-server.js';

const DASHBOARD = new URL('./goose-bridge.json', import.meta.url);
/** Labels Prometheus adds to every scraped series. */
const TARGET_LABELS = ['instance', 'job'];
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'offset', 'bool']);

interface Panel {
  title: string;
  type: string;
  panels?: Panel[];
  targets?: Array<{ expr: string }>;
}

/** Metric names a PromQL expression reads, and the label names its clauses (by, on, …) and matchers use. */
export function promqlNames(expr: string): { metrics: string[]; labels: string[] } {
  const labels: string[] = [];
  let rest = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""'); // strings never name anything
  rest = rest.replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_, list: string) => {
    labels.push(...list.split(',').map((l) => l.trim()).filter(Boolean));
    return ' ';
  });
  rest = rest.replace(/\{([^}]*)\}/g, (_, matchers: string) => {
    labels.push(...[...matchers.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1]!));
    return ' ';
  });
  rest = rest.replace(/\[[^\]]*\]/g, ' '); // ranges: [$__rate_interval], [5m]
  const metrics = [...rest.matchAll(/(?<![$\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)].map((m) => m[1]!).filter((n) => !KEYWORDS.has(n));
  return { metrics, labels };
}

function queries(): Array<{ where: string; expr: string }> {
  const d = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[]; templating: { list: Array<{ name: string; query: { query: string } }> } };
  const all = (ps: Panel[]): Panel[] => ps.flatMap((p) => [p, ...all(p.panels ?? [])]);
  const fromPanels = all(d.panels).flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, expr: t.expr })));
  const fromVariables = d.templating.list.map((v) => ({ where: `variable ${v.name}`, expr: v.query.query.replace(/^label_values\((.*),\s*\w+\)$/, '$1') }));
  return [...fromPanels, ...fromVariables];
}

describe('Grafana dashboard (deploy/grafana/goose-bridge.json)', () => {
  const registry = buildRegistry(() => {
    throw new Error('the test reads metric definitions, never values');
  });
  const exposed = new Map(registry.getMetricsAsArray().map((m) => [m.name, (m as unknown as { labelNames: string[] }).labelNames]));

  it('reads metric names and labels out of PromQL', () => {
    expect(promqlNames('sum by (instance, reason) (rate(goose_bridge_x_total{instance=~"$instance",a!="b{c}"}[$__rate_interval])) / on (instance) up')).to.deep.equal({
      metrics: ['goose_bridge_x_total', 'up'],
      labels: ['instance', 'reason', 'instance', 'instance', 'a'],
    });
  });

  it('queries only metrics the bridge exposes, with labels they have', () => {
    const qs = queries();
    expect(qs.length).to.be.greaterThan(20);
    for (const { where, expr } of qs) {
      const { metrics, labels } = promqlNames(expr);
      expect(metrics, `${where}: ${expr}`).to.not.be.empty;
      for (const m of metrics) expect(exposed.has(m), `${where} queries ${m}, which the metrics server does not expose`).to.equal(true);
      const allowed = new Set([...TARGET_LABELS, ...metrics.flatMap((m) => exposed.get(m) ?? [])]);
      for (const l of labels) expect(allowed.has(l), `${where}: label ${l} is none of ${[...allowed].join(', ')}`).to.equal(true);
    }
  });

  it('shows every metric the bridge exposes on some panel', () => {
    const shown = new Set(queries().flatMap((q) => promqlNames(q.expr).metrics));
    expect([...exposed.keys()].filter((m) => !shown.has(m))).to.deep.equal([]);
  });
});
