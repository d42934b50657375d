/**
 * `sluice invoke <function> --event <file>`: runs one function once on a fixture.
 */
import { EXIT } from './args.ts';
import type { CommandSpec } from './args.ts';

/** `sluice invoke <function> --event <file>`. */
export const invokeCommand: CommandSpec = {
  name: 'invoke',
  summary: 'Run one function of the app once on an event file and print its response',
  usage: 'sluice invoke <function> --event <file>',
  positionals: [{ name: '<function>', description: 'Function name or construct id, e.g. register-user' }],
  flags: {
    event: { type: 'string', value: 'file', required: true, description: 'JSON event file (see `sluice event`)' },
  },
  examples: ['sluice event sqs --body \'{"userId":"u-1"}\' > event.json && sluice invoke register-user --event event.json'],
  async run(_values, _positionals, output) {
    output.err('sluice invoke: not available in this build yet.');
    return EXIT.failure;
  },
};
