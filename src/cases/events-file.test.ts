/**
 * Case files read only inside their root (issue 23): absolute paths, `..` escapes, symbolic links
 * leading out, devices, FIFOs and folders are refused with a located CASE_PATH_OUTSIDE, nothing of
 * the file reaches any result, and an events_file without events fails its case.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRuleText } from '../rules/load-rule.js';
import type { SigmaRule } from '../rules/load-rule.js';
import { builtinMapping } from '../logsource/builtin-mapping.js';
import { loadCaseFile } from './load-cases.js';
import { runSuite } from './run-cases.js';
import { caseRoot, openCaseFileRead } from './events-file.js';

const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sigmatest-events-file-'));
  temps.push(d);
  return d;
}

function write(root: string, path: string, text: string): string {
  const p = join(root, path);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
}

const ID = '3f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b';
const RULE = `title: Whoami
id: ${ID}
logsource: {category: process_creation, product: windows}
detection:
  selection:
    Image|endswith: '\\whoami.exe'
  condition: selection
`;
const SECRET = 'TOKEN-d41d8cd98f00b204e980';

/** A repository (with .git) beside a folder holding a secret, and the rule. */
function layout(): { top: string; repo: string; secretFile: string; rule: SigmaRule } {
  const top = tempDir();
  const repo = join(top, 'repo');
  mkdirSync(join(repo, '.git'), { recursive: true });
  const secretFile = write(top, 'outside/secret.json', JSON.stringify({ Image: `C:\\${SECRET}\\whoami.exe`, token: SECRET }) + '\n');
  const rule = loadRuleText(RULE, join(repo, 'rules/r.yml')).rules[0] as SigmaRule;
  write(repo, 'rules/r.yml', RULE);
  return { top, repo, secretFile, rule };
}

function caseFileWith(repo: string, cases: string): string {
  return write(repo, 'cases/c.yml', `rule: ${ID}\ncases:\n${cases}`);
}

describe('caseRoot', () => {
  it('is the given root, else the nearest folder with .git, else the working folder holding the case file, else its folder', () => {
    const { top, repo } = layout();
    const inRepo = write(repo, 'deep/er/cases/c.yml', '');
    expect(caseRoot(inRepo)).toBe(repo);
    expect(caseRoot(inRepo, { root: join(repo, 'deep') })).toBe(join(repo, 'deep'));
    const loose = write(top, 'loose/cases/c.yml', '');
    expect(caseRoot(loose, { cwd: join(top, 'loose') })).toBe(join(top, 'loose'));
    expect(caseRoot(loose, { cwd: join(repo, 'deep') })).toBe(join(top, 'loose/cases'));
    // A worktree's .git is a file.
    const wt = join(top, 'wt');
    write(wt, '.git', 'gitdir: /elsewhere\n');
    expect(caseRoot(write(wt, 'cases/c.yml', ''))).toBe(wt);
  });
});

describe('openCaseFileRead', () => {
  it('opens a regular file inside the root, through symbolic links that stay inside', () => {
    const { repo } = layout();
    const cf = caseFileWith(repo, '');
    write(repo, 'data/e.jsonl', '{"a":1}\n');
    symlinkSync('../data', join(repo, 'cases/data-link'));
    for (const p of ['../data/e.jsonl', 'data-link/e.jsonl', './../cases/../data/e.jsonl']) {
      const a = openCaseFileRead(cf, p, repo);
      expect(a.ok, p).toBe(true);
      if (a.ok) {
        expect(readFileSync(a.fd, 'utf8')).toBe('{"a":1}\n');
        closeSync(a.fd);
      }
    }
  });

  it('refuses absolute paths, .. escapes, links leading out, folders, devices and FIFOs, without blocking', () => {
    const { top, repo, secretFile } = layout();
    const cf = caseFileWith(repo, '');
    symlinkSync(secretFile, join(repo, 'cases/file-link.json'));
    symlinkSync(join(top, 'outside'), join(repo, 'cases/dir-link'));
    symlinkSync('/dev/zero', join(repo, 'cases/zero.jsonl'));
    mkdirSync(join(repo, 'cases/folder.json'));
    execFileSync('mkfifo', [join(repo, 'cases/fifo.jsonl')]);
    const refused: Array<[string, RegExp]> = [
      [secretFile, /absolute path/],
      ['C:\\Windows\\win.ini', /absolute path/],
      ['\\\\server\\share\\x.json', /absolute path/],
      ['../../outside/secret.json', /leads out of/],
      ['../' + '../'.repeat(20) + 'etc/passwd', /leads out of/],
      ['file-link.json', /symbolic link .* leading out/],
      ['dir-link/secret.json', /symbolic link .* leading out/],
      ['zero.jsonl', /symbolic link .* leading out/],
      ['folder.json', /is a folder/],
      ['fifo.jsonl', /is a FIFO/],
    ];
    for (const [p, why] of refused) {
      const a = openCaseFileRead(cf, p, repo);
      expect(a.ok, p).toBe(false);
      if (!a.ok) {
        expect(a.refused, p).toBe(true);
        expect(a.reason, p).toMatch(why);
      }
    }
    // With the whole file system as the root, a device is still no file of events.
    const dev = openCaseFileRead(cf, '../'.repeat(40) + 'dev/zero', '/');
    expect(dev.ok).toBe(false);
    if (!dev.ok) expect(dev.reason).toMatch(/is a device/);
    const missing = openCaseFileRead(cf, 'nope.jsonl', repo);
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.refused).toBe(false);
  });
});

