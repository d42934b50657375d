/**
 * `sluice dev` end to end on the example app with a small demo: the app synthesized from
 * its cdk.json as `cdk synth` does, provisioned on the embedded server, the demo's events
 * file published with the identity-provider fake injecting failures, drained and
 * reconciled with nothing lost.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runDev } from '../../lib/local/index.ts';
import type { DevSummary } from '../../lib/local/index.ts';
import { createReporter } from '../../lib/cli/index.ts';
import { EXAMPLE, planDemoEvents, startIdentityProvider, writeEventsFile } from '../../lib/example/index.ts';
import { REPO_ROOT } from '../helpers/cli-process.ts';

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _enc, done) { chunks.push(chunk.toString()); done(); } });
  return { stream, text: () => chunks.join('') };
}

describe('sluice dev', () => {
  it('drains the example app under injected failures and reconciles with nothing lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-dev-test-'));
    const out = capture();
    const err = capture();
    const summaryJson = join(dir, 'summary.json');
    const events = join(dir, 'events.jsonl');
    writeEventsFile(events, planDemoEvents({ users: 200, orders: 20, poison: 6, duplicates: 10 }));
    const idp = await startIdentityProvider({ latencyMs: 1, transientFailureRate: 0.1 });
    const code = await runDev({
      appDir: REPO_ROOT, events: [events], context: { [EXAMPLE.identityApiUrlContextKey]: idp.url },
      summaryJson, logDir: false, drainTimeoutMs: 60_000,
      reporter: createReporter({ out: out.stream, err: err.stream, tty: false, plainIntervalMs: 500 }),
    }).finally(() => idp.stop());
    // Idempotency keyed by userId: each user is created once, the 10 re-published sign-ups are absorbed, no 409s.
    expect(idp.stats).toMatchObject({ created: 200, conflicts: 0 });
    expect(err.text()).toBe('');
    expect(code).toBe(0);
    const summary = JSON.parse(readFileSync(summaryJson, 'utf8')) as DevSummary;
    expect(summary).toMatchObject({ published: 276, lost: 0, drained: true, filtered: 0 });
    expect(summary.retried).toBeGreaterThan(0);
    const { RegisterUser, WelcomeEmail, FulfilOrder } = summary.functions;
    // Every sign-up reaches RegisterUser; the 6 poison ones end in its DLQ.
    // … sent there by the runtime on their first failure (retry.deadLetter), not after maxReceiveCount receives.
    expect(RegisterUser).toMatchObject({ routed: 216, succeeded: 210, deadLettered: 6, deadLetteredByRuntime: 6, lost: 0 });
    expect(RegisterUser!.idempotentHits).toBeGreaterThanOrEqual(10);
    // The body filter passes the 67 opted-in sign-ups (every third) and the 2 schema-violating poison ones, which fail.
    expect(WelcomeEmail).toMatchObject({ routed: 67 + 4 + 2, succeeded: 67 + 4, deadLettered: 2, deadLetteredByRuntime: 2, lost: 0 });
    expect(summary.deadLetteredByRuntime).toBe(8);
    expect(FulfilOrder).toMatchObject({ routed: 60, succeeded: 60, deadLettered: 0, lost: 0 });
    expect(out.text()).toMatch(/Visibility timeouts scaled ×0\.03/);
    expect(out.text()).toMatch(/^RegisterUser\s+216\s+/m);
    expect(out.text()).toMatch(/Drained in [\d.]+ s: published 276, .*duplicate deliveries absorbed by idempotency, lost 0/);
  });
});
