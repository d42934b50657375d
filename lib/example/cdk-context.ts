/**
 * The CDK context of `cdk.json` (feature flags), for apps synthesized in-process (tests,
 * the local runtime) so they see what `npx cdk synth` would pass.
 */
import { readFileSync } from 'node:fs';

/** Path of the repository's `cdk.json`. */
export const CDK_JSON_PATH = new URL('../../cdk.json', import.meta.url);

/**
 * Reads the `context` object of `cdk.json`.
 *
 * @returns the context (feature flags and defaults), never `undefined`
 */
export function readCdkContext(): Record<string, unknown> {
  const parsed: unknown = JSON.parse(readFileSync(CDK_JSON_PATH, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || !('context' in parsed)) return {};
  const context = parsed.context;
  return typeof context === 'object' && context !== null ? { ...context } : {};
}
