import Table from 'cli-table3';
import { stringify as toYaml } from 'yaml';

/** How the CLI prints a list: a kubectl-style table (no borders, upper-case headers), JSON or YAML. */

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface Column<T> {
  header: string;
  value: (row: T) => string;
}

const BORDERLESS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '   ',
};

export function renderTable<T>(rows: readonly T[], columns: ReadonlyArray<Column<T>>): string {
  const table = new Table({
    head: columns.map((c) => c.header.toUpperCase()),
    chars: BORDERLESS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
  });
  for (const row of rows) table.push(columns.map((c) => c.value(row)));
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

/** `rows` as the chosen format; JSON and YAML print the rows' own fields, the table the columns. */
export function renderList<T>(format: OutputFormat, rows: readonly T[], columns: ReadonlyArray<Column<T>>): string {
  if (format === 'json') return JSON.stringify(rows, null, 2);
  if (format === 'yaml') return toYaml(rows).trimEnd();
  return renderTable(rows, columns);
}
