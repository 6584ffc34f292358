/**
 * Which rule files changed against a base, for `sigmatest gate`.
 *
 * With git: the base is `--base` if given, else the upstream of the current branch, else `main`
 * (or `origin/main`), else `master` (or `origin/master`). Changes are taken against the merge-base of the base and HEAD (what a pull request
 * would show, so commits made on the base branch after branching never count) and against the
 * working tree, so staged, unstaged and untracked rule files count too. Only .yml/.yaml files under
 * the rule folders are reported (and, as `caseChanges`, those under the case folders). A tracked file deleted in the working tree and an untracked file
 * with the same content are paired into a rename (a plain `mv` without `git mv`).
 *
 * Without git (no repository, or no git executable) every rule file under the rule folders counts
 * as added. git runs through execFileSync with an argument list, never a shell.
 */
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { diagnostic } from '../diagnostics/diagnostics.js';
import type { Diagnostic } from '../diagnostics/diagnostics.js';
import { listYamlFiles } from '../rules/collect-rules.js';
import { isRuleFileName } from '../rules/load-rule.js';

export type ChangeKind = 'added' | 'modified' | 'renamed' | 'deleted';

export interface RuleChange {
  change: ChangeKind;
  /** The file now (for `deleted`, the file that was removed), relative to cwd. */
  path: string;
  /** For `renamed`: the path at the merge-base, relative to cwd. */
  oldPath?: string;
}

export interface ChangedRules {
  mode: 'git' | 'no-git';
  /** The merge-base commit (full hash) the changes are taken against. */
  base?: string;
  /** The ref the merge-base was computed with (`--base`, the upstream, `main` or `master`). */
  baseRef?: string;
  /** Sorted by path. */
  changes: RuleChange[];
  /** Changed case files (.yml/.yaml under the case folders, when given), sorted by path. */
  caseChanges: RuleChange[];
  diagnostics: Diagnostic[];
}

export interface ChangedRulesOptions {
  /** The working directory: git runs here, ruleDirs and the reported paths are relative to it. */
  cwd: string;
  /** The ref to compare with; by default the upstream, else main, else master. */
  base?: string;
  /** Rule folders (or files), relative to cwd or absolute. */
  ruleDirs: readonly string[];
  /** Case folders (or files): their changed YAML files are reported as `caseChanges`. */
  caseDirs?: readonly string[];
}

/** git's failure: not found (ENOENT) or a non-zero exit. */
class GitError extends Error {
  constructor(
    message: string,
    readonly missing: boolean,
  ) {
    super(message);
  }
}

function git(cwd: string, args: readonly string[]): string {
  try {
    return execFileSync('git', [...args], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env, LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0' },
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string | Buffer };
    if (err.code === 'ENOENT') throw new GitError('git is not installed (or not on PATH)', true);
    const stderr = err.stderr === undefined ? '' : String(err.stderr).trim();
    throw new GitError(stderr === '' ? err.message : stderr, false);
  }
}

function tryGit(cwd: string, args: readonly string[]): string | undefined {
  try {
    return git(cwd, args);
  } catch (e) {
    if (e instanceof GitError && e.missing) throw e;
    return undefined;
  }
}

/** The full hash of a commit-ish, or undefined when it does not name a commit. */
function resolveCommit(top: string, ref: string): string | undefined {
  if (ref.startsWith('-')) return undefined; // never let a ref be read as an option
  return tryGit(top, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])?.trim() || undefined;
}

/**
 * Fallback bases when the branch has no upstream, in order. The remote-tracking names help CI
 * checkouts (detached HEAD, no local main).
 */
const DEFAULT_BASES = ['main', 'origin/main', 'master', 'origin/master'];

const toPosix = (p: string): string => p.split(sep).join('/');

/** NUL-separated fields of `-z` output. */
function fields(out: string): string[] {
  const f = out.split('\0');
  if (f[f.length - 1] === '') f.pop();
  return f;
}

/** Lists changed rule files against a base (see the file comment). Never throws for git problems. */
export function changedRules(options: ChangedRulesOptions): ChangedRules {
  const cwd = resolve(options.cwd);
  const diagnostics: Diagnostic[] = [];
  const noGit = (reason: string): ChangedRules => {
    const explicit = options.base !== undefined;
    diagnostics.push(
      diagnostic(
        'GATE_NO_GIT',
        explicit
          ? `cannot compare with '${options.base}': ${reason}`
          : `${reason}: every rule file counts as added`,
        {},
        explicit ? 'error' : 'warning',
      ),
    );
    const listed = listYamlFiles(options.ruleDirs.map((d) => resolve(cwd, d)));
    diagnostics.push(...listed.diagnostics);
    const changes = [...new Set(listed.files.map((f) => toPosix(relative(cwd, f))))].sort().map((path): RuleChange => ({ change: 'added', path }));
    return { mode: 'no-git', changes, caseChanges: [], diagnostics };
  };

  let top: string;
  try {
    const out = tryGit(cwd, ['rev-parse', '--show-toplevel']);
    if (out === undefined) return noGit(`${cwd} is not inside a git repository`);
    top = out.trim();
  } catch (e) {
    return noGit((e as Error).message);
  }

  try {
    return inRepository(cwd, top, options, diagnostics);
  } catch (e) {
    // git disappeared between calls, or a command failed unexpectedly.
    diagnostics.push(diagnostic('GATE_GIT_FAILED', `git failed: ${(e as Error).message}`));
    return { mode: 'git', changes: [], caseChanges: [], diagnostics };
  }
}

