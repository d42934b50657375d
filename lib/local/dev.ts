/**
 * `sluice dev`: a CDK app's deployed design on one machine. Synthesizes the app of a
 * directory as `cdk synth` does, starts the embedded SNS/SQS server, provisions the
 * topics, queues and subscriptions of the assembly, runs an event source mapping
 * emulator per mapping, publishes the `--events` files, waits until every source queue
 * is drained, prints a summary per function and reconciles (lost must be 0). With
 * `watch`, it keeps serving and hot-reloads functions whose source changed (hot-reload.ts).
 */
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DevSummary, FunctionSummary } from './dev-summary.ts';
import { SUMMARY_HEADERS, idempotentHitsIn, subscriptionAccepts, summarizeFunction, summaryRows } from './dev-summary.ts';
import { waitForDrain } from './drain.ts';
import { readWatchSelection } from './app-watcher.ts';
import { startEmbeddedDynamoDb } from './embedded-dynamodb.ts';
import { localClientConfig, startEmbeddedServer } from './embedded-server.ts';
import { messageBody, readEventsFile, resolveTarget } from './events-file.ts';
import type { ParsedEvent } from './events-file.ts';
import { startHotReload } from './hot-reload.ts';
import type { HotReloader, ReloadResult } from './hot-reload.ts';
import { startLocalFunctions } from './local-app.ts';
import { keyOf, readAppModel, synthesizeApp, synthesizeCdkApp } from './model/index.ts';
import type { AppBuilder, SubscriptionModel, SynthesizedApp } from './model/index.ts';
import { provisionApp } from './provision.ts';
import type { ProvisionedApp } from './provision.ts';
import type { Reporter } from './reporter.ts';
import { outgoingMessages, publishMessages, stringAttributes } from './traffic.ts';
import type { OutgoingMessage } from './traffic.ts';

/** Options of {@link runDev}; every one has a default. */
export interface DevOptions {
  /** Directory of the CDK app (holding its `cdk.json`). @default process.cwd() */
  readonly appDir?: string;
  /** Context over the app's own, as `cdk synth -c key=value` gives. @default {} */
  readonly context?: Record<string, unknown>;
  /** JSON Lines files of messages to publish (see `readEventsFile`). @default [] */
  readonly events?: readonly string[];
  /** Build the app in this process instead of running the `cdk.json` app (tests, programmatic use). @default - the `cdk.json` app */
  readonly build?: AppBuilder;
  /** Port of the embedded SNS/SQS server. @default 0 (a free port) */
  readonly port?: number;
  /** Publish calls in flight at most. @default 32 */
  readonly publishConcurrency?: number;
  /** Messages per second at most; 0 = unlimited. @default 0 */
  readonly publishRate?: number;
  /**
   * Factor applied to every queue's visibility timeout for this run (time compression,
   * printed in the output); 1 honours the template.
   * @default 0.03 (e.g. 180 s → 6 s)
   */
  readonly visibilityScale?: number;
  /** Longest wait for the queues to drain, in milliseconds. @default 120000 */
  readonly drainTimeoutMs?: number;
  /**
   * Keep serving after the summary until `signal` aborts (or SIGINT/SIGTERM), and from the
   * start hot-reload the functions whose source changed (files chosen like `cdk watch`:
   * the `cdk.json` `watch.include`/`watch.exclude`; see hot-reload.ts). @default false
   */
  readonly watch?: boolean;
  /** With `watch`, hot-reload changed functions (`false`: only keep serving). @default true */
  readonly hotReload?: boolean;
  /** Quiet time after the last file change before a reload, in milliseconds. @default 300 */
  readonly reloadDebounceMs?: number;
  /** After each hot reload (applied or failed). @default - none */
  readonly onReload?: (result: ReloadResult) => void;
  /**
   * Run one function so a debugger can attach: one execution environment with its own
   * inspector on `port` (0 = any free port), the timeouts not enforced; the `ws://` URL is
   * printed each time an environment opens it. `function` picks it (required when the app
   * has several). @default - no inspector
   */
  readonly inspect?: { readonly port: number; readonly function?: string };
  /** Called once the app is provisioned and its functions run, before the events are published (awaited). @default - none */
  readonly onReady?: (app: ProvisionedApp) => void | Promise<void>;
  /** Write the summary as JSON to this file. @default - not written */
  readonly summaryJson?: string;
  /** Directory for one log file per function; `false` drops function output. @default '.sluice/logs' */
  readonly logDir?: string | false;
  /** Where to print (the CLI passes `createReporter()`). */
  readonly reporter: Reporter;
  /** Ends `--watch` (and an unfinished drain wait). */
  readonly signal?: AbortSignal;
}

