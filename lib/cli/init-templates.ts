/**
 * The files `sluice init` writes: a CDK app with an `EventTopic` fanning out to a
 * `QueueConsumer`, a handler with a `zod/mini` schema, a fixture test, an events file
 * and a README with the two commands.
 */

/** Versions the scaffold depends on. */
export interface TemplateVersions {
  readonly sluice: string;
  readonly awsCdkLib: string;
  readonly constructs: string;
  readonly zod: string;
  readonly awsCdk: string;
  readonly typescript: string;
  readonly vitest: string;
  readonly typesNode: string;
  readonly node: string;
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** Every file of the scaffold: relative path → content. */
export function scaffoldFiles(name: string, v: TemplateVersions): Record<string, string> {
  return {
    'package.json': json({
      name,
      version: '0.1.0',
      private: true,
      type: 'module',
      scripts: {
        start: 'sluice dev --events events.jsonl',
        test: 'tsc --noEmit && vitest run',
        synth: 'cdk synth',
        deploy: 'cdk deploy',
      },
      dependencies: { 'aws-cdk-lib': v.awsCdkLib, constructs: v.constructs, sluice: v.sluice, zod: v.zod },
      devDependencies: { '@types/node': v.typesNode, 'aws-cdk': v.awsCdk, node: v.node, typescript: v.typescript, vitest: v.vitest },
    }),
    'cdk.json': json({
      app: 'node bin/app.ts',
      watch: { include: ['bin/**', 'lib/**', 'src/**'], exclude: ['node_modules', 'cdk.out', 'test'] },
      context: {
        '@aws-cdk/aws-lambda-nodejs:useLatestRuntimeVersion': true,
        '@aws-cdk/core:enablePartitionLiterals': true,
        '@aws-cdk/aws-iam:minimizePolicies': true,
      },
    }),
    'tsconfig.json': json({
      compilerOptions: {
        target: 'es2024', lib: ['es2024'], module: 'nodenext', moduleResolution: 'nodenext', types: ['node'],
        strict: true, noUncheckedIndexedAccess: true, allowImportingTsExtensions: true, erasableSyntaxOnly: true,
        verbatimModuleSyntax: true, skipLibCheck: true, noEmit: true,
      },
      include: ['bin', 'lib', 'src', 'test'],
    }),
    '.gitignore': 'node_modules/\ncdk.out/\n.sluice/\n',
    'bin/app.ts': `#!/usr/bin/env node
/** The CDK app (cdk.json "app"). */
import { App } from 'aws-cdk-lib';
import { OrdersStack } from '../lib/orders-stack.ts';

const app = new App();
new OrdersStack(app, 'Orders${pascal(name)}');
`,
    'lib/orders-stack.ts': `/**
 * Order events fanned out through SNS to an SQS queue (with its dead-letter queue) consumed
 * by a Lambda function that reports partial batch failures.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { EventTopic, QueueConsumer } from 'sluice/cdk';

export class OrdersStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const orders = new EventTopic(this, 'OrderEvents');
    const recordOrder = new QueueConsumer(this, 'RecordOrder', {
      entry: 'src/record-order.ts',
      timeout: Duration.seconds(30),
      batchSize: 10,
    });
    orders.subscribe(recordOrder);
  }
}
`,
    'src/order-placed.ts': `import * as z from 'zod/mini';

/** The message the OrderEvents topic carries. */
export const OrderPlaced = z.object({
  orderId: z.string().check(z.minLength(1)),
  amountCents: z.number().check(z.int(), z.positive()),
  email: z.email(),
});
export type OrderPlaced = z.infer<typeof OrderPlaced>;
`,
    'src/record-order.ts': `/**
 * Records each placed order. Sluice validates every record, runs up to 10 at once, and
 * reports only the failed ones back to SQS; a record that can never succeed goes to the
 * dead-letter queue at once.
 */
import { PermanentError, retryPolicy, sqsHandler } from 'sluice';
import { OrderPlaced } from './order-placed.ts';

export const handler = sqsHandler({
  schema: OrderPlaced,
  concurrency: 10,
  retry: retryPolicy({ deadLetter: 'auto' }),
  async handle(order, ctx) {
    if (order.amountCents > 1_000_000) throw new PermanentError(\`order \${order.orderId} is over the limit\`);
    ctx.logger.info('Order recorded', { orderId: order.orderId, attempt: ctx.attempt });
  },
});
`,
    'test/record-order.test.ts': `import { describe, expect, it } from 'vitest';
import { lambdaContext, snsEnvelope, sqsEvent, sqsRecord } from 'sluice/testing';
import { handler } from '../src/record-order.ts';

const order = (orderId: string, amountCents = 1200) => JSON.stringify({ orderId, amountCents, email: 'buyer@example.com' });

describe('record-order', () => {
  it('reports only the bad record of a batch as failed', async () => {
    const event = sqsEvent([
      sqsRecord({ messageId: 'ok', body: snsEnvelope(order('o-1')) }),
      sqsRecord({ messageId: 'bad', body: snsEnvelope('{"orderId":') }),
    ]);
    const response = await handler(event, lambdaContext({ timeoutMs: 30_000 }));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
  });
});
`,
    'events.jsonl': [
      { to: 'OrderEvents', message: { orderId: 'o-1', amountCents: 1200, email: 'ada@example.com' } },
      { to: 'OrderEvents', message: { orderId: 'o-2', amountCents: 4500, email: 'grace@example.com' }, repeat: 2 },
      { to: 'OrderEvents', message: { orderId: 'o-3', amountCents: 2_000_000, email: 'big@example.com' } },
      { to: 'OrderEvents', message: 'not json' },
    ].map((e) => JSON.stringify(e)).join('\n') + '\n',
    'README.md': `# ${name}

An event pipeline built with [Sluice](https://www.npmjs.com/package/sluice): the \`OrderEvents\` SNS topic
fans out to the \`RecordOrder\` SQS queue (with a dead-letter queue), consumed by a Lambda function.

| command | what it does |
| --- | --- |
| \`npm install && npm start\` | runs the whole app locally (no AWS account): synthesizes it, starts an embedded SNS/SQS, emulates Lambda, publishes \`events.jsonl\`, prints the summary (exit 0 when nothing is lost) |
| \`npm install && npm test\` | type-checks and runs the handler's tests with Sluice's fixtures |
| \`npx cdk deploy\` | deploys to your AWS account |

- \`lib/orders-stack.ts\`: the infrastructure (\`EventTopic\`, \`QueueConsumer\` from \`sluice/cdk\`).
- \`src/record-order.ts\`: the handler (\`sqsHandler\` from \`sluice\`), \`src/order-placed.ts\` its schema.
- \`test/\`: tests with \`sluice/testing\` fixtures.
- \`events.jsonl\`: what \`npm start\` publishes, one message per line: \`{"to", "message", "attributes"?, "groupId"?, "repeat"?}\`.
`,
  };
}

function pascal(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const joined = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  return /^[A-Za-z]/.test(joined) ? joined : `App${joined}`;
}
