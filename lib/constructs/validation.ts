/**
 * Synth-time validation helpers shared by the Sluice constructs: collect every problem
 * with the props, then throw one {@link InvalidPropsError} that lists them all.
 */
import { Duration, Token } from 'aws-cdk-lib';

/**
 * Thrown by a Sluice construct whose props cannot be deployed. `problems` holds one line
 * per problem, each naming the prop, the value received and what is allowed.
 *
 * `code` is `CONFIG`, like the runtime's `ConfigError` (`lib/` may not import the
 * runtime's error tree, so this is its infrastructure-side twin).
 */
export class InvalidPropsError extends Error {
  readonly code = 'CONFIG';
  readonly problems: readonly string[];

  constructor(construct: string, problems: readonly string[]) {
    super(`${construct}: invalid props:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'InvalidPropsError';
    this.problems = problems;
  }
}

/** Collects problems with props and throws them together. */
export class Problems {
  private readonly items: string[] = [];

  /** Records one problem: `prop: got <value>; allowed: <allowed>`. */
  add(prop: string, value: unknown, allowed: string): void {
    this.items.push(`${prop}: got ${formatValue(value)}; allowed: ${allowed}`);
  }

  /** Records a problem that is a relation between props rather than one value. */
  addRaw(message: string): void {
    this.items.push(message);
  }

  /**
   * Checks an optional integer against an inclusive range. Unresolved tokens are skipped
   * (their value is known only at deploy time).
   */
  integerInRange(prop: string, value: number | undefined, min: number, max: number): void {
    if (value === undefined || Token.isUnresolved(value)) return;
    if (!Number.isInteger(value) || value < min || value > max) {
      this.add(prop, value, `an integer from ${min} to ${max}`);
    }
  }

  /**
   * Records one problem per key of `given` that `managed` lists: a pass-through prop
   * (`functionProps`, `queueProps`, …) may not override what the construct sets itself.
   * Keys whose value is `undefined` count as absent.
   *
   * @param prefix the pass-through prop, e.g. `functionProps`
   * @param managed key → what to do instead (the `allowed` part of the message)
   */
  managedKeys(prefix: string, given: object | undefined, managed: Readonly<Record<string, string>>): void {
    if (!given) return;
    for (const [key, value] of Object.entries(given)) {
      if (value === undefined || !Object.hasOwn(managed, key)) continue;
      this.add(`${prefix}.${key}`, value, managed[key]!);
    }
  }

  /** Checks an optional duration against an inclusive range in seconds; tokens are skipped. */
  secondsInRange(prop: string, value: Duration | undefined, min: number, max: number, allowed: string): void {
    if (value === undefined || value.isUnresolved()) return;
    const seconds = value.toSeconds({ integral: false });
    if (seconds < min || seconds > max) this.add(prop, value, allowed);
  }

  /** Throws an {@link InvalidPropsError} when any problem was recorded. */
  throwIfAny(construct: string): void {
    if (this.items.length > 0) throw new InvalidPropsError(construct, this.items);
  }
}

/** Whether a number or duration is a concrete value (not a deploy-time token). */
export function isResolved(value: number | Duration | undefined): boolean {
  if (value === undefined) return false;
  return value instanceof Duration ? !value.isUnresolved() : !Token.isUnresolved(value);
}

/** Longest rendering of a value in a problem message. */
const MAX_VALUE_CHARS = 120;

function formatValue(value: unknown): string {
  if (value instanceof Duration) return value.toHumanString();
  if (typeof value === 'string') return truncate(JSON.stringify(value));
  if (value === null || typeof value !== 'object') return String(value);
  const prototype: unknown = Object.getPrototypeOf(value);
  if (Array.isArray(value) || prototype === Object.prototype || prototype === null) {
    try {
      return truncate(JSON.stringify(value) ?? String(value));
    } catch {
      return '<object>'; // holds constructs (circular) or BigInts
    }
  }
  // A construct (role, key, queue …) is named by its path; another object by its class.
  const path = (value as { node?: { path?: unknown } }).node?.path;
  if (typeof path === 'string') return `<${path}>`;
  return `<${(value as { constructor?: { name?: string } }).constructor?.name?.replace(/\d+$/, '') || 'object'}>`;
}

function truncate(text: string): string {
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}
