/**
 * Event filtering of an SQS event source (README "Partial batch responses"): patterns on `body` only, a JSON body
 * matched as JSON, a plain-text body only by plain-string patterns; filtered messages are
 * deleted. Patterns on other keys are rejected, as Lambda rejects them when the mapping is
 * created.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { EsmEmulator, passesFilters } from '../../lib/local/emulator/index.ts';
import { FilterCriteriaError, readAppModel, synthesizeApp } from '../../lib/local/model/index.ts';
import { mappingApp } from '../fixtures/local-app/mapping-app.ts';
import { bundleFixture, useEsmHarnesses, waitFor } from '../helpers/local-runtime.ts';
import type { EsmHarness } from '../helpers/local-runtime.ts';

const esm = useEsmHarnesses();

/** Sends `bodies` through a mapping with `patterns`; resolves once each was invoked or filtered. */
async function filterRun(patterns: Record<string, unknown>[], bodies: string[]): Promise<{ invoked: string[]; filtered: string[]; h: EsmHarness }> {
  const h = await esm.start({ mapping: { filterPatterns: patterns } });
  const ids = await h.send(bodies);
  h.emulator.start();
  await waitFor(() => h.emulator.counters.filtered + h.emulator.counters.succeeded === bodies.length, 10_000, 'every message invoked or filtered');
  const byId = new Map(ids.map((id, i) => [id, bodies[i]!]));
  return {
    invoked: h.invocations.flatMap((inv) => inv.ids).map((id) => byId.get(id)!).sort(),
    filtered: [...h.emulator.ids.filtered].map((id) => byId.get(id)!).sort(),
    h,
  };
}

describe('SQS event filtering in the emulator', () => {
  it('matches a plain-text body as a string against a plain-string pattern (prefix)', async () => {
    const { invoked, filtered, h } = await filterRun([{ body: [{ prefix: 'hello' }] }], ['hello world', 'goodbye world', '{"greeting":"hello"}']);
    expect(invoked).toEqual(['hello world']);
    expect(filtered).toEqual(['goodbye world', '{"greeting":"hello"}'].sort());
    expect(await h.depth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('never matches a plain-text body with a JSON-shaped pattern: it is deleted as filtered', async () => {
    const { invoked, filtered, h } = await filterRun([{ body: { kind: ['keep'] } }], ['{"kind":"keep"}', 'kind keep', '{"kind":"drop"}']);
    expect(invoked).toEqual(['{"kind":"keep"}']);
    expect(filtered).toEqual(['kind keep', '{"kind":"drop"}'].sort());
    expect(await h.depth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('takes any matching pattern, $or included', async () => {
    const { invoked } = await filterRun(
      [{ body: { kind: ['a'] } }, { $or: [{ body: ['exact text'] }, { body: { kind: ['b'] } }] }],
      ['{"kind":"a"}', '{"kind":"b"}', 'exact text', '{"kind":"c"}'],
    );
    expect(invoked).toEqual(['exact text', '{"kind":"a"}', '{"kind":"b"}'].sort());
  });

  it('decides plain-string versus JSON per body, as Lambda documents', () => {
    const record = (body: string): { body: string } => ({ body });
    expect(passesFilters([{ body: ['plain'] }], record('plain'))).toBe(true);
    expect(passesFilters([{ body: ['{"a":1}'] }], record('{"a":1}'))).toBe(false);
    expect(passesFilters([{ body: { a: [1] } }], record('{"a":1}'))).toBe(true);
    expect(passesFilters([{ body: { a: [1] } }], record('a=1'))).toBe(false);
    expect(passesFilters([{ body: [{ 'anything-but': 'x' }] }], record('y'))).toBe(true);
  });

  it('rejects a pattern on another key than body when the emulator is created', () => {
    const create = (): EsmEmulator => new EsmEmulator({
      name: 'Orders', server: esm.server, queueUrl: 'http://127.0.0.1:9/q', queueArn: 'arn:aws:sqs:us-east-1:000000000000:q',
      filterPatterns: [{ body: { kind: ['x'] } }, { messageAttributes: { force: { stringValue: ['yes'] } } }],
      invoke: () => { throw new Error('not invoked'); },
    });
    expect(create).toThrow(FilterCriteriaError);
    expect(create).toThrow("Orders: FilterCriteria.Filters[1].Pattern filters on 'messageAttributes'");
  });
});

describe('SQS filter criteria in the template', () => {
  let assetDir: string;
  beforeAll(async () => { assetDir = await bundleFixture('noop'); });

  it('reads body patterns of a mapping', () => {
    const synth = synthesizeApp({ build: mappingApp(assetDir, [{ id: 'Greeter', filters: [{ body: [{ prefix: 'hello' }] }] }]) });
    try {
      expect(readAppModel(synth.assemblyDir).eventSourceMappings[0]?.filterPatterns).toEqual([{ body: [{ prefix: 'hello' }] }]);
    } finally {
      synth.cleanup();
    }
  });

  it('rejects a pattern on another key than body with a typed error naming the mapping and the key', () => {
    const synth = synthesizeApp({ build: mappingApp(assetDir, [{ id: 'Greeter', filters: [{ body: { kind: ['x'] } }, { attributes: { ApproximateReceiveCount: ['1'] } }] }]) });
    try {
      let thrown: unknown;
      try {
        readAppModel(synth.assemblyDir);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(FilterCriteriaError);
      const error = thrown as FilterCriteriaError;
      expect(error.code).toBe('FILTER_CRITERIA');
      expect(error.key).toBe('attributes');
      expect(error.mapping).toMatch(/^MappingStack\/GreeterSqsEventSource/);
      expect(error.message).toContain(`${error.mapping}: FilterCriteria.Filters[1].Pattern filters on 'attributes'; an SQS event source mapping filters on 'body' only`);
    } finally {
      synth.cleanup();
    }
  });
});
