#!/usr/bin/env node
// Entry point of the `sigmatest` command. The TypeScript sources are compiled to dist/ by
// `npm run build`, which `npm ci` runs through the `prepare` script.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  process.stderr.write('sigmatest: dist/ is missing; run `npm run build` (npm ci does this) first.\n');
  process.exit(2);
}
// A closed pipe (`sigmatest eval ... | head`) ends the output quietly, as for other Unix tools.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
// Process-start V8 settings, before any of the program's code has run (see v8-tuning.ts).
const { tuneV8AtStart } = await import(new URL('../dist/src/cli/v8-tuning.js', import.meta.url).href);
tuneV8AtStart();
const { runCli } = await import(main);
process.exitCode = await runCli(process.argv.slice(2));
