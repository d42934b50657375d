/**
 * The app model: a CDK app synthesized to a cloud assembly, read into topics, queues,
 * subscriptions, functions and event source mappings.
 */
export { keyOf } from './model.ts';
export type { SubscriptionModel, FunctionModel, AppModel, QueueModel, ResourceKey, TopicModel, ModelResource, TableModel, TableIndexModel, TableKeyModel } from './model.ts';
export { synthesizeApp } from './synth.ts';
export { readAppModel } from './template-reader.ts';
export { resolveCfnValue } from './cfn-resolve.ts';
export { FilterCriteriaError, checkSqsFilterPattern } from './filter-criteria.ts';
export type { Reference } from './cfn-values.ts';
export { synthesizeCdkApp, SynthError } from './synth.ts';
export type { AppBuilder, CdkAppSynthOptions, SynthesizedApp } from './synth.ts';
export { AppModelError } from './errors.ts';
