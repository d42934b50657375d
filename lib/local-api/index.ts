/**
 * `sluice/local`: the programmatic local runtime, worker and redrive — what the `sluice`
 * CLI runs, for scripts and tests of your own.
 *
 * @example
 * import { runDev, createReporter } from 'sluice/local';
 * process.exitCode = await runDev({ reporter: createReporter(), appDir: '.', events: ['events.jsonl'] });
 */
export * from '../local/index.ts';
export * from '../worker/index.ts';
export * from '../redrive/index.ts';
export { createReporter } from '../cli/index.ts';
export type { ReporterOptions } from '../cli/index.ts';
export { interpretResponse, serializeResponse, toSqsRecord } from '../sqs/index.ts';
export type { BatchVerdict, InvocationOutcome } from '../sqs/index.ts';
