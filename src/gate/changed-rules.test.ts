import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { changedRules, readBaseVersion } from './changed-rules.js';

const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

// Keep tests independent of the machine's git configuration (hooks, signing, default branch...).
const GIT_ENV = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_CEILING_DIRECTORIES: tmpdir() };

function sh(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Gate Test', '-c', 'user.email=gate@example.org', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
    env: GIT_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sigmatest-gate-'));
  temps.push(d);
  return d;
}

function write(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

/** A distinct little rule per name: mostly name-specific lines, so git never pairs two different rules as a rename. */
function rule(name: string, extra = ''): string {
  const lines = Array.from({ length: 12 }, (_, k) => `    - '${name}-${k} ${name.repeat(8)}'`).join('\n');
  return `title: Rule ${name}\nlogsource:\n  category: process_creation\ndetection:\n  selection:\n    CommandLine|contains:\n${lines}\n  condition: selection\n${extra}`;
}

function initRepo(branch = 'main'): string {
  const root = tempDir();
  sh(root, 'init', '-q', '-b', branch);
  return root;
}

function commitAll(root: string, message: string): void {
  sh(root, 'add', '-A');
  sh(root, 'commit', '-q', '-m', message);
}

/**
 * main: rules/{a,b,c,d}.yml, other/x.yml, rules/readme.md. Branch `feature`: a modified, b renamed
 * (git mv), c deleted, e added (all committed); then on main after branching: late.yml added and a
 * modified again (must not show). Back on feature: d edited but not committed, an untracked rule,
 * an ignored rule, a non-YAML file and a YAML file outside the rule folder.
 */
function scenario(): string {
  const root = initRepo();
  for (const n of ['a', 'b', 'c', 'd']) write(root, `rules/${n}.yml`, rule(n));
  write(root, 'other/x.yml', rule('x'));
  write(root, 'rules/readme.md', '# rules\n');
  write(root, '.gitignore', 'rules/ignored.yml\n');
  commitAll(root, 'initial');
  sh(root, 'checkout', '-q', '-b', 'feature');
  write(root, 'rules/a.yml', rule('a', 'falsepositives:\n  - Admins\n'));
  mkdirSync(join(root, 'rules/sub'));
  sh(root, 'mv', 'rules/b.yml', 'rules/sub/b2.yml');
  sh(root, 'rm', '-q', 'rules/c.yml');
  write(root, 'rules/e.yml', rule('e'));
  commitAll(root, 'feature work');
  sh(root, 'checkout', '-q', 'main');
  write(root, 'rules/late.yml', rule('late'));
  write(root, 'rules/d.yml', rule('d', 'status: test\n'));
  commitAll(root, 'main moves on');
  sh(root, 'checkout', '-q', 'feature');
  write(root, 'rules/d.yml', rule('d', 'falsepositives:\n  - Uncommitted edit\n'));
  write(root, 'rules/new/untracked.yaml', rule('f'));
  write(root, 'rules/ignored.yml', rule('g'));
  write(root, 'rules/notes.txt', 'not a rule\n');
  write(root, 'other/y.yml', rule('y'));
  return root;
}

describe('changedRules with git', () => {
  it('reports every change kind against the merge-base with main, including uncommitted and untracked files', () => {
    const root = scenario();
    const r = changedRules({ cwd: root, ruleDirs: ['rules'] });
    expect(r.diagnostics).toEqual([]);
    expect(r.mode).toBe('git');
    expect(r.baseRef).toBe('main'); // no upstream: main
    expect(r.base).toBe(sh(root, 'merge-base', 'main', 'HEAD').trim());
    expect(r.base).not.toBe(sh(root, 'rev-parse', 'main').trim());
    expect(r.changes).toEqual([
      { change: 'modified', path: 'rules/a.yml' },
      { change: 'deleted', path: 'rules/c.yml' },
      { change: 'modified', path: 'rules/d.yml' }, // uncommitted edit; main's later edit does not count
      { change: 'added', path: 'rules/e.yml' },
      { change: 'added', path: 'rules/new/untracked.yaml' },
      { change: 'renamed', path: 'rules/sub/b2.yml', oldPath: 'rules/b.yml' },
    ]);
    // rules/late.yml (added on main after branching) is absent: the diff is against the merge-base.
    expect(r.changes.some((c) => c.path.includes('late'))).toBe(false);

    // The explicit base gives the same answer; several rule folders are merged.
    const explicit = changedRules({ cwd: root, base: 'main', ruleDirs: ['rules', 'other'] });
    expect(explicit.baseRef).toBe('main');
    expect(explicit.changes.map((c) => c.path)).toEqual(['other/y.yml', 'rules/a.yml', 'rules/c.yml', 'rules/d.yml', 'rules/e.yml', 'rules/new/untracked.yaml', 'rules/sub/b2.yml']);
  });

  it('readBaseVersion returns the file at the merge-base (old path for renames), undefined when absent', () => {
    const root = scenario();
    const r = changedRules({ cwd: root, ruleDirs: ['rules'] });
    const base = r.base as string;
    expect(readBaseVersion(root, base, 'rules/a.yml')).toBe(rule('a'));
    expect(readBaseVersion(root, base, 'rules/d.yml')).toBe(rule('d')); // not main's later version
    const renamed = r.changes.find((c) => c.change === 'renamed');
    expect(readBaseVersion(root, base, renamed?.oldPath as string)).toBe(rule('b'));
    expect(readBaseVersion(root, base, 'rules/e.yml')).toBeUndefined();
    expect(readBaseVersion(root, base, '../outside.yml')).toBeUndefined();
    expect(readBaseVersion(tempDir(), base, 'rules/a.yml')).toBeUndefined(); // not a repository
  });

  it('paths are relative to cwd when cwd is a subfolder of the repository', () => {
    const root = scenario();
    const r = changedRules({ cwd: join(root, 'rules'), ruleDirs: ['.'] });
    expect(r.changes.map((c) => [c.change, c.path, c.oldPath])).toEqual([
      ['modified', 'a.yml', undefined],
      ['deleted', 'c.yml', undefined],
      ['modified', 'd.yml', undefined],
      ['added', 'e.yml', undefined],
      ['added', 'new/untracked.yaml', undefined],
      ['renamed', 'sub/b2.yml', 'b.yml'],
    ]);
    expect(readBaseVersion(join(root, 'rules'), r.base as string, 'a.yml')).toBe(rule('a'));
  });

  it('uses the upstream of the current branch when there is one', () => {
    const root = initRepo();
    write(root, 'rules/a.yml', rule('a'));
    commitAll(root, 'initial');
    sh(root, 'checkout', '-q', '-b', 'develop');
    write(root, 'rules/dev.yml', rule('dev'));
    commitAll(root, 'develop work');
    sh(root, 'checkout', '-q', '-b', 'feature');
    sh(root, 'branch', '-q', '--set-upstream-to=develop');
    write(root, 'rules/feat.yml', rule('feat'));
    commitAll(root, 'feature work');
    const r = changedRules({ cwd: root, ruleDirs: ['rules'] });
    expect(r.baseRef).toBe('develop');
    expect(r.changes).toEqual([{ change: 'added', path: 'rules/feat.yml' }]); // dev.yml is in the base
  });

  it('falls back to master when there is no main', () => {
    const root = initRepo('master');
    write(root, 'rules/a.yml', rule('a'));
    commitAll(root, 'initial');
    sh(root, 'checkout', '-q', '-b', 'topic');
    write(root, 'rules/a.yml', rule('a', 'status: test\n'));
    const r = changedRules({ cwd: root, ruleDirs: ['rules'] });
    expect(r.baseRef).toBe('master');
    expect(r.changes).toEqual([{ change: 'modified', path: 'rules/a.yml' }]);
  });

  it('in a CI-style checkout (detached HEAD, no local main) falls back to origin/main', () => {
    const root = initRepo();
    write(root, 'rules/a.yml', rule('a'));
    commitAll(root, 'initial');
    sh(root, 'update-ref', 'refs/remotes/origin/main', 'main');
    sh(root, 'checkout', '-q', '--detach');
    sh(root, 'branch', '-q', '-D', 'main');
    write(root, 'rules/b.yml', rule('b'));
    commitAll(root, 'pull request');
    const r = changedRules({ cwd: root, ruleDirs: ['rules'] });
    expect(r.baseRef).toBe('origin/main');
    expect(r.changes).toEqual([{ change: 'added', path: 'rules/b.yml' }]);
  });

  it('a base ref that does not exist is a GATE_BASE_UNKNOWN error', () => {
    const root = scenario();
    const r = changedRules({ cwd: root, base: 'origin/nope', ruleDirs: ['rules'] });
    expect(r.mode).toBe('git');
    expect(r.changes).toEqual([]);
    expect(r.diagnostics).toEqual([expect.objectContaining({ code: 'GATE_BASE_UNKNOWN', severity: 'error' })]);
    expect(r.diagnostics[0]?.message).toContain('origin/nope');
    // Nor can a ref be smuggled in as an option.
    expect(changedRules({ cwd: root, base: '--output=/tmp/x', ruleDirs: ['rules'] }).diagnostics[0]?.code).toBe('GATE_BASE_UNKNOWN');
    // No upstream, no main, no master: also GATE_BASE_UNKNOWN (name one with --base).
    const lonely = initRepo('trunk');
    write(lonely, 'rules/a.yml', rule('a'));
    commitAll(lonely, 'initial');
    expect(changedRules({ cwd: lonely, ruleDirs: ['rules'] }).diagnostics.map((d) => [d.code, d.severity])).toEqual([['GATE_BASE_UNKNOWN', 'error']]);
    expect(changedRules({ cwd: lonely, base: 'trunk', ruleDirs: ['rules'] }).diagnostics).toEqual([]);
  });

  it('a plain mv (deleted tracked file + untracked file with the same content) is a rename', () => {
    const root = initRepo();
    write(root, 'rules/a.yml', rule('a'));
    write(root, 'rules/b.yml', rule('b'));
    commitAll(root, 'initial');
    sh(root, 'checkout', '-q', '-b', 'feature');
    mkdirSync(join(root, 'rules/moved'));
    renameSync(join(root, 'rules/a.yml'), join(root, 'rules/moved/a.yml'));
    unlinkSync(join(root, 'rules/b.yml'));
    const r = changedRules({ cwd: root, ruleDirs: ['rules'] });
    expect(r.changes).toEqual([
      { change: 'deleted', path: 'rules/b.yml' },
      { change: 'renamed', path: 'rules/moved/a.yml', oldPath: 'rules/a.yml' },
    ]);
  });

  it('a repository without commits: every rule file is added', () => {
    const root = initRepo();
    write(root, 'rules/a.yml', rule('a'));
    write(root, 'rules/b.yml', rule('b'));
    sh(root, 'add', 'rules/a.yml');
    const r = changedRules({ cwd: root, ruleDirs: ['rules'] });
    expect(r.mode).toBe('git');
    expect(r.changes).toEqual([
      { change: 'added', path: 'rules/a.yml' },
      { change: 'added', path: 'rules/b.yml' },
    ]);
    expect(changedRules({ cwd: root, base: 'main', ruleDirs: ['rules'] }).diagnostics[0]?.code).toBe('GATE_BASE_UNKNOWN');
  });
});

describe('changedRules without git', () => {
  it("outside a repository every rule file under the rule folders is 'added'", () => {
    const root = tempDir();
    write(root, 'rules/a.yml', rule('a'));
    write(root, 'rules/sub/b.yaml', rule('b'));
    write(root, 'rules/.hidden/c.yml', rule('c'));
    write(root, 'rules/notes.md', 'x');
    write(root, 'other/d.yml', rule('d'));
    const prev = process.env.GIT_CEILING_DIRECTORIES;
    process.env.GIT_CEILING_DIRECTORIES = tmpdir();
    try {
      const r = changedRules({ cwd: root, ruleDirs: ['rules', 'missing'] });
      expect(r.mode).toBe('no-git');
      expect(r.base).toBeUndefined();
      expect(r.changes).toEqual([
        { change: 'added', path: 'rules/a.yml' },
        { change: 'added', path: 'rules/sub/b.yaml' },
      ]);
      expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([
        ['GATE_NO_GIT', 'warning'],
        ['PATH_NOT_FOUND', 'error'],
      ]);
      // Asking for a base without a repository is an error.
      const withBase = changedRules({ cwd: root, base: 'main', ruleDirs: ['rules'] });
      expect(withBase.mode).toBe('no-git');
      expect(withBase.diagnostics.map((d) => [d.code, d.severity])).toEqual([['GATE_NO_GIT', 'error']]);
    } finally {
      if (prev === undefined) delete process.env.GIT_CEILING_DIRECTORIES;
      else process.env.GIT_CEILING_DIRECTORIES = prev;
    }
  });

  it("without a git executable it is 'no-git' too", () => {
    const root = tempDir();
    write(root, 'rules/a.yml', rule('a'));
    const prev = process.env.PATH;
    process.env.PATH = join(root, 'no-such-bin');
    try {
      const r = changedRules({ cwd: root, ruleDirs: ['rules'] });
      expect(r.mode).toBe('no-git');
      expect(r.changes).toEqual([{ change: 'added', path: 'rules/a.yml' }]);
      expect(r.diagnostics[0]?.message).toContain('git is not installed');
    } finally {
      process.env.PATH = prev;
    }
  });
});
