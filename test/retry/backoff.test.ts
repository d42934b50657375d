import { describe, expect, it } from 'vitest';
import { backoffSeconds } from '../../lambda/runtime/index.ts';

const exact = { baseSeconds: 2, maxSeconds: 60, jitter: 'none' as const };

describe('backoffSeconds', () => {
  it('doubles from the base with each attempt until the max', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((a) => backoffSeconds(a, exact))).toEqual([2, 4, 8, 16, 32, 60, 60]);
  });

  it('keeps full jitter within [0, the exponential delay] as whole seconds', () => {
    const full = { ...exact, jitter: 'full' as const };
    for (let attempt = 1; attempt <= 8; attempt++) {
      const ceiling = Math.min(60, 2 * 2 ** (attempt - 1));
      for (const r of [0, 0.25, 0.5, 0.999999]) {
        const s = backoffSeconds(attempt, full, undefined, () => r);
        expect(Number.isInteger(s)).toBe(true);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(ceiling);
      }
      expect(backoffSeconds(attempt, full, undefined, () => 0)).toBe(0);
      expect(backoffSeconds(attempt, full, undefined, () => 0.999999)).toBe(ceiling);
    }
  });

  it('uses the error retryAfterSeconds instead of the formula, rounded up', () => {
    expect(backoffSeconds(1, exact, 7.2)).toBe(8);
    expect(backoffSeconds(9, exact, 0)).toBe(0);
  });

  it('caps every delay at the SQS limit of 12 hours', () => {
    const huge = { baseSeconds: 43_200, maxSeconds: 43_200, jitter: 'none' as const };
    expect(backoffSeconds(40, huge)).toBe(43_200);
    expect(backoffSeconds(1, exact, 10 ** 9)).toBe(43_200);
    expect(backoffSeconds(5000, { ...huge, baseSeconds: 1 })).toBe(43_200);
  });

  it('treats a missing or zero attempt as the first', () => {
    expect(backoffSeconds(0, exact)).toBe(2);
    expect(backoffSeconds(Number.NaN, exact)).toBe(2);
  });
});
