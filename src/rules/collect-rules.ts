/**
 * Finding and loading rule files: the paths a user names (files or folders, searched
 * recursively for .yml/.yaml, in a stable sorted order) become loaded files with diagnostics.
 * An unreadable path is a diagnostic, never an exception.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { diagnostic } from '../diagnostics/diagnostics.js';
import type { Diagnostic } from '../diagnostics/diagnostics.js';
import { isRuleFileName, loadRuleFile } from './load-rule.js';
import type { LoadedFile, LoadOptions, SigmaRule } from './load-rule.js';

/** Lists the YAML files under the given paths, sorted within each folder. */
export function listYamlFiles(paths: readonly string[]): { files: string[]; diagnostics: Diagnostic[] } {
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const walk = (dir: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && isRuleFileName(e.name)) files.push(p);
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      diagnostics.push(diagnostic('PATH_NOT_FOUND', `no such file or folder: ${p}`, { file: p }));
      continue;
    }
    if (st.isDirectory()) walk(p);
    else files.push(p);
  }
  return { files, diagnostics };
}

/** The rule files under some paths, loaded: every file, every loadable detection rule, and all diagnostics. */
export interface RuleSet {
  files: LoadedFile[];
  /** Every loadable detection rule, in file order. */
  rules: SigmaRule[];
  diagnostics: Diagnostic[];
}

/** Loads every rule file under the paths. */
export function collectRules(paths: readonly string[], options: LoadOptions = {}): RuleSet {
  const { files, diagnostics } = listYamlFiles(paths);
  const loaded = files.map((f) => loadRuleFile(f, options));
  return {
    files: loaded,
    rules: loaded.flatMap((l) => l.rules),
    diagnostics: [...diagnostics, ...loaded.flatMap((l) => l.diagnostics)],
  };
}
