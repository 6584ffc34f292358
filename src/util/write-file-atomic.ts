/**
 * Writes a file atomically: the data goes to a temporary file in the same folder, which is then
 * renamed over the target, so a reader never sees half a file and a crash never leaves one
 * (the temporary file is removed if the process is interrupted meanwhile: temp-files.ts).
 *
 * A target that is a symbolic link is written through: the file it points at is replaced, the
 * link stays. A target that exists and is no regular file (`/dev/null`, a named pipe, a terminal)
 * is written to in place: renaming over it would replace the device or pipe with a plain file.
 */
import { lstatSync, mkdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { registerTempFile, releaseTempFile } from './temp-files.js';

/** The path to replace (a symbolic link's target), and whether it can be replaced by a rename (absent or a regular file). */
export function replaceTarget(path: string): { path: string; regular: boolean } {
  try {
    const target = lstatSync(path).isSymbolicLink() ? realpathSync(path) : path;
    return { path: target, regular: statSync(target).isFile() };
  } catch {
    // Absent (or a dangling link): a new regular file at the path.
    return { path, regular: true };
  }
}

export function writeFileAtomic(path: string, data: string): void {
  const target = replaceTarget(path);
  if (!target.regular) {
    writeFileSync(target.path, data);
    return;
  }
  const dir = dirname(target.path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(target.path)}.${process.pid}.${Date.now()}.tmp`);
  registerTempFile(tmp);
  try {
    writeFileSync(tmp, data, { flag: 'wx' });
    renameSync(tmp, target.path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    releaseTempFile(tmp);
  }
}
