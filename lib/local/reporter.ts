/**
 * What the local runtime prints through: the CLI room implements it (`createReporter`),
 * tests pass their own.
 */
/** Progress of one item (a function). */
export interface ProgressItem {
  readonly name: string;
  /** Expected total (e.g. records routed to the function). */
  total: number;
  /** Done so far. */
  value: number;
  /** Short status after the bar, e.g. `12 retried · 3 DLQ`. */
  detail: string;
}

/** A live progress display; `stop()` leaves the last state on screen. */
export interface Progress {
  update(name: string, value: number, detail: string, total?: number): void;
  stop(): void;
}

/** Where `sluice dev` and `sluice invoke` print. */
export interface Reporter {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
  /** A table with aligned columns (numbers right-aligned). */
  table(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): void;
  progress(items: readonly { name: string; total: number }[]): Progress;
}

