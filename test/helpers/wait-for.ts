/**
 * Waiting on a condition in integration tests (never fixed sleeps).
 */

/**
 * Polls `condition` every 20 ms until it returns a truthy value or `timeoutMs` passes;
 * a throwing condition counts as not yet, and its last error becomes the timeout's cause.
 *
 * @returns the truthy value
 */
export async function waitFor<T>(condition: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
