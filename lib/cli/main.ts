/**
 * The `sluice` CLI: picks the command, parses its flags and runs it, mapping errors to
 * exit codes (0 ok, 1 failure, 2 usage error).
 */
import { ConfigError, toError } from '../../lambda/runtime/index.ts';
import { processOutput } from './output.ts';
import type { CliOutput } from './output.ts';
import { EXIT, UsageError, commandHelp, parseCommandArgs } from './args.ts';
import type { CommandSpec } from './args.ts';
import { devCommand } from './dev-command.ts';
import { eventCommand } from './event-command.ts';
import { initCommand } from './init-command.ts';
import { invokeCommand } from './invoke-command.ts';
import { redriveCommand } from './redrive-command.ts';
import { workerCommand } from './worker-command.ts';

/** Every command, in help order. */
export const COMMANDS: readonly CommandSpec[] = [initCommand, devCommand, invokeCommand, eventCommand, workerCommand, redriveCommand];

/** The top-level help: every command with its summary. */
export function mainHelp(): string {
  return [
    'sluice: SNS → SQS (+DLQ) → Lambda, locally and in containers.',
    '',
    'Usage: sluice <command> [flags]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(10)}${c.summary}`),
    '',
    "Run 'sluice <command> --help' for a command's flags and examples.",
  ].join('\n');
}

/**
 * Runs the CLI with `argv` (without the node and script paths).
 *
 * @returns the exit code
 * @example
 * process.exitCode = await runCli(process.argv.slice(2));
 */
export async function runCli(argv: readonly string[], output: CliOutput = processOutput): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    output.err(mainHelp());
    return EXIT.usage;
  }
  if (first === '--help' || first === '-h' || (first === 'help' && rest.length === 0)) {
    output.out(mainHelp());
    return EXIT.ok;
  }
  const name = first === 'help' ? rest[0] : first;
  const spec = COMMANDS.find((c) => c.name === name);
  if (spec === undefined) {
    output.err(`sluice: unknown command '${name}'; commands: ${COMMANDS.map((c) => c.name).join(', ')}.\nRun 'sluice --help' for usage.`);
    return EXIT.usage;
  }
  if (first === 'help') {
    output.out(commandHelp(spec));
    return EXIT.ok;
  }
  try {
    const { values, positionals, help } = parseCommandArgs(spec, rest);
    if (help) {
      output.out(commandHelp(spec));
      return EXIT.ok;
    }
    return await spec.run(values, positionals, output);
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(`sluice ${spec.name}: ${error.message}\nRun 'sluice ${spec.name} --help' for usage.`);
      return EXIT.usage;
    }
    if (error instanceof ConfigError) {
      output.err(`sluice ${spec.name}: invalid configuration:\n- ${error.problems.join('\n- ')}`);
      return EXIT.usage;
    }
    const e = toError(error);
    output.err(`sluice ${spec.name}: ${e.name}: ${e.message}`);
    return EXIT.failure;
  }
}
