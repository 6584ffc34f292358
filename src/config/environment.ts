/**
 * The environment every command runs in: the config file (placeholders, extra logsource mapping)
 * and the logsource mapping it yields (built-in, merged with the config's file). Loaded the same
 * way by the CLI, the vitest route and each scan worker.
 */
import type { Diagnostic } from '../diagnostics/diagnostics.js';
import { loadConfig } from './config.js';
import type { Config } from './config.js';
import { builtinMapping, loadLogsourceMapping, mergeMappings } from '../logsource/logsource.js';
import type { LogsourceMapping } from '../logsource/logsource.js';
import { pushAll } from '../util/arrays.js';

/** What a command runs in: the config, the logsource mapping it yields, and the problems met loading both. */
export interface Environment {
  config: Config;
  mapping: LogsourceMapping;
  diagnostics: Diagnostic[];
}

/**
 * Loads the config file and the logsource mapping it names. `configFile` is resolved against
 * `cwd`; without it, `sigmatest.config.yml` in `cwd` is used when present.
 */
export function loadEnvironment(configFile: string | undefined, cwd: string = process.cwd()): Environment {
  const { config, diagnostics } = loadConfig(configFile, cwd);
  let mapping = builtinMapping;
  if (config.logsources !== undefined) {
    const extra = loadLogsourceMapping(config.logsources);
    pushAll(diagnostics, extra.diagnostics);
    mapping = mergeMappings(builtinMapping, extra.mapping);
  }
  return { config, mapping, diagnostics };
}
