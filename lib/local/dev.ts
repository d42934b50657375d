/**
 * `sluice dev` (`npm start`): the deployed design on one machine. Starts the embedded
 * SNS/SQS server and the identity provider, synthesizes and provisions the example app,
 * runs an event source mapping emulator per mapping, publishes demo traffic with
 * injected failures, waits until every source queue is drained, prints a summary per
 * function and reconciles (lost must be 0).
 */
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EXAMPLE } from '../stacks/sluice-example-stack.ts';
import { planOrders, planUserEvents, publishJobs } from './demo-traffic.ts';
import type { PublishJob } from './demo-traffic.ts';
import type { DevSummary, FunctionSummary } from './dev-summary.ts';
import { SUMMARY_HEADERS, subscriptionAccepts, summarizeFunction, summaryRows } from './dev-summary.ts';
import { waitForDrain } from './drain.ts';
import { localClientConfig, startEmbeddedServer } from './embedded-server.ts';
import { startIdentityProvider } from './identity-provider.ts';
import { startLocalFunctions } from './local-app.ts';
import { keyOf } from './model.ts';
import { provisionApp } from './provision.ts';
import type { ProvisionedApp } from './provision.ts';
import { createReporter } from './reporter.ts';
import type { Reporter } from './reporter.ts';
import { synthesizeApp } from './synth.ts';
import { readAppModel } from './template-reader.ts';

/** Options of {@link runDev}; every one has a default. */
export interface DevOptions {
  /** Port of the embedded SNS/SQS server. @default 0 (a free port) */
  readonly port?: number;
  /** User sign-ups published to `UserEvents`. @default 3000 */
  readonly users?: number;
  /** Orders published to the FIFO `Orders` topic (3 ordered steps each). @default 300 */
  readonly orders?: number;
  /** Poison sign-ups (invalid JSON, schema violations, inputs the identity provider rejects). @default 30 */
  readonly poison?: number;
  /** Publish calls in flight at most. @default 32 */
  readonly publishConcurrency?: number;
  /** Messages per second at most; 0 = unlimited. @default 0 */
  readonly publishRate?: number;
  /** Share of identity-provider calls answered 503, 0..1. @default 0.05 */
  readonly transientFailureRate?: number;
  /** Identity-provider latency per call, in milliseconds. @default 5 */
  readonly latencyMs?: number;
  /**
   * Factor applied to every queue's visibility timeout for this run (time compression,
   * printed in the output); 1 honours the template.
   * @default 0.03 (e.g. 180 s → 6 s)
   */
  readonly visibilityScale?: number;
  /** Longest wait for the queues to drain, in milliseconds. @default 120000 */
  readonly drainTimeoutMs?: number;
  /** Keep serving after the summary until `signal` aborts (or SIGINT/SIGTERM). @default false */
  readonly watch?: boolean;
  /** Write the summary as JSON to this file. @default - not written */
  readonly summaryJson?: string;
  /** Directory for one log file per function; `false` drops function output. @default '.sluice/logs' */
  readonly logDir?: string | false;
  /** Where to print. @default createReporter() (stdout/stderr) */
  readonly reporter?: Reporter;
  /** Ends `--watch` (and an unfinished drain wait). */
  readonly signal?: AbortSignal;
}

type Resolved = Required<Omit<DevOptions, 'summaryJson' | 'reporter' | 'signal'>>;

/** Defaults of {@link DevOptions} (the CLI's `--help` shows these). */
export const DEV_DEFAULTS: Readonly<Resolved> = Object.freeze({
  port: 0, users: 3000, orders: 300, poison: 30, publishConcurrency: 32, publishRate: 0,
  transientFailureRate: 0.05, latencyMs: 5, visibilityScale: 0.03, drainTimeoutMs: 120_000, watch: false,
  logDir: '.sluice/logs',
});

function topicNamed(app: ProvisionedApp, id: string): ProvisionedApp['topics'][number] | undefined {
  return app.topics.find((t) => t.model.path.split('/')[0] === id);
}

function interleave(a: PublishJob[], b: PublishJob[]): PublishJob[] {
  const out: PublishJob[] = [];
  const ratio = b.length === 0 ? Infinity : a.length / b.length;
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    out.push(a[i]!);
    while (j < b.length && (i + 1) / ratio >= j + 1) out.push(b[j++]!);
  }
  return [...out, ...b.slice(j)];
}

