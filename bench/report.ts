/**
 * Markdown output of the benchmark: tables, target verdicts, and the README section.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** A markdown table from a header row and body rows. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((h, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

/** One target and whether this run met it. */
export interface Verdict {
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean;
}

export function verdictTable(verdicts: readonly Verdict[]): string {
  return table(['target', 'measured', 'result'], verdicts.map((v) => [v.target, v.measured, v.pass ? '**PASS**' : '**FAIL**']))
    .replace('| ---: | ---: |', '| --- | :---: |');
}

/** `PASS`/`FAIL` lines, one per target, for the terminal. */
export function verdictLines(verdicts: readonly Verdict[]): string {
  return verdicts.map((v) => `${v.pass ? 'PASS' : 'FAIL'}  ${v.target}: ${v.measured}`).join('\n');
}

export const fmt = (value: number, digits = 1): string =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/**
 * Replaces the README's `## Performance` section (from its heading to the next `## `
 * heading) with `body`, or appends it at the end when there is none.
 */
export function writeReadmeSection(readmePath: string, body: string): void {
  const text = readFileSync(readmePath, 'utf8');
  const section = `## Performance\n\n${body.trim()}\n`;
  const start = text.search(/^## Performance\s*$/m);
  let next: string;
  if (start === -1) {
    next = `${text.trimEnd()}\n\n${section}`;
  } else {
    const rest = text.slice(start + 1);
    const after = rest.search(/^## /m);
    next = after === -1 ? `${text.slice(0, start)}${section}` : `${text.slice(0, start)}${section}\n${rest.slice(after)}`;
  }
  writeFileSync(readmePath, next);
}
