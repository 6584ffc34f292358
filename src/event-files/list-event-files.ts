/**
 * The event files of a scan: files named on the command line are read whatever their name;
 * folders are walked recursively for `.json`, `.jsonl`, `.ndjson` and `.evtx` files (hidden
 * entries and `node_modules` skipped), sorted by name within each folder so that every scan of the
 * same paths reads the same files in the same order. A path that does not exist is a diagnostic
 * (`EVENT_PATH_NOT_FOUND`), never an exception; a file reached twice is read once.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { diagnostic } from '../diagnostics/diagnostics.js';
import type { Diagnostic } from '../diagnostics/diagnostics.js';

/** The extensions a folder walk picks up (case-insensitive). */
const EVENT_FILE = /\.(json|jsonl|ndjson|evtx)$/i;

/** True for a file name a folder walk reads as events. */
export function isEventFileName(name: string): boolean {
  return EVENT_FILE.test(name);
}

/** Lists the event files under the given paths, in a deterministic order. */
export function listEventFiles(paths: readonly string[]): { files: string[]; diagnostics: Diagnostic[] } {
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const add = (p: string): void => {
    const key = resolve(p);
    if (seen.has(key)) return;
    seen.add(key);
    files.push(p);
  };
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      diagnostics.push(diagnostic('EVENT_FILE_UNREADABLE', `cannot read the folder: ${(e as Error).message}`, { file: dir }));
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && isEventFileName(e.name)) add(p);
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      diagnostics.push(diagnostic('EVENT_PATH_NOT_FOUND', `no such event file or folder: ${p}`, { file: p }));
      continue;
    }
    if (st.isDirectory()) walk(p);
    else add(p);
  }
  return { files, diagnostics };
}
