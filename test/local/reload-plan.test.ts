/**
 * What a re-synthesized app changes for hot reload: functions whose asset hash or
 * configuration changed are reloaded, the others kept; changes to queues, topics,
 * subscriptions, mappings and the set of functions are reported as needing a restart.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planReload } from '../../lib/local/index.ts';
import type { AppModel, FunctionModel, QueueModel } from '../../lib/local/model/index.ts';
import { keyOf } from '../../lib/local/model/index.ts';

const hash = (c: string): string => `/tmp/assembly/asset.${c.repeat(64)}`;
const fn = (id: string, extra: Partial<FunctionModel> = {}): FunctionModel => ({
  stack: 'S', logicalId: `${id}Fn`, path: id, name: `S-${id}`, assetDir: hash('a'), handler: 'index.handler',
  timeoutSeconds: 3, memoryMiB: 128, environment: {}, ...extra,
});
const queue = (id: string, extra: Partial<QueueModel> = {}): QueueModel => ({
  stack: 'S', logicalId: `${id}Q`, path: id, name: `S-${id}`, fifo: false, contentBasedDeduplication: false, visibilityTimeoutSeconds: 30, ...extra,
});
const model = (functions: FunctionModel[], queues: QueueModel[] = []): AppModel => ({
  assemblyDir: '/tmp/assembly', topics: [], queues, subscriptions: [], functions, templates: [],
  eventSourceMappings: functions.map((f) => ({ stack: 'S', logicalId: `${f.logicalId}Esm`, queue: { stack: 'S', logicalId: 'OrdersQ' }, function: { stack: f.stack, logicalId: f.logicalId }, batchSize: 10, maxBatchingWindowSeconds: 0, reportBatchItemFailures: true, filterPatterns: [], enabled: true })),
});
const resolve = (f: FunctionModel): { name: string; arn: string; assetDir: string; handler: string; timeoutSeconds: number; memoryMiB: number; environment: Record<string, string> } => ({
  ...f, arn: `arn:${f.name}`, environment: Object.fromEntries(Object.entries(f.environment).map(([k, v]) => [k, JSON.stringify(v)])),
});
const running = (m: AppModel): Map<string, FunctionModel> => new Map(m.functions.map((f) => [keyOf(f), f]));

describe('planReload', () => {
  it('reloads a function whose asset hash changed and keeps the others', () => {
    const before = model([fn('A'), fn('B')], [queue('Orders')]);
    const after = model([fn('A', { assetDir: hash('b') }), fn('B')], [queue('Orders')]);
    const plan = planReload(running(before), before, after, resolve);
    expect(plan.changed.map((c) => [c.key, c.reasons])).toEqual([['S/AFn', ['asset changed']]]);
    expect(plan.unchanged).toEqual(['S/BFn']);
    expect(plan.restartNeeded).toEqual([]);
  });

  it('reloads a function whose timeout, memory, handler or environment changed, with the same asset', () => {
    const before = model([fn('A'), fn('B'), fn('C')]);
    const after = model([fn('A', { timeoutSeconds: 9 }), fn('B', { environment: { MODE: 'x' } }), fn('C', { handler: 'index.other' })]);
    expect(planReload(running(before), before, after, resolve).changed.map((c) => c.reasons)).toEqual([['configuration changed'], ['configuration changed'], ['configuration changed']]);
  });

  it('compares assets not staged as asset.<hash> by their files', () => {
    const bundle = (code: string): string => {
      const dir = mkdtempSync(join(tmpdir(), 'sluice-plan-'));
      writeFileSync(join(dir, 'index.mjs'), code);
      return dir;
    };
    const before = model([fn('A', { assetDir: bundle('export const handler = () => 1;') })]);
    const same = model([fn('A', { assetDir: bundle('export const handler = () => 1;') })]);
    const edited = model([fn('A', { assetDir: bundle('export const handler = () => 2;') })]);
    expect(planReload(running(before), before, same, resolve).changed).toEqual([]);
    expect(planReload(running(before), before, edited, resolve).changed.map((c) => c.reasons)).toEqual([['asset changed']]);
  });

  it('reports added, removed and changed resources as needing a restart, and still reloads the functions it can', () => {
    const before = model([fn('A'), fn('B')], [queue('Orders'), queue('Old')]);
    const after = model([fn('A', { assetDir: hash('c'), reservedConcurrency: 2 }), fn('New')], [queue('Orders', { visibilityTimeoutSeconds: 60 }), queue('Extra')]);
    const plan = planReload(running(before), before, after, resolve);
    expect(plan.changed.map((c) => c.key)).toEqual(['S/AFn']);
    expect(plan.restartNeeded).toEqual([
      'queue S/Orders changed', 'queue S/Extra added', 'queue S/Old removed',
      'event source mapping of S/New added', 'event source mapping of S/B removed',
      'function S/A changed', 'function S/New added', 'function S/B removed',
    ]);
  });
});
