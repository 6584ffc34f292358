/**
 * The CLI's side of the world: output streams and shared loading steps (config, logsource
 * mapping, rules) with their diagnostics printed the same way by every command. Commands take
 * an `Io` so tests can capture what they print.
 */
import { formatDiagnostic } from '../diagnostics.js';
import type { Diagnostic } from '../diagnostics.js';
import { loadConfig } from '../config.js';
import type { Config } from '../config.js';
import { builtinMapping, loadLogsourceMapping, mergeMappings } from '../logsource/logsource.js';
import type { LogsourceMapping } from '../logsource/logsource.js';

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

export interface Environment {
  config: Config;
  mapping: LogsourceMapping;
  diagnostics: Diagnostic[];
}

/** Loads the config file and the logsource mapping it names. */
export function loadEnvironment(configFile: string | undefined): Environment {
  const { config, diagnostics } = loadConfig(configFile);
  let mapping = builtinMapping;
  if (config.logsources !== undefined) {
    const extra = loadLogsourceMapping(config.logsources);
    diagnostics.push(...extra.diagnostics);
    mapping = mergeMappings(builtinMapping, extra.mapping);
  }
  return { config, mapping, diagnostics };
}
