/**
 * Diagnostics: every problem a rule, case or event author can cause is a value of this shape,
 * never a thrown exception. Loaders collect all of a file's diagnostics and carry on, so one bad
 * rule never hides the others. Codes are SCREAMING_SNAKE and stable: tests and users key on them;
 * every code is registered, with its default severity and meaning, in codes.ts.
 */
import { CODES } from './codes.js';
import type { CodeInfo, DiagnosticCode, Severity } from './codes.js';

export type { DiagnosticCode, Severity } from './codes.js';

/** A 1-based line and column inside a file. */
export interface SourcePos {
  line: number;
  column: number;
}

/** A problem in a rule, case, event, config or other input: a registered code, a severity, a message, and where. */
export interface Diagnostic {
  /** Stable machine-readable code, e.g. `MODIFIER_UNKNOWN` (registered in codes.ts). */
  code: DiagnosticCode;
  severity: Severity;
  /** What is wrong, in words a rule author understands. */
  message: string;
  /** The file the problem is in, as given by the caller. */
  file?: string;
  /** Logical address inside the document, e.g. `detection.filter[1].Image`. */
  path?: string;
  /** Where in the file, when known. */
  pos?: SourcePos;
}

/**
 * Builds a diagnostic, by default with its code's registered severity; optional parts are only
 * set when defined.
 */
export function diagnostic(
  code: DiagnosticCode,
  message: string,
  where: { file?: string | undefined; path?: string | undefined; pos?: SourcePos | undefined } = {},
  // (An unregistered code can only come from untyped callers: an error, as before the registry.)
  severity: Severity = (CODES[code] as CodeInfo | undefined)?.severity ?? 'error',
): Diagnostic {
  const d: Diagnostic = { code, severity, message };
  if (where.file !== undefined) d.file = where.file;
  if (where.path !== undefined && where.path !== '') d.path = where.path;
  if (where.pos !== undefined) d.pos = where.pos;
  return d;
}

/** `file:line:column: severity CODE at path: message`, the one-line form used on terminals. */
export function formatDiagnostic(d: Diagnostic): string {
  const loc = [d.file ?? '<input>', d.pos ? `${d.pos.line}:${d.pos.column}` : undefined]
    .filter((x) => x !== undefined)
    .join(':');
  const at = d.path ? ` at ${d.path}` : '';
  return `${loc}: ${d.severity} ${d.code}${at}: ${d.message}`;
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error');
}

/** Converts a 0-based offset in `text` to a 1-based line/column. */
export function offsetToPos(text: string, offset: number): SourcePos {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/** The 1-based lines of ascending offsets in `text`, in one pass (many offsetToPos calls rescan). */
export function offsetsToLines(text: string, offsets: readonly number[]): number[] {
  const lines: number[] = [];
  let line = 1;
  let i = 0;
  for (const offset of offsets) {
    const end = Math.min(offset, text.length);
    if (end < i) {
      lines.push(offsetToPos(text, offset).line);
      continue;
    }
    for (let nl = text.indexOf('\n', i); nl >= 0 && nl < end; nl = text.indexOf('\n', nl + 1)) line++;
    i = end;
    lines.push(line);
  }
  return lines;
}

/**
 * The default branch of a switch over a closed union: does not type-check while a member is
 * unhandled, and throws (our own bug) if a value outside the union arrives anyway.
 */
export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}

/** Why a file could not be read, in words (missing, a directory, or the system's message). */
export function readErrorReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message;
}
