#!/usr/bin/env node
/**
 * `sluice` CLI entry: parses the command line and delegates (see `lib/cli/main.ts`).
 */
import { runCli } from '../lib/cli/index.ts';

const code = await runCli(process.argv.slice(2));
process.exitCode = code;
// The command is over. Work it abandoned (a forced worker stop) must not keep the process
// alive; an unref'd timer fires only if something else still holds the event loop.
setTimeout(() => process.exit(code), 1000).unref();
