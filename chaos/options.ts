/**
 * Options of a chaos run: one table of numeric flags (default, range, description) used
 * for defaults, validation, `--flag` parsing and `--help`.
 */
import { parseArgs } from 'node:util';

interface NumberFlag {
  readonly default: number;
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
  readonly description: string;
}

/** Every numeric option, keyed by its camelCase name (the flag is its kebab-case). */
export const CHAOS_FLAGS = {
  messages: { default: 100_000, min: 1, max: 10_000_000, integer: true, description: 'Distinct messages published' },
  seed: { default: 42, min: 0, max: 2 ** 32 - 1, integer: true, description: 'Seed of the fault plan (same seed, same plan)' },
  workerShare: { default: 0.2, min: 0, max: 1, integer: false, description: 'Share of messages routed to the sluice worker queue (the rest to the emulated Lambda)' },
  bodyBytes: { default: 200, min: 40, max: 200_000, integer: true, description: 'Approximate size of each message body' },
  transientRate: { default: 0.03, min: 0, max: 0.5, integer: false, description: 'Per attempt: handler throws a TransientError' },
  permanentRate: { default: 0.005, min: 0, max: 0.5, integer: false, description: 'Per message: poison (PermanentError on every attempt → DLQ at once)' },
  hangRate: { default: 0.0002, min: 0, max: 0.1, integer: false, description: 'Per Lambda attempt: handler blocks its thread past the function timeout' },
  exitRate: { default: 0.0005, min: 0, max: 0.1, integer: false, description: 'Per Lambda attempt: handler calls process.exit(1)' },
  slowRate: { default: 0.01, min: 0, max: 0.5, integer: false, description: 'Per attempt: slow downstream (waits up to --slow-max-ms)' },
  slowMaxMs: { default: 3000, min: 0, max: 60_000, integer: true, description: 'Longest slow-downstream wait (beyond the visibility timeout it races a redelivery)' },
  duplicateRate: { default: 0.01, min: 0, max: 1, integer: false, description: 'Per message: published twice' },
  workerKills: { default: 5, min: 0, max: 1000, integer: true, description: 'Times the sluice worker is killed with SIGKILL mid-batch and restarted' },
  batchSize: { default: 10, min: 1, max: 10, integer: true, description: 'Batch size of the Lambda event source mapping' },
  maxConcurrency: { default: 8, min: 2, max: 100, integer: true, description: 'maxConcurrency of the event source mapping (execution environments)' },
  functionTimeoutSeconds: { default: 2, min: 1, max: 900, integer: true, description: 'Function timeout (queue visibility = 6 × this, then scaled)' },
  visibilityScale: { default: 0.25, min: 0.001, max: 1, integer: false, description: 'Time compression of the queues\' visibility timeouts (as sluice dev)' },
  workerConcurrency: { default: 50, min: 1, max: 1000, integer: true, description: 'sluice worker --concurrency' },
  publishConcurrency: { default: 32, min: 1, max: 256, integer: true, description: 'SNS Publish calls in flight' },
  drainTimeoutSeconds: { default: 1800, min: 1, max: 86_400, integer: true, description: 'Longest wait for both queues to drain' },
} as const satisfies Record<string, NumberFlag>;

/** Options of a chaos run. */
export type ChaosOptions = { -readonly [K in keyof typeof CHAOS_FLAGS]: number } & {
  /**
   * The handler protects its effect with `idempotency` (DynamoDB store on the embedded
   * DynamoDB; `QueueConsumer({ idempotency: true })` on both consumers). `--idempotency false`
   * runs the same traffic and faults unprotected, to compare.
   * @default true
   */
  idempotency?: boolean;
  /** Directory for the ledger and logs. @default - a new temporary directory */
  outDir?: string;
  /** Print progress lines every few seconds. @default true */
  progress?: boolean;
};

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The defaults of every numeric option. */
export function defaultChaosOptions(): ChaosOptions {
  const options = {} as ChaosOptions;
  for (const k of Object.keys(CHAOS_FLAGS) as (keyof typeof CHAOS_FLAGS)[]) options[k] = CHAOS_FLAGS[k].default;
  options.idempotency = true;
  return options;
}

