/**
 * A mutation run (`sigmatest mutate`): the suite's rules and case files loaded as `run` loads
 * them (config, shard, roots, pipelines), each tested rule mutated and its mutants run against its
 * cases and properties (mutate/run-mutants.ts), and the report built; `--save` adds each killer
 * event to the rule's case file as a case with the original rule's verdict.
 */
import { basename } from 'node:path';
import { flatEventKey } from '../events/event-key.js';
import type { Event } from '../evaluate/evaluate.js';
import { ruleLoadOptions } from '../config/environment.js';
import { bindSuite } from '../cases/run-cases.js';
import type { PropertyRunner } from '../cases/run-cases.js';
import { saveCases } from '../fuzz/case-writer.js';
import type { NewCase } from '../fuzz/case-writer.js';
import { mutateRule } from '../mutate/run-mutants.js';
import type { KillerBudget, RuleMutation } from '../mutate/run-mutants.js';
import { buildMutationReport } from '../mutate/mutation-report.js';
import type { MutationReport } from '../mutate/mutation-report.js';
import { loadSuite } from './run-suite.js';
import type { LoadSuiteOptions } from './run-suite.js';

export interface MutateSuiteOptions extends LoadSuiteOptions {
  properties?: PropertyRunner | undefined;
  minScore?: number | undefined;
  budget?: KillerBudget | undefined;
  /** Called after each rule (progress). */
  onRule?: ((done: number, total: number) => void) | undefined;
}

/** A mutation run's report and the per-rule results (with the rules, for --save). */
export interface MutateSuiteRun {
  report: MutationReport;
  results: RuleMutation[];
}

/** Loads the suite and runs every tested rule's mutants. */
export function mutateSuite(rulePaths: string[], casePaths: string[], options: MutateSuiteOptions = {}): MutateSuiteRun {
  const suite = loadSuite(rulePaths, casePaths, options);
  const env = suite.environment;
  const runOptions = { mapping: env.mapping, load: ruleLoadOptions(env), ...suite.roots, properties: options.properties, budget: options.budget };
  const bound = bindSuite(suite.rules, suite.caseFiles, runOptions);
  const diagnostics = [...suite.diagnostics, ...bound.diagnostics];
  const results: RuleMutation[] = [];
  bound.groups.forEach(({ rule, files }, k) => {
    const r = mutateRule(rule, files, runOptions);
    diagnostics.push(...r.diagnostics);
    results.push(r.result);
    options.onRule?.(k + 1, bound.groups.length);
  });
  return { report: buildMutationReport(results, suite.cwd, options.minScore, diagnostics), results };
}


/** A readable case name for a killer: the mutant it kills (its description when short, else its path). */
export function killerName(m: { operator: string; path: string; description: string }): string {
  const full = `kills mutant ${m.operator}: ${m.description}`;
  return full.length <= 120 ? full : `kills mutant ${m.operator} at ${m.path}`;
}

/** What --save did per case file. */
export interface KillerSaveOutcome {
  file: string;
  saved: number;
  error?: string;
}

/**
 * Adds each survivor's killer event to the rule's (first) case file as a case with the original
 * rule's verdict: named after the mutant, never an event or a name the file already has, under
 * the case file's lock, written atomically (fuzz/case-writer.ts).
 */
export function saveKillers(results: readonly RuleMutation[]): KillerSaveOutcome[] {
  const out: KillerSaveOutcome[] = [];
  for (const r of results) {
    // The case file named like the rule (its main one), else the first.
    const stem = basename(r.rule.file).replace(/\.ya?ml$/i, '');
    const file = r.caseFiles.find((f) => basename(f).replace(/\.ya?ml$/i, '') === stem) ?? r.caseFiles[0];
    if (file === undefined) continue;
    const cases: NewCase[] = r.mutants.flatMap((m) =>
      m.status === 'survived' && m.killer !== null
        ? [{ name: killerName(m), expect: m.killer.verdict, event: m.killer.event as Event, comment: `found by sigmatest mutate: ${m.operator} at ${m.path} (line ${m.line}) survived the other cases` }]
        : [],
    );
    if (cases.length === 0) continue;
    try {
      const written = saveCases(file, { id: r.rule.id, file: r.rule.file }, cases, { eventKey: flatEventKey });
      out.push({ file, saved: written.length });
    } catch (e) {
      out.push({ file, saved: 0, error: (e as Error).message });
    }
  }
  return out;
}
