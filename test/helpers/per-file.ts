/**
 * A resource a whole test file shares: started before its tests, stopped after them.
 */
import { afterAll, beforeAll } from 'vitest';

/**
 * Registers `start` in `beforeAll` and `stop` in `afterAll` of the calling test file.
 *
 * @param name - names the resource in the error of a read before `beforeAll`
 * @returns a function that gives the started value (it throws before `beforeAll` ran)
 */
export function perFile<T>(name: string, start: () => Promise<T>, stop: (value: T) => Promise<unknown>): () => T {
  let value: { readonly current: T } | undefined;
  beforeAll(async () => {
    value = { current: await start() };
  });
  afterAll(async () => {
    if (value !== undefined) await stop(value.current);
  });
  return () => {
    if (value === undefined) throw new Error(`${name}: started in beforeAll, read before it ran`);
    return value.current;
  };
}
