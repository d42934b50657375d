/**
 * Validation of the `retry` option (DESIGN §4).
 */
import type { RetryOptions } from './types.ts';
import { describe } from './options.ts';

/** Validates `retry`; pushes one problem per bad field. */
export function validateRetry(problems: string[], value: unknown): RetryOptions | undefined {
  if (value === undefined) return undefined;
  problems.push(`retry: received ${describe(value)}; retry features are not available in this version`);
  return undefined;
}
