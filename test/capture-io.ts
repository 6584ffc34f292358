/** An `Io` for CLI tests: what a command prints, kept. */
import type { Io } from '../src/cli/io.js';

export type CapturedIo = Io & { stdout: () => string; stderr: () => string };

export function captureIo(options: { cwd?: string; isTty?: boolean } = {}): CapturedIo {
  let out = '';
  let err = '';
  return {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    isTty: options.isTty ?? false,
    cwd: options.cwd ?? process.cwd(),
    stdout: () => out,
    stderr: () => err,
  };
}
