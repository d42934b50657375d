/**
 * The chaos run's traffic: which ids exist, where each is routed, which are published
 * twice (and when), all from the seed; and the publisher.
 */
import { PublishCommand } from '@aws-sdk/client-sns';
import type { SNSClient } from '@aws-sdk/client-sns';
import { CHAOS_APP } from './chaos-app.ts';
import type { ChaosRole, FaultPlan } from './plan.ts';
import { isPoison, prng, uniform } from './plan.ts';

/** One SNS Publish of the run. */
export interface Publication {
  readonly id: string;
  readonly route: ChaosRole;
  readonly body: string;
  /** True for the second publish of a duplicated id. */
  readonly duplicate: boolean;
}

/** The planned traffic. */
export interface TrafficPlan {
  /** Every distinct chaos id. */
  readonly ids: readonly string[];
  /** Publishes in order (duplicates included). */
  readonly publications: readonly Publication[];
  readonly duplicates: number;
  /** Ids routed to the worker queue. */
  readonly workerRouted: number;
  /** Ids the fault plan makes poison. */
  readonly poison: ReadonlySet<string>;
}

/** Plans the traffic of a run. */
export function planTraffic(plan: FaultPlan, options: { messages: number; workerShare: number; duplicateRate: number; bodyBytes: number }): TrafficPlan {
  const random = prng(plan.seed ^ 0x5eed);
  const keyed: { key: number; p: Publication }[] = [];
  const ids: string[] = [];
  const poison = new Set<string>();
  let duplicates = 0;
  let workerRouted = 0;
  for (let i = 0; i < options.messages; i++) {
    const id = `c${i}`;
    ids.push(id);
    if (isPoison(plan, id)) poison.add(id);
    const route: ChaosRole = uniform(plan.seed, `route:${id}`) < options.workerShare ? 'worker' : 'lambda';
    if (route === 'worker') workerRouted += 1;
    const head = JSON.stringify({ id, seq: i, pad: '' });
    const body = JSON.stringify({ id, seq: i, pad: 'x'.repeat(Math.max(0, options.bodyBytes - head.length)) });
    keyed.push({ key: i, p: { id, route, body, duplicate: false } });
    if (random() < options.duplicateRate) {
      duplicates += 1;
      // The copy follows within the next 500 publishes: sometimes while the first is still in flight.
      keyed.push({ key: i + random() * 500, p: { id, route, body, duplicate: true } });
    }
  }
  keyed.sort((a, b) => a.key - b.key);
  return { ids, publications: keyed.map((k) => k.p), duplicates, workerRouted, poison };
}

/**
 * Publishes everything with bounded parallelism.
 *
 * @throws the first publish error.
 */
export async function publishAll(sns: SNSClient, topicArn: string, publications: readonly Publication[], concurrency: number, onPublished: () => void): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let p = publications[next++]; p !== undefined; p = publications[next++]) {
      await sns.send(new PublishCommand({
        TopicArn: topicArn,
        Message: p.body,
        MessageAttributes: { [CHAOS_APP.routeAttribute]: { DataType: 'String', StringValue: p.route } },
      }));
      onPublished();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}
