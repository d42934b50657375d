/**
 * Synth-time validation of the Sluice constructs' props, with the runtime's validator
 * (`validateOptions`: one declarative table per props object, one phrasing, one value
 * formatter) extended for CDK: deploy-time tokens are skipped, a `Duration` reads as
 * `5 minutes`, a construct as `<its/path>`. Collect every problem, then throw one
 * {@link InvalidPropsError} that lists them all.
 */
import { Duration, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ConfigError, problem, validateOptions } from '../../lambda/runtime/index.ts';
import type { OptionRule, OptionTable, ResolvedOptionsOf, ValueHooks } from '../../lambda/runtime/index.ts';

/**
 * Thrown by a Sluice construct whose props cannot be deployed. `problems` holds one line
 * per problem, `<prop>: received <value>; allowed: <range>`.
 *
 * A `ConfigError` (code `CONFIG`) of the runtime's error tree, so every error the kit
 * throws extends `SluiceError`.
 */
export class InvalidPropsError extends ConfigError {
  override name = 'InvalidPropsError';

  /**
   * @param construct - what was created, e.g. `QueueConsumer` or `EventTopic.subscribe`
   * @param problems - one line per problem
   */
  constructor(construct: string, problems: readonly string[]) {
    super(problems, `${construct}: invalid props`);
  }
}

/** Whether a number, string, list or `Duration` is a deploy-time token (its value is known only at deploy time). */
export function isUnresolved(value: unknown): boolean {
  return value instanceof Duration ? value.isUnresolved() : Token.isUnresolved(value);
}

/** Whether a number or duration is a concrete value (not a deploy-time token). */
export function isResolved(value: number | Duration | undefined): boolean {
  return value !== undefined && !isUnresolved(value);
}

/** Longest JSON rendering of plain props data (a filter pattern, a list) in a problem. */
const MAX_JSON_CHARS = 120;

/**
 * How the constructs extend the runtime's formatter and validator: tokens are skipped and
 * read `a deploy-time token`; a `Duration` reads as its human form, a construct as
 * `<path>`, and plain data (objects and arrays of JSON values, written in the app's code)
 * as JSON of up to 120 characters.
 */
export const CDK_VALUE_HOOKS: ValueHooks = {
  skip: isUnresolved,
  format(value: unknown): string | undefined {
    if (isUnresolved(value)) return 'a deploy-time token';
    if (value instanceof Duration) return value.toHumanString();
    if (Construct.isConstruct(value)) return `<${value.node.path}>`;
    if (!isPlainData(value)) return undefined;
    try {
      // Only plain data all the way down: a class instance inside (a construct, an sns.FilterOrPolicy) stops it.
      const json = JSON.stringify(value, (_key, v: unknown) => {
        if (isPlainData(v) || typeof v !== 'object' || v === null) return v;
        throw new TypeError('not plain data');
      });
      return json.length <= MAX_JSON_CHARS ? json : undefined;
    } catch {
      return undefined; // holds a class instance, a cycle or a BigInt
    }
  },
};

function isPlainData(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return Array.isArray(value) || prototype === Object.prototype || prototype === null;
}

/** A rule for a `Duration` from `minSeconds` to `maxSeconds`, described as `allowed`. */
export function durationRule(minSeconds: number, maxSeconds: number, allowed: string): OptionRule {
  return {
    test: (value) => value instanceof Duration && inRange(value.toSeconds({ integral: false }), minSeconds, maxSeconds),
    allowed,
  };
}

function inRange(value: number, min: number, max: number): boolean {
  return value >= min && value <= max;
}

/**
 * A table in which every key of `managed` admits no value (a rule with only `allowed`):
 * a pass-through prop (`functionProps`, `queueProps`, …) may not set what the construct
 * sets itself.
 *
 * @param managed - key → what to do instead (the `allowed` part of the message)
 */
export function managedTable(managed: Readonly<Record<string, string>>): OptionTable {
  return Object.fromEntries(Object.entries(managed).map(([key, allowed]) => [key, { allowed }]));
}

/** Collects problems with props and throws them together. */
export class Problems {
  private readonly items: string[] = [];

  /** Records one problem: `prop: received <value>; allowed: <allowed>`. */
  add(prop: string, value: unknown, allowed: string): void {
    this.items.push(problem(prop, value, allowed, CDK_VALUE_HOOKS.format));
  }

  /**
   * Checks `props` against `table` with the CDK hooks. Keys the table does not list pass:
   * props carry much that cannot fail.
   *
   * @param name - prefix of the prop names, e.g. `queueProps`
   * @returns the props with the table's defaults applied
   */
  check<T extends OptionTable>(table: T, props: unknown, name?: string): ResolvedOptionsOf<T> {
    return validateOptions(table, props, this.items, { ...CDK_VALUE_HOOKS, open: true, name });
  }

  /** Throws an {@link InvalidPropsError} when any problem was recorded. */
  throwIfAny(construct: string): void {
    if (this.items.length > 0) throw new InvalidPropsError(construct, this.items);
  }
}
