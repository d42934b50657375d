/**
 * The table of the `retry` option (README "Retries"). Every retry feature is off unless configured.
 */
import { MAX_VISIBILITY_TIMEOUT_SECONDS } from './contract.ts';
import type { OptionRule } from './validate-options.ts';

/** `retry`, one rule of the runtime options' table. */
export const RETRY_OPTION = {
  type: 'object',
  table: {
    backoff: {
      type: 'object',
      table: {
        baseSeconds: { type: 'number', min: 0, max: MAX_VISIBILITY_TIMEOUT_SECONDS, required: true },
        maxSeconds: { type: 'number', min: 0, max: MAX_VISIBILITY_TIMEOUT_SECONDS, atLeast: 'baseSeconds', required: true },
        jitter: { values: ['full', 'none'], default: 'full' },
      },
    },
    deadLetter: { type: 'url', values: ['auto', false], allowed: '"auto", false, or a queue URL' },
    circuitBreaker: {
      type: 'object',
      table: {
        failureThreshold: { type: 'integer', min: 1, max: 1_000_000, required: true },
        cooldownMs: { type: 'integer', min: 0, max: 3_600_000, required: true },
      },
    },
    endpoint: { type: 'url' },
  },
} as const satisfies OptionRule;
