/**
 * The gate report as data and its reporters: text, json, junit, sarif (2.1.0) and github
 * (workflow commands plus a Markdown step summary). `mergeGateReports` combines the JSON reports
 * of shards into one (rules concatenated, summary recomputed).
 */
import type { ChangeKind } from './changed-rules.js';
import type { DiffKind } from './semantic-diff.js';
import type { Event } from '../evaluate/evaluate.js';
import { xmlEscape as x } from '../report/xml.js';

export type CheckName = 'validate' | 'tests' | 'coverage' | 'fuzz' | 'semantic-diff' | 'corpus';
export type CheckStatus = 'pass' | 'fail' | 'skip' | 'warn';

export const CHECKS: ReadonlyArray<{ name: CheckName; description: string }> = [
  { name: 'validate', description: 'Rule validation (metadata, tags, logsource, modifier and wildcard pitfalls)' },
  { name: 'tests', description: 'The rule has enough match and no-match cases and all of them pass' },
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
  change: ChangeKind;
  diff: DiffKind | null;
  /** Flipped example events of the semantic diff. */
  examples?: { newMatches: Event[]; lostMatches: Event[] };
  line: number;
  status: 'pass' | 'fail';
  checks: GateCheck[];
}

export interface GateMessage {
  severity: 'error' | 'warning';
  code: string;
  message: string;
  file?: string;
  line?: number;
}

