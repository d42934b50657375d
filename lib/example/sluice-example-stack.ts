/**
 * The example app of README "Infrastructure": user sign-ups fanned out from a standard topic, and a
 * FIFO order pipeline.
 *
 * Construct ids are a contract (the local runtime reads the synthesized template by them):
 *
 * | id | what |
 * | --- | --- |
 * | stack `SluiceExample` | the whole example, environment-agnostic |
 * | `UserEvents` | standard `EventTopic` (`user-events`) |
 * | `RegisterUser` | consumer of every `UserEvents` message → `lib/example/handlers/register-user.ts`, with an idempotency table (`RegisterUser/IdempotencyTable`) |
 * | `WelcomeEmail` | consumer of `UserEvents` with a body filter: `type` = `UserRegistered` and `marketingOptIn` = `true` → `lib/example/handlers/welcome-email.ts` |
 * | `Orders` | FIFO `EventTopic` (`orders`) |
 * | `FulfilOrder` | FIFO consumer of `Orders` → `lib/example/handlers/fulfil-order.ts` |
 *
 * Inside each consumer: `Queue`, `DeadLetterQueue`, `Function`, `Role`, `LogGroup` and the
 * alarms; inside each topic: `Topic`, `Key`, and `<Consumer>Subscription/DeadLetterQueue`
 * (the subscription's own DLQ) with its depth alarm.
 */
import { fileURLToPath } from 'node:url';
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { EventTopic } from '../constructs/index.ts';
import { QueueConsumer } from '../constructs/index.ts';

/** Stable names of the example app, for code that reads its template. */
export const EXAMPLE = {
  stackName: 'SluiceExample',
  topics: { userEvents: 'UserEvents', orders: 'Orders' },
  consumers: { registerUser: 'RegisterUser', welcomeEmail: 'WelcomeEmail', fulfilOrder: 'FulfilOrder' },
  /** Context key of the identity provider URL passed to `register-user`. */
  identityApiUrlContextKey: 'identityApiUrl',
  defaultIdentityApiUrl: 'https://identity.example.com',
} as const;

/** Repository root: handlers and the lock file are bundled from here. */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The example stack: `UserEvents` → `RegisterUser`, `WelcomeEmail`; FIFO `Orders` → `FulfilOrder`. */
export class SluiceExampleStack extends Stack {
  readonly userEvents: EventTopic;
  readonly orders: EventTopic;
  readonly registerUser: QueueConsumer;
  readonly welcomeEmail: QueueConsumer;
  readonly fulfilOrder: QueueConsumer;

  constructor(scope: Construct, id: string = EXAMPLE.stackName, props: StackProps = {}) {
    super(scope, id, { description: 'Sluice example: SNS → SQS (+DLQ) → Lambda with partial batch failures', ...props });
    const bundle = { projectRoot: REPO_ROOT, depsLockFilePath: `${REPO_ROOT}package-lock.json` };
    const handler = (name: string): string => `${REPO_ROOT}lib/example/handlers/${name}.ts`;
    const identityApiUrl: unknown = this.node.tryGetContext(EXAMPLE.identityApiUrlContextKey);

    this.userEvents = new EventTopic(this, EXAMPLE.topics.userEvents, { displayName: 'user-events' });
    this.registerUser = new QueueConsumer(this, EXAMPLE.consumers.registerUser, {
      ...bundle,
      entry: handler('register-user'),
      timeout: Duration.seconds(30),
      batchSize: 10,
      maxConcurrency: 10,
      // A DynamoDB table for the handler's idempotency (keyed by userId).
      idempotency: true,
      environment: {
        IDENTITY_API_URL: typeof identityApiUrl === 'string' && identityApiUrl ? identityApiUrl : EXAMPLE.defaultIdentityApiUrl,
      },
    });
    this.userEvents.subscribe(this.registerUser);

    this.welcomeEmail = new QueueConsumer(this, EXAMPLE.consumers.welcomeEmail, {
      ...bundle,
      entry: handler('welcome-email'),
      timeout: Duration.seconds(30),
      batchSize: 20,
      maxBatchingWindow: Duration.seconds(2),
      maxConcurrency: 5,
    });
    this.userEvents.subscribe(this.welcomeEmail, {
      filterPolicyWithMessageBody: {
        type: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.stringFilter({ allowlist: ['UserRegistered'] })),
        marketingOptIn: sns.FilterOrPolicy.filter(new sns.SubscriptionFilter([true])),
      },
    });

    this.orders = new EventTopic(this, EXAMPLE.topics.orders, { fifo: true, displayName: 'orders' });
    this.fulfilOrder = new QueueConsumer(this, EXAMPLE.consumers.fulfilOrder, {
      ...bundle,
      entry: handler('fulfil-order'),
      fifo: true,
      timeout: Duration.seconds(60),
      batchSize: 10,
    });
    this.orders.subscribe(this.fulfilOrder);
  }
}
