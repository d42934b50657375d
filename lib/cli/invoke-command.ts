/**
 * `sluice invoke <function> --event <file>`: runs one function once on a fixture.
 */
import { readFile } from 'node:fs/promises';
import { invokeFunction } from '../local/index.ts';
import { EXIT, UsageError, contextFlags, listFlag, stringFlag } from './args.ts';
import type { CommandSpec } from './args.ts';

/** `sluice invoke <function> --event <file>`. */
export const invokeCommand: CommandSpec = {
  name: 'invoke',
  summary: 'Run one function of the app once on an event file and print its response',
  usage: 'sluice invoke <function> --event <file>',
  positionals: [{ name: '<function>', description: 'Function name or construct id, e.g. register-user' }],
  flags: {
    event: { type: 'string', value: 'file', required: true, description: "JSON event file (see `sluice event`); '-' reads stdin" },
    'app-dir': { type: 'string', value: 'dir', description: 'Directory of the CDK app (its cdk.json)', default: 'the current directory' },
    context: { type: 'string', value: 'key=value', multiple: true, short: 'c', description: 'Context for the app, as cdk synth -c' },
  },
  examples: [
    'sluice event sqs --body \'{"userId":"u-1"}\' > event.json && sluice invoke register-user --event event.json',
    'sluice event fifo --group order-1 --count 3 | sluice invoke fulfil-order --event -',
  ],
  async run(values, positionals, output) {
    const [name] = positionals;
    if (name === undefined) throw new UsageError('missing <function>');
    const file = stringFlag(values, 'event')!;
    let text: string;
    try {
      text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read --event ${file}: ${(error as Error).message}`);
    }
    let event: unknown;
    try {
      event = JSON.parse(text);
    } catch {
      throw new UsageError(`--event ${file} is not valid JSON`);
    }
    const appDir = stringFlag(values, 'app-dir');
    const context = contextFlags(listFlag(values, 'context'));
    const result = await invokeFunction({
      functionName: name, event, onLog: (line) => output.err(line),
      ...(appDir ? { appDir } : {}), ...(context ? { context } : {}),
    });
    output.err(`${result.functionName}: ${result.outcome.status} in ${result.durationMs.toFixed(0)} ms (request ${result.requestId})`);
    if (result.outcome.status === 'returned') {
      output.out(JSON.stringify(result.response ?? null, null, 2));
      return EXIT.ok;
    }
    output.out(JSON.stringify(result.outcome, null, 2));
    return EXIT.failure;
  },
};

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
