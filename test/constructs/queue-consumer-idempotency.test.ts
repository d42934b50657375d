/**
 * `QueueConsumer({ idempotency })`: the DynamoDB table the runtime's `dynamoDbStore()`
 * uses, exactly four item actions on it, the environment, and cdk-nag.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { InvalidPropsError, QueueConsumer, type QueueConsumerProps } from '../../lib/constructs/index.ts';
import { arnOf, logicalIdOf, NOOP_ENTRY, newStack, onlyResource, refOf } from './construct-test-app.ts';

function synth(props: Partial<QueueConsumerProps> = {}, stack = newStack()) {
  const consumer = new QueueConsumer(stack, 'Consumer', { entry: NOOP_ENTRY, ...props });
  const template = Template.fromStack(stack);
  return { stack, consumer, template, functionId: logicalIdOf(stack, consumer.function) };
}

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

function roleStatements(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) => (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
  );
}

const dynamoStatements = (template: Template): Statement[] =>
  roleStatements(template).filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));

describe('QueueConsumer idempotency', () => {
  it('creates no table without the prop', () => {
    const { template, consumer } = synth();
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
    expect(consumer.idempotencyTable).toBeUndefined();
    expect(dynamoStatements(template)).toEqual([]);
  });

  it('creates an on-demand, encrypted table with partition key id, TTL on expiration and point-in-time recovery', () => {
    const { template } = synth({ idempotency: true });
    const { properties } = onlyResource(template, 'AWS::DynamoDB::GlobalTable');
    expect(properties).toMatchObject({
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
    });
    expect(properties.Replicas).toEqual([expect.objectContaining({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })]);
  });

  it('grants exactly GetItem, PutItem, UpdateItem and DeleteItem on the table ARN, nothing wider', () => {
    const { template, stack, consumer } = synth({ idempotency: true });
    const tableId = logicalIdOf(stack, consumer.idempotencyTable as dynamodb.TableV2);
    const statements = dynamoStatements(template);
    expect(statements).toHaveLength(1);
    expect([statements[0]!.Action].flat().sort()).toEqual(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(statements[0]).toMatchObject({ Effect: 'Allow', Resource: arnOf(tableId) });
  });

  it('sets SLUICE_IDEMPOTENCY_TABLE to the table name, and the expiry with expiresAfter', () => {
    const { template, stack, consumer, functionId } = synth({ idempotency: { expiresAfter: Duration.hours(6) } });
    const env = template.toJSON().Resources[functionId].Properties.Environment.Variables;
    expect(env.SLUICE_IDEMPOTENCY_TABLE).toEqual(refOf(logicalIdOf(stack, consumer.idempotencyTable as dynamodb.TableV2)));
    expect(env.SLUICE_IDEMPOTENCY_EXPIRES_AFTER_SECONDS).toBe('21600');
    expect(synth({ idempotency: true }).template.toJSON().Resources[functionId].Properties.Environment.Variables.SLUICE_IDEMPOTENCY_EXPIRES_AFTER_SECONDS).toBeUndefined();
  });

  it('uses a given table, granting its customer managed key too', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'TableKey', { enableKeyRotation: true });
    const table = dynamodb.TableV2.fromTableAttributes(stack, 'Shared', { tableName: 'shared-idempotency', encryptionKey: key });
    const { template, consumer, functionId } = synth({ idempotency: { table } }, stack);
    expect(consumer.idempotencyTable).toBe(table);
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
    const [statement] = dynamoStatements(template);
    expect(JSON.stringify(statement!.Resource)).toContain(':table/shared-idempotency');
    const keyStatement = roleStatements(template).find((s) => [s.Action].flat().includes('kms:Encrypt'));
    expect([keyStatement!.Action].flat().sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey']);
    expect(keyStatement!.Resource).toEqual(arnOf(logicalIdOf(stack, key)));
    expect(template.toJSON().Resources[functionId].Properties.Environment.Variables.SLUICE_IDEMPOTENCY_TABLE).toBe('shared-idempotency');
  });

  it('applies queueProps.removalPolicy to the table it creates', () => {
    const { template } = synth({ idempotency: true, queueProps: { removalPolicy: RemovalPolicy.DESTROY } });
    expect(Object.values(template.findResources('AWS::DynamoDB::GlobalTable'))[0]).toMatchObject({ DeletionPolicy: 'Delete' });
  });

  it('leaves no cdk-nag AwsSolutions finding on the table or the grant', () => {
    const stack = newStack();
    new QueueConsumer(stack, 'Consumer', { entry: NOOP_ENTRY, idempotency: true });
    const report = new AwsSolutionsChecks().validateScope(stack);
    const onConsumer = report.violations.filter((v) => v.violatingResources.some((r) => r.constructPath?.startsWith('Test/Consumer')));
    expect(onConsumer.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(',')}`)).toEqual([]);
  });

  it('fails at synth for a bad idempotency prop or a reserved variable, naming each', () => {
    const problemsOf = (props: Partial<QueueConsumerProps>): readonly string[] => {
      try {
        synth(props);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidPropsError);
        return (error as InvalidPropsError).problems;
      }
      throw new Error('expected InvalidPropsError');
    };
    expect(problemsOf({ idempotency: { expiresAfter: Duration.millis(1500) } })).toEqual([
      'idempotency.expiresAfter: received 1 second 500 millis; allowed: a Duration of whole seconds, at least 1 second',
    ]);
    expect(problemsOf({ idempotency: { table: 'users' as unknown as dynamodb.ITableV2 } })).toEqual([
      'idempotency.table: received "users"; allowed: a dynamodb.ITableV2 (partition key "id", TTL attribute "expiration")',
    ]);
    expect(problemsOf({ idempotency: true, environment: { SLUICE_IDEMPOTENCY_TABLE: 'mine' } })).toEqual([
      'environment.SLUICE_IDEMPOTENCY_TABLE: received "mine"; allowed: nothing: QueueConsumer sets it',
    ]);
    // Without idempotency the variable is the user's to set (a table of their own).
    expect(() => synth({ environment: { SLUICE_IDEMPOTENCY_TABLE: 'mine' } })).not.toThrow();
  });
});
