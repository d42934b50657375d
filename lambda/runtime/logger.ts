/**
 * The default logger (JSON lines) and the no-op logger. This is the only runtime
 * module that writes to stdout or stderr.
 */
import { LOG_LEVEL_ENV } from './contract.ts';
import type { SluiceLogger } from './types.ts';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = keyof typeof LEVELS;

/** A logger that drops everything; `ctx.logger` when `logger: false`. */
export const noopLogger: SluiceLogger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});

/** Writes one line to stdout (`out`) or stderr (`err`). */
export function writeLine(stream: 'out' | 'err', line: string): void {
  (stream === 'out' ? process.stdout : process.stderr).write(line + '\n');
}

/**
 * Creates the default JSON-lines logger.
 *
 * `debug`/`info` go to stdout, `warn`/`error` to stderr. The level comes from
 * `SLUICE_LOG_LEVEL`, then `AWS_LAMBDA_LOG_LEVEL` (Lambda's advanced logging controls),
 * then `info`.
 *
 * @param level - lowest level written
 * @returns a logger writing one JSON object per line
 */
export function createJsonLogger(level: string = defaultLevel()): SluiceLogger {
  const min = LEVELS[Object.hasOwn(LEVELS, level) ? (level as Level) : 'info'];
  const emit = (lvl: Exclude<Level, 'silent'>, message: string, fields?: Record<string, unknown>): void => {
    if (LEVELS[lvl] < min) return;
    const entry = { level: lvl.toUpperCase(), timestamp: new Date().toISOString(), message, ...fields };
    writeLine(LEVELS[lvl] >= LEVELS.warn ? 'err' : 'out', JSON.stringify(entry, jsonReplacer));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

function defaultLevel(): string {
  return (process.env[LOG_LEVEL_ENV] ?? process.env.AWS_LAMBDA_LOG_LEVEL ?? 'info').toLowerCase();
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
