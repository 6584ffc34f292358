/**
 * The mutation report every `mutate` reporter renders: per rule its score and mutants (operator,
 * detection path, line, description, diff, status, killedBy, killer), and the summary. Paths are
 * shown relative to the working folder. Built here so reporters compute nothing.
 */
import { relative } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostics.js';
import { mutationScore } from './run-mutants.js';
import type { Killer, MutantStatus, RuleMutation } from './run-mutants.js';
import type { MutantDiff, MutantOperator } from './mutants.js';

/** One mutant as reports show it. */
export interface MutantRecord {
  operator: MutantOperator;
  path: string;
  line: number;
  description: string;
  diff: MutantDiff;
  status: MutantStatus;
  killedBy: string[];
  killer: Killer | null;
}

/** One rule as reports show it. */
export interface RuleMutationRecord {
  id: string | null;
  title: string;
  /** The rule file, relative to the working folder. */
  path: string;
  caseFiles: string[];
  /** killed / (mutants − equivalent), 0-100; null when no mutant counts. */
  score: number | null;
  killed: number;
  survived: number;
  equivalent: number;
  /** The score is at or above --min-score (true without one). */
  ok: boolean;
  mutants: MutantRecord[];
}

export interface MutationSummary {
  rules: number;
  mutants: number;
  killed: number;
  survived: number;
  equivalent: number;
  score: number | null;
  /** The threshold given (--min-score), or null. */
  minScore: number | null;
  /** Every rule at or above the threshold and no input error. */
  ok: boolean;
}

/** What `sigmatest mutate` reports. */
export interface MutationReport {
  rules: RuleMutationRecord[];
  summary: MutationSummary;
  /** Problems met loading or running (as `file:line:col: message`). */
  diagnostics: Diagnostic[];
}

function shown(cwd: string, file: string): string {
  const r = relative(cwd, file);
  return r.startsWith('..') || r === '' ? file : r.split('\\').join('/');
}

/** The report of a mutation run (see the file comment). */
export function buildMutationReport(results: readonly RuleMutation[], cwd: string, minScore: number | undefined, diagnostics: readonly Diagnostic[] = []): MutationReport {
  const rules = results.map((r): RuleMutationRecord => ({
    id: r.rule.id ?? null,
    title: r.rule.title,
    path: shown(cwd, r.rule.file),
    caseFiles: r.caseFiles.map((f) => shown(cwd, f)),
    score: r.score,
    killed: r.killed,
    survived: r.survived,
    equivalent: r.equivalent,
    ok: minScore === undefined || r.score === null || r.score >= minScore,
    mutants: r.mutants.map((m) => ({ operator: m.operator, path: m.path, line: m.line, description: m.description, diff: m.diff, status: m.status, killedBy: m.killedBy, killer: m.killer })),
  }));
  const killed = rules.reduce((n, r) => n + r.killed, 0);
  const survived = rules.reduce((n, r) => n + r.survived, 0);
  const equivalent = rules.reduce((n, r) => n + r.equivalent, 0);
  const inputErrors = diagnostics.some((d) => d.severity === 'error');
  return {
    rules,
    summary: {
      rules: rules.length,
      mutants: killed + survived + equivalent,
      killed,
      survived,
      equivalent,
      score: mutationScore(killed, survived),
      minScore: minScore ?? null,
      ok: !inputErrors && rules.length > 0 && rules.every((r) => r.ok),
    },
    diagnostics: [...diagnostics],
  };
}
