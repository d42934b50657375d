import { describe, expect, it } from 'vitest';
import { sluiceWorkerHandler } from '../../lib/worker/index.ts';
import { startWorker } from '../../lib/worker/index.ts';
import { createQueue, sendBodies, useTestSqs, waitFor } from '../helpers/worker-fixtures.ts';

const env = useTestSqs();

/** The value of one sample line, e.g. `name{queue="q"} 3`. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('sluice worker metrics endpoint', () => {
  it('serves Prometheus counters, gauges and the handler latency histogram, and /healthz', async () => {
    const queueUrl = await createQueue(env.sqs);
    await sendBodies(env.sqs, queueUrl, ['{"ok":1}', '{"ok":2}', '{"ok":false}']);
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => (release = resolve));
    const worker = await startWorker({
      queueUrl,
      endpoint: env.server.endpoint,
      logger: false,
      waitTimeSeconds: 1,
      metricsPort: 0,
      handler: sluiceWorkerHandler(async (message) => {
        if ((message as { ok: unknown }).ok === false) throw new Error('not ok');
        if ((message as { block?: boolean }).block) await blocked;
      }, { logger: false }),
    });
    try {
      const base = worker.metricsUrl!;
      expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await waitFor(() => worker.snapshot().succeeded + worker.snapshot().failed === 3 && worker.snapshot().inFlight === 0, 5_000, 'three settled and deleted');
      const response = await fetch(`${base}/metrics`);
      expect(response.headers.get('content-type')).toContain('text/plain');
      const text = await response.text();
      expect(sample(text, 'sluice_worker_messages_received_total')).toBe(3);
      expect(sample(text, 'sluice_worker_messages_succeeded_total')).toBe(2);
      expect(sample(text, 'sluice_worker_messages_failed_total')).toBe(1);
      expect(sample(text, 'sluice_worker_messages_in_flight')).toBe(0);
      expect(sample(text, 'sluice_worker_pollers')).toBe(1);
      expect(sample(text, 'sluice_worker_handler_duration_seconds_count')).toBe(3);
      expect(text).toMatch(/sluice_worker_handler_duration_seconds_bucket\{le="0\.005",queue="worker-[^"]+"\} \d+/);

      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      expect((await fetch(`${base}/nope`)).status).toBe(404);

      await sendBodies(env.sqs, queueUrl, ['{"block":true}']);
      await waitFor(() => worker.snapshot().inFlight === 1, 5_000, 'a message in flight');
      const inFlightText = await (await fetch(`${base}/metrics`)).text();
      expect(sample(inFlightText, 'sluice_worker_messages_in_flight')).toBe(1);
      const stopping = worker.stop();
      const draining = await fetch(`${base}/healthz`);
      expect(draining.status).toBe(503);
      expect(await draining.json()).toEqual({ status: 'draining' });
      release();
      expect(await stopping).toMatchObject({ received: 4, succeeded: 3, failed: 1, aborted: false });
      await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    } finally {
      release();
      await worker.stop();
    }
  });
});
