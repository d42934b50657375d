/**
 * CloudWatch alarm builders shared by {@link QueueConsumer} and {@link EventTopic}.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * An alarm that fires as soon as a dead-letter queue holds any message
 * (`ApproximateNumberOfMessagesVisible` > 0, maximum over one minute).
 *
 * @param alarmTopic receives the alarm and its recovery, when given
 * @returns the alarm
 */
export function deadLetterQueueDepthAlarm(scope: Construct, id: string, queue: IQueue, alarmTopic?: ITopic): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmDescription: 'Messages are waiting in a dead-letter queue: inspect them, fix the cause, then redrive (see README, Infrastructure).',
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
    threshold: 0,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  notify(alarm, alarmTopic);
  return alarm;
}

/** Sends an alarm's state changes (alarm and OK) to `alarmTopic`, when given. */
export function notify(alarm: cloudwatch.Alarm, alarmTopic: ITopic | undefined): void {
  if (!alarmTopic) return;
  const action = new SnsAction(alarmTopic);
  alarm.addAlarmAction(action);
  alarm.addOkAction(action);
}
