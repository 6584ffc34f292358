/**
 * The CLI's side of the world: output streams, the working folder, and diagnostics printed the
 * same way by every command. Commands take an `Io` so tests can capture what they print and run
 * them in any folder: every path a command is given is relative to `io.cwd` (never to the
 * process's working folder), and every path it prints is shown relative to `io.cwd` when inside it.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { formatDiagnostic } from '../diagnostics/diagnostics.js';
import { terminalLine } from '../report/escape.js';
import type { Diagnostic } from '../diagnostics/diagnostics.js';

/** The CLI's side of the world that a command uses: its output streams, whether stderr is a terminal, and the working folder. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** True when stderr is a terminal (progress bars). */
  isTty: boolean;
  /** The working folder: paths in arguments are relative to it. */
  cwd: string;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  isTty: process.stderr.isTTY === true,
  cwd: process.cwd(),
};

/** A path from the command line (or a default), resolved against `io.cwd`. */
export function inCwd(io: Io, path: string): string {
  return resolve(io.cwd, path);
}

/** How a path is shown: relative to `io.cwd` when it lies inside it, else absolute. */
export function shownPath(io: Io, path: string): string {
  const abs = resolve(io.cwd, path);
  const rel = relative(io.cwd, abs);
  return rel === '' ? '.' : rel.split(sep)[0] === '..' || isAbsolute(rel) ? abs : rel;
}

/**
 * Prints diagnostics one per line on stderr, their files shown relative to `io.cwd`; control
 * characters and line breaks from rule, case or event text are shown escaped (terminalLine).
 */
export function printDiagnostics(io: Io, ds: readonly Diagnostic[]): void {
  for (const d of ds) io.err(`${terminalLine(formatDiagnostic(d.file === undefined ? d : { ...d, file: shownPath(io, d.file) }))}\n`);
}