function inRepository(cwd: string, top: string, options: ChangedRulesOptions, diagnostics: Diagnostic[]): ChangedRules {
  const realCwd = realpathSync(cwd);
  const realTop = realpathSync(top);
  // Rule folders as paths relative to the repository top (posix); a folder outside it matches nothing.
  const under = (folders: readonly string[]): ((p: string) => boolean) => {
    const dirs = folders.map((d) => toPosix(relative(realTop, realpathOr(resolve(realCwd, d)))));
    return (p: string): boolean =>
      isRuleFileName(p) &&
      dirs.some((d) => {
        if (d.startsWith('..') || isAbsolute(d)) return false;
        if (d === '' || d === '.') return visible(p);
        if (p === d) return true;
        return p.startsWith(`${d}/`) && visible(p.slice(d.length + 1));
      });
  };
  const inRuleDirs = under(options.ruleDirs);
  const inCaseDirs = under(options.caseDirs ?? []);
  const fromTop = (p: string): string => toPosix(relative(realCwd, resolve(realTop, p)));

  const head = resolveCommit(top, 'HEAD');
  let baseRef = options.base;
  if (baseRef === undefined) {
    const upstream = tryGit(top, ['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{u}'])?.trim();
    if (upstream !== undefined && upstream !== '' && resolveCommit(top, upstream) !== undefined) baseRef = upstream;
    else baseRef = DEFAULT_BASES.find((b) => resolveCommit(top, b) !== undefined);
  }

  if (head === undefined) {
    // A repository without commits: everything in it is new.
    if (options.base !== undefined) {
      diagnostics.push(diagnostic('GATE_BASE_UNKNOWN', `the base '${options.base}' is not a commit of this repository (it has no commits yet)`));
      return { mode: 'git', baseRef: options.base, changes: [], caseChanges: [], diagnostics };
    }
    const files = fields(git(top, ['ls-files', '-z', '--cached', '--others', '--exclude-standard']));
    const added = (keep: (p: string) => boolean): RuleChange[] => sortChanges([...new Set(files)].filter(keep).map((p): RuleChange => ({ change: 'added', path: fromTop(p) })));
    return { mode: 'git', changes: added(inRuleDirs), caseChanges: added(inCaseDirs), diagnostics };
  }

  if (baseRef === undefined) {
    diagnostics.push(
      diagnostic('GATE_BASE_UNKNOWN', `no base to compare with: the branch has no upstream and there is no ${DEFAULT_BASES.join(', ')}; name one with --base`),
    );
    return { mode: 'git', changes: [], caseChanges: [], diagnostics };
  }
  const baseCommit = resolveCommit(top, baseRef);
  if (baseCommit === undefined) {
    diagnostics.push(diagnostic('GATE_BASE_UNKNOWN', `the base '${baseRef}' is not a branch, tag or commit of this repository (fetch it, or name another with --base)`));
    return { mode: 'git', baseRef, changes: [], caseChanges: [], diagnostics };
  }
  const mergeBase = tryGit(top, ['merge-base', baseCommit, head])?.trim();
  if (mergeBase === undefined || mergeBase === '') {
    diagnostics.push(diagnostic('GATE_NO_MERGE_BASE', `'${baseRef}' and HEAD have no common ancestor (in a shallow clone, fetch more history, e.g. fetch-depth: 0); name another base with --base`));
    return { mode: 'git', baseRef, changes: [], caseChanges: [], diagnostics };
  }

  // Tracked changes: merge-base against the working tree. --raw gives the old blob ids (for rename pairing).
  const raw = fields(git(top, ['diff', '--raw', '--no-abbrev', '-z', '-M', '--no-color', '--no-ext-diff', '--ignore-submodules', mergeBase, '--']));
  const others = fields(git(top, ['ls-files', '-z', '--others', '--exclude-standard']));
  const classify = (keep: (p: string) => boolean): RuleChange[] => {
    const changes: RuleChange[] = [];
    const deletedBlobs = new Map<string, string>(); // blob → path (deleted files)
    for (let i = 0; i < raw.length; ) {
      const meta = raw[i++] as string; // ":100644 100644 <old> <new> M"
      const parts = meta.split(' ');
      const status = parts[4] ?? '';
      const oldBlob = parts[2] ?? '';
      const kind = status[0];
      if (kind === 'R' || kind === 'C') {
        const from = raw[i++] as string;
        const to = raw[i++] as string;
        const fromIn = keep(from);
        if (keep(to)) {
          if (kind === 'R') changes.push({ change: 'renamed', path: fromTop(to), oldPath: fromTop(from) });
          else changes.push({ change: 'added', path: fromTop(to) });
        } else if (fromIn && kind === 'R') changes.push({ change: 'deleted', path: fromTop(from) });
        continue;
      }
      const p = raw[i++] as string;
      if (!keep(p)) continue;
      if (kind === 'A') changes.push({ change: 'added', path: fromTop(p) });
      else if (kind === 'D') {
        changes.push({ change: 'deleted', path: fromTop(p) });
        deletedBlobs.set(oldBlob, p);
      } else changes.push({ change: 'modified', path: fromTop(p) }); // M, T (type change), U (unmerged)
    }

    // Untracked files count as added; one with the content of a deleted file is that file, renamed.
    const untracked = others.filter(keep);
    if (untracked.length > 0) {
      const blobs = deletedBlobs.size > 0 ? git(top, ['hash-object', '--', ...untracked]).trim().split('\n') : [];
      untracked.forEach((p, k) => {
        const from = deletedBlobs.get(blobs[k] ?? '');
        if (from !== undefined) {
          deletedBlobs.delete(blobs[k] as string);
          const at = changes.findIndex((c) => c.change === 'deleted' && c.path === fromTop(from));
          if (at >= 0) changes.splice(at, 1);
          changes.push({ change: 'renamed', path: fromTop(p), oldPath: fromTop(from) });
        } else changes.push({ change: 'added', path: fromTop(p) });
      });
    }
    return sortChanges(changes);
  };
  return { mode: 'git', base: mergeBase, baseRef, changes: classify(inRuleDirs), caseChanges: classify(inCaseDirs), diagnostics };
}

