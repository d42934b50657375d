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

function barProgress(out: NodeJS.WritableStream, items: ProgressItem[], onStop: () => void): Progress & { log(line: string): void } {
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
  // Logged lines not yet drawn: a redraw writes them, `stop()` writes what is left.
  const pending: string[] = [];
  multi.on('redraw-pre', () => { pending.length = 0; });
  return {
    update(name, value, detail, total) {
      const bar = bars.get(name);
      if (!bar) return;
      if (total !== undefined) bar.setTotal(Math.max(1, total));
      bar.update(value, { name: name.padEnd(width), detail });
    },
    stop() {
      multi.stop();
      onStop();
      for (const line of pending.splice(0)) out.write(line);
    },
    // Lines printed while the bars run (e.g. a hot reload) go above them at the next redraw, not through them.
    log(line) {
      if ((out as { isTTY?: boolean }).isTTY) {
        pending.push(`${line}\n`);
        multi.log(`${line}\n`);
      } else {
        out.write(`${line}\n`);
      }
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
  let bars: { log(line: string): void } | undefined;
  const write = (stream: NodeJS.WritableStream, line: string): void => { if (bars) bars.log(line); else stream.write(`${line}\n`); };
  return {
    info: (line) => { write(out, line); },
    warn: (line) => { write(err, `warning: ${line}`); },
    error: (line) => { write(err, `error: ${line}`); },
    table(headers, rows) {
      for (const line of formatTable(headers, rows)) out.write(`${line}\n`);
    },
    progress(list) {
      const items = list.map((i) => ({ name: i.name, total: i.total, value: 0, detail: '' }));
      if (!tty) return plainProgress(out, items, options.plainIntervalMs ?? 2000);
      const progress = barProgress(out, items, () => { bars = undefined; });
      bars = progress;
      return progress;
    },
  };
}
