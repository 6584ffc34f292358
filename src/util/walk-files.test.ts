/**
 * walkFiles skips nothing silently (issue 23): symbolic links to files and folders are followed,
 * loops are reported once and not followed, unreadable folders, over-long paths, broken links and
 * FIFOs are problems, and the walk goes on with the rest.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { walkFiles } from './walk-files.js';
import type { WalkFs } from './walk-files.js';

const top = mkdtempSync(join(tmpdir(), 'sigmatest-walk-'));
afterAll(() => rmSync(top, { recursive: true, force: true }));

const yml = (name: string): boolean => name.endsWith('.yml');

function tree(name: string): string {
  const root = join(top, name);
  mkdirSync(join(root, 'rules', 'b'), { recursive: true });
  mkdirSync(join(root, 'elsewhere', 'deep'), { recursive: true });
  writeFileSync(join(root, 'rules', 'a.yml'), 'a');
  writeFileSync(join(root, 'rules', 'b', 'c.yml'), 'c');
  writeFileSync(join(root, 'elsewhere', 'deep', 'd.yml'), 'd');
  writeFileSync(join(root, 'elsewhere', 'e.yml'), 'e');
  return root;
}

const rel = (root: string, files: string[]): string[] => files.map((f) => relative(root, f));

describe('walkFiles', () => {
  it('follows symbolic links to folders and files, lists a file reached twice once, and reports a loop without following it', () => {
    const root = tree('links');
    symlinkSync('../elsewhere', join(root, 'rules', 'linked-dir'));
    symlinkSync('../elsewhere/e.yml', join(root, 'rules', 'linked.yml'));
    symlinkSync('..', join(root, 'rules', 'b', 'up')); // rules/b/up -> rules: a loop
    const { files, problems } = walkFiles([join(root, 'rules')], yml);
    expect(rel(root, files)).toEqual(['rules/a.yml', 'rules/b/c.yml', 'rules/linked-dir/deep/d.yml', 'rules/linked-dir/e.yml']);
    expect(problems.map((p) => [p.kind, relative(root, p.path)])).toEqual([['loop', 'rules/b/up']]);
  });

  it('reports a broken link with a wanted name, a FIFO in a folder, a missing path and a named FIFO, and goes on', () => {
    const root = tree('odd');
    symlinkSync('nowhere.yml', join(root, 'rules', 'broken.yml'));
    symlinkSync('nowhere', join(root, 'rules', 'broken-dir'));
    execFileSync('mkfifo', [join(root, 'rules', 'pipe.yml'), join(root, 'named-pipe')]);
    const { files, problems } = walkFiles([join(root, 'rules'), join(root, 'missing'), join(root, 'named-pipe')], yml);
    expect(rel(root, files)).toEqual(['rules/a.yml', 'rules/b/c.yml']);
    expect(problems.map((p) => [p.kind, relative(root, p.path), p.message])).toEqual([
      ['unreadable', 'rules/broken.yml', 'cannot follow the symbolic link: no such file or folder'],
      ['special', 'rules/pipe.yml', 'a FIFO, not a regular file; it is not read'],
      ['missing', 'missing', 'no such file or folder'],
      ['unreadable', 'named-pipe', 'a FIFO, not a regular file or folder; it is not read'],
    ]);
    // Event files may be a pipe named on the command line.
    expect(rel(root, walkFiles([join(root, 'named-pipe')], yml, { namedSpecial: true }).files)).toEqual(['named-pipe']);
  });

  it('reports a folder it may not list (EACCES) and goes on with the others', () => {
    const root = tree('eacces');
    const denied = join(root, 'rules', 'b');
    // Root ignores permissions, so the failing call is injected.
    const fs: WalkFs = {
      readdir: (dir) => {
        if (dir === denied) throw Object.assign(new Error(`EACCES: permission denied, scandir '${dir}'`), { code: 'EACCES' });
        return readdirSync(dir, { withFileTypes: true });
      },
      stat: (p) => statSync(p),
      realpath: (p) => realpathSync(p),
    };
    const { files, problems } = walkFiles([join(root, 'rules'), join(root, 'elsewhere')], yml, { fs });
    expect(rel(root, files)).toEqual(['rules/a.yml', 'elsewhere/deep/d.yml', 'elsewhere/e.yml']);
    expect(problems).toEqual([{ kind: 'unreadable', path: denied, message: 'cannot list the folder: permission denied' }]);
  });

  it('reports paths longer than the system allows (ENAMETOOLONG), named or met in a walk', () => {
    const root = tree('long');
    // Folders linked one into the next under long names: the walk's paths outgrow PATH_MAX (4096).
    const name = 'n'.repeat(200);
    for (let i = 0; i < 25; i++) {
      mkdirSync(join(root, 'chain', String(i)), { recursive: true });
      symlinkSync(join(root, 'chain', String(i + 1)), join(root, 'chain', String(i), name));
    }
    mkdirSync(join(root, 'chain', '25'));
    writeFileSync(join(root, 'chain', '25', 'r.yml'), 'r');
    symlinkSync(join(root, 'chain', '0'), join(root, 'rules', 'chain'));
    const { files, problems } = walkFiles([join(root, 'rules'), join(root, 'x'.repeat(300))], yml);
    expect(rel(root, files)).toEqual(['rules/a.yml', 'rules/b/c.yml']);
    expect(problems.map((p) => p.kind)).toEqual(['unreadable', 'unreadable']);
    expect(problems.every((p) => /longer than the system allows/.test(p.message))).toBe(true);
  });
});
