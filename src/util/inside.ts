/**
 * Folder containment: whether a path lies inside a folder, and the repository a path belongs to
 * (the nearest folder, from the path up, that holds a `.git` entry: a folder, or a file in a
 * worktree or submodule).
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** True when `path` is `folder` itself or lies under it (both absolute; compared as written, no links resolved). */
export function isInside(folder: string, path: string): boolean {
  const rel = relative(resolve(folder), resolve(path));
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

/** The nearest folder at or above `folder` that holds `.git`, or undefined outside any repository. */
export function repositoryOf(folder: string): string | undefined {
  let dir = resolve(folder);
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
