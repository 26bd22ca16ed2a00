import fs from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { parser } from '@prometheus-io/lezer-promql';
import { JOB_OUTCOMES } from '@conveyor/contracts';

const ROOT = path.join(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** Every series the apps define (`name: 'conveyor_…'` in their metrics code) with its label names, and Prometheus' own `up`. */
function knownMetrics(): Map<string, string[]> {
  const sources = [
    'apps/api/src/observability/api-metrics.ts',
    'apps/worker/src/observability/worker-metrics.ts',
    'libs/queueing/src/metrics/build-info.ts',
  ];
  const metrics = new Map<string, string[]>([['up', []]]);
  for (const text of sources.map(read)) {
    const names = [...text.matchAll(/name: '(conveyor_[a-z_]+)'/g)];
    names.forEach((match, i) => {
      // The labels declared between this metric's name and the next one's.
      const declaration = text.slice(match.index, names[i + 1]?.index ?? text.length);
      const labels = /labelNames: \[([^\]]*)\]/.exec(declaration)?.[1] ?? '';
      metrics.set(
        match[1],
        [...labels.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]),
      );
    });
  }
  return metrics;
}

/** The values in a source's constant `name` (an array of strings, or an object's string values). */
function constantValues(file: string, name: string): string[] {
  const body = new RegExp(`const ${name}[^=]*= ([\\[{][^\\]}]*[\\]}])`).exec(read(file))?.[1] ?? '';
  return [...body.matchAll(/'([a-z]+)'/g)].map((m) => m[1]);
}

/** The values the apps give a metric's label (`metric.label`), where the set is closed: a typo in a matcher would match nothing. */
function knownLabelValues(): Record<string, readonly string[]> {
  const api = 'apps/api/src/observability/api-metrics.ts';
  return {
    'conveyor_jobs_total.outcome': JOB_OUTCOMES,
    'conveyor_job_processing_seconds.outcome': JOB_OUTCOMES,
    'conveyor_webhook_deliveries_total.outcome': constantValues('apps/worker/src/observability/worker-activity.ts', 'DELIVERY_OUTCOME'),
    'conveyor_scheduler_runs_total.outcome': constantValues(api, 'SCHEDULER_OUTCOMES'),
    'conveyor_queue_jobs.state': constantValues(api, 'DEPTH_STATES'),
  };
}

/** Labels every scraped series has (Prometheus' target labels) or that a histogram's buckets add. */
const SCRAPE_LABELS = ['job', 'instance', 'le'];

interface Selector {
  metric: string;
  matchers: Array<{ label: string; op: string; value: string }>;
}

/** PromQL syntax errors (the grammar Prometheus' own UI uses), the selectors an expression reads, and every label it names. */
function promql(expr: string): { errors: number; selectors: Selector[]; labels: string[] } {
  const tree = parser.parse(expr);
  const text = (node: { from: number; to: number }) => expr.slice(node.from, node.to);
  let errors = 0;
  const selectors: Selector[] = [];
  const labels: string[] = [];
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) errors++;
      if (node.name === 'LabelName') labels.push(text(node));
      if (node.name === 'VectorSelector') {
        const metric = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(text(node))?.[0];
        if (metric) selectors.push({ metric, matchers: [] });
      }
      if (node.name === 'UnquotedLabelMatcher') {
        const [, label, op, value] = /^(\w+)\s*(=~|!~|!=|=)\s*"(.*)"$/s.exec(text(node)) ?? [];
        selectors.at(-1)?.matchers.push({ label, op, value });
      }
    },
  });
  return { errors, selectors, labels };
}

/** A histogram's series (`_bucket`, `_sum`, `_count`) are the histogram's. */
const seriesOf = (metric: string) => metric.replace(/_(bucket|sum|count)$/, '');

describe('operations kit (docker/)', () => {
  const known = knownMetrics();
  const values = knownLabelValues();
  /** The expression parses, reads only series the apps export, names only their labels, and matches only values they give. */
  const check = (where: string, expr: string) => {
    const { errors, selectors, labels } = promql(expr);
    expect({ where, errors }).toEqual({ where, errors: 0 });
    expect(selectors.length).toBeGreaterThan(0);
    const usable = new Set(SCRAPE_LABELS);
    for (const { metric, matchers } of selectors) {
      const own = known.get(seriesOf(metric));
      expect({ where, metric, known: own !== undefined }).toEqual({ where, metric, known: true });
      own?.forEach((label) => usable.add(label));
      for (const { label, op, value } of matchers) {
        expect({ where, metric, label, known: [...(own ?? []), ...SCRAPE_LABELS].includes(label) }).toEqual({
          where,
          metric,
          label,
          known: true,
        });
        const closed = values[`${seriesOf(metric)}.${label}`] ?? [];
        // `=` names one value; a plain `=~"a|b"` names several.
        const named = op === '=' ? [value] : op === '=~' && /^[a-z_|]+$/.test(value) ? value.split('|') : [];
        for (const one of closed.length > 0 ? named : [])
          expect({ where, metric, label, one, known: closed.includes(one) }).toEqual({ where, metric, label, one, known: true });
      }
    }
    // Grouping (by, without, on, ignoring) names only labels the series read have.
    for (const label of labels) expect({ where, label, usable: usable.has(label) }).toEqual({ where, label, usable: true });
  };

  it('reads the closed label values from the apps', () => {
    for (const [label, known] of Object.entries(values)) expect({ label, values: known.length >= 2 }).toEqual({ label, values: true });
  });

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
