/**
 * Reading a whole text file a user named (a config, a known-FP list, a logsource mapping, a case
 * file): only a regular file is read. A FIFO would block for ever and a device (`/dev/zero`)
 * never end; both are refused with an error saying what the path is. The file is opened without
 * blocking and checked through the open descriptor, then read from it.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';

/** The text of `path` (UTF-8); throws an Error with `code` set (ENOENT, EISDIR, ...) as readFileSync does, or a message for a FIFO or device. */
export function readTextFile(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${path}'`), { code: 'EISDIR' });
    if (!st.isFile()) {
      const kind = st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : 'a device';
      throw Object.assign(new Error(`${kind}, not a regular file`), { code: 'ENOTREGULAR' });
    }
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
