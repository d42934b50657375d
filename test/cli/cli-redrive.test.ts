import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../lib/cli/index.ts';
import { memoryOutput } from '../../lib/cli/index.ts';
import { createQueue, queueDepth, useTestSqs } from '../helpers/worker-fixtures.ts';

const env = useTestSqs();

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = memoryOutput();
  const code = await runCli(args, output);
  return { code, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') };
}

describe('sluice redrive', () => {
  it('moves DLQ messages to --to keeping bodies and attributes, and --dry-run moves nothing', async () => {
    const source = await createQueue(env.sqs, {}, 'redrive-src');
    const dlq = await createQueue(env.sqs, {}, 'redrive-dlq');
    for (const n of [1, 2, 3]) {
      await env.sqs.send(new SendMessageCommand({
        QueueUrl: dlq, MessageBody: JSON.stringify({ n }),
        MessageAttributes: { tenant: { DataType: 'String', StringValue: `t${n}` } },
      }));
    }
    const dry = await cli('redrive', '--dlq', dlq, '--to', source, '--endpoint', env.server.endpoint, '--dry-run');
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    expect(dry.stdout).toContain('would move 3 of 3 message(s)');
    expect(await queueDepth(env.sqs, dlq)).toEqual({ visible: 3, inFlight: 0 });

    const run = await cli('redrive', '--dlq', dlq, '--to', source, '--endpoint', env.server.endpoint);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('moved 3 of 3 message(s); failed 0; unroutable 0');
    expect(await queueDepth(env.sqs, dlq)).toEqual({ visible: 0, inFlight: 0 });
    const moved = await env.sqs.send(new ReceiveMessageCommand({ QueueUrl: source, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
    const got = (moved.Messages ?? []).map((m) => [m.Body, m.MessageAttributes?.tenant?.StringValue]).toSorted();
    expect(got).toEqual([['{"n":1}', 't1'], ['{"n":2}', 't2'], ['{"n":3}', 't3']]);
  });

  it('requires --dlq and rejects a bad --max with exit 2', async () => {
    expect((await cli('redrive')).stderr).toContain('missing required flag --dlq');
    const bad = await cli('redrive', '--dlq', 'http://127.0.0.1:1/000000000000/d', '--max', '0');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--max must be an integer 1..1000000; received '0'");
  });
});
