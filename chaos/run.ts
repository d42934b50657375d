/**
 * `npm run chaos`: runs a chaos run from command-line flags, prints the report, writes it
 * as JSON to `<out-dir>/report.json`, and exits 1 on any loss (2 for bad flags).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChaos } from './chaos-run.ts';
import { chaosHelp, parseChaosArgs } from './options.ts';
import { formatReport } from './report.ts';

let options: ReturnType<typeof parseChaosArgs>;
try {
  options = parseChaosArgs(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${chaosHelp()}\n`);
  process.exit(2);
}
if (options === 'help') {
  process.stdout.write(`${chaosHelp()}\n`);
} else {
  const report = await runChaos(options, (line) => process.stdout.write(`${line}\n`));
  writeFileSync(join(report.outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${formatReport(report).join('\n')}\n`);
  process.exitCode = report.ok ? 0 : 1;
}
