/**
 * Mutation testing of one rule: every mutant (mutants.ts) is run against the rule's cases and
 * properties exactly as `sigmatest run` runs them (compiled matcher, checked against the reference
 * evaluator on every event); a mutant is *killed* when some case or property changes outcome
 * (its status: a verdict or an expected stage no longer as it was with the original rule). The
 * properties run only for a mutant no case kills (they cost hundreds of runs each), so `killedBy`
 * names the cases that kill a mutant, or else the properties.
 *
 * For a survivor, the semantic diff of the fuzz layer looks for an event on which the original and
 * the mutant disagree; the event found is confirmed with the reference evaluator (as the rule's
 * logsource sees it) and reported as the *killer*, with the original's verdict: a case with that
 * event and verdict would kill the mutant. When the search finds none within its budget, the mutant
 * is `equivalent` (probably: the search samples) and is left out of the score.
 */
import type { Diagnostic } from '../diagnostics/diagnostics.js';
import type { Event } from '../evaluate/evaluate.js';
import { sourceVerdict } from '../evaluate/source-verdict.js';
import { compileLogsourceFilter } from '../logsource/logsource.js';
import type { SigmaRule } from '../rules/load-rule.js';
import { caseEvents, runRuleCases } from '../cases/run-cases.js';
import type { RuleRun, RunOptions } from '../cases/run-cases.js';
import type { Case, CaseFile } from '../cases/load-cases.js';
import { semanticDiff } from '../fuzz/semantic-diff.js';
import { ruleMutants } from './mutants.js';
import type { Mutant, MutantDiff, MutantOperator } from './mutants.js';

export type MutantStatus = 'killed' | 'survived' | 'equivalent';

/** An event on which the original rule and a mutant disagree. */
export interface Killer {
  event: Event;
  /** The original rule's verdict on it (the mutant gives the other one). */
  verdict: 'match' | 'no-match';
}

/** One mutant and what the suite made of it. */
export interface MutantResult {
  operator: MutantOperator;
  path: string;
  line: number;
  description: string;
  diff: MutantDiff;
  status: MutantStatus;
  /** The cases whose outcome the mutant changed; when none did, the properties (`property: <name>`) that did. */
  killedBy: string[];
  /** For a survivor: an event that would kill it; null otherwise (or when none was found). */
  killer: Killer | null;
}

/** A rule's mutants and its mutation score. */
export interface RuleMutation {
  rule: SigmaRule;
  caseFiles: string[];
  mutants: MutantResult[];
  killed: number;
  survived: number;
  equivalent: number;
  /** killed / (mutants − equivalent), 0-100; null when every mutant is equivalent (or there are none). */
  score: number | null;
}

/** How hard the killer search tries for each survivor (see semantic-diff.ts). */
export interface KillerBudget {
  /** Witness seeds per version (default 12). */
  seeds?: number;
  /** Fuzz runs per version (default 10). */
  fuzzRuns?: number;
  /** Base events mutated (default 150). */
  maxMutated?: number;
}

/** How mutateRule runs: the options of runRuleCases, the killer search budget and how many case events it starts from. */
export interface MutateOptions extends RunOptions {
  budget?: KillerBudget | undefined;
  /** Case events passed to the killer search, per rule (default 64). */
  caseEventLimit?: number | undefined;
}

/** The score of killed and survived counts (percent, one decimal), null when nothing counts. */
export function mutationScore(killed: number, survived: number): number | null {
  const n = killed + survived;
  return n === 0 ? null : Math.round((killed / n) * 1000) / 10;
}

/** The outcome of every case and property of a run, by a name unique within the run. */
function outcomes(run: Pick<RuleRun, 'cases' | 'properties'>): Map<string, { name: string; status: string }> {
  const m = new Map<string, { name: string; status: string }>();
  for (const c of run.cases) m.set(`case\u0000${c.file}\u0000${c.name}`, { name: c.name, status: c.status });
  for (const p of run.properties) m.set(`property\u0000${p.file}\u0000${p.name}`, { name: `property: ${p.name}`, status: p.status });
  return m;
}