/** No path segment below a rule folder starts with a dot or is node_modules (as listYamlFiles skips them). */
function visible(rel: string): boolean {
  return rel.split('/').every((s) => !s.startsWith('.') && s !== 'node_modules');
}

function realpathOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

function sortChanges(changes: RuleChange[]): RuleChange[] {
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The text of a file at a commit (`git show <commit>:<path>`), for the semantic diff of modified and
 * renamed rules (pass `oldPath` for renames). `path` is relative to cwd. Undefined when the file
 * does not exist at that commit or git fails.
 */
export function readBaseVersion(cwd: string, mergeBase: string, path: string): string | undefined {
  if (mergeBase.startsWith('-')) return undefined;
  try {
    const top = tryGit(cwd, ['rev-parse', '--show-toplevel'])?.trim();
    if (top === undefined) return undefined;
    const rel = toPosix(relative(realpathSync(top), resolve(realpathSync(cwd), path)));
    if (rel.startsWith('..') || isAbsolute(rel)) return undefined;
    return tryGit(top, ['show', '--no-textconv', `${mergeBase}:${rel}`]);
  } catch {
    return undefined;
  }
}

/**
 * The lines of `path` (relative to cwd) that differ from the merge-base, working tree included
 * (`git diff -U0`; for a rename pass `oldPath`): the lines added or changed, and for a deletion
 * the line it follows. GitHub shows annotations inline only on such lines. Undefined when git
 * shows no text diff (an untracked file, no git): every line is new.
 */
export function changedLines(cwd: string, mergeBase: string, path: string, oldPath?: string): number[] | undefined {
  if (mergeBase.startsWith('-')) return undefined;
  try {
    const top = tryGit(cwd, ['rev-parse', '--show-toplevel'])?.trim();
    if (top === undefined) return undefined;
    const realTop = realpathSync(top);
    const inTop = (p: string): string => toPosix(relative(realTop, resolve(realpathSync(cwd), p)));
    const paths = [...new Set([...(oldPath !== undefined ? [inTop(oldPath)] : []), inTop(path)])];
    if (paths.some((p) => p.startsWith('..') || isAbsolute(p))) return undefined;
    const out = tryGit(top, ['diff', '-U0', '--no-color', '--no-ext-diff', '-M', mergeBase, '--', ...paths]);
    if (out === undefined || out === '') return undefined;
    const lines: number[] = [];
    for (const m of out.matchAll(/^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/gm)) {
      const start = Number(m[1]);
      const count = m[2] === undefined ? 1 : Number(m[2]);
      if (count === 0) lines.push(Math.max(1, start));
      for (let k = 0; k < count; k++) lines.push(start + k);
    }
    return lines.length > 0 ? [...new Set(lines)].sort((a, b) => a - b) : undefined;
  } catch {
    return undefined;
  }
}
