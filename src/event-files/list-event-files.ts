/**
 * The event files of a scan: files named on the command line are read whatever their name (a
 * pipe too); folders are walked recursively for `.json`, `.jsonl`, `.ndjson` and `.evtx` files
 * (hidden entries and `node_modules` skipped, symbolic links followed with loop detection),
 * sorted by name within each folder so that every scan of the same paths reads the same files in
 * the same order. A path that does not exist is a diagnostic (`EVENT_PATH_NOT_FOUND`), an
 * unreadable folder `EVENT_FILE_UNREADABLE`, a link loop or a FIFO in a folder a warning, never an
 * exception; a file reached twice is read once.
 */
import { diagnostic } from '../diagnostics/diagnostics.js';
import type { Diagnostic, DiagnosticCode } from '../diagnostics/diagnostics.js';
import { walkFiles } from '../util/walk-files.js';
import type { WalkProblemKind } from '../util/walk-files.js';

/** The extensions a folder walk picks up (case-insensitive). */
const EVENT_FILE = /\.(json|jsonl|ndjson|evtx)$/i;

/** True for a file name a folder walk reads as events. */
export function isEventFileName(name: string): boolean {
  return EVENT_FILE.test(name);
}

const WALK_CODES: Record<WalkProblemKind, DiagnosticCode> = {
  missing: 'EVENT_PATH_NOT_FOUND',
  unreadable: 'EVENT_FILE_UNREADABLE',
  loop: 'PATH_LINK_LOOP',
  special: 'PATH_NOT_REGULAR',
};

/** Lists the event files under the given paths, in a deterministic order. */
export function listEventFiles(paths: readonly string[]): { files: string[]; diagnostics: Diagnostic[] } {
  const { files, problems } = walkFiles(paths, isEventFileName, { namedSpecial: true });
  const diagnostics = problems.map((p) => diagnostic(WALK_CODES[p.kind], p.kind === 'missing' ? `no such event file or folder: ${p.path}` : p.message, { file: p.path }));
  return { files, diagnostics };
}
