/**
 * Mutation testing of positive-only suites: a SigmaHQ rule's own regression data
 * (`regression_tests_path` → `info.yml` → recorded events) as its only cases, each test one case
 * `count: {at_least: match_count}` over its event file, as `sigmatest regression` judges it. How
 * much of a rule do positive-only regression tests pin down? (README, Mutation score.)
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { load } from 'js-yaml';
import type { Case, CaseFile } from '../cases/load-cases.js';
import type { LogsourceMapping } from '../logsource/logsource.js';
import type { SigmaRule } from '../rules/load-rule.js';
import { isInside } from '../util/inside.js';
import { pickDataFile } from '../regression/regression.js';
import { mutateRule } from '../mutate/run-mutants.js';
import type { KillerBudget, RuleMutation } from '../mutate/run-mutants.js';

/** The rule's regression tests as an in-memory case file (undefined when it has none with data). */
export function regressionCaseFile(root: string, rule: SigmaRule): CaseFile | undefined {
  const ref = rule.raw['regression_tests_path'];
  if (typeof ref !== 'string') return undefined;
  const infoPath = join(root, ref);
  if (!isInside(root, infoPath)) return undefined;
  let info: unknown;
  try {
    info = load(readFileSync(infoPath, 'utf8'));
  } catch {
    return undefined;
  }
  const tests = (info as { regression_tests_info?: unknown } | null)?.regression_tests_info;
  if (!Array.isArray(tests)) return undefined;
  // A case file beside the info.yml (never written): events_file paths are relative to it.
  const file = join(dirname(infoPath), `${basename(rule.file).replace(/\.ya?ml$/, '')}.sigmatest-cases.yml`);
  const cases: Case[] = [];
  for (const [k, t] of (tests as Array<{ name?: unknown; match_count?: unknown; path?: unknown }>).entries()) {
    if (typeof t.path !== 'string') continue;
    const data = pickDataFile(root, t.path, 'json');
    if (data === undefined) continue;
    const atLeast = typeof t.match_count === 'number' ? t.match_count : 1;
    cases.push({ index: cases.length, name: typeof t.name === 'string' ? t.name : `test ${k + 1}`, eventsFile: relative(dirname(file), join(root, data)), count: { at_least: atLeast } });
  }
  if (cases.length === 0) return undefined;
  return { file, rule: rule.id ?? rule.file, logsource: 'ignore', cases, properties: [] };
}

/** Mutation results of every rule with regression data, its regression tests as its only cases. */
export function mutateRegressionSuites(root: string, rules: readonly SigmaRule[], options: { mapping: LogsourceMapping; budget?: KillerBudget; onRule?: (done: number) => void }): RuleMutation[] {
  const out: RuleMutation[] = [];
  for (const rule of rules) {
    const cf = regressionCaseFile(root, rule);
    if (cf === undefined) continue;
    out.push(mutateRule(rule, [{ cf, cases: cf.cases }], { mapping: options.mapping, root, budget: options.budget }).result);
    options.onRule?.(out.length);
  }
  return out;
}
