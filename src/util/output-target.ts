/**
 * Where a command may write its report (`--out`, `--emit-witnesses`), checked before the work:
 *
 * - never over one of its inputs: a file named as input, a file under an input folder that the
 *   command reads (`scan --events logs --out logs/x.json` when `logs/x.json` exists), the same
 *   file through another name (a link), or an existing YAML file (reports are never YAML; such a
 *   file is a rule, case file, config or known-FP list); a report folder (HTML) overlapping an
 *   input folder;
 * - and only where it can write: the folder is created and a probe file written and removed, so
 *   an unwritable place (a read-only file system, a path through a file, no permission) fails
 *   before minutes of work, not after.
 */
import { closeSync, mkdirSync, openSync, realpathSync, rmSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { isInside } from './inside.js';

/** Paths a command reads: files, or folders in which it reads the files `wanted` names. */
export interface InputPaths {
  paths: readonly string[];
  wanted: (name: string) => boolean;
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** The path with links resolved, its missing tail kept as written. */
function realish(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : join(realish(parent), basename(abs));
  }
}

/**
 * Why `out` (a report file; a report folder with `folder`) must not be written given the
 * command's inputs (`it is ...`, to follow the path in a message), or undefined when it may.
 */
export function outputConflict(out: string, inputs: readonly InputPaths[], options: { folder?: boolean } = {}): string | undefined {
  const target = statOrUndefined(out);
  const real = realish(out);
  if (!options.folder && target !== undefined && /\.ya?ml$/i.test(out) && target.isFile()) {
    return 'it is an existing YAML file (a rule, case file or config?), which a report never replaces';
  }
  for (const group of inputs) {
    for (const p of group.paths) {
      const st = statOrUndefined(p);
      const realInput = realish(p);
      if (st === undefined) {
        // An input not written yet (another output of the same command).
        if (realInput === real) return `it is also another output of this command (${p})`;
        continue;
      }
      if (st.isDirectory()) {
        if (options.folder) {
          // A report folder holding an input folder, or inside one, would mix pages with inputs.
          if (isInside(real, realInput) || isInside(realInput, real)) return `it overlaps the input folder ${p}; write the report elsewhere`;
        } else if (target !== undefined && isInside(realInput, real) && group.wanted(basename(real))) {
          return `it is an input (under ${p}); write the report elsewhere`;
        }
      } else if (target !== undefined && st.dev === target.dev && st.ino === target.ino) {
        return `it is an input of this command (${p}); write the report elsewhere`;
      } else if (realInput === real) {
        return `it is an input of this command (${p}); write the report elsewhere`;
      }
    }
  }
  return undefined;
}

/**
 * Why nothing can be written at `out` (a file; a folder with `folder`), or undefined when a probe
 * file could be created there (the folders on the way are created, as the write would).
 */
export function outputUnwritable(out: string, options: { folder?: boolean } = {}): string | undefined {
  const dir = options.folder ? resolve(out) : dirname(resolve(out));
  const st = statOrUndefined(out);
  if (st !== undefined) {
    if (options.folder && !st.isDirectory()) return 'it exists and is not a folder';
    if (!options.folder && st.isDirectory()) return 'it is a folder; give a file';
  }
  try {
    mkdirSync(dir, { recursive: true });
    const probe = join(dir, `.${basename(out)}.${process.pid}.probe`);
    closeSync(openSync(probe, 'wx'));
    rmSync(probe, { force: true });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'EACCES' || err.code === 'EPERM'
        ? 'permission denied'
        : err.code === 'EROFS'
          ? 'a read-only file system'
          : err.code === 'ENOTDIR' || err.code === 'EEXIST'
            ? 'a part of the path is a file, not a folder'
            : err.code === 'ENAMETOOLONG'
              ? 'the path is longer than the system allows'
              : err.message;
    return `it cannot be written: ${why}`;
  }
  return undefined;
}
