/**
 * Finding and loading rule files: the paths a user names (files or folders, searched
 * recursively for .yml/.yaml, in a stable sorted order, symbolic links followed) become loaded
 * files with diagnostics. An unreadable path is a diagnostic, never an exception.
 */
import { diagnostic } from '../diagnostics/diagnostics.js';
import type { DiagnosticCode } from '../diagnostics/diagnostics.js';
import { walkFiles } from '../util/walk-files.js';
import type { WalkProblemKind, WalkTrace } from '../util/walk-files.js';
import type { Diagnostic } from '../diagnostics/diagnostics.js';
import { isRuleFileName, loadRuleFile } from './load-rule.js';
import type { LoadedFile, LoadOptions, SigmaRule } from './load-rule.js';

const WALK_CODES: Record<WalkProblemKind, DiagnosticCode> = {
  missing: 'PATH_NOT_FOUND',
  unreadable: 'PATH_UNREADABLE',
  loop: 'PATH_LINK_LOOP',
  special: 'PATH_NOT_REGULAR',
};

/**
 * Lists the YAML files (rules, case files) under the given paths, sorted within each folder,
 * symbolic links followed; unreadable folders, link loops and FIFOs are diagnostics (see util/walk-files.ts).
 */
export function listYamlFiles(paths: readonly string[], trace?: WalkTrace): { files: string[]; diagnostics: Diagnostic[] } {
  const { files, problems } = walkFiles(paths, isRuleFileName, trace === undefined ? {} : { trace });
  const diagnostics = problems.map((p) => diagnostic(WALK_CODES[p.kind], p.kind === 'missing' ? `no such file or folder: ${p.path}` : p.message, { file: p.path }));
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
  // The rule cache may know the listing (its folders unchanged since): see RuleFileLoader.listFiles.
  const { files, diagnostics } = options.cache?.listFiles?.(paths, options, (trace) => listYamlFiles(paths, trace)) ?? listYamlFiles(paths);
  const loaded = options.cache !== undefined ? options.cache.loadFiles(files, options, paths) : files.map((f) => loadRuleFile(f, options));
  return {
    files: loaded,
    rules: loaded.flatMap((l) => l.rules),
    diagnostics: [...diagnostics, ...loaded.flatMap((l) => l.diagnostics)],
  };
}
