#!/usr/bin/env node
// `npm run fuzz:inputs -- [--runs N] [--seed S]`: the loader fuzz test (test/loader-fuzz.test.ts)
// with N runs per loader (default 2,000) and a given seed (default: random, printed by fast-check
// on a failure). `npm test` runs the same test with a small fixed budget.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const value = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const runs = value('--runs') ?? '2000';
const seed = value('--seed');
for (const [name, v] of [['--runs', runs], ['--seed', seed]]) {
  if (v !== undefined && !/^\d+$/.test(v)) {
    process.stderr.write(`fuzz:inputs: ${name} takes a whole number, not '${v}'\n`);
    process.exit(2);
  }
}
const unknown = args.filter((a, i) => a.startsWith('--') && a !== '--runs' && a !== '--seed' && args[i - 1] !== '--runs' && args[i - 1] !== '--seed');
if (unknown.length > 0) {
  process.stderr.write(`fuzz:inputs: unknown option ${unknown[0]} (takes --runs N and --seed S)\n`);
  process.exit(2);
}
const root = fileURLToPath(new URL('..', import.meta.url));
const env = { ...process.env, FUZZ_INPUTS_RUNS: runs, ...(seed !== undefined ? { FUZZ_INPUTS_SEED: seed } : {}) };
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const r = spawnSync(process.execPath, [vitest, 'run', 'test/loader-fuzz.test.ts', '--testTimeout', '0'], { cwd: root, env, stdio: 'inherit' });
process.exit(r.status ?? 1);
