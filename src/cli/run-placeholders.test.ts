/**
 * `run --placeholders skip` (and the config's `unresolved_placeholders: skip`): a rule whose
 * placeholders have no values is skipped knowingly, counted and named in every summary, its cases
 * counted as not run, and never counted as tested or passing; without it the rule fails to load.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './main.js';
import { captureIo } from '../../test/capture-io.js';

const A = '11111111-2222-4333-8444-555555555555';
const P = '31111111-2222-4333-8444-555555555555';

const PLAIN = `title: Whoami
id: ${A}
logsource: {category: process_creation, product: windows}
detection:
    sel:
        Image|endswith: '\\whoami.exe'
    condition: sel
`;
const PLACEHOLDER = `title: Admin logon
id: ${P}
logsource: {category: process_creation, product: windows}
detection:
    sel:
        User|expand: '%admins%'
    condition: sel
`;

function suite(config?: string): string {
  const d = mkdtempSync(join(tmpdir(), 'sigmatest-ph-'));
  mkdirSync(join(d, 'rules'));
  mkdirSync(join(d, 'cases'));
  writeFileSync(join(d, 'rules', 'a.yml'), PLAIN);
  writeFileSync(join(d, 'rules', 'p.yml'), PLACEHOLDER);
  writeFileSync(join(d, 'cases', 'a.yml'), `rule: ${A}\ncases:\n  - name: hit\n    expect: match\n    event: {Image: 'C:\\\\w\\\\whoami.exe'}\n  - name: miss\n    expect: no-match\n    event: {Image: 'C:\\\\w\\\\cmd.exe'}\n`);
  // One case file names the skipped rule by id, one by path.
  writeFileSync(join(d, 'cases', 'p.yml'), `rule: ${P}\ncases:\n  - name: admin\n    expect: match\n    event: {User: root}\n`);
  writeFileSync(join(d, 'cases', 'p2.yml'), `rule: ../rules/p.yml\ncases:\n  - name: a\n    expect: match\n    event: {User: a}\n  - name: b\n    expect: no-match\n    event: {User: b}\n`);
  if (config !== undefined) writeFileSync(join(d, 'sigmatest.config.yml'), config);
  return d;
}

async function run(d: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo({ cwd: d });
  const code = await runCli(['run', '--rules', 'rules', '--cases', 'cases', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('run --placeholders', () => {
  it('fails by default: the rule cannot load and its case files name an unknown rule', async () => {
    const r = await run(suite());
    expect(r.code).not.toBe(0);
    expect(r.out + r.err).toMatch(/admins/);
  });

  it('skips the rule knowingly: named in the text summary, its 3 cases not run, the rest passes', async () => {
    const r = await run(suite(), '--placeholders', 'skip');
    expect(r.code).toBe(0);
    expect(r.out).toContain('SKIPPED  Admin logon  (rules/p.yml)  skipped (--placeholders skip):');
    expect(r.out).toContain('3 cases not run');
    expect(r.out).toContain('2 rules (1 tested, 0 untested, 1 skipped), 2 cases: 2 passed');
    expect(r.out).toContain('skipped (--placeholders skip, not passing): rules/p.yml (Admin logon)');
    expect(r.out).not.toContain('CASE_RULE_UNKNOWN');
  });

  it('reports the skipped rule in JSON, JUnit and Markdown, and the config key does the same', async () => {
    const d = suite('unresolved_placeholders: skip\n');
    const json = await run(d, '--reporter', 'json');
    expect(json.code).toBe(0);
    const j = JSON.parse(json.out) as { rules: Array<Record<string, any>>; summary: Record<string, any> };
    expect(j.summary).toMatchObject({ rules: 2, tested: 1, untested: 0, skipped: 1, cases: 2, passed: 2 });
    const p = j.rules.find((x) => x.id === P)!;
    expect(p.status).toBe('skipped');
    expect(p.skipped.cases).toBe(3);
    expect(p.skipped.reason).toMatch(/admins/);
    const junit = await run(d, '--reporter', 'junit');
    expect(junit.out).toMatch(/<skipped message="rule skipped \(--placeholders skip\):[^"]*admins/);
    const md = await run(d, '--reporter', 'markdown');
    expect(md.out).toContain('2 rules (1 tested, 0 untested, 1 skipped)');
    expect(md.out).toMatch(/\*\*Skipped\*\*.*3 cases not run/);
    // The command line wins over the config.
    expect((await run(d, '--placeholders', 'error')).code).not.toBe(0);
  });

  it('a skipped rule is never passing: a suite of only skipped rules checks nothing and fails', async () => {
    const d = mkdtempSync(join(tmpdir(), 'sigmatest-ph-'));
    mkdirSync(join(d, 'rules'));
    mkdirSync(join(d, 'cases'));
    writeFileSync(join(d, 'rules', 'p.yml'), PLACEHOLDER);
    writeFileSync(join(d, 'cases', 'p.yml'), `rule: ${P}\ncases:\n  - name: admin\n    expect: match\n    event: {User: root}\n`);
    const r = await run(d, '--placeholders', 'skip');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAILED: no cases were found/);
  });

  it('shards keep each skipped rule once, and merge-reports keeps it skipped', async () => {
    const d = suite();
    const one = await run(d, '--placeholders', 'skip', '--reporter', 'json', '--shard', '1/2', '--out', 's1.json');
    const two = await run(d, '--placeholders', 'skip', '--reporter', 'json', '--shard', '2/2', '--out', 's2.json');
    expect([one.code, two.code]).toEqual([0, expect.any(Number)]);
    const io = captureIo({ cwd: d });
    const code = await runCli(['merge-reports', 's1.json', 's2.json', '--reporter', 'json'], io);
    expect(code).toBe(0);
    const m = JSON.parse(io.stdout()) as { rules: Array<Record<string, any>>; summary: Record<string, any> };
    expect(m.summary).toMatchObject({ rules: 2, tested: 1, skipped: 1 });
    expect(m.rules.filter((x) => x.status === 'skipped').map((x) => [x.id, x.skipped.cases])).toEqual([[P, 3]]);
  });
});
