import { App, CfnParameter, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { EventTopic, QueueConsumer, type EventFilter, type QueueConsumerProps } from '../../lib/constructs/index.ts';
import { newStack, NOOP_ENTRY, problemsOf } from './construct-test-app.ts';

const byType = (type: string): EventFilter => lambda.FilterCriteria.filter({ body: { type: lambda.FilterRule.isEqual(type) } });

function synth(props: Partial<QueueConsumerProps>): Template {
  const stack = newStack();
  new QueueConsumer(stack, 'Consumer', { entry: NOOP_ENTRY, ...props });
  return Template.fromStack(stack);
}

/** A stack whose app carries `context` (bundling skipped). */
function stackWithContext(context: Record<string, unknown>): Stack {
  return new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } }), 'Test');
}

describe('QueueConsumer event filters', () => {
  it('renders body patterns as the filter criteria of the event source mapping', () => {
    const template = synth({ filters: [byType('UserRegistered'), lambda.FilterCriteria.filter({ body: lambda.FilterRule.isEqual('ping') })] });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FilterCriteria: { Filters: [{ Pattern: '{"body":{"type":["UserRegistered"]}}' }, { Pattern: '{"body":["ping"]}' }] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('renders no filter criteria without filters, or with an empty list', () => {
    for (const filters of [undefined, []]) {
      synth(filters ? { filters } : {}).hasResourceProperties('AWS::Lambda::EventSourceMapping', { FilterCriteria: Match.absent() });
    }
  });

  it('accepts 5 filters, the default Lambda quota per event source mapping', () => {
    expect(problemsOf({ filters: ['a', 'b', 'c', 'd', 'e'].map(byType) })).toEqual([]);
  });

  it('fails at synth with 6 filters, naming the quota and the context that raises it', () => {
    expect(problemsOf({ filters: ['a', 'b', 'c', 'd', 'e', 'f'].map(byType) })).toEqual([
      'filters.length: received 6; allowed: at most 5 per event source mapping (Lambda\'s quota; an account with a raised quota sets the context "sluice:eventFilterQuota", up to 10)',
    ]);
  });

  it('allows up to the raised quota set in the sluice:eventFilterQuota context, and no more', () => {
    const ten = Array.from({ length: 10 }, (_, i) => byType(`t${i}`));
    expect(problemsOf({ filters: ten }, stackWithContext({ 'sluice:eventFilterQuota': 10 }))).toEqual([]);
    expect(problemsOf({ filters: [...ten, byType('x')] }, stackWithContext({ 'sluice:eventFilterQuota': '10' }))).toEqual([
      "filters.length: received 11; allowed: at most 10 per event source mapping (Lambda's quota)",
    ]);
  });

  it('fails at synth when the sluice:eventFilterQuota context is not an integer from 5 to 10', () => {
    expect(problemsOf({}, stackWithContext({ 'sluice:eventFilterQuota': 20 }))).toEqual([
      "context sluice:eventFilterQuota: received 20; allowed: an integer from 5 to 10 (the account's Lambda quota of filters per event source mapping)",
    ]);
  });

  it('fails at synth when a pattern has a top-level key other than body, naming the index and the key', () => {
    const filters = [byType('a'), lambda.FilterCriteria.filter({ body: { type: ['b'] }, messageAttributes: { eventType: { stringValue: ['b'] } } })];
    expect(problemsOf({ filters })).toEqual([
      'filters[1].messageAttributes: received {"eventType":{"stringValue":["b"]}}; allowed: only the "body" key (an SQS event source mapping filters on the message body; Lambda rejects patterns on other keys)',
    ]);
  });

  it('fails at synth when a pattern is not a JSON object', () => {
    expect(problemsOf({ filters: [{ pattern: 'type = UserRegistered' }] })).toEqual([
      'filters[0].pattern: received "type = UserRegistered"; allowed: a JSON object such as {"body":{"type":["UserRegistered"]}} (lambda.FilterCriteria.filter builds one)',
    ]);
  });

  it('fails at synth when a filter has no pattern string', () => {
    expect(problemsOf({ filters: [{ body: { type: ['a'] } }] })).toEqual([
      'filters[0]: received {"body":{"type":["a"]}}; allowed: an object from lambda.FilterCriteria.filter({ body: { … } })',
    ]);
  });

  it('fails at synth when a pattern is empty or its body is neither rules nor a list', () => {
    expect(problemsOf({ filters: [lambda.FilterCriteria.filter({}), lambda.FilterCriteria.filter({ body: 'UserRegistered' })] })).toEqual([
      'filters[0]: received {}; allowed: a pattern on "body"',
      'filters[1].body: received "UserRegistered"; allowed: an object of rules on fields of a JSON body, or an array of rules for a plain-text body',
    ]);
  });

  it('fails at synth when a pattern is longer than 4096 characters', () => {
    const long = lambda.FilterCriteria.filter({ body: { type: ['x'.repeat(4100)] } });
    expect(problemsOf({ filters: [long] })).toEqual([
      `filters[0].pattern: received a string of ${String(long['pattern']).length} characters; allowed: at most 4096 characters (Lambda's limit per pattern)`,
    ]);
  });

  it('skips patterns that are deploy-time tokens', () => {
    const stack = newStack();
    const pattern = new CfnParameter(stack, 'Pattern', { type: 'String' }).valueAsString;
    expect(problemsOf({ filters: [{ pattern }] }, stack)).toEqual([]);
  });

  it('reports filter problems together with the other props', () => {
    expect(problemsOf({ batchSize: 0, filters: [{ pattern: '[]' }] })).toHaveLength(2);
  });
});

describe('QueueConsumer event source metrics', () => {
  it('passes metricsConfig through to the event source mapping', () => {
    synth({ metricsConfig: { metrics: [lambda.MetricType.EVENT_COUNT] } }).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      MetricsConfig: { Metrics: ['EventCount'] },
    });
  });

  it('fails at synth for Kafka-only metric types', () => {
    expect(problemsOf({ metricsConfig: { metrics: [lambda.MetricType.EVENT_COUNT, lambda.MetricType.ERROR_COUNT] } })).toEqual([
      'metricsConfig.metrics[1]: received "ErrorCount"; allowed: "EventCount" (ErrorCount and KafkaMetrics are for Kafka event sources)',
    ]);
  });
});

describe('QueueConsumer filters behind an SNS subscription', () => {
  function subscribe(filters: EventFilter[], rawMessageDelivery?: boolean): Stack {
    const stack = newStack();
    const consumer = new QueueConsumer(stack, 'Consumer', { entry: NOOP_ENTRY, filters });
    new EventTopic(stack, 'Events').subscribe(consumer, rawMessageDelivery === undefined ? {} : { rawMessageDelivery });
    return stack;
  }

  it('warns when filters look into the message but the subscription delivers SNS envelopes', () => {
    const stack = subscribe([byType('UserRegistered')]);
    Annotations.fromStack(stack).hasWarning(
      '/Test/Events/ConsumerSubscription',
      Match.stringLikeRegexp('filters\\[0\\] of Test/Consumer match fields of the message .* Lambda would delete every message from this topic unprocessed; set rawMessageDelivery: true'),
    );
  });

  it('does not warn with raw message delivery', () => {
    expect(Annotations.fromStack(subscribe([byType('UserRegistered')], true)).findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('does not warn when the patterns match fields of the envelope itself', () => {
    const onEnvelope = lambda.FilterCriteria.filter({ body: { Type: ['Notification'], MessageAttributes: { eventType: { Value: ['UserRegistered'] } } } });
    expect(Annotations.fromStack(subscribe([onEnvelope])).findWarning('*', Match.anyValue())).toEqual([]);
  });
});
