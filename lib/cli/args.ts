/**
 * Command descriptions, argument parsing (`node:util` `parseArgs`, strict) and help text
 * for the `sluice` CLI.
 */
import { parseArgs } from 'node:util';
import { SluiceError } from '../../lambda/runtime/index.ts';
import type { CliOutput } from './output.ts';

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** One flag of a command. */
export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  /** Shown in help as `--flag <value>`. */
  readonly value?: string;
  readonly description: string;
  /** The default as help shows it; `undefined` = no default. */
  readonly default?: string;
  readonly required?: boolean;
  readonly multiple?: boolean;
  /** One-letter alias, e.g. `c` for `-c`. */
  readonly short?: string;
  /**
   * A string flag whose value may be left out (`--inspect` or `--inspect=9230`, as
   * `node --inspect`): this value stands in. The value then only goes after `=`.
   */
  readonly optionalValue?: string;
}

/** Parsed flag values: strings, booleans, or lists for `multiple` flags. */
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

/** A command of the CLI. */
export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  /** e.g. `sluice event <sqs|sns|fifo> [flags]`. */
  readonly usage: string;
  readonly positionals?: readonly { readonly name: string; readonly description: string }[];
  readonly flags: Readonly<Record<string, FlagSpec>>;
  readonly examples: readonly string[];
  /** Runs the command; resolves to the exit code. Throw `UsageError` for bad arguments. */
  run(values: FlagValues, positionals: string[], output: CliOutput): Promise<number>;
}

/** Bad arguments: printed with a pointer to `--help`, exit code 2. */
export class UsageError extends SluiceError {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }
}

/**
 * Parses `args` against the command's flags (unknown flags rejected).
 *
 * @throws {UsageError} for an unknown flag, a missing value, a missing required flag or
 *   more positionals than the command declares
 */
export function parseCommandArgs(spec: CommandSpec, args: string[]): { values: FlagValues; positionals: string[]; help: boolean } {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, flag] of Object.entries(spec.flags)) options[name] = { type: flag.type, ...(flag.multiple ? { multiple: true } : {}), ...(flag.short ? { short: flag.short } : {}) };
  const bare = new Map(Object.entries(spec.flags).filter(([, f]) => f.optionalValue !== undefined).map(([name, f]) => [`--${name}`, `--${name}=${f.optionalValue}`]));
  const end = args.indexOf('--');
  const expanded = args.map((a, i) => ((end < 0 || i < end) ? bare.get(a) ?? a : a));
  let parsed: { values: FlagValues; positionals: string[] };
  try {
    parsed = parseArgs({ args: expanded, options, strict: true, allowPositionals: true }) as { values: FlagValues; positionals: string[] };
  } catch (error) {
    throw new UsageError(describeParseError(error));
  }
  const help = parsed.values['help'] === true;
  if (!help) {
    const missing = Object.entries(spec.flags).filter(([name, f]) => f.required && parsed.values[name] === undefined);
    if (missing.length > 0) throw new UsageError(`missing required flag${missing.length > 1 ? 's' : ''} ${missing.map(([n]) => `--${n}`).join(', ')}`);
    // A command takes at most the positionals it declares (each command reports a missing one in its own words).
    const allowed = spec.positionals?.length ?? 0;
    if (parsed.positionals.length > allowed) throw new UsageError(`unexpected argument '${parsed.positionals[allowed]}'`);
  }
  return { values: parsed.values, positionals: parsed.positionals, help };
}

function describeParseError(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  const quoted = /'([^']+)'/.exec(message ?? '')?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted) return `unknown flag ${quoted}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && quoted) {
    return quoted.includes('<value>') ? `flag ${quoted.split(' ')[0]} needs a value` : `flag ${quoted} takes no value`;
  }
  return message ?? String(error);
}

/** Renders the help of a command: usage, arguments, every flag with its default, examples. */
export function commandHelp(spec: CommandSpec): string {
  const lines = [`${spec.summary}`, '', `Usage: ${spec.usage}`];
  if (spec.positionals?.length) {
    lines.push('', 'Arguments:');
    for (const p of spec.positionals) lines.push(`  ${p.name.padEnd(28)}${p.description}`);
  }
  lines.push('', 'Flags:');
  const entries: [string, FlagSpec][] = [...Object.entries(spec.flags), ['help', { type: 'boolean', description: 'Show this help' }]];
  const value = (flag: FlagSpec): string => (flag.value === undefined ? '' : flag.optionalValue !== undefined ? `[=${flag.value}]` : ` <${flag.value}>`);
  const lefts = entries.map(([name, flag]) => `--${name}${value(flag)}${name === 'help' ? ', -h' : flag.short ? `, -${flag.short}` : ''}`);
  const width = Math.max(...lefts.map((l) => l.length)) + 2;
  for (const [i, [, flag]] of entries.entries()) {
    const left = lefts[i]!;
    const notes = [flag.required ? 'required' : undefined, flag.default !== undefined ? `default: ${flag.default}` : undefined, flag.multiple ? 'repeatable' : undefined]
      .filter(Boolean).join('; ');
    lines.push(`  ${left.padEnd(width)}${flag.description}${notes ? ` (${notes})` : ''}`);
  }
  lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}

/** Reads a string flag. */
export function stringFlag(values: FlagValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Reads an integer flag within `[min, max]`.
 *
 * @throws {UsageError} naming the flag, the value and the allowed range
 */
export function intFlag(values: FlagValues, name: string, min: number, max: number): number | undefined {
  const raw = stringFlag(values, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be an integer ${min}..${max}; received '${raw}'`);
  }
  return value;
}

/**
 * Reads a number flag within `[min, max]` (decimals allowed).
 *
 * @throws {UsageError} naming the flag, the value and the allowed range
 */
export function numberFlag(values: FlagValues, name: string, min: number, max: number): number | undefined {
  const raw = stringFlag(values, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be a number ${min}..${max}; received '${raw}'`);
  }
  return value;
}

/**
 * Reads a URL flag.
 *
 * @throws {UsageError} when the value is not an http(s) URL
 */
export function urlFlag(values: FlagValues, name: string): string | undefined {
  const raw = stringFlag(values, name);
  if (raw === undefined) return undefined;
  if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) {
    throw new UsageError(`--${name} must be an http(s) URL; received '${raw}'`);
  }
  return raw;
}

/** A repeatable flag's values (empty when not given). */
export function listFlag(values: FlagValues, name: string): string[] {
  const raw = values[name];
  if (raw === undefined) return [];
  return Array.isArray(raw) ? raw : [String(raw)];
}

/**
 * `-c key=value` flags as a context object of strings, as `cdk synth -c` passes them.
 *
 * @throws {UsageError} for an entry without `=` or with an empty key.
 */
export function contextFlags(entries: readonly string[]): Record<string, unknown> | undefined {
  if (entries.length === 0) return undefined;
  const context: Record<string, unknown> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new UsageError(`--context: received ${JSON.stringify(entry)}; allowed: key=value`);
    context[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return context;
}
