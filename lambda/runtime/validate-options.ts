/**
 * The validator Sluice uses for every options object: the runtime's options and `retry`,
 * the worker's options and the constructs' props. Each options object is one declarative
 * table ({@link OptionTable}: type, range, allowed values, default), checked by
 * {@link validateOptions}, as middy checks each package's `optionSchema` with one
 * `validateOptions`. Every problem has one phrasing,
 * `<option>: received <value>; allowed: <range>` ({@link problem}), and every value one
 * rendering ({@link formatValue}).
 *
 * It knows nothing of CDK: the constructs pass {@link ValueHooks} that render a `Duration`
 * or a construct and skip deploy-time tokens.
 */

/** Extensions for values the runtime does not know, such as CDK's. */
export interface ValueHooks {
  /**
   * Renders a value before {@link formatValue}'s own rules; `undefined` falls through to them.
   * @default - none
   */
  readonly format?: (value: unknown) => string | undefined;
  /**
   * Values never checked, kept as given: e.g. CDK tokens, known only at deploy time (an
   * option that admits no value is still reported).
   * @default - none
   */
  readonly skip?: (value: unknown) => boolean;
}

/**
 * One option of a table. A given value is allowed when it is one of `values`, or of
 * `type` (within `min`..`max`, and not below the option `atLeast` names), or passes `test`.
 * A rule with none of the three admits no value, not even a skipped one: the option must
 * be absent (`allowed` says what to do instead).
 */
export interface OptionRule {
  /**
   * `integer` and `number` (finite) take `min`/`max`; `string` is non-empty; `url` is an
   * http(s) URL; `object` is a plain object, checked against `table` when given.
   */
  readonly type?: 'integer' | 'number' | 'string' | 'url' | 'function' | 'object';
  /** Smallest number allowed. @default - no bound */
  readonly min?: number;
  /** Largest number allowed. @default - no bound */
  readonly max?: number;
  /** A number must be at least the value of this option, which comes earlier in the table. */
  readonly atLeast?: string;
  /** Values allowed as they are (alone, or besides `type`). */
  readonly values?: readonly unknown[];
  /** For `type: 'object'`: the nested options, checked like the outer ones. */
  readonly table?: OptionTable;
  /** A check of its own, for what the fields above do not cover (a logger, a schema). */
  readonly test?: (value: unknown) => boolean;
  /** What is allowed, in words. @default - derived from the rule, e.g. `an integer from 1 to 1000` */
  readonly allowed?: string;
  /** The resolved value when the option is `undefined`. @default undefined */
  readonly default?: unknown;
  /** `undefined` is a problem rather than the default. @default false */
  readonly required?: boolean;
}

/** The rules of one options object, by option name, in the order problems are reported. */
export type OptionTable = Readonly<Record<string, OptionRule>>;

/** How {@link validateOptions} names options and treats values. */
export interface ValidateConfig extends ValueHooks {
  /**
   * Prefix of the option names in problems (`retry` gives `retry.backoff`); names the
   * whole object when it is not one.
   * @default - none: options are named by their key, the object `options`
   */
  readonly name?: string;
  /**
   * Keys the tables do not list are allowed (construct props check only what can fail).
   * @default false: each unknown key is a problem
   */
  readonly open?: boolean;
}

type Literal<R> = R extends { readonly values: readonly (infer V)[] } ? V : never;
type OfType<R> = R extends { readonly table: infer T extends OptionTable } ? ResolvedOptionsOf<T>
  : R extends { readonly type: 'integer' | 'number' } ? number
  : R extends { readonly type: 'string' | 'url' } ? string
  : R extends { readonly type: 'function' } ? (...args: never[]) => unknown
  : R extends { readonly test: (value: unknown) => value is infer G } ? G
  : R extends { readonly test: unknown } | { readonly type: 'object' } ? unknown
  : never;
type Absent<R> = R extends { readonly default: infer D } ? D : R extends { readonly required: true } ? never : undefined;

/** What {@link validateOptions} returns for a table: every option, defaults applied. */
export type ResolvedOptionsOf<T extends OptionTable> = { readonly [K in keyof T]: Literal<T[K]> | OfType<T[K]> | Absent<T[K]> };

const NAMES = { string: 'a non-empty string', url: 'an http(s) URL', function: 'a function', object: 'an object' } as const;

/** A non-null object that is not an array. */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Renders a value for a problem message without quoting long or secret content: strings of
 * up to 40 characters quoted, longer ones by their length; objects, arrays and functions by
 * their kind only; other primitives as `String` does. `format` renders first.
 */
