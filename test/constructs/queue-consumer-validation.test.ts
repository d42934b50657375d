import { CfnParameter, Duration } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { QueueConsumer } from '../../lib/constructs/index.ts';
import { ConfigError, SluiceError } from '../../lambda/runtime/index.ts';
import { InvalidPropsError } from '../../lib/constructs/index.ts';
import { newStack, NOOP_ENTRY, problemsOf } from './construct-test-app.ts';

describe('QueueConsumer validation', () => {
  it('fails at synth when a FIFO batch size exceeds 10', () => {
    expect(problemsOf({ fifo: true, batchSize: 11 })).toEqual(['batchSize: received 11; allowed: an integer from 1 to 10 for a FIFO queue']);
  });

  it('fails at synth when a FIFO queue has a batching window', () => {
    expect(problemsOf({ fifo: true, maxBatchingWindow: Duration.seconds(5) })).toEqual([
      'maxBatchingWindow: received 5 seconds; allowed: none on a FIFO queue (Lambda does not support a batching window for FIFO queues)',
    ]);
  });

  it('fails at synth when a standard batch size exceeds 10 without a batching window', () => {
    expect(problemsOf({ batchSize: 11 })).toEqual([
      'batchSize: received 11; allowed: at most 10 without a maxBatchingWindow of at least 1 second; set maxBatchingWindow to go up to 10000',
    ]);
  });

  it('fails at synth when a standard batch size exceeds 10 with a zero batching window', () => {
    expect(problemsOf({ batchSize: 50, maxBatchingWindow: Duration.seconds(0) })).toHaveLength(1);
  });

  it('accepts a standard batch size of 10,000 with a batching window', () => {
    expect(problemsOf({ batchSize: 10_000, maxBatchingWindow: Duration.seconds(1) })).toEqual([]);
  });

  it('fails at synth when a standard batch size exceeds 10,000', () => {
    expect(problemsOf({ batchSize: 10_001, maxBatchingWindow: Duration.seconds(1) })).toEqual([
      'batchSize: received 10001; allowed: an integer from 1 to 10000 for a standard queue',
    ]);
  });

  it('fails at synth when the batch size is 0', () => {
    expect(problemsOf({ batchSize: 0 })).toEqual(['batchSize: received 0; allowed: an integer from 1 to 10000 for a standard queue']);
  });

  it('fails at synth when the batching window exceeds 300 seconds', () => {
    expect(problemsOf({ maxBatchingWindow: Duration.minutes(6) })).toEqual(['maxBatchingWindow: received 6 minutes; allowed: 0 to 300 seconds']);
  });

  it('fails at synth when maxConcurrency is below 2', () => {
    expect(problemsOf({ maxConcurrency: 1 })).toEqual(['maxConcurrency: received 1; allowed: an integer from 2 to 1000']);
  });

  it('fails at synth when maxConcurrency is above 1000', () => {
    expect(problemsOf({ maxConcurrency: 1001 })).toEqual(['maxConcurrency: received 1001; allowed: an integer from 2 to 1000']);
  });

  it('fails at synth when maxConcurrency is combined with provisioned pollers', () => {
    expect(problemsOf({ maxConcurrency: 10, provisionedPollers: { minimumPollers: 2 } })).toEqual([
      'maxConcurrency: received 10; allowed: nothing with provisionedPollers (bound concurrency through provisionedPollers.maximumPollers)',
    ]);
  });

  it('fails at synth when minimumPollers is outside 2..200', () => {
    expect(problemsOf({ provisionedPollers: { minimumPollers: 1 } })).toEqual([
      'provisionedPollers.minimumPollers: received 1; allowed: an integer from 2 to 200',
    ]);
    expect(problemsOf({ provisionedPollers: { minimumPollers: 201, maximumPollers: 300 } })).toEqual([
      'provisionedPollers.minimumPollers: received 201; allowed: an integer from 2 to 200',
    ]);
  });

  it('fails at synth when maximumPollers is outside 2..2000', () => {
    expect(problemsOf({ provisionedPollers: { maximumPollers: 2001 } })).toEqual([
      'provisionedPollers.maximumPollers: received 2001; allowed: an integer from 2 to 2000',
    ]);
  });

  it('fails at synth when minimumPollers exceeds maximumPollers', () => {
    expect(problemsOf({ provisionedPollers: { minimumPollers: 50, maximumPollers: 10 } })).toEqual([
      'provisionedPollers.maximumPollers: received 10; allowed: at least minimumPollers (50)',
    ]);
  });

  it('fails at synth when the function timeout exceeds 15 minutes', () => {
    expect(problemsOf({ timeout: Duration.minutes(16) })).toEqual(['timeout: received 16 minutes; allowed: 1 second to 15 minutes']);
  });

  it('fails at synth when the derived visibility timeout exceeds 12 hours', () => {
    const problems = problemsOf({ timeout: Duration.hours(3) });
    expect(problems).toContain(
      'timeout: received 3 hours; allowed: a timeout whose derived queue visibility timeout (6 × timeout + maxBatchingWindow, here 64800 seconds) is at most 43200 seconds (12 hours)',
    );
  });

  it('fails at synth when maxReceiveCount is below 1', () => {
    expect(problemsOf({ maxReceiveCount: 0 })).toEqual(['maxReceiveCount: received 0; allowed: an integer from 1 to 1000']);
  });

  it('fails at synth when memorySize is outside 128..10240 MiB', () => {
    expect(problemsOf({ memorySize: 64 })).toEqual(['memorySize: received 64; allowed: an integer from 128 to 10240']);
  });

  it('fails at synth when the environment sets a variable the construct owns', () => {
    expect(problemsOf({ environment: { SLUICE_DLQ_URL: 'https://elsewhere' } })).toEqual([
      'environment.SLUICE_DLQ_URL: received "https://elsewhere"; allowed: nothing: QueueConsumer sets it',
    ]);
  });

  it('reports every problem in one error that names each prop', () => {
    const stack = newStack();
    const create = () =>
      new QueueConsumer(stack, 'Consumer', { entry: NOOP_ENTRY, fifo: true, batchSize: 20, maxConcurrency: 5000, maxReceiveCount: 0 });
    expect(create).toThrow(InvalidPropsError);
    expect(create).toThrow(/QueueConsumer: invalid props:\n- batchSize: received 20.*\n- maxConcurrency: received 5000.*\n- maxReceiveCount: received 0/);
  });

  it('creates nothing when the props are invalid', () => {
    const stack = newStack();
    expect(() => new QueueConsumer(stack, 'Consumer', { entry: NOOP_ENTRY, batchSize: 0 })).toThrow(InvalidPropsError);
    expect(stack.node.tryFindChild('Consumer')).toBeUndefined();
  });

  it('throws a ConfigError of the kit\'s one error tree, code CONFIG', () => {
    const create = () => new QueueConsumer(newStack(), 'Consumer', { entry: NOOP_ENTRY, batchSize: 0 });
    expect(create).toThrow(ConfigError);
    expect(create).toThrow(SluiceError);
    expect(create).toThrow(expect.objectContaining({ name: 'InvalidPropsError', code: 'CONFIG' }));
  });

  it('requires a concrete timeout, naming a token as such', () => {
    const stack = newStack();
    const seconds = new CfnParameter(stack, 'Timeout', { type: 'Number' }).valueAsNumber;
    expect(() => new QueueConsumer(stack, 'Consumer', { entry: NOOP_ENTRY, timeout: Duration.seconds(seconds) })).toThrow(
      'timeout: received a deploy-time token; allowed: a concrete Duration (the queue visibility timeout is derived from it)',
    );
  });

  it('skips deploy-time tokens it cannot check', () => {
    const stack = newStack();
    const parameter = (id: string) => new CfnParameter(stack, id, { type: 'Number' }).valueAsNumber;
    expect(
      () =>
        new QueueConsumer(stack, 'Consumer', {
          entry: NOOP_ENTRY,
          batchSize: parameter('BatchSize'),
          maxConcurrency: parameter('MaxConcurrency'),
          maxReceiveCount: parameter('MaxReceiveCount'),
          memorySize: parameter('Memory'),
        }),
    ).not.toThrow();
  });
});
