/**
 * Scaling like Lambda's SQS pollers: start with five concurrent batches, add more while
 * messages remain (never above the cap), scale back when the queue runs dry, back off
 * after function errors; reserved concurrency from the template caps a function.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { LaneScaler } from '../../lib/local/emulator/index.ts';
import { localClientConfig, provisionApp, startLocalFunctions } from '../../lib/local/index.ts';
import type { RunningFunction } from '../../lib/local/local-app.ts';
import { readAppModel, synthesizeApp } from '../../lib/local/model/index.ts';
import { summarizeFunction } from '../../lib/local/dev-summary.ts';
import { mappingApp } from '../fixtures/local-app/mapping-app.ts';
import { bundleFixture, useEsmHarnesses, waitFor } from '../helpers/local-runtime.ts';

const esm = useEsmHarnesses();

const sleepy = (n: number): string[] => Array.from({ length: n }, (_, i) => JSON.stringify({ mode: 'sleep', i }));

describe('event source mapping scaling', () => {
  it('starts with five concurrent batches, scales up to the cap while the backlog lasts, then back to five', async () => {
    const h = await esm.start({ mapping: { batchSize: 1, concurrency: 8 }, environment: { FIXTURE_LOG: 'ids' } });
    await h.send(sleepy(60));
    h.emulator.start();
    expect(h.emulator.concurrency).toBe(5);
    expect(h.emulator.maxConcurrency).toBe(8);
    await waitFor(() => h.emulator.counters.succeeded === 60, 30_000, '60 slow messages processed');
    expect(h.emulator.counters.maxConcurrentInvocations).toBeGreaterThan(5);
    expect(h.emulator.counters.maxConcurrentInvocations).toBeLessThanOrEqual(8);
    expect(h.invoker.maxConcurrentInvocations).toBe(h.emulator.counters.maxConcurrentInvocations);
    await waitFor(() => h.emulator.concurrency === 5, 15_000, 'scaled back to five on an empty queue');
  });

  it('never starts more than a cap below five', async () => {
    const h = await esm.start({ mapping: { batchSize: 1, concurrency: 2 }, environment: { FIXTURE_LOG: 'ids' } });
    await h.send(sleepy(12));
    h.emulator.start();
    expect(h.emulator.concurrency).toBe(2);
    await waitFor(() => h.emulator.counters.succeeded === 12, 20_000, '12 messages processed');
    expect(h.emulator.counters.maxConcurrentInvocations).toBe(2);
  });

  it('backs off after function errors', async () => {
    const h = await esm.start({ mapping: { batchSize: 1, concurrency: 8 }, environment: { FIXTURE_LOG: 'ids' } });
    const afterFailure: number[] = [];
    h.emulator.on('batch', (b) => { if (b.verdict.kind === 'batch-failed') afterFailure.push(h.emulator.concurrency); });
    await h.send(Array.from({ length: 6 }, (_, i) => JSON.stringify({ mode: 'throw', i })));
    h.emulator.start();
    await waitFor(() => afterFailure.length >= 3, 15_000, 'three failed batches');
    // Each failed batch takes one batch away (scale-ups pause after an error).
    expect(afterFailure[1]).toBe(afterFailure[0]! - 1);
    expect(afterFailure[2]).toBe(afterFailure[0]! - 2);
    expect(Math.min(...afterFailure)).toBeLessThan(5);
  });

  it('holds scale-ups apart and caps them (unit)', () => {
    const scaler = new LaneScaler(6);
    expect([scaler.min, scaler.target]).toEqual([5, 5]);
    expect(scaler.backlog(1_000)).toBe(true);
    expect(scaler.backlog(1_050)).toBe(false);
    expect(scaler.backlog(1_300)).toBe(false);
    expect(scaler.target).toBe(6);
    scaler.failed(2_000);
    expect(scaler.target).toBe(5);
    expect(scaler.backlog(2_500)).toBe(false);
    expect(scaler.backlog(3_100)).toBe(true);
    scaler.idle();
    scaler.idle();
    expect(scaler.target).toBe(5);
  });
});

describe('reserved concurrency from the template', () => {
  it('caps the batches in flight of a function at its ReservedConcurrentExecutions', async () => {
    const assetDir = await bundleFixture('noop');
    const synth = synthesizeApp({
      build: mappingApp(assetDir, [
        { id: 'Reserved', reservedConcurrentExecutions: 2 },
        { id: 'Capped', reservedConcurrentExecutions: 3, maxConcurrency: 10 },
        { id: 'Free' },
      ]),
    });
    try {
      const model = readAppModel(synth.assemblyDir);
      const reserved = (id: string): number | undefined => model.functions.find((f) => f.path === id)?.reservedConcurrency;
      expect([reserved('Reserved'), reserved('Capped'), reserved('Free')]).toEqual([2, 3, undefined]);
      const app = await provisionApp(model, esm.server);
      const local = startLocalFunctions(app, { paused: true });
      try {
        const fn = (id: string): RunningFunction => local.functions.find((f) => f.displayName === id)!;
        expect([fn('Reserved'), fn('Capped'), fn('Free')].map((f) => f.emulators[0]?.maxConcurrency)).toEqual([2, 3, 10]);
        const reservedFn = fn('Reserved');
        const sqs = new SQSClient(localClientConfig(esm.server));
        for (let i = 0; i < 20; i++) await sqs.send(new SendMessageCommand({ QueueUrl: reservedFn.queues[0]!.url, MessageBody: `m${i}` }));
        sqs.destroy();
        local.start();
        await waitFor(() => reservedFn.emulators[0]!.counters.succeeded === 20, 15_000, '20 messages processed');
        const summary = await summarizeFunction(app, reservedFn, 20);
        expect(summary).toMatchObject({ routed: 20, succeeded: 20, lost: 0 });
        expect(summary.maxConcurrentInvocations).toBeGreaterThanOrEqual(1);
        expect(summary.maxConcurrentInvocations).toBeLessThanOrEqual(2);
      } finally {
        await local.stop();
      }
    } finally {
      synth.cleanup();
    }
  });
});
