import fs from 'node:fs';
import path from 'node:path';
import { BenchRow } from './bench-context';

export interface BenchReport {
  date: string;
  machine: string;
  mongo: string;
  redis: string;
  quick: boolean;
  seconds: number;
  rows: BenchRow[];
}

/** The report as a table on stdout. */
export function printReport(report: BenchReport): void {
  console.log(`\nConveyor benchmark, ${report.date}${report.quick ? ' (quick)' : ''}`);
  console.log(`machine: ${report.machine}; MongoDB: ${report.mongo}; Redis: ${report.redis}\n`);
  const header = ['id', 'what', 'raw / peer', 'Conveyor', 'unit', 'ratio', 'target', ''];
  const lines = report.rows.map((r) => [
    r.id,
    r.what,
    r.reference === undefined ? '' : String(r.reference),
    Number.isNaN(r.conveyor) ? 'n/a' : String(r.conveyor),
    r.unit,
    r.ratio === undefined ? '' : String(r.ratio),
    r.target ?? '',
    r.met === undefined ? '' : r.met ? 'met' : 'NOT MET',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: string[]) => cells.map((c, i) => (i === 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(format(header));
  for (const [i, line] of lines.entries()) {
    console.log(format(line));
    if (report.rows[i].note) console.log(`${''.padEnd(widths[0])}  ↳ ${report.rows[i].note}`);
  }
  console.log(`\n${report.seconds.toFixed(0)} s in all`);
}

/** The report as JSON under bench/results/ (git-ignored); returns the file's path. */
export function saveReport(report: BenchReport, root: string): string {
  const dir = path.join(root, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${report.date.replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(report, null, 2));
  return file;
}
