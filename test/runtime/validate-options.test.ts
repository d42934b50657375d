/**
 * The one option validator (`validateOptions`) and value formatter (`formatValue`) that
 * the runtime, the worker and the constructs share.
 */
import { describe, expect, it } from 'vitest';
import { allowedOf, formatValue, problem, validateOptions } from '../../lambda/runtime/index.ts';
import type { OptionRule, OptionTable, ValidateConfig } from '../../lambda/runtime/index.ts';

const TABLE = {
  count: { type: 'integer', min: 1, max: 10, default: 3 },
  ratio: { type: 'number', min: 0, max: 1 },
  margin: { type: 'integer', min: 0 },
  mode: { values: ['fast', 'safe', false], default: 'safe' },
  name: { type: 'string' },
  url: { type: 'url' },
  callback: { type: 'function' },
  key: { type: 'function', values: [true, false], default: true, allowed: 'true, false, or (message) => string' },
  low: { type: 'integer', min: 0 },
  high: { type: 'integer', min: 0, atLeast: 'low' },
  id: { type: 'string', required: true },
  even: { test: (v: unknown) => typeof v === 'number' && v % 2 === 0, allowed: 'an even number' },
  closed: { allowed: 'nothing: the kit sets it' },
  nested: {
    type: 'object',
    table: {
      base: { type: 'number', min: 0, max: 60, required: true },
      jitter: { values: ['full', 'none'], default: 'full' },
    },
  },
} as const satisfies OptionTable;

function problemsOf(options: unknown, config?: ValidateConfig): string[] {
  const problems: string[] = [];
  validateOptions(TABLE, options, problems, config);
  return problems;
}

describe('validateOptions', () => {
  it.each<[string, Record<string, unknown>, string]>([
    // types and ranges
    ['an integer below its range', { count: 0 }, 'count: received 0; allowed: an integer from 1 to 10'],
    ['an integer above its range', { count: 11 }, 'count: received 11; allowed: an integer from 1 to 10'],
    ['a fraction for an integer', { count: 2.5 }, 'count: received 2.5; allowed: an integer from 1 to 10'],
    ['a numeric string for an integer', { count: '5' }, 'count: received "5"; allowed: an integer from 1 to 10'],
    ['NaN for a number', { ratio: Number.NaN }, 'ratio: received NaN; allowed: a number from 0 to 1'],
    ['Infinity for an unbounded integer', { margin: Number.POSITIVE_INFINITY }, 'margin: received Infinity; allowed: an integer ≥ 0'],
    ['a negative unbounded integer', { margin: -1 }, 'margin: received -1; allowed: an integer ≥ 0'],
    ['an empty string', { name: '' }, 'name: received ""; allowed: a non-empty string'],
    ['a URL that is not http(s)', { url: 'ftp://host/x' }, 'url: received "ftp://host/x"; allowed: an http(s) URL'],
    ['a string that is no URL', { url: 'http://' }, 'url: received "http://"; allowed: an http(s) URL'],
    ['an object for a function', { callback: {} }, 'callback: received an object; allowed: a function'],
    // allowed values
    ['a value not in the list', { mode: 'FAST' }, 'mode: received "FAST"; allowed: "fast", "safe", false'],
    ['true where only false is listed', { mode: true }, 'mode: received true; allowed: "fast", "safe", false'],
    ['null for a value list', { mode: null }, 'mode: received null; allowed: "fast", "safe", false'],
    ['a string for values-or-function', { key: 'id' }, 'key: received "id"; allowed: true, false, or (message) => string'],
    // relations, required, custom tests, closed keys, nested tables
    ['a number below its sibling', { low: 5, high: 2 }, 'high: received 2; allowed: at least low (5)'],
    ['a missing required option', { id: undefined }, 'id: received undefined; allowed: a non-empty string'],
    ['a value its test rejects', { even: 3 }, 'even: received 3; allowed: an even number'],
    ['any value of a rule with only allowed', { closed: 0 }, 'closed: received 0; allowed: nothing: the kit sets it'],
    ['a non-object for a table', { nested: 'x' }, 'nested: received "x"; allowed: { base, jitter? }'],
    ['a bad nested option', { nested: { base: 61 } }, 'nested.base: received 61; allowed: a number from 0 to 60'],
    ['a missing nested required option', { nested: {} }, 'nested.base: received undefined; allowed: a number from 0 to 60'],
    ['an unknown nested key', { nested: { base: 1, jiter: 'none' } }, 'nested.jiter: unknown option; allowed: base, jitter'],
    // unknown keys
    ['an unknown key', { cont: 1 }, 'cont: unknown option; allowed: count, ratio, margin, mode, name, url, callback, key, low, high, id, even, closed, nested'],
  ])('reports %s', (_, options, expected) => {
    expect(problemsOf({ id: 'x', ...options })).toEqual([expected]);
  });

  it.each<[string, Record<string, unknown>]>([
    ['bounds of a range', { count: 1, ratio: 1, margin: 0 }],
    ['the top of a range', { count: 10, ratio: 0.5, margin: Number.MAX_SAFE_INTEGER }],
    ['listed values', { mode: false, key: false }],
    ['a function where values or a function are allowed', { key: () => 'k' }],
    ['an http URL with a port', { url: 'http://127.0.0.1:4566' }],
    ['equal siblings', { low: 3, high: 3 }],
    ['a value its test accepts', { even: 4 }],
    ['a full nested table', { nested: { base: 0, jitter: 'none' } }],
    ['undefined for optional options', { count: undefined, closed: undefined, nested: undefined }],
  ])('accepts %s', (_, options) => {
    expect(problemsOf({ id: 'x', ...options })).toEqual([]);
  });

  it('collects every problem, unknown keys first, then in table order', () => {
    expect(problemsOf({ nested: { base: -1 }, count: 0, bogus: 1, id: 'x', mode: 'x' })).toEqual([
      expect.stringMatching(/^bogus: unknown option/),
      expect.stringMatching(/^count: /),
      expect.stringMatching(/^mode: /),
      expect.stringMatching(/^nested\.base: /),
    ]);
  });

  it('reports options that are not an object, under the given name', () => {
    expect(problemsOf('fast')).toEqual(['options: received "fast"; allowed: an object']);
    expect(problemsOf([1], { name: 'retry' })).toEqual(['retry: received an array; allowed: an object']);
  });

  it('treats undefined options as empty and prefixes names with config.name', () => {
    expect(problemsOf(undefined)).toEqual(['id: received undefined; allowed: a non-empty string']);
    expect(problemsOf({ id: 'x', count: 0 }, { name: 'pool' })).toEqual(['pool.count: received 0; allowed: an integer from 1 to 10']);
  });

  it('allows keys the table does not list when open', () => {
    expect(problemsOf({ id: 'x', extra: 1 }, { open: true })).toEqual([]);
  });

  it('applies defaults and freezes the result, nested tables too', () => {
    const resolved = validateOptions(TABLE, { id: 'x', nested: { base: 2 } }, []);
    expect(resolved).toMatchObject({ count: 3, mode: 'safe', key: true, ratio: undefined, id: 'x', nested: { base: 2, jitter: 'full' } });
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(Object.isFrozen(resolved.nested)).toBe(true);
  });

  it('skips the values the skip hook names and renders through the format hook', () => {
    const TOKEN = -1.8881545897087626e289;
    const hooks = { skip: (v: unknown) => v === TOKEN, format: (v: unknown) => (v === TOKEN ? 'a deploy-time token' : undefined) };
    expect(problemsOf({ id: 'x', count: TOKEN, low: TOKEN, high: 1 }, hooks)).toEqual([]);
    // An option that admits no value is reported whatever it holds.
    expect(problemsOf({ id: 'x', closed: TOKEN }, hooks)).toEqual(['closed: received a deploy-time token; allowed: nothing: the kit sets it']);
  });
});

