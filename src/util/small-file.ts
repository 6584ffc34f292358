import { statSync } from 'node:fs';

/**
 * Is `file` a regular file of at most `limit` bytes? Readers read such a file with blocking calls:
 * a stream's round trips through the I/O threads cost more than its bytes when a scan reads
 * hundreds of small files. False when the file cannot be examined (the read then reports why).
 */
export function isSmallFile(file: string, limit: number): boolean {
  try {
    const st = statSync(file);
    return st.isFile() && st.size <= limit;
  } catch {
    return false;
  }
}
