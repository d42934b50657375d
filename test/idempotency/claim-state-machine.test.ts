/**
 * The claim state machine of README "Idempotency", on the in-memory store
 * with an injected clock: absent → IN_PROGRESS → COMPLETED, or removed on release; live
 * and expired claims; live and expired completions.
 */
import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../lambda/idempotency/index.ts';
import type { Claim, ClaimResult } from '../../lambda/idempotency/index.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const times = { expiresAfterSeconds: 3600, inProgressExpiryMs: 30_000 };

function setup() {
  let now = T0;
  const store = memoryStore({ now: () => now });
  return { store, advance: (ms: number) => { now += ms; }, now: () => now };
}

function claimed(result: ClaimResult): Claim {
  expect(result.status).toBe('claimed');
  return result as Claim;
}

describe('claim state machine (memory store, injected clock)', () => {
  it('claims an absent key: IN_PROGRESS with the in-progress expiry in ms and the expiration in epoch seconds', async () => {
    const { store } = setup();
    const claim = claimed(await store.claim('fn#k', times));
    expect(claim.inProgressExpiry).toBe(T0 + 30_000);
    expect(store.items.get('fn#k')).toEqual({ id: 'fn#k', status: 'IN_PROGRESS', expiration: T0 / 1000 + 3600, inProgressExpiry: T0 + 30_000 });
  });

  it('refuses a live IN_PROGRESS claim, telling when it expires', async () => {
    const { store, advance } = setup();
    await store.claim('k', times);
    advance(30_000); // the last millisecond of the claim
    expect(await store.claim('k', times)).toEqual({ status: 'in-progress', inProgressExpiry: T0 + 30_000 });
  });

  it('takes over an expired IN_PROGRESS claim (a crash between claim and completion)', async () => {
    const { store, advance } = setup();
    await store.claim('k', times);
    advance(30_001);
    const again = claimed(await store.claim('k', times));
    expect(again.inProgressExpiry).toBe(T0 + 30_001 + 30_000);
  });

  it('completes a claim: COMPLETED, expiring expiresAfterSeconds from completion', async () => {
    const { store, advance } = setup();
    await store.claim('k', times);
    advance(5000);
    await store.complete('k', 60);
    expect(store.items.get('k')).toMatchObject({ status: 'COMPLETED', expiration: (T0 + 5000) / 1000 + 60 });
  });

  it('answers completed for a live COMPLETED key, even past its old in-progress expiry', async () => {
    const { store, advance } = setup();
    await store.claim('k', times);
    await store.complete('k', 3600);
    advance(60_000);
    expect(await store.claim('k', times)).toEqual({ status: 'completed' });
    advance(3600_000 - 60_000); // the key's last second
    expect(await store.claim('k', times)).toEqual({ status: 'completed' });
  });

  it('claims a COMPLETED key again once it expired', async () => {
    const { store, advance } = setup();
    await store.claim('k', times);
    await store.complete('k', 10);
    advance(11_000);
    claimed(await store.claim('k', times));
    expect(store.items.get('k')?.status).toBe('IN_PROGRESS');
  });

  it('removes the key on release, so the next claim succeeds at once', async () => {
    const { store } = setup();
    const claim = claimed(await store.claim('k', times));
    await store.release('k', claim);
    expect(store.items.has('k')).toBe(false);
    claimed(await store.claim('k', times));
  });

  it('keeps a newer claim when an older, expired one is released', async () => {
    const { store, advance } = setup();
    const old = claimed(await store.claim('k', times));
    advance(30_001);
    const newer = claimed(await store.claim('k', times));
    await store.release('k', old);
    expect(store.items.get('k')?.inProgressExpiry).toBe(newer.inProgressExpiry);
  });

  it('never releases a COMPLETED key', async () => {
    const { store } = setup();
    const claim = claimed(await store.claim('k', times));
    await store.complete('k', 3600);
    await store.release('k', claim);
    expect(store.items.get('k')?.status).toBe('COMPLETED');
  });

  it('gives an in-progress claim longer than expiresAfterSeconds an expiration that outlives it', async () => {
    const { store } = setup();
    await store.claim('k', { expiresAfterSeconds: 1, inProgressExpiryMs: 120_000 });
    expect(store.items.get('k')?.expiration).toBe(T0 / 1000 + 120);
  });

  it('keeps keys apart', async () => {
    const { store } = setup();
    claimed(await store.claim('a', times));
    claimed(await store.claim('b', times));
    expect(await store.claim('a', times)).toMatchObject({ status: 'in-progress' });
  });
});
