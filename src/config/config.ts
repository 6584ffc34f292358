/**
 * The sigmatest configuration file (YAML, `--config`, default `sigmatest.config.yml` in the
 * working folder when present):
 *
 * ```yaml
 * placeholders:            # values for %name% under |expand (semantics §7.13)
 *   Administrators: ['admin*', 'root']
 * logsources: mappings.yml # extra logsource mapping merged over the built-in one
 * ```
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { load } from 'js-yaml';
import { diagnostic } from '../diagnostics/diagnostics.js';
import type { Diagnostic } from '../diagnostics/diagnostics.js';

export interface Config {
  placeholders: Record<string, string[]>;
  /** Absolute path of an extra logsource mapping file. */
  logsources?: string;
  file?: string;
}

export const DEFAULT_CONFIG_FILE = 'sigmatest.config.yml';

/** Loads the config; a missing default file is an empty config, a missing named file an error. */
export function loadConfig(file: string | undefined, cwd: string = process.cwd()): { config: Config; diagnostics: Diagnostic[] } {
  const config: Config = { placeholders: {} };
  const fallback = resolve(cwd, DEFAULT_CONFIG_FILE);
  const path = file !== undefined ? resolve(cwd, file) : existsSync(fallback) ? fallback : undefined;
  if (path === undefined) return { config, diagnostics: [] };
  config.file = path;
  let data: unknown;
  try {
    data = load(readFileSync(path, 'utf8'));
  } catch (e) {
    const err = e as { reason?: string; mark?: { line: number; column: number }; message: string };
    const pos = err.mark ? { line: err.mark.line + 1, column: err.mark.column + 1 } : undefined;
    return { config, diagnostics: [diagnostic('CONFIG_INVALID', err.reason ?? err.message, { file: path, pos })] };
  }
  const ds: Diagnostic[] = [];
  if (data === null || data === undefined) return { config, diagnostics: ds };
  if (typeof data !== 'object' || Array.isArray(data)) {
    return { config, diagnostics: [diagnostic('CONFIG_INVALID', 'the config file must be a mapping', { file: path })] };
  }
  const o = data as Record<string, unknown>;
  if (o.placeholders !== undefined) {
    if (typeof o.placeholders !== 'object' || o.placeholders === null || Array.isArray(o.placeholders)) {
      ds.push(diagnostic('CONFIG_INVALID', "'placeholders' must map names to lists of values", { file: path, path: 'placeholders' }));
    } else {
      for (const [name, v] of Object.entries(o.placeholders)) {
        const vs = Array.isArray(v) ? v : [v];
        if (!vs.every((x) => typeof x === 'string' || typeof x === 'number')) {
          ds.push(diagnostic('CONFIG_INVALID', `placeholder '${name}' must be a list of strings`, { file: path, path: `placeholders.${name}` }));
          continue;
        }
        config.placeholders[name] = vs.map(String);
      }
    }
  }
  if (typeof o.logsources === 'string') config.logsources = resolve(dirname(path), o.logsources);
  return { config, diagnostics: ds };
}