/**
 * Validates options; collects every problem.
 *
 * @throws Error naming each bad option, the value received and what is allowed.
 */
export function validateChaosOptions(options: ChaosOptions): ChaosOptions {
  const problems: string[] = [];
  if (options.idempotency !== undefined && typeof options.idempotency !== 'boolean') problems.push(`--idempotency: received ${String(options.idempotency)}; allowed: true or false`);
  for (const [name, flag] of Object.entries(CHAOS_FLAGS) as [keyof typeof CHAOS_FLAGS, NumberFlag][]) {
    const v = options[name];
    if (typeof v !== 'number' || Number.isNaN(v) || v < flag.min || v > flag.max || (flag.integer && !Number.isInteger(v))) {
      problems.push(`--${kebab(name)}: received ${String(v)}; allowed: ${flag.integer ? 'an integer' : 'a number'} ${flag.min}..${flag.max}`);
    }
  }
  const lambdaRates = options.transientRate + options.hangRate + options.exitRate + options.slowRate;
  if (lambdaRates >= 1) problems.push(`transient + hang + exit + slow rates: ${lambdaRates}; allowed: below 1`);
  if (problems.length > 0) throw new Error(`Invalid chaos options:\n  ${problems.join('\n  ')}`);
  return options;
}

/** `--help` text. */
export function chaosHelp(): string {
  const rows = Object.entries(CHAOS_FLAGS).map(([k, f]) => `  --${kebab(k).padEnd(26)} ${f.description} (default ${f.default})`);
  return [
    'Usage: npm run chaos -- [flags]',
    '',
    'Runs the SNS → SQS → Lambda pipeline (emulated) and the sluice worker on the embedded server with',
    'seeded faults, then reconciles every message id: processed, or in a DLQ with a reason; and the side-effect ledger:',
    'with idempotency, each processed id has exactly one effect. Exits 1 on any loss or a repeated effect.',
    '',
    ...rows,
    `  --${'idempotency'.padEnd(26)} true: the effect is protected by idempotency (DynamoDB, embedded); false: unprotected, to compare (default true)`,
    `  --${'out-dir'.padEnd(26)} Directory for the ledger and logs (default: a new temporary directory)`,
    `  --${'quiet'.padEnd(26)} No progress lines`,
    `  --${'help'.padEnd(26)} This text`,
  ].join('\n');
}

/**
 * Parses command-line flags.
 *
 * @returns the options, or `'help'` for `--help`.
 * @throws Error for unknown flags and bad values.
 */
export function parseChaosArgs(args: string[]): ChaosOptions | 'help' {
  const spec: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' }, quiet: { type: 'boolean' }, 'out-dir': { type: 'string' }, idempotency: { type: 'string' } };
  for (const k of Object.keys(CHAOS_FLAGS)) spec[kebab(k)] = { type: 'string' };
  const { values } = parseArgs({ args, options: spec, strict: true, allowPositionals: false });
  if (values.help === true) return 'help';
  const options = defaultChaosOptions();
  for (const k of Object.keys(CHAOS_FLAGS) as (keyof typeof CHAOS_FLAGS)[]) {
    const raw = values[kebab(k)];
    if (typeof raw === 'string') options[k] = raw.trim() === '' ? Number.NaN : Number(raw);
  }
  if (typeof values['out-dir'] === 'string') options.outDir = values['out-dir'];
  const idempotency = values.idempotency;
  if (typeof idempotency === 'string') {
    const v = idempotency.trim().toLowerCase();
    if (v !== 'true' && v !== 'false') throw new Error(`Invalid chaos options:\n  --idempotency: received ${idempotency}; allowed: true or false`);
    options.idempotency = v === 'true';
  }
  options.progress = values.quiet !== true;
  return validateChaosOptions(options);
}
