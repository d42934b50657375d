/**
 * Reads a cloud assembly directory (`cdk.out`): its stacks, their templates, construct
 * paths (from the stack metadata) and file assets (from the asset manifests).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isRecord } from './cfn-values.ts';
import type { CfnValue, StackTemplate } from './model.ts';
import { AppModelError } from './errors.ts';

/** One stack of the assembly, with what the template reader needs besides the template. */
export interface AssemblyStack extends StackTemplate {
  /** Logical id → construct path (e.g. `/Stack/RegisterUser/Function/Resource`). */
  readonly paths: ReadonlyMap<string, string>;
  /** Asset object key (e.g. `<hash>.zip`) → absolute asset directory or file. */
  readonly assets: ReadonlyMap<string, string>;
  /** The stack environment's region, when it is concrete. */
  readonly region?: string;
}

function readJson(file: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isRecord(parsed)) throw new AppModelError(`${file}: expected a JSON object`);
  return parsed;
}

function metadataPaths(metadata: unknown): Map<string, string> {
  const paths = new Map<string, string>();
  if (!isRecord(metadata)) return paths;
  for (const [path, entries] of Object.entries(metadata)) {
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) {
      if (isRecord(entry) && entry.type === 'aws:cdk:logicalId' && typeof entry.data === 'string') paths.set(entry.data, path);
    }
  }
  return paths;
}

function assetKeys(dir: string, file: string): Map<string, string> {
  const assets = new Map<string, string>();
  const manifest = readJson(join(dir, file));
  const files = isRecord(manifest.files) ? manifest.files : {};
  for (const asset of Object.values(files)) {
    if (!isRecord(asset) || !isRecord(asset.source) || typeof asset.source.path !== 'string') continue;
    const source = resolve(dir, asset.source.path);
    for (const destination of Object.values(isRecord(asset.destinations) ? asset.destinations : {})) {
      if (isRecord(destination) && typeof destination.objectKey === 'string') assets.set(destination.objectKey, source);
    }
  }
  return assets;
}

function exportsOf(template: Record<string, unknown>): Record<string, CfnValue> {
  const exports: Record<string, CfnValue> = {};
  for (const output of Object.values(isRecord(template.Outputs) ? template.Outputs : {})) {
    if (!isRecord(output) || !isRecord(output.Export)) continue;
    const name = output.Export.Name;
    if (typeof name === 'string') exports[name] = output.Value as CfnValue;
  }
  return exports;
}

/**
 * Reads every stack of the cloud assembly in `dir`, nested assemblies (stages) included.
 *
 * @throws Error when `manifest.json` or a template is missing or not JSON.
 */
export function readAssemblyStacks(dir: string): AssemblyStack[] {
  const manifest = readJson(join(dir, 'manifest.json'));
  const artifacts = isRecord(manifest.artifacts) ? manifest.artifacts : {};
  const stacks: AssemblyStack[] = [];
  for (const [id, artifact] of Object.entries(artifacts)) {
    if (!isRecord(artifact)) continue;
    const props = isRecord(artifact.properties) ? artifact.properties : {};
    if (artifact.type === 'cdk:cloud-assembly' && typeof props.directoryName === 'string') {
      stacks.push(...readAssemblyStacks(join(dir, props.directoryName)));
      continue;
    }
    if (artifact.type !== 'aws:cloudformation:stack' || typeof props.templateFile !== 'string') continue;
    const template = readJson(join(dir, props.templateFile));
    const metadata = typeof artifact.additionalMetadataFile === 'string'
      ? readJson(join(dir, artifact.additionalMetadataFile))
      : artifact.metadata;
    const assets = new Map<string, string>();
    for (const dependency of Array.isArray(artifact.dependencies) ? artifact.dependencies : []) {
      const dep = typeof dependency === 'string' ? artifacts[dependency] : undefined;
      if (isRecord(dep) && dep.type === 'cdk:asset-manifest' && isRecord(dep.properties) && typeof dep.properties.file === 'string') {
        for (const [key, path] of assetKeys(dir, dep.properties.file)) assets.set(key, path);
      }
    }
    const region = typeof artifact.environment === 'string' ? artifact.environment.split('/')[3] : undefined;
    const resources = (isRecord(template.Resources) ? template.Resources : {}) as StackTemplate['resources'];
    stacks.push({
      stack: id,
      resources,
      exports: exportsOf(template),
      paths: metadataPaths(metadata),
      assets,
      ...(region && region !== 'unknown-region' ? { region } : {}),
    });
  }
  return stacks;
}
