/**
 * A chaos run: the chaos app on the embedded server, its Lambda consumer run by the event
 * source mapping emulator and its worker queue by a `sluice worker` process, seeded
 * faults, SIGKILLs of the worker mid-batch, then the reconciliation of every id and of the
 * side-effect ledger. With idempotency (the default) the embedded DynamoDB (dynalite) runs
 * in this process and holds both consumers' idempotency tables; the emulated functions and
 * the worker process reach it through `AWS_ENDPOINT_URL_DYNAMODB`.
 */
import { createWriteStream, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { queueBacklog, totalBacklog } from '../lib/local/index.ts';
import { localClientConfig, localDynamoDbConfig, startEmbeddedDynamoDb, startEmbeddedServer } from '../lib/local/index.ts';
import type { EmbeddedDynamoDb } from '../lib/local/index.ts';
import { startLocalFunctions } from '../lib/local/index.ts';
import { keyOf } from '../lib/local/model/index.ts';
import { provisionApp } from '../lib/local/index.ts';
import type { LocalQueue, ProvisionedApp } from '../lib/local/index.ts';
import { synthesizeApp } from '../lib/local/model/index.ts';
import { readAppModel } from '../lib/local/model/index.ts';
import { CHAOS_APP, CHAOS_HANDLER_ENTRY, chaosAppBuilder } from './chaos-app.ts';
import { readEffects } from './effects.ts';
import { LedgerTail } from './ledger.ts';
import type { ChaosOptions } from './options.ts';
import { defaultChaosOptions, validateChaosOptions } from './options.ts';
import { CHAOS_ENV, prng } from './plan.ts';
import type { FaultPlan } from './plan.ts';
import type { DeadLetterSource } from './reconcile.ts';
import { inspectQueue, readDeadLetters, reconcile, reconcileEffects } from './reconcile.ts';
import type { ChaosReport, EmulatorStats } from './report.ts';
import { planTraffic, publishAll } from './traffic.ts';
import { ChaosWorker } from './worker-process.ts';

const MiB = (kib: number): number => Math.round(kib / 1024);

function consumerQueues(app: ProvisionedApp, id: string): { queue: LocalQueue; dlqs: DeadLetterSource[] } {
  const queue = app.queues.find((q) => q.model.path === `${id}/Queue`);
  if (!queue?.model.redrive) throw new Error(`The chaos app has no ${id}/Queue with a redrive policy`);
  const maxReceiveCount = queue.model.redrive.maxReceiveCount;
  const dlqs: DeadLetterSource[] = [{ queueName: app.queue(queue.model.redrive.deadLetterQueue).model.name, kind: 'consumer', maxReceiveCount }];
  for (const s of app.model.subscriptions) {
    if (keyOf(s.queue) === keyOf(queue.model) && s.deadLetterQueue) dlqs.push({ queueName: app.queue(s.deadLetterQueue).model.name, kind: 'subscription', maxReceiveCount });
  }
  return { queue, dlqs };
}

/** The chaos ids whose key is `COMPLETED` in the idempotency tables (items `<namespace>#<chaos id>`). */
async function completedKeys(db: EmbeddedDynamoDb, tables: readonly string[]): Promise<Set<string>> {
  const client = new DynamoDBClient(localDynamoDbConfig(db));
  const ids = new Set<string>();
  try {
    for (const TableName of tables) {
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(new ScanCommand({ TableName, ExclusiveStartKey: start, ProjectionExpression: 'id, #s', ExpressionAttributeNames: { '#s': 'status' } }));
        for (const item of page.Items ?? []) {
          const id = item.id?.S;
          if (id !== undefined && item.status?.S === 'COMPLETED') ids.add(id.slice(id.lastIndexOf('#') + 1));
        }
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
    }
  } finally {
    client.destroy();
  }
  return ids;
}

/**
 * Runs the chaos run and resolves to its report (`report.ok` is false on any loss, an
 * unexplained DLQ message, poison processed, a queue that did not drain, a processed id
 * without an effect, a poison id with one; with idempotency also an id with more than one
 * effect not explained by a crash between an effect and its completion).
 *
 * @param log - receives progress lines.
 */
export async function runChaos(partial: Partial<ChaosOptions> = {}, log: (line: string) => void = () => undefined): Promise<ChaosReport> {
  const o = validateChaosOptions({ ...defaultChaosOptions(), ...partial });
  const started = Date.now();
  const outDir = o.outDir ?? mkdtempSync(join(tmpdir(), 'sluice-chaos-'));
  const ledgerDir = join(outDir, 'ledger');
  mkdirSync(ledgerDir, { recursive: true });
  const effectsDir = join(outDir, 'effects');
  mkdirSync(effectsDir, { recursive: true });
  const idempotency = o.idempotency !== false;
  const plan: FaultPlan = {
    seed: o.seed, transientRate: o.transientRate, permanentRate: o.permanentRate, hangRate: o.hangRate,
    exitRate: o.exitRate, slowRate: o.slowRate, slowMaxMs: o.slowMaxMs,
  };
  const traffic = planTraffic(plan, o);
  const cleanups: (() => unknown)[] = [];
  try {
    const server = await startEmbeddedServer();
    cleanups.unshift(() => server.stop());
    const synth = synthesizeApp({ build: chaosAppBuilder({ plan, ledgerDir, effectsDir, idempotency, functionTimeoutSeconds: o.functionTimeoutSeconds, batchSize: o.batchSize, maxConcurrency: o.maxConcurrency }) });
    cleanups.unshift(() => synth.cleanup());
    // As `sluice dev` does: the idempotency tables in an embedded DynamoDB (stopped after the functions and the worker).
    const dynamoDb = idempotency ? await startEmbeddedDynamoDb({ region: server.region }) : undefined;
    if (dynamoDb) cleanups.unshift(() => dynamoDb.stop());
    const app = await provisionApp(readAppModel(synth.assemblyDir), server, { visibilityScale: o.visibilityScale, ...(dynamoDb ? { dynamoDb } : {}) });
    if (idempotency && app.tables.length !== 2) throw new Error(`The chaos app should have 2 idempotency tables; it has ${app.tables.length}`);
    const lambdaSide = consumerQueues(app, CHAOS_APP.lambdaConsumer);
    const workerSide = consumerQueues(app, CHAOS_APP.workerConsumer);
    const fnOf = (id: string): ProvisionedApp['model']['functions'][number] => {
      const fn = app.model.functions.find((f) => f.path.startsWith(`${id}/`));
      if (!fn) throw new Error(`The chaos app has no ${id} function`);
      return fn;
    };
    const lambdaFn = fnOf(CHAOS_APP.lambdaConsumer);
    // Only the Lambda consumer runs in the emulator; the worker consumer's queue is the sluice worker's.
    const emulated: ProvisionedApp = { ...app, model: { ...app.model, functions: [lambdaFn], eventSourceMappings: app.model.eventSourceMappings.filter((m) => keyOf(m.function) === keyOf(lambdaFn)) } };
    const lambdaLog = createWriteStream(join(outDir, 'lambda.log'));
    cleanups.push(() => new Promise((r) => lambdaLog.end(r)));
    const local = startLocalFunctions(emulated, { onLog: (_fn, line) => lambdaLog.write(`${line}\n`) });
    cleanups.unshift(() => local.stop());
    const emulator: EmulatorStats = { invocations: 0, timeouts: 0, crashes: 0, coldStarts: 0, retriedRecords: 0, sqsErrors: 0 };
    for (const e of local.functions[0]?.emulators ?? []) {
      e.on('batch', (b) => {
        emulator.invocations += 1;
        emulator.retriedRecords += b.retried;
        if (b.coldStart) emulator.coldStarts += 1;
        if (b.verdict.kind === 'batch-failed' && b.verdict.reason.startsWith('timeout')) emulator.timeouts += 1;
        if (b.verdict.kind === 'batch-failed' && b.verdict.reason.startsWith('crashed')) emulator.crashes += 1;
      });
      e.on('error', () => { emulator.sqsErrors += 1; });
    }
    // The worker consumer's environment as the construct set it (resolved locally): with
    // idempotency its SLUICE_IDEMPOTENCY_TABLE (the local table name) and AWS_ENDPOINT_URL_DYNAMODB.
    const workerEnv = Object.fromEntries(Object.entries(app.functionEnvironment(fnOf(CHAOS_APP.workerConsumer))).filter(([k]) => k !== 'NODE_OPTIONS'));
    if (dynamoDb) {
      if (!workerEnv.SLUICE_IDEMPOTENCY_TABLE) throw new Error('The worker consumer has no SLUICE_IDEMPOTENCY_TABLE');
      workerEnv.AWS_ENDPOINT_URL_DYNAMODB = dynamoDb.endpoint;
    }
    const worker = new ChaosWorker({
      queueUrl: workerSide.queue.url, endpoint: server.endpoint, region: server.region, handler: CHAOS_HANDLER_ENTRY, concurrency: o.workerConcurrency,
      env: { ...workerEnv, [CHAOS_ENV.role]: 'worker', SLUICE_SQS_ENDPOINT: server.endpoint }, logFile: join(outDir, 'worker.log'),
    });
    worker.start();
    cleanups.unshift(() => worker.stop());
    const sns = new SNSClient(localClientConfig(server));
    const sqs = new SQSClient(localClientConfig(server));
    cleanups.unshift(() => { sns.destroy(); sqs.destroy(); });
    log(`Chaos run: ${o.messages} messages (${traffic.workerRouted} to the sluice worker, ${traffic.duplicates} published twice, ${traffic.poison.size} poison), seed ${o.seed}, visibility ${lambdaSide.queue.visibilityTimeoutSeconds} s, function timeout ${o.functionTimeoutSeconds} s, idempotency ${dynamoDb ? `on (embedded DynamoDB ${dynamoDb.endpoint})` : 'off'}; out ${outDir}`);

    const tail = new LedgerTail(ledgerDir);
    const random = prng(o.seed ^ 0x6b111);
    const killAt = Array.from({ length: o.workerKills }, () => Math.floor((0.05 + 0.85 * random()) * traffic.workerRouted)).toSorted((a, b) => a - b);
    let killsMidBatch = 0;
    let published = 0;
    let monitoring = true;
    const monitor = (async () => {
      let lastProgress = Date.now();
      while (monitoring) {
        await sleep(50);
        tail.poll();
        const pid = worker.pid;
        const next = killAt[worker.kills];
        if (next !== undefined && pid !== undefined && tail.totals.worker.attempts >= next && tail.openAttempts(pid) > 0) {
          await worker.kill();
          tail.poll();
          if (tail.openAttempts(pid) > 0) killsMidBatch += 1;
          worker.start();
        }
        if (o.progress !== false && Date.now() - lastProgress >= 5000) {
          lastProgress = Date.now();
          const hits = tail.totals.lambda.idempotentHits + tail.totals.worker.idempotentHits;
          log(`  ${((Date.now() - started) / 1000).toFixed(0)} s: published ${published}/${traffic.publications.length}, processed ${tail.processed.size}/${o.messages}, attempts ${tail.totals.lambda.attempts}+${tail.totals.worker.attempts}${dynamoDb ? `, idempotent hits ${hits}` : ''}, worker kills ${worker.kills}, rss ${MiB(process.resourceUsage().maxRSS)} MiB`);
        }
      }
    })();
    cleanups.unshift(() => { monitoring = false; return monitor; });
    const publishStarted = Date.now();
    await publishAll(sns, app.topics[0]!.arn, traffic.publications, o.publishConcurrency, () => { published += 1; });
    const publishMs = Date.now() - publishStarted;
    const deadline = Date.now() + o.drainTimeoutSeconds * 1000;
    let zeroes = 0;
    while (zeroes < 2 && Date.now() < deadline) {
      const backlog = (await totalBacklog(sqs, local)) + (await queueBacklog(sqs, workerSide.queue.url));
      zeroes = backlog === 0 ? zeroes + 1 : 0;
      if (zeroes < 2) await sleep(250);
    }
    const drained = zeroes >= 2;
    monitoring = false;
    await monitor;
    const workerExit = await worker.stop();
    await local.stop();
    tail.poll();
    const left = (await inspectQueue(server.endpoint, lambdaSide.queue.model.name)).length + (await inspectQueue(server.endpoint, workerSide.queue.model.name)).length;
    const deadLetters = await readDeadLetters(server.endpoint, [...lambdaSide.dlqs, ...workerSide.dlqs]);
    const reconciliation = reconcile(traffic.ids, tail.processed, deadLetters, traffic.poison);
    const effects = reconcileEffects({
      idempotency, published: traffic.ids, effects: readEffects(effectsDir), processed: tail.processed, hits: tail.hits, completed: tail.completed,
      completedKeys: dynamoDb ? await completedKeys(dynamoDb, app.tables.map((t) => t.name)) : new Set(),
      poison: traffic.poison, killedWorkerPids: worker.killedPids, lambdaEnvironmentsLost: emulator.crashes + emulator.timeouts,
    });
    const effectsOk = effects.processedWithoutEffect === 0 && effects.poisonWithEffect === 0
      && (!idempotency || (effects.effectsMoreThanOnce === 0 && effects.crashWindow.unexplained === 0));
    const ok = drained && left === 0 && reconciliation.lost === 0 && reconciliation.unexplainedDeadLetters === 0 && reconciliation.poisonProcessed === 0 && effectsOk;
    return {
      ok, seed: o.seed, messages: o.messages, idempotency, outDir, durationMs: Date.now() - started, publishMs, drained, leftInSourceQueues: left,
      publications: traffic.publications.length, duplicatesPublished: traffic.duplicates, reconciliation, effects,
      ledger: tail.totals, emulator,
      worker: { starts: worker.starts, kills: worker.kills, killsMidBatch, exit: workerExit, peakRssMiB: MiB(worker.peakRssKiB) },
      peakRssMiB: MiB(process.resourceUsage().maxRSS),
    };
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
}
