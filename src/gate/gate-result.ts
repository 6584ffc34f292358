/**
 * The gate report as data: a row per changed rule with its checks, gate-level messages and the
 * summary ({@link summarize}; report/gate/ renders it). report/merge.ts combines the JSON reports
 * of shards into one with the same summary.
 */
import type { ChangeKind } from './changed-rules.js';

/** How a rule in the gate report changed: as a file, or `unchanged` (only its case files changed). */
export type RuleChangeKind = ChangeKind | 'unchanged';
import type { DiffKind } from './semantic-diff.js';
import type { Event } from '../evaluate/evaluate.js';
import type { DiagnosticCode } from '../diagnostics/codes.js';

export type CheckName = 'validate' | 'tests' | 'tests-weakened' | 'coverage' | 'fuzz' | 'semantic-diff' | 'corpus';
export type CheckStatus = 'pass' | 'fail' | 'skip' | 'warn';

export const CHECKS: ReadonlyArray<{ name: CheckName; description: string }> = [
  { name: 'validate', description: 'Rule validation (metadata, tags, logsource, modifier and wildcard pitfalls)' },
  { name: 'tests', description: 'The rule has enough match and no-match cases and all of them pass' },
  { name: 'tests-weakened', description: 'No positive case of the base version was removed or flipped to no-match, unless the rule change explains it' },
  { name: 'coverage', description: 'The cases cover the rule to the minimum percentage' },
  { name: 'fuzz', description: 'Fuzzing finds no engine disagreement and the rule is satisfiable' },
  { name: 'semantic-diff', description: 'What the change does to the set of matched events; detections of the base cases must not be lost' },
  { name: 'corpus', description: 'The rule does not match the benign corpus (apart from known false positives)' },
];

export interface GateLocation {
  file: string;
  line: number;
  column?: number;
}

export interface GateCheck {
  name: CheckName;
  status: CheckStatus;
  message: string;
  /** More lines (diagnostics, failing cases, matches...). */
  details?: string[];
  /** Where the problem is; the rule's position by default. */
  location?: GateLocation;
}

export interface GateRuleReport {
  id: string | null;
  title: string | null;
  path: string;
  oldPath?: string;
  change: RuleChangeKind;
  /** The changed case files naming this rule (current paths; deleted ones as they were). */
  caseFiles?: string[];
  diff: DiffKind | null;
  /** Flipped example events of the semantic diff. */
  examples?: { newMatches: Event[]; lostMatches: Event[] };
  line: number;
  status: 'pass' | 'fail';
  checks: GateCheck[];
}

/** A problem of the gate run itself (not of one rule): a registered code, where, and what. */
export interface GateMessage {
  severity: 'error' | 'warning';
  code: DiagnosticCode;
  message: string;
  file?: string;
  line?: number;
}

export interface GateSummary {
  rules: number;
  passed: number;
  failed: number;
  byChange: Record<RuleChangeKind, number>;
  byDiff: Record<DiffKind, number>;
  checks: Record<CheckStatus, number>;
  problems: string[];
  ok: boolean;
}

export interface GateReport {
  tool: 'sigmatest-gate';
  version: 1;
  base: string | null;
  baseRef: string | null;
  shard: { index: number; count: number } | null;
  /** The commit checked out (HEAD) when the gate ran; null outside git. */
  head: string | null;
  /** The inputs every shard shares (util/provenance.ts): merge-reports refuses a mix of runs. */
  fingerprint: string | null;
  rules: GateRuleReport[];
  /** Gate-level messages (expired known-FP entries, no-git fallback...). */
  messages: GateMessage[];
  summary: GateSummary;
}

/** Recomputes a rule's status from its checks. */
export function ruleStatus(checks: readonly GateCheck[]): 'pass' | 'fail' {
  return checks.some((c) => c.status === 'fail') ? 'fail' : 'pass';
}

/** The summary of a list of rule reports and gate messages. */
export function summarize(rules: readonly GateRuleReport[], messages: readonly GateMessage[]): GateSummary {
  const byChange: Record<RuleChangeKind, number> = { added: 0, modified: 0, renamed: 0, deleted: 0, unchanged: 0 };
  const byDiff: Record<DiffKind, number> = { widened: 0, narrowed: 0, changed: 0, equivalent: 0 };
  const checks: Record<CheckStatus, number> = { pass: 0, fail: 0, skip: 0, warn: 0 };
  for (const r of rules) {
    if (r.change in byChange) byChange[r.change]++;
    if (r.diff !== null) byDiff[r.diff]++;
    for (const c of r.checks) checks[c.status]++;
  }
  const failed = rules.filter((r) => r.status === 'fail');
  const problems: string[] = [];
  for (const r of failed) {
    const names = r.checks.filter((c) => c.status === 'fail').map((c) => c.name);
    problems.push(`${r.path}: ${names.join(', ')} failed`);
  }
  for (const m of messages) if (m.severity === 'error') problems.push(m.message);
  return { rules: rules.length, passed: rules.length - failed.length, failed: failed.length, byChange, byDiff, checks, problems, ok: problems.length === 0 };
}
