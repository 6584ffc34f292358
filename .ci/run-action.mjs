#!/usr/bin/env node
// Runs the `run` steps of a composite action (action.yml) here, the way a GitHub runner would:
// `${{ inputs.<name> }}` in a step's env from name=value arguments (else the input's default),
// GITHUB_ACTION_PATH, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY set, bash as the shell. Steps that
// use another action (upload-sarif) are listed, not run. After a failed step only steps whose
// `if` holds `always()` run. Exits with the first failed step's exit code. A `run` script may not
// hold `${{ }}` itself (that would let input text become shell code).
//
//   node .ci/run-action.mjs <action.yml> [input=value...]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { load as loadYaml } from 'js-yaml';

const [file, ...pairs] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: node .ci/run-action.mjs <action.yml> [input=value...]\n');
  process.exit(2);
}
const action = loadYaml(readFileSync(file, 'utf8'));
if (action?.runs?.using !== 'composite') throw new Error(`${file} is not a composite action`);
const given = Object.fromEntries(pairs.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
for (const k of Object.keys(given)) if (!(k in (action.inputs ?? {}))) throw new Error(`${file} has no input '${k}'`);
const inputs = Object.fromEntries(Object.entries(action.inputs ?? {}).map(([k, v]) => [k, given[k] ?? String(v.default ?? '')]));
const expr = (s) =>
  String(s).replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_, k) => {
    if (!(k in inputs)) throw new Error(`unknown input ${k}`);
    return inputs[k];
  });

const tmp = mkdtempSync(join(tmpdir(), 'run-action-'));
let failed = 0;
try {
  for (const [i, step] of action.runs.steps.entries()) {
    const name = step.name ?? step.id ?? `step ${i + 1}`;
    if (failed !== 0 && !/always\(\)/.test(String(step.if ?? ''))) continue;
    if (step.uses !== undefined) {
      process.stderr.write(`run-action: ${name}: uses ${step.uses} (not run here)\n`);
      continue;
    }
    if (/\$\{\{/.test(step.run)) throw new Error(`${name}: the run script holds \${{ }}: pass inputs through env`);
    if (step.shell !== 'bash') throw new Error(`${name}: composite run steps need shell: bash`);
    const env = {
      ...process.env,
      GITHUB_ACTION_PATH: resolve(dirname(file)),
      GITHUB_OUTPUT: join(tmp, `output-${i}`),
      GITHUB_STEP_SUMMARY: join(tmp, 'summary.md'),
      ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expr(v)])),
    };
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run], { env, stdio: 'inherit' });
    const code = r.status ?? 1;
    process.stderr.write(`run-action: ${name}: exit ${code}\n`);
    if (code !== 0 && failed === 0) failed = code;
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(failed);
