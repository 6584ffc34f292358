/** Paths compared by what they are: symbolic links resolved. */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';

/** The path with symbolic links resolved; as written (made absolute) when it does not exist or cannot be read. */
export function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}
