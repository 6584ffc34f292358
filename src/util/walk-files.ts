/**
 * The files under some paths, for the commands that take files or folders (rules, case files,
 * event files): folders are walked recursively, entries sorted by name in each folder (the same
 * paths give the same files in the same order), hidden entries (`.name`) and `node_modules`
 * skipped by design. Nothing else is skipped without a word:
 *
 * - symbolic links are followed, to files and to folders; a link back to a folder being walked
 *   (a loop) is not followed again and is reported (`loop`), and a file reached twice (through
 *   two links) is listed once, under the first path that reached it;
 * - a folder that cannot be listed or an entry that cannot be examined (permissions, a path
 *   longer than the system allows, a broken link) is reported (`unreadable`) and the walk goes
 *   on with the rest;
 * - an entry with a wanted name that is no regular file (a FIFO, device or socket, which would
 *   block or never end when read) is reported (`special`) and not listed.
 *
 * A path named by the caller is listed whatever its name; one that does not exist is `missing`,
 * and one that is no regular file or folder is `unreadable` unless `namedSpecial` allows it (a
 * pipe named on the command line, `--events <(zcat x.gz)`, streams fine). Never throws.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import type { Dirent, Stats } from 'node:fs';
import { join } from 'node:path';

/** Why a path was not listed (see the module comment). */
export type WalkProblemKind = 'missing' | 'unreadable' | 'loop' | 'special';

export interface WalkProblem {
  kind: WalkProblemKind;
  path: string;
  /** What is wrong, in words (without the path). */
  message: string;
}

/**
 * What a walk met, for whoever keeps its result (the rule cache): every folder it listed, each
 * with its stat taken before listing it (a later change to the folder's entries moves it), in
 * the order listed, and how many symbolic links it followed.
 */
export interface WalkTrace {
  folders: Array<{ path: string; stat: Stats | undefined }>;
  links: number;
}

/** The file system calls of a walk (tests give failing ones: EACCES cannot be made as root). */
export interface WalkFs {
  readdir(dir: string): Dirent[];
  /** Follows symbolic links. */
  stat(path: string): Stats;
  realpath(path: string): string;
}

const nodeFs: WalkFs = {
  readdir: (dir) => readdirSync(dir, { withFileTypes: true }),
  stat: (path) => statSync(path),
  realpath: (path) => realpathSync(path),
};

/** Why a file system call failed, in words. */
function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENAMETOOLONG':
      return 'the path is longer than the system allows';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'ENOENT':
      return 'no such file or folder';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    default:
      return err.message ?? String(e);
  }
}

function kindOf(st: Stats): string {
  return st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'not a regular file';
}

/**
 * Lists the files under `paths` whose names `wanted` accepts (files named in `paths` are listed
 * whatever their name), in a deterministic order, with every problem met.
 */
export function walkFiles(
  paths: readonly string[],
  wanted: (name: string) => boolean,
  options: { namedSpecial?: boolean; fs?: WalkFs; trace?: WalkTrace } = {},
): { files: string[]; problems: WalkProblem[] } {
  const fs = options.fs ?? nodeFs;
  const files: string[] = [];
  const problems: WalkProblem[] = [];
  const seenFiles = new Set<string>();
  const problem = (kind: WalkProblemKind, path: string, message: string): void => {
    problems.push({ kind, path, message });
  };
  /** `real`: its real path when known (an entry that is no link, in a folder whose real path is known). */
  const addFile = (path: string, real?: string): void => {
    let key = real ?? path;
    if (real === undefined) {
      try {
        key = fs.realpath(path);
      } catch {
        // Listed under its own path; reading it will report what is wrong.
      }
    }
    if (seenFiles.has(key)) return;
    seenFiles.add(key);
    files.push(path);
  };
  /**
   * `dir` (a folder, whose real path is `realDir`), `walking` the real paths of the folders it is
   * in, itself included. An entry that is no symbolic link has the real path `realDir/name`: only
   * links are resolved by the file system (resolving every file cost more than reading the rules).
   */
  const trace = options.trace;
  const walk = (dir: string, walking: Set<string>, realDir: string): void => {
    let entries: Dirent[];
    if (trace !== undefined) {
      let stat: Stats | undefined;
      try {
        stat = fs.stat(dir);
      } catch {
        // listed below, which reports what is wrong
      }
      trace.folders.push({ path: dir, stat });
    }
    try {
      entries = fs.readdir(dir);
    } catch (e) {
      problem('unreadable', dir, `cannot list the folder: ${reason(e)}`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // join(dir, name) for every entry, normalized once: a name read from a folder holds no
    // separator and is no `.` or `..`, so the normalized prefix plus the name is the same path.
    const prefix = join(dir, '_').slice(0, -1);
    const realPrefix = join(realDir, '_').slice(0, -1);
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = prefix + e.name;
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      const link = e.isSymbolicLink();
      if (link) {
        if (trace !== undefined) trace.links++;
        let st: Stats;
        try {
          st = fs.stat(p);
        } catch (err) {
          // A dangling link holds nothing: reported when its name is wanted. Any other failure
          // (permissions, a path too long, a link loop) may hide a folder: always reported.
          if (wanted(e.name) || (err as NodeJS.ErrnoException).code !== 'ENOENT') problem('unreadable', p, `cannot follow the symbolic link: ${reason(err)}`);
          continue;
        }
        isDir = st.isDirectory();
        isFile = st.isFile();
        if (!isDir && !isFile && wanted(e.name)) {
          problem('special', p, `a symbolic link to ${kindOf(st)}, not a regular file; it is not read`);
          continue;
        }
      } else if (!isDir && !isFile && wanted(e.name)) {
        problem('special', p, `${e.isFIFO() ? 'a FIFO' : e.isSocket() ? 'a socket' : 'a device'}, not a regular file; it is not read`);
        continue;
      }
      const real = link ? undefined : realPrefix + e.name;
      if (isDir) enter(p, walking, real);
      else if (isFile && wanted(e.name)) addFile(p, real);
    }
  };
  const enter = (dir: string, walking: Set<string>, known?: string): void => {
    let real: string;
    try {
      real = known ?? fs.realpath(dir);
    } catch (e) {
      problem('unreadable', dir, `cannot resolve the folder: ${reason(e)}`);
      return;
    }
    if (walking.has(real)) {
      problem('loop', dir, `a symbolic link back to a folder being walked (${real}); not followed again`);
      return;
    }
    walking.add(real);
    walk(dir, walking, real);
    walking.delete(real);
  };
  for (const p of paths) {
    let st: Stats;
    try {
      st = fs.stat(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') problem('missing', p, 'no such file or folder');
      else problem('unreadable', p, `cannot examine the path: ${reason(e)}`);
      continue;
    }
    if (st.isDirectory()) enter(p, new Set());
    else if (st.isFile() || options.namedSpecial === true) addFile(p);
    else problem('unreadable', p, `${kindOf(st)}, not a regular file or folder; it is not read`);
  }
  return { files, problems };
}