describe('runSuite: events_file inside the root', () => {
  it('refuses every way out with a located CASE_PATH_OUTSIDE and no byte of the outside file in any result', () => {
    const { top, repo, secretFile, rule } = layout();
    mkdirSync(join(repo, 'cases'));
    symlinkSync(secretFile, join(repo, 'cases/file-link.json'));
    symlinkSync(join(top, 'outside'), join(repo, 'cases/dir-link'));
    const ways = [secretFile, '../../outside/secret.json', 'file-link.json', 'dir-link/secret.json'];
    const cf = caseFileWith(
      repo,
      ways.map((w, k) => `  - name: way ${k}\n    expect: match\n    stages: {selection: true}\n    events_file: '${w}'\n`).join('') +
        "  - name: inline\n    expect: no-match\n    event: {Image: 'C:\\x\\cmd.exe'}\n",
    );
    const loaded = loadCaseFile(cf);
    expect(loaded.diagnostics).toEqual([]);
    const result = runSuite([rule], [loaded.caseFile!], { mapping: builtinMapping });
    const cases = result.rules[0]!.cases;
    expect(cases.map((c) => c.status)).toEqual(['error', 'error', 'error', 'error', 'pass']);
    expect(result.diagnostics.map((d) => [d.code, d.pos?.line, d.pos?.column, d.path])).toEqual(
      ways.map((_, k) => ['CASE_PATH_OUTSIDE', 6 + 4 * k, 19, `cases[${k}].events_file`]),
    );
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it('reads the same file once it is given as the root (--root)', () => {
    const { top, repo, rule } = layout();
    const cf = caseFileWith(repo, "  - name: outside\n    expect: match\n    events_file: '../../outside/secret.json'\n");
    const result = runSuite([rule], [loadCaseFile(cf).caseFile!], { mapping: builtinMapping, root: top });
    expect(result.diagnostics).toEqual([]);
    expect(result.rules[0]!.cases[0]).toMatchObject({ status: 'pass', events: 1, matched: 1 });
  });

  it('an events_file with no events fails its case whatever it expects (CASE_EVENTS_EMPTY, located)', () => {
    const { repo, rule } = layout();
    write(repo, 'cases/empty.jsonl', '');
    write(repo, 'cases/blank.jsonl', '\n\n  \n');
    write(repo, 'cases/empty-array.json', '[]\n');
    const cf = caseFileWith(
      repo,
      [
        '  - name: empty, expect match\n    expect: match\n    events_file: empty.jsonl\n',
        '  - name: empty, expect no-match\n    expect: no-match\n    events_file: empty.jsonl\n',
        '  - name: blank lines, at most 0\n    count: {at_most: 0}\n    events_file: blank.jsonl\n',
        '  - name: empty array, exactly 0\n    count: {exactly: 0}\n    events_file: empty-array.json\n',
      ].join(''),
    );
    const result = runSuite([rule], [loadCaseFile(cf).caseFile!], { mapping: builtinMapping });
    expect(result.rules[0]!.cases.map((c) => c.status)).toEqual(['error', 'error', 'error', 'error']);
    expect(result.diagnostics.map((d) => [d.code, d.pos?.line])).toEqual([
      ['CASE_EVENTS_EMPTY', 5],
      ['CASE_EVENTS_EMPTY', 8],
      ['CASE_EVENTS_EMPTY', 11],
      ['CASE_EVENTS_EMPTY', 14],
    ]);
  });

  it('a rule named by a path leading out is refused too (its title would show)', () => {
    const { top, repo, rule } = layout();
    write(top, 'outside/other.yml', RULE.replace('title: Whoami', `title: ${SECRET}`).replace(ID, '4f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b'));
    const cf = write(repo, 'cases/by-path.yml', "rule: ../../outside/other.yml\ncases:\n  - name: a\n    expect: match\n    event: {Image: 'C:\\x\\whoami.exe'}\n");
    const result = runSuite([rule], [loadCaseFile(cf).caseFile!], { mapping: builtinMapping });
    expect(result.diagnostics.map((d) => [d.code, d.pos?.line])).toEqual([['CASE_PATH_OUTSIDE', 1]]);
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });
});
