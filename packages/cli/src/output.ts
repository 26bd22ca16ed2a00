/** Everything the CLI prints: results on stdout, progress and errors on stderr. */

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

export function printNote(text: string): void {
  process.stderr.write(`${text}\n`);
}

/** Aligned columns under a header row; `(none)` for no rows. */
export function printTable(header: string[], rows: Array<Array<string | number | null | undefined>>): void {
  if (rows.length === 0) return printLine('(none)');
  const cells = [header, ...rows.map((row) => row.map((cell) => (cell === null || cell === undefined ? '-' : String(cell))))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => row[column].length)));
  for (const row of cells)
    printLine(
      row
        .map((cell, column) => cell.padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    );
}

/** `key  value` lines, keys aligned, empty values left out. */
export function printFields(fields: Array<[string, string | number | null | undefined]>): void {
  const shown = fields.filter(([, value]) => value !== null && value !== undefined && value !== '');
  const width = Math.max(...shown.map(([key]) => key.length));
  for (const [key, value] of shown) printLine(`${key.padEnd(width)}  ${value}`);
}

/** A JSON value on one line, cut to `max` characters. */
export function brief(value: unknown, max = 200): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
