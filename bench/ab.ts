/**
 * `node bench/ab.ts <git-rev> [rounds]`: the runtime at `<git-rev>` against the working
 * tree, in one process, on the no-op batch (10,000 full SNS envelopes, every 10th poison),
 * Sluice running the peers' record handler in both. The rows run interleaved round by
 * round, beside the plain loop and middy + `Promise.allSettled`, so a ratio taken within a
 * round survives the machine's drift. The old runtime is `git archive`d into
 * `.sluice/ab/<rev>/` (gitignored), where the repository's `node_modules` still resolve.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as current from '../lambda/runtime/index.ts';
import { buildInput } from './fixtures.ts';
import { measureRows, median, roundRatios } from './measure.ts';
import { floorLoop, middyAllSettled, noop, sluiceSameWork } from './rows.ts';

const [rev, roundsArg] = process.argv.slice(2);
if (rev === undefined) {
  console.error('usage: node bench/ab.ts <git-rev> [rounds]');
  process.exit(2);
}
const ROOT = new URL('..', import.meta.url).pathname;
const sha = execFileSync('git', ['rev-parse', '--short', rev], { cwd: ROOT, encoding: 'utf8' }).trim();
const dir = join(ROOT, '.sluice', 'ab', sha);
if (!existsSync(join(dir, 'lambda'))) {
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', `git archive ${sha} lambda | tar -x -C "${dir}"`], { cwd: ROOT });
}
const old = (await import(pathToFileURL(join(dir, 'lambda/runtime/index.ts')).href)) as typeof current;

const N = 10_000;
const input = buildInput(N);
const rows = [
  floorLoop(),
  middyAllSettled(noop),
  sluiceSameWork(50, noop, old, `Sluice at ${sha}`),
  sluiceSameWork(50, noop, undefined, 'Sluice, working tree'),
];
const summaries = await measureRows(rows, input, 3, Math.max(5, Number(roundsArg ?? 15)));
const [loop, , before] = summaries;
console.log(`| row | CPU µs/record (median) | vs plain loop (per round) | vs Sluice at ${sha} (per round) |\n| --- | ---: | ---: | ---: |`);
for (const s of summaries) {
  const r = (base: typeof loop): string => `${median(roundRatios(s, base!, (x) => x.cpuUs)).toFixed(3)}×`;
  console.log(`| ${s.row.name} | ${(s.cpuUs.median / N).toFixed(2)} | ${r(loop)} | ${r(before)} |`);
}
