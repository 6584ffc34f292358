/**
 * The gate reporters: text, json, junit, sarif (2.1.0) and github (workflow commands), and the
 * Markdown step summary; each renders a {@link GateReport}.
 */
import { CHECKS } from '../gate/gate-result.js';
import type { CheckStatus, GateReport } from '../gate/gate-result.js';
import { xmlEscape as x } from './escape.js';

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
