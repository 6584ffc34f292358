/**
 * Files a case file reads (its `events_file`s, and a rule it names by path) stay inside the case
 * file's root: case files come with pull requests, and `run` and `gate` print what they read
 * (event values in explanations, stage expectations), so a case naming `/etc/passwd`,
 * `../../secrets.json`, a symbolic link leading out, `/dev/zero` or a FIFO must not be read.
 *
 * The root is, in order: the one given (`--root`, the `root` option, or the config's `root`,
 * which may only narrow its own repository); the case file's repository (the nearest folder
 * above it holding `.git`); outside any repository, the working folder when the case file lies in
 * it, else the case file's own folder.
 *
 * A path is refused (a located diagnostic, the case is an error, nothing is read) when it is
 * absolute, when it leads out of the root as written (`..`) or once symbolic links are resolved,
 * or when what it names is not a regular file (a folder, device, FIFO or socket). The file is
 * opened without following a last link and without blocking, and checked again through the open
 * descriptor, so it cannot be swapped for a link or a FIFO between the check and the read.
 */
import { closeSync, constants, fstatSync, openSync, realpathSync } from 'node:fs';
import { realPath } from '../util/real-path.js';
import { dirname, isAbsolute, resolve, win32 } from 'node:path';
import { readErrorReason } from '../diagnostics/diagnostics.js';
import { isInside, repositoryOf } from '../util/inside.js';

/** Where case files may read from: an explicit root, and the working folder (the fallback outside a repository). */
export interface CaseRootOptions {
  /** The folder every case file's reads must stay in (absolute); default: each case file's repository. */
  root?: string | undefined;
  /** The working folder; default: the process's. */
  cwd?: string | undefined;
}

/** The folder the files read by `caseFile` must stay in (see the module comment). */
export function caseRoot(caseFile: string, options: CaseRootOptions = {}): string {
  if (options.root !== undefined) return resolve(options.root);
  const dir = dirname(resolve(caseFile));
  const repo = repositoryOf(dir);
  if (repo !== undefined) return repo;
  const cwd = resolve(options.cwd ?? process.cwd());
  return isInside(cwd, dir) ? cwd : dir;
}


/** A file a case may read, open (the caller closes `fd`), or why it may not. */
export type CaseFileAccess =
  | { ok: true; path: string; fd: number }
  /** `refused`: the path is not allowed (outside the root, not a regular file); else it could not be read. */
  | { ok: false; path: string; reason: string; refused: boolean };

/**
 * Opens `written` (a path as a case file wrote it, relative to the case file) for reading if it
 * stays inside `root` and is a regular file; otherwise says why not, in words for a diagnostic.
 */
export function openCaseFileRead(caseFile: string, written: string, root: string): CaseFileAccess {
  return openInside(dirname(resolve(caseFile)), written, root);
}

/** {@link openCaseFileRead} of a path written relative to the folder `from`. */
export function openInside(from: string, written: string, root: string): CaseFileAccess {
  const path = resolve(from, written);
  if (isAbsolute(written) || win32.isAbsolute(written)) {
    return { ok: false, path, refused: true, reason: `'${written}' is an absolute path; write it relative to the case file, inside ${root}` };
  }
  if (!isInside(root, path)) return { ok: false, path, refused: true, reason: `'${written}' leads out of ${root}, the folder case files may read from` };
  let real: string;
  try {
    real = realpathSync(path);
  } catch (e) {
    return { ok: false, path, refused: false, reason: `cannot read '${written}': ${readErrorReason(e)}` };
  }
  if (!isInside(realPath(root), real)) {
    return { ok: false, path, refused: true, reason: `'${written}' is a symbolic link (or lies under one) leading out of ${root}, the folder case files may read from` };
  }
  let fd: number;
  try {
    // No blocking on a FIFO, no following a link put in place since realpath.
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (e) {
    // ELOOP: the last part became a symbolic link after it was resolved.
    return { ok: false, path, refused: true, reason: `cannot read '${written}': ${readErrorReason(e)}` };
  }
  let kind: string | undefined;
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) kind = st.isDirectory() ? 'a folder' : st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : 'not a regular file';
  } catch (e) {
    kind = `unreadable (${readErrorReason(e)})`;
  }
  if (kind !== undefined) {
    closeSync(fd);
    return { ok: false, path, refused: true, reason: `'${written}' is ${kind}, not a regular file` };
  }
  return { ok: true, path, fd };
}
