/**
 * The CLI's side of the world: output streams, the working folder, and diagnostics printed the
 * same way by every command. Commands take an `Io` so tests can capture what they print and run
 * them in any folder.
 */
import { formatDiagnostic } from '../diagnostics/diagnostics.js';
import type { Diagnostic } from '../diagnostics/diagnostics.js';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** True when stderr is a terminal (progress bars). */
  isTty: boolean;
  cwd: string;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  isTty: process.stderr.isTTY === true,
  cwd: process.cwd(),
};

export function printDiagnostics(io: Io, ds: readonly Diagnostic[]): void {
  for (const d of ds) io.err(`${formatDiagnostic(d)}\n`);
}