export function formatValue(value: unknown, format?: ValueHooks['format']): string {
  const custom = format?.(value);
  if (custom !== undefined) return custom;
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  return isObject(value) ? 'an object' : String(value);
}

/** One problem, in the one phrasing: `<option>: received <value>; allowed: <allowed>`. */
export function problem(name: string, value: unknown, allowed: string, format?: ValueHooks['format']): string {
  return `${name}: received ${formatValue(value, format)}; allowed: ${allowed}`;
}

/** What `rule` allows, in words: its `allowed`, or its values and type. */
export function allowedOf(rule: OptionRule): string {
  if (rule.allowed !== undefined) return rule.allowed;
  const words = (rule.values ?? []).map((v) => JSON.stringify(v));
  const { type, min, max, table } = rule;
  if (type === 'integer' || type === 'number') {
    const range = min === undefined ? (max === undefined ? '' : ` ≤ ${max}`) : max === undefined ? ` ≥ ${min}` : ` from ${min} to ${max}`;
    words.push(`${type === 'integer' ? 'an integer' : 'a number'}${range}`);
  } else if (table) {
    words.push(`{ ${Object.keys(table).map((k) => (table[k]!.required ? k : `${k}?`)).join(', ')} }`);
  } else if (type) {
    words.push(NAMES[type]);
  }
  return words.join(', ');
}

function passes(rule: OptionRule, value: unknown): boolean {
  if (rule.values?.includes(value) || rule.test?.(value)) return true;
  switch (rule.type) {
    case 'integer':
    case 'number':
      return (rule.type === 'integer' ? Number.isInteger(value) : Number.isFinite(value))
        && (value as number) >= (rule.min ?? -Infinity) && (value as number) <= (rule.max ?? Infinity);
    case 'string':
      return typeof value === 'string' && value.length > 0;
    case 'url':
      return typeof value === 'string' && /^https?:\/\//i.test(value) && URL.canParse(value);
    case 'function':
      return typeof value === 'function';
    case 'object':
      return isObject(value);
    default:
      return false;
  }
}

/**
 * Checks `options` against `table`: every problem is pushed onto `problems` (the caller
 * throws once, after any checks of its own), and the options come back with every default
 * applied, frozen (nested tables too).
 *
 * @param table - the rules, by option name
 * @param options - the options given; `undefined` is an empty object
 * @param problems - receives one line per problem, in the phrasing of {@link problem}
 * @param config - name prefix, open tables, and hooks for values the runtime does not know
 * @returns the resolved options (meaningful only when no problem was pushed)
 * @example
 * const problems: string[] = [];
 * const opts = validateOptions({ concurrency: { type: 'integer', min: 1, max: 1000, default: 10 } }, options, problems);
 * if (problems.length > 0) throw new ConfigError(problems);
 */
export function validateOptions<T extends OptionTable>(
  table: T,
  options: unknown,
  problems: string[],
  config: ValidateConfig = {},
): ResolvedOptionsOf<T> {
  const { name, open, format, skip } = config;
  const out: Record<string, unknown> = {};
  const o = options ?? {};
  if (!isObject(o)) {
    problems.push(problem(name ?? 'options', o, 'an object', format));
    return out as ResolvedOptionsOf<T>;
  }
  const full = (key: string): string => (name ? `${name}.${key}` : key);
  if (!open) {
    for (const key of Object.keys(o)) {
      if (!Object.hasOwn(table, key)) problems.push(`${full(key)}: unknown option; allowed: ${Object.keys(table).join(', ')}`);
    }
  }
  for (const key of Object.keys(table)) {
    const rule = table[key]!;
    const value = o[key];
    if (value === undefined && !rule.required) {
      out[key] = rule.default;
    } else if ((rule.type || rule.values || rule.test) && skip?.(value)) {
      out[key] = value;
    } else if (!passes(rule, value)) {
      problems.push(problem(full(key), value, allowedOf(rule), format));
    } else if (rule.table && isObject(value)) {
      out[key] = validateOptions(rule.table, value, problems, { ...config, name: full(key) });
    } else {
      const floor = rule.atLeast === undefined ? undefined : out[rule.atLeast];
      if (typeof floor === 'number' && !skip?.(floor) && (value as number) < floor) {
        problems.push(problem(full(key), value, `at least ${rule.atLeast} (${floor})`, format));
      }
      out[key] = value;
    }
  }
  return Object.freeze(out) as ResolvedOptionsOf<T>;
}
