/**
 * The fuzz report as data: per rule its status, witness count and findings, and a summary
 * ({@link summarizeFuzz}); report/fuzz/ renders it as JSON, the shape CI and other tools read,
 * or as text.
 */
import type { Provenance } from '../util/provenance.js';
import { relative } from 'node:path';
import type { Finding, FindingCode, RuleFuzzResult } from './fuzz-rule.js';

export interface FuzzReportRule {
  id: string | null;
  title: string;
  path: string;
  status: 'pass' | 'fail' | 'unsupported';
  witnesses: number;
  runs: number;
  reason?: string;
  /** The rule's findings; their file is the rule's `path` (or `file`, a filter's, when set), their position `line` and `column`. */
  findings: Array<Omit<Finding, 'pos' | 'file'> & { line?: number; column?: number; file?: string }>;
}

/** The fuzz report as data (JSON as written by `fuzz --reporter json`): the rules and a summary. */
export interface FuzzReport {
  rules: FuzzReportRule[];
  summary: {
    rules: number;
    passed: number;
    failed: number;
    unsupported: number;
    /** Rules for which a matching event was synthesised. */
    synthesised: number;
    witnesses: number;
    findings: Partial<Record<FindingCode, number>>;
    errors: number;
    warnings: number;
    /** Findings of severity info (CLAIM_UNDECIDED...). */
    infos: number;
    /** Muted findings (listed with their reason, counted nowhere else). */
    suppressed: number;
    seed: number;
    runs: number;
    seconds: number;
  };
  /** Shard, commit and input fingerprint, recorded by the CLI for merge-reports (util/provenance.ts). */
  shard?: Provenance['shard'];
  head?: Provenance['head'];
  fingerprint?: string;
}

/** The fuzz report of fuzzRule results: per rule its status, witness count and findings (paths relative to `meta.cwd`), and a summary. */
export function buildFuzzReport(results: readonly RuleFuzzResult[], meta: { seed: number; runs: number; seconds: number; cwd: string }): FuzzReport {
  const rules = results.map((r): FuzzReportRule => {
    const row: FuzzReportRule = {
      id: r.rule.id ?? null,
      title: r.rule.title,
      path: relative(meta.cwd, r.rule.file) || r.rule.file,
      status: r.status,
      witnesses: r.witnesses.length,
      runs: r.runs,
      findings: r.findings.map(({ pos, file, ...f }) => ({
        ...f,
        ...(pos ? { line: pos.line, column: pos.column } : {}),
        ...(file !== undefined && file !== r.rule.file ? { file: relative(meta.cwd, file) || file } : {}),
      })),
    };
    if (r.reason !== undefined) row.reason = r.reason;
    return row;
  });
  return { rules, summary: summarizeFuzz(rules, meta) };
}

/** The summary of fuzz report rows: for one run as for merged shards (report/merge.ts). */
export function summarizeFuzz(rules: readonly FuzzReportRule[], meta: { seed: number; runs: number; seconds: number }): FuzzReport['summary'] {
  const findings: Partial<Record<FindingCode, number>> = {};
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  let suppressed = 0;
  for (const r of rules) {
    for (const f of r.findings) {
      if (f.suppressed !== undefined) {
        suppressed++;
        continue;
      }
      findings[f.code] = (findings[f.code] ?? 0) + 1;
      if (f.severity === 'error') errors++;
      else if (f.severity === 'warning') warnings++;
      else infos++;
    }
  }
  return {
    rules: rules.length,
    passed: rules.filter((r) => r.status === 'pass').length,
    failed: rules.filter((r) => r.status === 'fail').length,
    unsupported: rules.filter((r) => r.status === 'unsupported').length,
    synthesised: rules.filter((r) => r.witnesses > 0).length,
    witnesses: rules.reduce((n, r) => n + r.witnesses, 0),
    findings,
    errors,
    warnings,
    infos,
    suppressed,
    seed: meta.seed,
    runs: meta.runs,
    seconds: meta.seconds,
  };
}
