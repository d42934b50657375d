/**
 * The `sluice` command line: argument parsing, help, one file per command. The only
 * code of the kit that prints.
 */
export { runCli, COMMANDS } from './main.ts';
export { createReporter } from './progress-reporter.ts';
export type { Reporter, ReporterOptions } from './progress-reporter.ts';
export { memoryOutput } from './output.ts';
