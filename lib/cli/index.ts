/**
 * lib/cli: the room's only way in from other folders.
 */
export { runCli, COMMANDS } from './main.ts';
export { createReporter } from './progress-reporter.ts';
export type { Reporter } from './progress-reporter.ts';
export { memoryOutput } from './output.ts';
