import fs from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { parser } from '@prometheus-io/lezer-promql';

const ROOT = path.join(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** Every series the apps define (`name: 'conveyor_…'` in their metrics code), and Prometheus' own `up`. */
function knownMetrics(): Set<string> {
  const sources = [
    'apps/api/src/observability/api-metrics.ts',
    'apps/worker/src/observability/worker-metrics.ts',
    'libs/queueing/src/metrics/build-info.ts',
  ];
  const names = sources.flatMap((file) => [...read(file).matchAll(/name: '(conveyor_[a-z_]+)'/g)].map((m) => m[1]));
  return new Set([...names, 'up']);
}

/** PromQL syntax errors (the grammar Prometheus' own UI uses), and the metric names an expression reads. */
function promql(expr: string): { errors: number; metrics: string[] } {
  const tree = parser.parse(expr);
  let errors = 0;
  const metrics: string[] = [];
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) errors++;
      if (node.name === 'VectorSelector') {
        const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(expr.slice(node.from, node.to))?.[0];
        if (name) metrics.push(name);
      }
    },
  });
  return { errors, metrics };
}

/** A histogram's series (`_bucket`, `_sum`, `_count`) are the histogram's. */
const seriesOf = (metric: string) => metric.replace(/_(bucket|sum|count)$/, '');

describe('operations kit (docker/)', () => {
  const known = knownMetrics();
  const check = (where: string, expr: string) => {
    const { errors, metrics } = promql(expr);
    expect({ where, errors }).toEqual({ where, errors: 0 });
    expect(metrics.length).toBeGreaterThan(0);
    for (const metric of metrics) expect({ where, metric, known: known.has(seriesOf(metric)) }).toEqual({ where, metric, known: true });
  };

  it('has alert rules that parse, read only series the apps export, and carry a severity and a summary', () => {
    const rules = (load(read('docker/prometheus/alerts.yml')) as { groups: Array<{ rules: any[] }> }).groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThanOrEqual(8);
    for (const rule of rules) {
      expect(rule.alert).toMatch(/^Conveyor[A-Za-z]+$/);
      check(rule.alert, rule.expr);
      expect(['warning', 'critical']).toContain(rule.labels.severity);
      expect(rule.annotations.summary).toEqual(expect.any(String));
    }
    // The README's thresholds are there.
    const exprs = rules.map((r) => r.expr).join('\n');
    for (const threshold of ['> 100', '> 0.1', '> 0.25', '> 0.85', '== 0']) expect(exprs).toContain(threshold);
  });

  it('has a Grafana dashboard whose every panel queries series the apps export', () => {
    const dashboard = JSON.parse(read('docker/grafana/dashboards/conveyor.json'));
    const titles = dashboard.panels.map((p: { title: string }) => p.title.toLowerCase()).join(' | ');
    for (const topic of ['depth', 'throughput', 'failure rate', 'wait', 'processing time', 'workers', 'circuit'])
      expect(titles).toContain(topic);
    for (const panel of dashboard.panels) for (const target of panel.targets) check(panel.title, target.expr);
  });

  it('wires Prometheus (rules, the API, every worker) and Grafana in a compose profile', () => {
    const prometheus = load(read('docker/prometheus/prometheus.yml')) as any;
    expect(prometheus.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
    expect(prometheus.scrape_configs.map((c: any) => c.job_name)).toEqual(['conveyor-api', 'conveyor-worker']);
    const compose = load(read('docker-compose.yml')) as any;
    for (const name of ['prometheus', 'grafana']) expect(compose.services[name].profiles).toEqual(['observability']);
    expect(compose.services.prometheus.volumes).toContain('./docker/prometheus:/etc/prometheus:ro');
    expect(compose.services.grafana.volumes).toContain('./docker/grafana/dashboards:/var/lib/grafana/dashboards:ro');
  });
});