export interface GateSummary {
  rules: number;
  passed: number;
  failed: number;
  byChange: Record<ChangeKind, number>;
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
  const byChange: Record<ChangeKind, number> = { added: 0, modified: 0, renamed: 0, deleted: 0 };
  const byDiff: Record<DiffKind, number> = { widened: 0, narrowed: 0, changed: 0, equivalent: 0 };
  const checks: Record<CheckStatus, number> = { pass: 0, fail: 0, skip: 0, warn: 0 };
  for (const r of rules) {
    byChange[r.change]++;
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

/** Combines gate JSON reports (shards) into one. Throws on something that is not a gate report. */
export function mergeGateReports(reports: readonly unknown[]): GateReport {
  const rules: GateRuleReport[] = [];
  const messages: GateMessage[] = [];
  const seenMessages = new Set<string>();
  let base: string | null = null;
  let baseRef: string | null = null;
  reports.forEach((r, k) => {
    const o = r as Partial<GateReport> | null;
    if (o === null || typeof o !== 'object' || !Array.isArray(o.rules) || o.summary === undefined) {
      throw new Error(`report ${k + 1} is not a sigmatest gate JSON report (no rules and summary)`);
    }
    base ??= o.base ?? null;
    baseRef ??= o.baseRef ?? null;
    rules.push(...o.rules);
    for (const m of o.messages ?? []) {
      const key = JSON.stringify(m);
      if (seenMessages.has(key)) continue;
      seenMessages.add(key);
      messages.push(m);
    }
  });
  rules.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const r of rules) r.status = ruleStatus(r.checks);
  return { tool: 'sigmatest-gate', version: 1, base, baseRef, shard: null, rules, messages, summary: summarize(rules, messages) };
}

// ---------------------------------------------------------------------------------------------
// Reporters.

const MARK: Record<CheckStatus, string> = { pass: 'ok  ', fail: 'FAIL', skip: 'skip', warn: 'warn' };

export function formatGateText(report: GateReport): string {
  const out: string[] = [];
  const base = report.baseRef !== null ? ` against ${report.baseRef}${report.base !== null ? ` (merge-base ${report.base.slice(0, 12)})` : ''}` : '';
  const shard = report.shard !== null ? ` [shard ${report.shard.index}/${report.shard.count}]` : '';
  out.push(`sigmatest gate${base}${shard}`, '');
  if (report.rules.length === 0) out.push('No rule changed.', '');
  for (const r of report.rules) {
    const diff = r.diff !== null ? `, ${r.diff}` : '';
    const renamed = r.oldPath !== undefined ? ` (from ${r.oldPath})` : '';
    out.push(`${r.status === 'pass' ? 'PASS' : 'FAIL'} ${r.path}${renamed} — ${r.change}${diff}${r.title !== null ? ` — ${r.title}` : ''}`);
    for (const c of r.checks) {
      out.push(`  ${MARK[c.status]} ${c.name.padEnd(13)} ${c.message}`);
      for (const d of c.details ?? []) out.push(`         ${d}`);
    }
    // The flipped examples are in the semantic-diff check's details.
    out.push('');
  }
  for (const m of report.messages) out.push(`${m.severity}: ${m.file !== undefined ? `${m.file}${m.line !== undefined ? `:${m.line}` : ''}: ` : ''}${m.message}`);
  if (report.messages.length > 0) out.push('');
  const s = report.summary;
  out.push(
    `${s.rules} changed rule${s.rules === 1 ? '' : 's'}: ${s.passed} passed, ${s.failed} failed ` +
      `(checks: ${s.checks.pass} pass, ${s.checks.fail} fail, ${s.checks.warn} warn, ${s.checks.skip} skip)`,
  );
  out.push(s.ok ? 'Gate passed.' : `Gate FAILED:\n${s.problems.map((p) => `  - ${p}`).join('\n')}`);
  return out.join('\n') + '\n';
}

export function formatGateJson(report: GateReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}

export function formatGateJunit(report: GateReport): string {
  const s = report.summary;
  const total = report.rules.reduce((n, r) => n + r.checks.length, 0);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="sigmatest gate" tests="${total}" failures="${s.checks.fail}" errors="0" skipped="${s.checks.skip}">`,
  ];
  for (const r of report.rules) {
    const fails = r.checks.filter((c) => c.status === 'fail').length;
    const skips = r.checks.filter((c) => c.status === 'skip').length;
    out.push(`  <testsuite name="${x(r.title ?? r.path)}" file="${x(r.path)}" tests="${r.checks.length}" failures="${fails}" errors="0" skipped="${skips}">`);
    out.push(
      `    <properties><property name="rule.id" value="${x(r.id ?? '')}"/><property name="change" value="${r.change}"/><property name="diff" value="${r.diff ?? ''}"/></properties>`,
    );
    for (const c of r.checks) {
      const attrs = `name="${x(c.name)}" classname="${x(r.path)}" file="${x(c.location?.file ?? r.path)}" line="${c.location?.line ?? r.line}"`;
      const body = [c.message, ...(c.details ?? [])].join('\n');
      if (c.status === 'fail') out.push(`    <testcase ${attrs}>`, `      <failure message="${x(c.message)}">${x(body)}</failure>`, '    </testcase>');
      else if (c.status === 'skip') out.push(`    <testcase ${attrs}>`, `      <skipped message="${x(c.message)}"/>`, '    </testcase>');
      else if (c.status === 'warn') out.push(`    <testcase ${attrs}>`, `      <system-out>${x(`warning: ${body}`)}</system-out>`, '    </testcase>');
      else out.push(`    <testcase ${attrs}/>`);
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

/** SARIF 2.1.0: a reporting rule per check, a result per failed or warned check. */
export function formatGateSarif(report: GateReport): string {
  const ruleIndex = new Map(CHECKS.map((c, k) => [c.name, k]));
  const results: unknown[] = [];
  const location = (file: string, line: number, column?: number): unknown => ({
    physicalLocation: {
      artifactLocation: { uri: file.split('\\').join('/'), uriBaseId: '%SRCROOT%' },
      region: { startLine: Math.max(1, line), ...(column !== undefined ? { startColumn: Math.max(1, column) } : {}) },
    },
  });
  for (const r of report.rules) {
    for (const c of r.checks) {
      if (c.status !== 'fail' && c.status !== 'warn') continue;
      const loc = c.location ?? { file: r.path, line: r.line };
      const text = [`${r.title ?? r.path}: ${c.message}`, ...(c.details ?? []).slice(0, 20)].join('\n');
      results.push({
        ruleId: `sigmatest/${c.name}`,
        ruleIndex: ruleIndex.get(c.name) ?? 0,
        level: c.status === 'fail' ? 'error' : 'warning',
        message: { text },
        locations: [location(loc.file, loc.line, loc.column)],
        properties: { ruleId: r.id, change: r.change, diff: r.diff },
      });
    }
  }
  for (const m of report.messages) {
    if (m.file === undefined) continue;
    results.push({
      ruleId: `sigmatest/${m.code}`,
      level: m.severity === 'error' ? 'error' : 'warning',
      message: { text: m.message },
      locations: [location(m.file, m.line ?? 1)],
    });
  }
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'sigmatest',
            informationUri: 'https://github.com/SigmaHQ/sigma',
            rules: CHECKS.map((c) => ({
              id: `sigmatest/${c.name}`,
              name: c.name,
              shortDescription: { text: c.description },
              defaultConfiguration: { level: 'error' },
            })),
          },
        },
        results,
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}

/** GitHub workflow-command escaping (data and properties). */
function ghData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function ghProp(s: string): string {
  return ghData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::error file=…,line=…::message` lines for failed checks, `::warning` for warnings. */
export function formatGateGithub(report: GateReport): string {
  const out: string[] = [];
  for (const r of report.rules) {
    for (const c of r.checks) {
      if (c.status !== 'fail' && c.status !== 'warn') continue;
      const loc = c.location ?? { file: r.path, line: r.line };
      const kind = c.status === 'fail' ? 'error' : 'warning';
      const body = [c.message, ...(c.details ?? []).slice(0, 10)].join('\n');
      out.push(`::${kind} file=${ghProp(loc.file)},line=${loc.line},title=${ghProp(`sigmatest gate: ${c.name}`)}::${ghData(body)}`);
    }
  }
  for (const m of report.messages) {
    const props = m.file !== undefined ? ` file=${ghProp(m.file)}${m.line !== undefined ? `,line=${m.line}` : ''}` : '';
    out.push(`::${m.severity}${props}::${ghData(m.message)}`);
  }
  const s = report.summary;
  out.push(`sigmatest gate: ${s.rules} changed rule(s), ${s.passed} passed, ${s.failed} failed — ${s.ok ? 'passed' : 'FAILED'}`);
  return out.join('\n') + '\n';
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The Markdown step summary: a table of rules and checks. */
export function formatGateMarkdown(report: GateReport): string {
  const icon: Record<CheckStatus, string> = { pass: '✅', fail: '❌', skip: '⏭️', warn: '⚠️' };
  const out = [`## sigmatest gate: ${report.summary.ok ? '✅ passed' : '❌ failed'}`, ''];
  if (report.rules.length === 0) out.push('No rule changed.', '');
  else {
    out.push(`| Rule | Change | Diff | ${CHECKS.map((c) => c.name).join(' | ')} |`, `|---|---|---|${CHECKS.map(() => '---').join('|')}|`);
    for (const r of report.rules) {
      const cells = CHECKS.map((c) => {
        const found = r.checks.find((k) => k.name === c.name);
        return found === undefined ? '' : icon[found.status];
      });
      out.push(`| \`${mdCell(r.path)}\` | ${r.change} | ${r.diff ?? ''} | ${cells.join(' | ')} |`);
    }
    out.push('');
  }
  const problems = report.summary.problems;
  if (problems.length > 0) out.push('**Problems**', '', ...problems.map((p) => `- ${mdCell(p)}`), '');
  const s = report.summary;
  out.push(`${s.rules} changed rule(s): ${s.passed} passed, ${s.failed} failed.`, '');
  return out.join('\n');
}

export const GATE_REPORTERS: Record<string, (r: GateReport) => string> = {
  text: formatGateText,
  json: formatGateJson,
  junit: formatGateJunit,
  sarif: formatGateSarif,
  github: formatGateGithub,
};
