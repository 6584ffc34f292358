/**
 * Writes the rendered report into a folder: the folder is created when missing, each file is
 * written atomically (write-file-atomic.ts), and nothing else in the folder is touched (files of
 * an older report that the new one does not produce stay, and are simply no longer linked).
 */
import { mkdirSync } from 'node:fs';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { writeFileAtomic } from '../../util/write-file-atomic.js';

/** Writes `files` (relative path → content) under `dir`; returns the paths written. */
export function writeHtmlReport(dir: string, files: ReadonlyMap<string, string>): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [rel, text] of files) {
    const clean = normalize(rel);
    if (rel === '' || isAbsolute(rel) || clean === '..' || clean.startsWith(`..${sep}`) || clean.split(/[\\/]/).includes('..')) {
      throw new Error(`refusing to write report file outside the report folder: ${rel}`);
    }
    const path = join(dir, clean);
    writeFileAtomic(path, text);
    written.push(path);
  }
  return written;
}