describe('allowedOf', () => {
  it.each<[OptionRule, string]>([
    [{ type: 'integer', min: 1, max: 1000 }, 'an integer from 1 to 1000'],
    [{ type: 'number', min: 0 }, 'a number ≥ 0'],
    [{ type: 'number' }, 'a number'],
    [{ type: 'integer', max: 9 }, 'an integer ≤ 9'],
    [{ values: ['auto', true, false] }, '"auto", true, false'],
    [{ type: 'url', values: [false] }, 'false, an http(s) URL'],
    [{ type: 'object', table: { a: { required: true }, b: {} } }, '{ a, b? }'],
    [{ type: 'integer', allowed: 'a port' }, 'a port'],
  ])('describes %j as %s', (rule, expected) => {
    expect(allowedOf(rule)).toBe(expected);
  });
});

describe('formatValue', () => {
  class Schema {}
  it.each<[string, unknown, string]>([
    ['a short string, quoted', 'sns', '"sns"'],
    ['a string of 40 characters, quoted', 'x'.repeat(40), `"${'x'.repeat(40)}"`],
    ['a longer string by its length only', 'x'.repeat(41), 'a string of 41 characters'],
    ['a number', 2.5, '2.5'],
    ['NaN', Number.NaN, 'NaN'],
    ['a bigint', 10n, '10'],
    ['a boolean', false, 'false'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['a function by its kind', () => 1, 'a function'],
    ['an array by its kind', [1, 2], 'an array'],
    ['a plain object by its kind, never its content', { secret: 'x' }, 'an object'],
    ['a class instance by its kind', new Schema(), 'an object'],
  ])('renders %s', (_, value, expected) => {
    expect(formatValue(value)).toBe(expected);
  });

  it('renders through a format hook first, falling back when it returns undefined', () => {
    const format = (v: unknown): string | undefined => (v instanceof Schema ? '<Schema>' : undefined);
    expect(formatValue(new Schema(), format)).toBe('<Schema>');
    expect(formatValue({}, format)).toBe('an object');
    expect(problem('schema', new Schema(), 'a Standard Schema', format)).toBe('schema: received <Schema>; allowed: a Standard Schema');
  });
});
