/**
 * The chaos CDK app, built with the real constructs: an `Events` topic fanning out by the
 * `route` attribute to `LambdaConsumer` (run by the event source mapping emulator) and
 * `WorkerConsumer` (whose queue the `sluice worker` process consumes), both with the
 * chaos handler; with idempotency, each consumer with `idempotency: true` (its table, and
 * `SLUICE_IDEMPOTENCY_TABLE`).
 */
import { fileURLToPath } from 'node:url';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EventTopic } from '../lib/constructs/index.ts';
import { QueueConsumer } from '../lib/constructs/index.ts';
import type { AppBuilder } from '../lib/local/model/index.ts';
import { readCdkContext } from '../lib/example/index.ts';
import { CHAOS_ENV } from './plan.ts';
import type { FaultPlan } from './plan.ts';

/** Construct ids the chaos run looks up in the template. */
export const CHAOS_APP = {
  stackName: 'SluiceChaos',
  topic: 'Events',
  lambdaConsumer: 'LambdaConsumer',
  workerConsumer: 'WorkerConsumer',
  /** Message attribute routing each message to one consumer. */
  routeAttribute: 'route',
  /**
   * `maxReceiveCount` of the worker consumer's queue. A SIGKILLed worker leaves its claims
   * in progress until `workerInProgressExpiryMs` (8 s with the default plan); meanwhile
   * each redelivery is refused (a transient failure, 0–2 s of backoff), so the queue allows
   * enough receives to outlast the claim instead of dead-lettering the message. The Lambda
   * consumer keeps the default (5): its claims expire at the function deadline, before the
   * visibility timeout lets a retry in.
   */
  workerMaxReceiveCount: 20,
} as const;

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
/** The handler module both consumers run. */
export const CHAOS_HANDLER_ENTRY = fileURLToPath(new URL('./chaos-handler.ts', import.meta.url));

/** What the chaos app is built with. */
export interface ChaosAppSettings {
  readonly plan: FaultPlan;
  readonly ledgerDir: string;
  /** Where the handler writes its effects (the side-effect ledger). */
  readonly effectsDir: string;
  /** Both consumers get `idempotency: true` and the handler protects its effect. */
  readonly idempotency: boolean;
  readonly functionTimeoutSeconds: number;
  readonly batchSize: number;
  readonly maxConcurrency: number;
}

/** An {@link AppBuilder} for `synthesizeApp` that builds the chaos app. */
export function chaosAppBuilder(settings: ChaosAppSettings): AppBuilder {
  return ({ outdir, context }) => {
    const app = new App({ outdir, context: { ...readCdkContext(), ...context } });
    const stack = new Stack(app, CHAOS_APP.stackName);
    const topic = new EventTopic(stack, CHAOS_APP.topic);
    const environment = {
      [CHAOS_ENV.plan]: JSON.stringify(settings.plan), [CHAOS_ENV.ledgerDir]: settings.ledgerDir, [CHAOS_ENV.effectsDir]: settings.effectsDir,
      [CHAOS_ENV.idempotency]: settings.idempotency ? 'on' : 'off', SLUICE_LOG_LEVEL: 'warn',
    };
    const consumer = (id: string, role: 'lambda' | 'worker'): QueueConsumer => {
      const c = new QueueConsumer(stack, id, {
        entry: CHAOS_HANDLER_ENTRY,
        projectRoot: REPO_ROOT,
        depsLockFilePath: `${REPO_ROOT}package-lock.json`,
        timeout: Duration.seconds(settings.functionTimeoutSeconds),
        batchSize: settings.batchSize,
        maxConcurrency: settings.maxConcurrency,
        environment: { ...environment, [CHAOS_ENV.role]: role },
        ...(settings.idempotency ? { idempotency: true as const } : {}),
        ...(role === 'worker' ? { maxReceiveCount: CHAOS_APP.workerMaxReceiveCount } : {}),
      });
      topic.subscribe(c, { filterPolicy: { [CHAOS_APP.routeAttribute]: sns.SubscriptionFilter.stringFilter({ allowlist: [role] }) } });
      return c;
    };
    consumer(CHAOS_APP.lambdaConsumer, 'lambda');
    consumer(CHAOS_APP.workerConsumer, 'worker');
    return app;
  };
}
