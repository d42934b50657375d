/**
 * The one place the local runtime prints: plain lines, live progress (a `cli-progress`
 * display on a TTY, a periodic plain line otherwise) and tables.
 */
import { MultiBar, Presets } from 'cli-progress';
import type { SingleBar } from 'cli-progress';

import type { Progress, ProgressItem, Reporter } from '../local/index.ts';

export type { Progress, ProgressItem, Reporter };

/** Options of {@link createReporter}. */
export interface ReporterOptions {
  /** @default process.stdout */
  readonly out?: NodeJS.WritableStream & { isTTY?: boolean };
  /** @default process.stderr */
  readonly err?: NodeJS.WritableStream;
  /** Draw a progress display (else periodic lines). @default out.isTTY */
  readonly tty?: boolean;
  /** Interval of the plain progress lines. @default 2000 */
  readonly plainIntervalMs?: number;
}

/** Formats a table as lines: columns padded, numeric cells right-aligned. */
export function formatTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string[] {
  const cells = [headers.map(String), ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const line = (r: readonly string[]): string => r.map((c, i) => (numeric[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [line(cells[0] ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)];
}

function plainProgress(out: NodeJS.WritableStream, items: ProgressItem[], intervalMs: number): Progress {
  const started = Date.now();
  const print = (): void => {
    const parts = items.map((i) => `${i.name} ${i.value}/${i.total}${i.detail ? ` (${i.detail})` : ''}`);
    out.write(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${parts.join(' | ')}\n`);
  };
  const timer = setInterval(print, intervalMs);
  timer.unref();
  return {
    update(name, value, detail, total) {
      const item = items.find((i) => i.name === name);
      if (!item) return;
      item.value = value;
      item.detail = detail;
      if (total !== undefined) item.total = total;
    },
    stop() {
      clearInterval(timer);
      print();
    },
  };
}

function barProgress(out: NodeJS.WritableStream, items: ProgressItem[]): Progress {
  const width = Math.max(...items.map((i) => i.name.length));
  const multi = new MultiBar({
    stream: out,
    format: ' {name} [{bar}] {value}/{total} {detail}',
    hideCursor: true,
    clearOnComplete: false,
    fps: 10,
    barsize: 30,
  }, Presets.shades_classic);
  const bars = new Map<string, SingleBar>(items.map((i) => [i.name, multi.create(Math.max(1, i.total), 0, { name: i.name.padEnd(width), detail: '' })]));
  return {
    update(name, value, detail, total) {
      const bar = bars.get(name);
      if (!bar) return;
      if (total !== undefined) bar.setTotal(Math.max(1, total));
      bar.update(value, { name: name.padEnd(width), detail });
    },
    stop() {
      multi.stop();
    },
  };
}

/**
 * Creates a reporter on the given streams.
 *
 * @example
 * const reporter = createReporter();
 * reporter.info('Embedded SNS/SQS at http://127.0.0.1:41234');
 */
export function createReporter(options: ReporterOptions = {}): Reporter {
  const out = options.out ?? process.stdout;
  const err = options.err ?? process.stderr;
  const tty = options.tty ?? out.isTTY === true;
  return {
    info: (line) => { out.write(`${line}\n`); },
    warn: (line) => { err.write(`warning: ${line}\n`); },
    error: (line) => { err.write(`error: ${line}\n`); },
    table(headers, rows) {
      for (const line of formatTable(headers, rows)) out.write(`${line}\n`);
    },
    progress(list) {
      const items = list.map((i) => ({ name: i.name, total: i.total, value: 0, detail: '' }));
      return tty ? barProgress(out, items) : plainProgress(out, items, options.plainIntervalMs ?? 2000);
    },
  };
}
