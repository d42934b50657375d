/**
 * Resolves CloudFormation values (function environment variables) to local strings:
 * `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split`,
 * `Fn::ImportValue` and the pseudo parameters.
 */
import { isRecord, referenceOf } from './cfn-values.ts';
import type { Reference } from './cfn-values.ts';
import type { CfnValue, StackTemplate } from './model.ts';
import { AppModelError } from './errors.ts';

/** What the resolver asks the caller for. */
export interface ResolveContext {
  readonly region: string;
  readonly accountId: string;
  readonly templates: readonly StackTemplate[];
  /** The local value of a resource reference (`Ref`, or an attribute such as `Arn`), or undefined if unknown. */
  attribute(ref: Reference): string | undefined;
}

function pseudo(name: string, stack: string, ctx: ResolveContext): string | undefined {
  switch (name) {
    case 'AWS::Region': return ctx.region;
    case 'AWS::AccountId': return ctx.accountId;
    case 'AWS::Partition': return 'aws';
    case 'AWS::URLSuffix': return 'amazonaws.com';
    case 'AWS::StackName': return stack;
    case 'AWS::StackId': return `arn:aws:cloudformation:${ctx.region}:${ctx.accountId}:stack/${stack}/local`;
    case 'AWS::NoValue': return '';
    default: return undefined;
  }
}

function lookup(name: string, stack: string, ctx: ResolveContext, what: string): string {
  const p = pseudo(name, stack, ctx);
  if (p !== undefined) return p;
  const dot = name.indexOf('.');
  const ref: Reference = dot < 0
    ? { stack, logicalId: name, attribute: 'Ref' }
    : { stack, logicalId: name.slice(0, dot), attribute: name.slice(dot + 1) };
  const value = ctx.attribute(ref);
  if (value === undefined) throw new AppModelError(`${what}: cannot resolve '${name}' locally`);
  return value;
}

function sub(template: string, vars: Record<string, unknown>, stack: string, ctx: ResolveContext, what: string): string {
  return template.replace(/\$\{([^}!][^}]*)\}/g, (_m, name: string) => {
    const v = vars[name];
    return v === undefined ? lookup(name, stack, ctx, what) : resolveCfnValue(v as CfnValue, stack, ctx, what);
  });
}

/**
 * Resolves `value` (from stack `stack`) to a string.
 *
 * @param what - names the value in error messages, e.g. `RegisterUser.Environment.QUEUE_URL`.
 * @throws Error naming `what` when the value uses an unsupported intrinsic or an unknown resource.
 */
export function resolveCfnValue(value: CfnValue, stack: string, ctx: ResolveContext, what: string): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map((v) => resolveCfnValue(v, stack, ctx, what)).join(',');
  const [fn, arg] = Object.entries(value)[0] ?? [];
  if (fn === 'Ref' && typeof arg === 'string') return lookup(arg, stack, ctx, what);
  if (fn === 'Fn::GetAtt' || fn === 'Fn::ImportValue') {
    const ref = referenceOf(value, stack, ctx.templates);
    const resolved = ref === undefined ? undefined : ctx.attribute(ref);
    if (resolved === undefined) throw new AppModelError(`${what}: cannot resolve ${JSON.stringify(value)} locally`);
    return resolved;
  }
  if (fn === 'Fn::Join' && Array.isArray(arg) && typeof arg[0] === 'string' && Array.isArray(arg[1])) {
    return arg[1].map((v) => resolveCfnValue(v, stack, ctx, what)).join(arg[0]);
  }
  if (fn === 'Fn::Sub') {
    if (typeof arg === 'string') return sub(arg, {}, stack, ctx, what);
    if (Array.isArray(arg) && typeof arg[0] === 'string' && isRecord(arg[1])) return sub(arg[0], arg[1], stack, ctx, what);
  }
  if (fn === 'Fn::Select' && Array.isArray(arg) && arg.length === 2) {
    const index = Number(resolveCfnValue(arg[0] as CfnValue, stack, ctx, what));
    const list = Array.isArray(arg[1]) ? arg[1].map((v) => resolveCfnValue(v, stack, ctx, what)) : resolveCfnValue(arg[1] as CfnValue, stack, ctx, what).split(',');
    const picked = list[index];
    if (picked === undefined) throw new AppModelError(`${what}: Fn::Select index ${index} out of range`);
    return picked;
  }
  if (fn === 'Fn::Split' && Array.isArray(arg) && typeof arg[0] === 'string') {
    return resolveCfnValue(arg[1] as CfnValue, stack, ctx, what).split(arg[0]).join(',');
  }
  throw new AppModelError(`${what}: unsupported CloudFormation value ${JSON.stringify(value)}`);
}