type Resolved = Required<Omit<DevOptions, 'summaryJson' | 'reporter' | 'signal' | 'appDir' | 'context' | 'events' | 'build' | 'hotReload' | 'reloadDebounceMs' | 'onReload' | 'inspect' | 'onReady'>>;

/** Defaults of {@link DevOptions} (the CLI's `--help` shows these). */
export const DEV_DEFAULTS: Readonly<Resolved> = Object.freeze({
  port: 0, publishConcurrency: 32, publishRate: 0, visibilityScale: 0.03, drainTimeoutMs: 120_000, watch: false,
  logDir: '.sluice/logs',
});

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
 * @param options - the app, its events files, time compression, output (see {@link DevOptions}).
 * @returns the exit code.
 * @throws only for unusable options; a bad events file, a failed synth and runtime failures are reported and yield exit code 1.
 * @example
 * process.exitCode = await runDev({ reporter, appDir: '.', events: ['events.jsonl'], summaryJson: 'summary.json' });
 */
export async function runDev(options: DevOptions): Promise<number> {
  const o = { ...DEV_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as Resolved & DevOptions;
  const reporter = o.reporter;
  const started = Date.now();
  const cleanups: (() => Promise<unknown> | void)[] = [];
  const logs = new Map<string, WriteStream>();
  try {
    const events: ParsedEvent[] = (o.events ?? []).flatMap((file) => readEventsFile(file));
    const synthMessages: string[] = [];
    const appDir = resolve(o.appDir ?? process.cwd());
    const synthesize = async (onMessage: (m: string) => void): Promise<SynthesizedApp> => (o.build
      ? synthesizeApp({ build: o.build, ...(o.context ? { context: o.context } : {}) })
      : synthesizeCdkApp({ dir: appDir, ...(o.context ? { context: o.context } : {}), onMessage: (_level, m) => onMessage(m) }));
    let synth: SynthesizedApp;
    try {
      synth = await synthesize((m) => synthMessages.push(m));
    } catch (error) {
      for (const m of synthMessages) reporter.error(m.trimEnd());
      throw error;
    }
    cleanups.unshift(() => synth.cleanup());
    const model = readAppModel(synth.assemblyDir);
    // Every line is resolved before anything is published.
    const targets = events.map((event) => ({ event, target: resolveTarget(event, model.topics, model.queues) }));
    const server = await startEmbeddedServer({ port: o.port });
    cleanups.unshift(() => server.stop());
    reporter.info(`Embedded SNS/SQS: ${server.endpoint} (region ${server.region})`);
    // DynamoDB tables of the app (e.g. idempotency tables) live in an embedded DynamoDB.
    const dynamoDb = (model.tables ?? []).length > 0 ? await startEmbeddedDynamoDb({ region: server.region }) : undefined;
    if (dynamoDb) {
      cleanups.unshift(() => dynamoDb.stop());
      reporter.info(`Embedded DynamoDB: ${dynamoDb.endpoint} (in memory)`);
    }
    const app = await provisionApp(model, server, { visibilityScale: o.visibilityScale, ...(dynamoDb ? { dynamoDb } : {}) });
    reporter.info(`Synthesized and provisioned: ${app.topics.length} topics, ${app.queues.length} queues, ${app.subscriptions.length} subscriptions, ${app.model.eventSourceMappings.length} event source mappings`);
    const scaled = app.model.eventSourceMappings.map((m) => app.queue(m.queue)).map((q) => `${q.model.path} ${q.model.visibilityTimeoutSeconds} s → ${q.visibilityTimeoutSeconds} s`);
    if (o.visibilityScale !== 1 && scaled.length > 0) reporter.info(`Visibility timeouts scaled ×${o.visibilityScale} for this local run (--visibility-scale 1 honours the template): ${scaled.join(', ')}`);
    if (o.logDir !== false) mkdirSync(o.logDir, { recursive: true });
    let reloader: HotReloader | undefined;
    // Runs after the functions stopped: the assemblies they ran from can go.
    cleanups.unshift(() => reloader?.dispose());
    const inspect = o.inspect && {
      ...o.inspect,
      onInspector: (fn: string, info: { url: string } | { error: string }): void => {
        if ('url' in info) reporter.info(`Debugger: ${fn} listens on ${info.url} (one execution environment, timeouts not enforced; attach with chrome://inspect or VS Code, port ${new URL(info.url).port})`);
        else reporter.error(`--inspect: ${fn} could not open its inspector: ${info.error}`);
      },
    };
    const idempotentHits = new Map<string, number>();
    const local = startLocalFunctions(app, {
      ...(inspect ? { inspect } : {}),
      onLog: (fn, line) => {
        const hits = idempotentHitsIn(line);
        if (hits > 0) idempotentHits.set(fn, (idempotentHits.get(fn) ?? 0) + hits);
        if (o.logDir === false) return;
        let stream = logs.get(fn);
        if (!stream) logs.set(fn, stream = createWriteStream(join(o.logDir, `${fn.replaceAll('/', '-')}.log`), { flags: 'w' }));
        stream.write(`${line}\n`);
      },
    });
    cleanups.unshift(() => local.stop());
    for (const f of local.functions) reporter.info(`  function ${f.displayName} ← ${f.queues.map((q) => `${q.model.stack}/${q.model.path}`).join(', ')}`);
    if (o.logDir !== false && local.functions.length > 0) reporter.info(`Function logs: ${resolve(o.logDir)}`);
    if (o.watch && o.hotReload !== false) {
      const selection = readWatchSelection(appDir, [o.logDir, o.summaryJson].filter((p): p is string => typeof p === 'string'));
      reloader = startHotReload({
        dir: appDir, selection, synthesize, initial: synth, app, local, reporter,
        ...(o.reloadDebounceMs !== undefined ? { debounceMs: o.reloadDebounceMs } : {}), ...(o.onReload ? { onReload: o.onReload } : {}),
      });
      const hot = reloader;
      cleanups.unshift(() => hot.stop());
      reporter.info(`Hot reload: watching ${appDir} (include ${selection.include.join(' ')}; node_modules, the output directory and dot directories excluded)`);
    }
    await o.onReady?.(app);

    const messages: OutgoingMessage[] = outgoingMessages(targets.map(({ event, target }) => ({
      event, target, address: target.kind === 'topic' ? app.topic(target.resource).arn : app.queue(target.resource).url,
    })));
    // Routing is decided once per events line (its copies go the same way), with the
    // function of each queue and the subscriptions of each topic looked up in maps.
    const routed = new Map<string, number>(local.functions.map((f) => [f.displayName, 0]));
    const functionOfQueue = new Map<string, string>();
    for (const f of local.functions) for (const q of f.queues) if (!functionOfQueue.has(keyOf(q.model))) functionOfQueue.set(keyOf(q.model), f.displayName);
    const subscriptionsOf = new Map<string, SubscriptionModel[]>();
    for (const sub of app.model.subscriptions) {
      const list = subscriptionsOf.get(keyOf(sub.topic));
      if (list) list.push(sub); else subscriptionsOf.set(keyOf(sub.topic), [sub]);
    }
    const add = (queueKey: string, n: number): void => {
      const fn = functionOfQueue.get(queueKey);
      if (fn !== undefined) routed.set(fn, (routed.get(fn) ?? 0) + n);
    };
    for (const { event, target } of targets) {
      const copies = event.repeat ?? 1;
      if (target.kind === 'queue') { add(keyOf(target.resource), copies); continue; }
      const body = messageBody(event);
      const attributes = stringAttributes(event.attributes);
      for (const sub of subscriptionsOf.get(keyOf(target.resource)) ?? []) {
        if (subscriptionAccepts(sub, body, attributes)) add(keyOf(sub.queue), copies);
      }
    }
    const total = messages.length;
    if (total > 0) {
      const perTarget = new Map<string, number>();
      for (const m of messages) { const k = `${m.target.resource.stack}/${m.target.resource.path}`; perTarget.set(k, (perTarget.get(k) ?? 0) + 1); }
      reporter.info(`Publishing ${total} messages (${[...perTarget].map(([k, n]) => `${n} to ${k}`).join(', ')})`);
    } else if (!o.watch) {
      reporter.info('No events to publish (pass --events <file>, or --watch to serve the app for your own clients).');
    }
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
      await publishMessages(sns, sqs, messages, { concurrency: o.publishConcurrency, ratePerSecond: o.publishRate, ...(o.signal ? { signal: o.signal } : {}) });
      drained = await waitForDrain(sqs, local, { timeoutMs: o.drainTimeoutMs, ...(o.signal ? { signal: o.signal } : {}) });
    } finally {
      clearInterval(tick);
      progress.stop();
    }
    const durationMs = Date.now() - started;
    const functions: Record<string, FunctionSummary> = {};
    for (const f of local.functions) functions[f.displayName] = await summarizeFunction(app, f, routed.get(f.displayName) ?? 0, idempotentHits.get(f.displayName) ?? 0);
    const sum = (k: keyof FunctionSummary): number => Object.values(functions).reduce((n, f) => n + f[k], 0);
    const summary: DevSummary = {
      published: total, processed: sum('succeeded'), retried: sum('retried'), deadLettered: sum('deadLettered'), deadLetteredByRuntime: sum('deadLetteredByRuntime'),
      filtered: sum('filtered'), idempotentHits: sum('idempotentHits'), lost: sum('lost'), durationMs, drained, visibilityScale: o.visibilityScale, functions,
    };
    reporter.info('');
    reporter.table(SUMMARY_HEADERS, summaryRows(summary));
    reporter.info('');
    reporter.info(`${drained ? 'Drained' : 'NOT drained'} in ${(durationMs / 1000).toFixed(1)} s: published ${summary.published}, processed ${summary.processed}, retried ${summary.retried}, dead-lettered ${summary.deadLettered} (${summary.deadLetteredByRuntime} by the runtime on their first failure), filtered ${summary.filtered}${summary.idempotentHits > 0 ? `, ${summary.idempotentHits} duplicate deliveries absorbed by idempotency` : ''}, lost ${summary.lost}`);
    if (o.summaryJson) writeFileSync(o.summaryJson, `${JSON.stringify(summary, null, 2)}\n`);
    if (!drained) reporter.error(`source queues still hold messages after ${o.drainTimeoutMs} ms`);
    if (summary.lost !== 0) reporter.error(`reconciliation failed: lost = ${summary.lost} (routed − processed − dead-lettered − filtered)`);
    if (o.watch) {
      // Reconciled: from here on the emulators count, but no longer remember every message id.
      for (const f of local.functions) for (const e of f.emulators) e.stopTrackingIds();
      reporter.info(`Watching: SNS/SQS endpoint ${server.endpoint}, region ${server.region}, any credentials. Ctrl-C to stop.`);
      for (const t of app.topics) reporter.info(`  topic ${t.arn}`);
      for (const q of app.queues) reporter.info(`  queue ${q.url}`);
      if (dynamoDb) reporter.info(`  DynamoDB endpoint ${dynamoDb.endpoint}, region ${dynamoDb.region}`);
      for (const t of app.tables) reporter.info(`  table ${t.name}`);
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
