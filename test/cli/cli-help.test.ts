import { describe, expect, it } from 'vitest';
import { COMMANDS, runCli } from '../../lib/cli/index.ts';
import { memoryOutput } from '../../lib/cli/index.ts';
import { runCli as runBin } from '../helpers/cli-process.ts';

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = memoryOutput();
  const code = await runCli(args, output);
  return { code, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') };
}

describe('sluice --help', () => {
  it('lists every command through the real bin entry and exits 0', async () => {
    const { code, stdout } = await runBin(['--help']);
    expect(code).toBe(0);
    for (const name of ['init', 'dev', 'invoke', 'event', 'worker', 'redrive']) expect(stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it('prints the help on stderr and exits 2 without a command', async () => {
    const { code, stdout, stderr } = await cli();
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('Usage: sluice <command> [flags]');
  });

  it.each(COMMANDS.map((c) => [c.name]))('shows usage, every flag with its default, and an example for `%s --help`', async (name) => {
    const spec = COMMANDS.find((c) => c.name === name)!;
    const { code, stdout } = await cli(name, '--help');
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: sluice ${name}`);
    for (const [flag, f] of Object.entries(spec.flags)) {
      const line = stdout.split('\n').find((l) => l.trimStart().startsWith(`--${flag} `) || l.trimStart().startsWith(`--${flag}[=`) || l.trim() === `--${flag}`);
      expect(line, `--${flag} in the help of ${name}`).toBeDefined();
      if (f.default !== undefined) expect(line).toContain(`default: ${f.default}`);
    }
    expect(stdout).toMatch(/Examples:\n {2}sluice /);
    expect((await cli('help', name)).stdout).toBe(stdout);
  });
});

describe('sluice usage errors', () => {
  it('rejects an unknown command with exit 2 and the list of commands', async () => {
    const { code, stderr } = await cli('deploy');
    expect(code).toBe(2);
    expect(stderr).toContain("unknown command 'deploy'; commands: init, dev, invoke, event, worker, redrive");
  });

  it('rejects an unknown flag with exit 2 through the real bin entry', async () => {
    const { code, stderr } = await runBin(['worker', '--queue-url', 'http://127.0.0.1:1/q', '--handler', 'x.ts', '--polers', '3']);
    expect(code).toBe(2);
    expect(stderr).toContain('sluice worker: unknown flag --polers');
    expect(stderr).toContain("Run 'sluice worker --help' for usage.");
  });

  it.each([
    [['dev', 'extra'], 'sluice dev: ', "unexpected argument 'extra'"],
    [['worker', '--queue-url', 'http://127.0.0.1:1/000000000000/q', '--handler', 'x.ts', 'extra'], 'sluice worker: ', "unexpected argument 'extra'"],
    [['redrive', '--dlq', 'http://127.0.0.1:1/000000000000/q-dlq', 'extra'], 'sluice redrive: ', "unexpected argument 'extra'"],
    [['event', 'sqs', 'extra'], 'sluice event: ', "unexpected argument 'extra'"],
    [['init', 'dir', 'extra'], 'sluice init: ', "unexpected argument 'extra'"],
    [['invoke', 'fn', '--event', 'e.json', 'extra'], 'sluice invoke: ', "unexpected argument 'extra'"],
  ])('rejects more positionals than %j declares, with exit 2, before running anything', async (args, prefix, message) => {
    const { code, stderr } = await cli(...args);
    expect(code).toBe(2);
    expect(stderr).toContain(prefix + message);
  });

  it('names the missing required flags of worker', async () => {
    const { code, stderr } = await cli('worker', '--endpoint', 'http://127.0.0.1:1');
    expect(code).toBe(2);
    expect(stderr).toContain('missing required flags --queue-url, --handler');
  });

  it.each([
    [['--max-pollers', '0'], "--max-pollers must be an integer 1..100; received '0'"],
    [['--wait-time-seconds', '21'], "--wait-time-seconds must be an integer 0..20; received '21'"],
    [['--concurrency', 'lots'], "--concurrency must be an integer 1..10000; received 'lots'"],
    [['--log-level', 'loud'], "--log-level must be one of debug, info, warn, error, silent; received 'loud'"],
    [['--endpoint', 'not a url'], "--endpoint must be an http(s) URL; received 'not a url'"],
  ])('rejects worker %j with exit 2', async (extra, message) => {
    const { code, stderr } = await cli('worker', '--queue-url', 'http://127.0.0.1:1/000000000000/q', '--handler', 'x.ts', ...extra);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('rejects dev flags out of range before starting anything', async () => {
    const { code, stderr } = await cli('dev', '--visibility-scale', '2');
    expect(code).toBe(2);
    expect(stderr).toContain("--visibility-scale must be a number 0.001..1; received '2'");
  });

  it.each([
    [['--inspect=70000'], "--inspect must be an integer 0..65535; received '70000'"],
    [['--function', 'Greeter'], '--function applies to --inspect; received --function without --inspect'],
    // A bare --inspect takes no value (port 9229, as `node --inspect`): parsing goes on to the next flag.
    [['--inspect', '--function', 'Greeter', '--visibility-scale', '2'], "--visibility-scale must be a number 0.001..1; received '2'"],
  ])('rejects dev %j with exit 2', async (extra, message) => {
    const { code, stderr } = await cli('dev', ...extra);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('rejects a flag given without its value', async () => {
    const { code, stderr } = await cli('event', 'sqs', '--count');
    expect(code).toBe(2);
    expect(stderr).toContain('flag --count needs a value');
  });

  it('reports a handler module without a handler as a usage error naming the module', async () => {
    const { code, stderr } = await cli('worker', '--queue-url', 'http://127.0.0.1:1/000000000000/q', '--handler', 'lambda/runtime/contract.ts');
    expect(code).toBe(2);
    expect(stderr).toContain('lambda/runtime/contract.ts: found no handler');
  });
});