/** Up to `limit` events of the rule's cases (for the killer search). */
function someCaseEvents(files: ReadonlyArray<{ cf: CaseFile; cases: Case[] }>, options: RunOptions, limit: number): Event[] {
  const out: Event[] = [];
  for (const { cf, cases } of files) {
    for (const c of cases) {
      let k = 0;
      for (const e of caseEvents(cf, c, options, [], [])) {
        if (out.length >= limit || k++ >= 8) break;
        out.push(e);
      }
    }
  }
  return out;
}

/**
 * Looks for an event on which `rule` and `mutant` disagree, confirmed with the reference
 * evaluator; null when none is found within the budget.
 */
export function findKiller(rule: SigmaRule, mutant: SigmaRule, options: { mapping: RunOptions['mapping']; budget?: KillerBudget | undefined; extraEvents?: readonly Event[] }): Killer | null {
  const b = options.budget ?? {};
  let d;
  try {
    d = semanticDiff(rule, mutant, { mapping: options.mapping, seeds: b.seeds ?? 12, fuzzRuns: b.fuzzRuns ?? 10, maxMutated: b.maxMutated ?? 150, extraEvents: options.extraEvents ?? [], examples: 8 });
  } catch {
    return null;
  }
  const applies = compileLogsourceFilter(rule.logsource, options.mapping);
  const before = sourceVerdict(rule.plan, rule.logsource, options.mapping);
  const after = sourceVerdict(mutant.plan, mutant.logsource, options.mapping);
  // Smallest first: the event a reader (and a saved case) takes in at a glance.
  const found = [...d.lostMatches, ...d.newMatches].sort((x, y) => JSON.stringify(x).length - JSON.stringify(y).length);
  for (const e of found) {
    try {
      if (!applies(e)) continue;
      const a = before(e);
      if (a !== after(e)) return { event: e, verdict: a ? 'match' : 'no-match' };
    } catch {
      // An event the evaluator cannot take is no killer.
    }
  }
  return null;
}

/** The rule with a mutant's plan (same file, id and logsource: same property seeds). */
export function mutantRule(rule: SigmaRule, m: Mutant): SigmaRule {
  return { ...rule, plan: m.plan };
}

/** Runs every mutant of a rule against its cases and properties (see the file comment). */
export function mutateRule(rule: SigmaRule, files: ReadonlyArray<{ cf: CaseFile; cases: Case[] }>, options: MutateOptions): { result: RuleMutation; diagnostics: Diagnostic[] } {
  const original = runRuleCases(rule, files, options);
  const before = outcomes(original.run);
  const extra = someCaseEvents(files, options, options.caseEventLimit ?? 64);
  const mutants: MutantResult[] = [];
  for (const m of ruleMutants(rule)) {
    const mr = mutantRule(rule, m);
    // The cases first; the properties (hundreds of runs each) only for a mutant no case kills.
    const killedBy: string[] = [];
    const changed = (run: Pick<RuleRun, 'cases' | 'properties'>): void => {
      for (const [key, o] of outcomes(run)) {
        const was = before.get(key);
        if (was !== undefined && was.status !== o.status) killedBy.push(o.name);
      }
    };
    changed({ cases: runRuleCases(mr, files, { ...options, properties: undefined }).run.cases, properties: [] });
    if (killedBy.length === 0 && options.properties !== undefined && files.some((f) => f.cf.properties.length > 0)) {
      changed({ cases: [], properties: options.properties(mr, files, { mapping: options.mapping, seed: options.seed }).results });
    }
    let status: MutantStatus = killedBy.length > 0 ? 'killed' : 'survived';
    let killer: Killer | null = null;
    if (status === 'survived') {
      killer = findKiller(rule, mr, { mapping: options.mapping, budget: options.budget, extraEvents: extra });
      if (killer === null) status = 'equivalent';
    }
    mutants.push({ operator: m.operator, path: m.path, line: m.line, description: m.description, diff: m.diff, status, killedBy, killer });
  }
  const killed = mutants.filter((m) => m.status === 'killed').length;
  const survived = mutants.filter((m) => m.status === 'survived').length;
  const equivalent = mutants.length - killed - survived;
  return {
    result: { rule, caseFiles: original.run.caseFiles, mutants, killed, survived, equivalent, score: mutationScore(killed, survived) },
    diagnostics: original.diagnostics,
  };
}