function waitForStop(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => { process.off('SIGINT', done); process.off('SIGTERM', done); resolve(); };
    if (signal?.aborted) return resolve();
    signal?.addEventListener('abort', done, { once: true });
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}

/**
 * Runs `sluice dev` and resolves to the process exit code: 0 when every source queue
 * drained and nothing was lost, 1 otherwise.
 *
 * @param options - traffic sizes, failure injection, time compression, output (see {@link DevOptions}).
 * @returns the exit code.
 * @throws only for unusable options; runtime failures are reported and yield exit code 1.
 * @example
 * process.exitCode = await runDev({ users: 500, orders: 50, summaryJson: 'summary.json' });
 */
export async function runDev(options: DevOptions = {}): Promise<number> {
  const o = { ...DEV_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as Resolved & DevOptions;
  const reporter = o.reporter ?? createReporter();
  const started = Date.now();
  const cleanups: (() => Promise<unknown> | void)[] = [];
  const logs = new Map<string, WriteStream>();
  try {
    const server = await startEmbeddedServer({ port: o.port });
    cleanups.unshift(() => server.stop());
    const idp = await startIdentityProvider({ latencyMs: o.latencyMs, transientFailureRate: o.transientFailureRate });
    cleanups.unshift(() => idp.stop());
    reporter.info(`Embedded SNS/SQS: ${server.endpoint} (region ${server.region})`);
    reporter.info(`Identity provider: ${idp.url} (latency ${o.latencyMs} ms, ${Math.round(o.transientFailureRate * 100)}% 503s, @reject.invalid → 400)`);
    const synth = synthesizeApp({ context: { [EXAMPLE.identityApiUrlContextKey]: idp.url } });
    cleanups.unshift(() => synth.cleanup());
    const app = await provisionApp(readAppModel(synth.assemblyDir), server, { visibilityScale: o.visibilityScale });
    reporter.info(`Synthesized and provisioned: ${app.topics.length} topics, ${app.queues.length} queues, ${app.subscriptions.length} subscriptions, ${app.model.eventSourceMappings.length} event source mappings`);
    const scaled = app.model.eventSourceMappings.map((m) => app.queue(m.queue)).map((q) => `${q.model.path} ${q.model.visibilityTimeoutSeconds} s → ${q.visibilityTimeoutSeconds} s`);
    if (o.visibilityScale !== 1) reporter.info(`Visibility timeouts scaled ×${o.visibilityScale} for this local run (--visibility-scale 1 honours the template): ${scaled.join(', ')}`);
    if (o.logDir !== false) mkdirSync(o.logDir, { recursive: true });
    const local = startLocalFunctions(app, {
      onLog: (fn, line) => {
        if (o.logDir === false) return;
        let stream = logs.get(fn);
        if (!stream) logs.set(fn, stream = createWriteStream(join(o.logDir, `${fn.replaceAll('/', '-')}.log`), { flags: 'w' }));
        stream.write(`${line}\n`);
      },
    });
    cleanups.unshift(() => local.stop());
    if (o.logDir !== false) reporter.info(`Function logs: ${resolve(o.logDir)}`);

    const userTopic = topicNamed(app, EXAMPLE.topics.userEvents);
    const orderTopic = topicNamed(app, EXAMPLE.topics.orders);
    if (!userTopic || !orderTopic) throw new Error(`The app has no '${EXAMPLE.topics.userEvents}' or '${EXAMPLE.topics.orders}' topic.`);
    const sizes = { users: o.users, orders: o.orders, poison: o.poison };
    const jobs = interleave(
      planUserEvents(sizes).map((m) => ({ topicArn: userTopic.arn, messages: [m] })),
      planOrders(sizes).map((messages) => ({ topicArn: orderTopic.arn, messages })),
    );
    const routed = new Map<string, number>(local.functions.map((f) => [f.displayName, 0]));
    for (const job of jobs) {
      const topic = app.topics.find((t) => t.arn === job.topicArn)!;
      for (const sub of app.model.subscriptions.filter((s) => keyOf(s.topic) === keyOf(topic.model))) {
        const fn = local.functions.find((f) => f.queues.some((q) => keyOf(q.model) === keyOf(sub.queue)));
        if (fn) routed.set(fn.displayName, (routed.get(fn.displayName) ?? 0) + job.messages.filter((m) => subscriptionAccepts(sub, m.message, m.attributes)).length);
      }
    }
    const total = jobs.reduce((n, j) => n + j.messages.length, 0);
    reporter.info(`Publishing ${total} messages (${o.users} sign-ups + ${o.poison} poison to ${userTopic.model.name}, ${o.orders} orders × 3 steps to ${orderTopic.model.name})`);
    const progress = reporter.progress(local.functions.map((f) => ({ name: f.displayName, total: routed.get(f.displayName) ?? 0 })));
    const tick = setInterval(() => {
      for (const f of local.functions) {
        const done = f.emulators.reduce((n, e) => n + e.ids.succeeded.size + e.ids.filtered.size, 0);
        const retried = f.emulators.reduce((n, e) => n + e.counters.retried, 0);
        progress.update(f.displayName, done, `${retried} retried`);
      }
    }, 200);
    const sns = new SNSClient(localClientConfig(server));
    const sqs = new SQSClient(localClientConfig(server));
    cleanups.unshift(() => { sns.destroy(); sqs.destroy(); });
    let drained = false;
    try {
      await publishJobs(sns, jobs, { concurrency: o.publishConcurrency, ratePerSecond: o.publishRate, ...(o.signal ? { signal: o.signal } : {}) });
      drained = await waitForDrain(sqs, local, { timeoutMs: o.drainTimeoutMs, ...(o.signal ? { signal: o.signal } : {}) });
    } finally {
      clearInterval(tick);
      progress.stop();
    }
    const durationMs = Date.now() - started;
    const functions: Record<string, FunctionSummary> = {};
    for (const f of local.functions) functions[f.displayName] = await summarizeFunction(app, f, routed.get(f.displayName) ?? 0);
    const sum = (k: keyof FunctionSummary): number => Object.values(functions).reduce((n, f) => n + f[k], 0);
    const summary: DevSummary = {
      published: total, processed: sum('succeeded'), retried: sum('retried'), deadLettered: sum('deadLettered'), deadLetteredByRuntime: sum('deadLetteredByRuntime'),
      filtered: sum('filtered'), lost: sum('lost'), durationMs, drained, visibilityScale: o.visibilityScale, functions,
    };
    reporter.info('');
    reporter.table(SUMMARY_HEADERS, summaryRows(summary));
    reporter.info('');
    reporter.info(`${drained ? 'Drained' : 'NOT drained'} in ${(durationMs / 1000).toFixed(1)} s: published ${summary.published}, processed ${summary.processed}, retried ${summary.retried}, dead-lettered ${summary.deadLettered} (${summary.deadLetteredByRuntime} by the runtime on their first failure), filtered ${summary.filtered}, lost ${summary.lost}`);
    reporter.info(`Identity provider: ${idp.stats.created} created, ${idp.stats.conflicts} conflicts (409), ${idp.stats.transientFailures} injected 503s, ${idp.stats.rejected} rejected (400)`);
    if (o.summaryJson) writeFileSync(o.summaryJson, `${JSON.stringify(summary, null, 2)}\n`);
    if (!drained) reporter.error(`source queues still hold messages after ${o.drainTimeoutMs} ms`);
    if (summary.lost !== 0) reporter.error(`reconciliation failed: lost = ${summary.lost} (routed − processed − dead-lettered − filtered)`);
    if (o.watch) {
      // Reconciled: from here on the emulators count, but no longer remember every message id.
      for (const f of local.functions) for (const e of f.emulators) e.stopTrackingIds();
      reporter.info(`Watching: SNS/SQS endpoint ${server.endpoint}, region ${server.region}, any credentials. Ctrl-C to stop.`);
      for (const t of app.topics) reporter.info(`  topic ${t.arn}`);
      for (const q of app.queues) reporter.info(`  queue ${q.url}`);
      await waitForStop(o.signal);
    }
    return drained && summary.lost === 0 ? 0 : 1;
  } catch (error) {
    reporter.error(error instanceof Error ? error.message : String(error));
    return 1;
  } finally {
    for (const cleanup of cleanups) await cleanup();
    for (const stream of logs.values()) stream.end();
  }
}
