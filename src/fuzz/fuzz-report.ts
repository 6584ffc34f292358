/**
 * The fuzz report: per rule its status, witness count and findings, and a summary; as JSON (the
 * shape CI and other tools read) and as text.
 */
import { relative } from 'node:path';
import type { Event } from '../evaluate/evaluate.js';
import type { Finding, FindingCode, RuleFuzzResult } from './fuzz-rule.js';

export interface FuzzReportRule {
  id: string | null;
  title: string;
  path: string;
  status: 'pass' | 'fail' | 'unsupported';
  witnesses: number;
  runs: number;
  reason?: string;
  findings: Array<Omit<Finding, 'pos'> & { line?: number; column?: number }>;
}

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
    seed: number;
    runs: number;
    seconds: number;
  };
}

export function buildFuzzReport(results: readonly RuleFuzzResult[], meta: { seed: number; runs: number; seconds: number; cwd: string }): FuzzReport {
  const findings: Partial<Record<FindingCode, number>> = {};
  let errors = 0;
  let warnings = 0;
  const rules = results.map((r): FuzzReportRule => {
    for (const f of r.findings) {
      findings[f.code] = (findings[f.code] ?? 0) + 1;
      if (f.severity === 'error') errors++;
      else warnings++;
    }
    const row: FuzzReportRule = {
      id: r.rule.id ?? null,
      title: r.rule.title,
      path: relative(meta.cwd, r.rule.file) || r.rule.file,
      status: r.status,
      witnesses: r.witnesses.length,
      runs: r.runs,
      findings: r.findings.map(({ pos, ...f }) => (pos ? { ...f, line: pos.line, column: pos.column } : f)),
    };
    if (r.reason !== undefined) row.reason = r.reason;
    return row;
  });
  return {
    rules,
    summary: {
      rules: rules.length,
      passed: rules.filter((r) => r.status === 'pass').length,
      failed: rules.filter((r) => r.status === 'fail').length,
      unsupported: rules.filter((r) => r.status === 'unsupported').length,
      synthesised: results.filter((r) => r.witnesses.length > 0).length,
      witnesses: results.reduce((n, r) => n + r.witnesses.length, 0),
      findings,
      errors,
      warnings,
      seed: meta.seed,
      runs: meta.runs,
      seconds: meta.seconds,
    },
  };
}

export function formatFuzzJson(r: FuzzReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

function short(e: Event | undefined): string {
  if (e === undefined) return '';
  const t = JSON.stringify(e);
  return t.length > 300 ? `${t.slice(0, 299)}…` : t;
}

export function formatFuzzText(r: FuzzReport): string {
  const lines: string[] = [];
  for (const rule of r.rules) {
    const mark = rule.status === 'pass' ? 'ok  ' : rule.status === 'fail' ? 'FAIL' : 'skip';
    lines.push(`${mark} ${rule.path}  (${rule.witnesses} witnesses${rule.reason ? `; ${rule.reason}` : ''})`);
    for (const f of rule.findings) {
      const at = f.line !== undefined ? `${rule.path}:${f.line}:${f.column ?? 1}: ` : '';
      lines.push(`     ${f.severity} ${f.code}: ${at}${f.message}`);
      if (f.event !== undefined) lines.push(`       example: ${short(f.event)}`);
      lines.push(`       replay: --seed ${f.seed}${f.path ? ` (path ${f.path})` : ''}`);
    }
  }
  const s = r.summary;
  const codes = Object.entries(s.findings)
    .map(([c, n]) => `${c} ${n}`)
    .join(', ');
  lines.push(
    '',
    `fuzz: ${s.rules} rules, ${s.passed} passed, ${s.failed} failed, ${s.unsupported} unsupported; witnesses synthesised for ${s.synthesised}/${s.rules} rules (${s.rules ? ((100 * s.synthesised) / s.rules).toFixed(1) : '0'}%)`,
    `fuzz: ${s.errors} errors, ${s.warnings} warnings${codes ? ` (${codes})` : ''}; ${s.runs} runs per rule, seed ${s.seed}, ${s.seconds.toFixed(1)} s`,
  );
  return `${lines.join('\n')}\n`;
}
