/**
 * One engine setup whatever the entry point. A rule whose `|re` has the shape of catastrophic
 * backtracking, `(a+)+b`, gets the same verdict through the library, the vitest route
 * (`sigmaCases`) and the CLI, each in a fresh process (so no earlier code in the process can have
 * set up the engine for it): it loads, with a REGEX_BACKTRACKING_RISK warning (V8 bounds its
 * backtracking), and its cases pass. Before the loader made its own regex guarantee, the library
 * and the vitest route rejected it (REGEX_CATASTROPHIC) while the CLI accepted it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DIST, prepareDist, REPO_ROOT } from './support/dist.js';

const skip = prepareDist();
if (skip !== undefined) console.warn(`entry-points.test skipped: ${skip}`);

const RULE = `title: Nested quantifier
id: 0b6a3c2e-9f1d-4c3b-8a55-3e2f1d0c9b8a
status: test
logsource: {category: process_creation, product: windows}
detection:
  selection:
    CommandLine|re: '(a+)+b'
  condition: selection
level: low
`;
const CASES = `rule: 0b6a3c2e-9f1d-4c3b-8a55-3e2f1d0c9b8a
cases:
  - name: a run of a then b
    expect: match
    event: {CommandLine: 'xaaaab'}
  - name: a run of a only
    expect: no-match
    event: {CommandLine: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac'}
`;

const dir = mkdtempSync(join(tmpdir(), 'sigmatest-entry-'));
mkdirSync(join(dir, 'rules'));
mkdirSync(join(dir, 'cases'));
writeFileSync(join(dir, 'rules', 'nested.yml'), RULE);
writeFileSync(join(dir, 'cases', 'nested.yml'), CASES);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const url = (p: string): string => pathToFileURL(join(DIST, p)).href;

function node(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(skip !== undefined)('the engine is set up the same way by every entry point', () => {
  it('library: loadRuleFile in a fresh process loads the rule with a warning', () => {
    const script = `import { loadRuleFile } from ${JSON.stringify(url('src/index.js'))};
const f = loadRuleFile('rules/nested.yml');
console.log(JSON.stringify({ rules: f.rules.length, codes: f.diagnostics.map((d) => d.severity + ' ' + d.code) }));`;
    const r = node(['--input-type=module', '-e', script]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ rules: 1, codes: ['warning REGEX_BACKTRACKING_RISK'] });
  });

  it('CLI: sigmatest run passes both cases', () => {
    const r = node([join(REPO_ROOT, 'bin', 'sigmatest.js'), 'run', '--reporter', 'json']);
    const report = JSON.parse(r.stdout) as { summary: { passed: number; failed: number; ok: boolean } };
    expect(report.summary).toMatchObject({ passed: 2, failed: 0, ok: true });
    expect(r.stderr).toMatch(/warning REGEX_BACKTRACKING_RISK/);
    expect(r.status).toBe(0);
  });

  it('vitest route: sigmaCases in a fresh vitest run passes both cases', () => {
    writeFileSync(
      join(dir, 'nested.test.mjs'),
      `import { sigmaCases } from ${JSON.stringify(url('src/vitest/sigma-cases.js'))};\nsigmaCases({ rules: ['rules'], cases: ['cases'] });\n`,
    );
    writeFileSync(join(dir, 'vitest.config.mjs'), `export default { test: { include: ['nested.test.mjs'] } };\n`);
    const vitest = join(REPO_ROOT, 'node_modules', 'vitest', 'vitest.mjs');
    const r = node([vitest, 'run', '--root', dir, '--reporter', 'verbose']);
    // eslint-disable-next-line no-control-regex
    const out = (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, '');
    expect(out).toMatch(/a run of a then b/);
    expect(out).toMatch(/Tests\s+4 passed \(4\)/);
    expect(r.status).toBe(0);
  });
});
