/**
 * The index page: the run's summary and one row per rule (status, cases, properties, coverage bar, stages,
 * fuzz findings, ATT&CK tactics, and the gate's verdict when gate results are given), sortable
 * by any column and filterable by text and status (INDEX_SCRIPT in assets.ts).
 */
import type { RuleReport, SuiteReport } from '../run/suite-report.js';
import { KNOWN_TACTICS, parseAttackTags } from '../../explain/attack.js';
import { formatDiagnostic } from '../../diagnostics/diagnostics.js';
import { INDEX_SCRIPT } from './assets.js';
import { html } from './html.js';
import type { Html, HtmlValue } from './html.js';
import { STATUS_LABEL, badge, coverageBar, page, plural } from './parts.js';
import { fuzzCounts, lookupRule } from './types.js';
import type { GateEntry, HtmlReportExtras } from './types.js';

const LEVEL_RANK: Record<string, number> = { informational: 0, low: 1, medium: 2, high: 3, critical: 4 };
const STATUS_RANK: Record<RuleReport['status'], number> = { fail: 0, 'below-coverage': 1, untested: 2, skipped: 3, pass: 4 };
const DIFF_RANK: Record<string, number> = { widened: 0, changed: 1, narrowed: 2, equivalent: 3 };
const TACTIC_ORDER = new Map(KNOWN_TACTICS.map((t, k) => [t.slug, k]));

/** The ATT&CK tactic names of a rule, in matrix order (from its page when given, else its tags). */
export function ruleTactics(rule: RuleReport, extras: HtmlReportExtras): string[] {
  const page = lookupRule(extras.pages, rule);
  if (page !== undefined) return page.attack.flatMap((r) => (r.tactic === null ? [] : [r.tactic.name]));
  return parseAttackTags(rule.tags)
    .tactics.slice()
    .sort((a, b) => (TACTIC_ORDER.get(a.slug) ?? 99) - (TACTIC_ORDER.get(b.slug) ?? 99))
    .map((t) => t.name);
}

/** The gate entry of a rule, if the gate looked at it. */
export function gateEntryFor(rule: RuleReport, gate: readonly GateEntry[] | undefined): GateEntry | undefined {
  return gate?.find((g) => g.path === rule.path);
}

function failedChecks(g: GateEntry): number {
  return g.checks.filter((c) => c.status === 'fail' || c.status === 'error').length;
}

/** The gate's verdict for a rule in a few badges. */
export function gateSummary(g: GateEntry): Html {
  const failed = failedChecks(g);
  return html`${badge(g.change)} ${g.diff === null ? null : badge(g.diff)}${
    g.checks.length === 0 ? null : html` <span class="small ${failed > 0 ? 'tf f' : 'muted'}">${failed > 0 ? `${failed}/${g.checks.length} checks failed` : `${plural(g.checks.length, 'check')} passed`}</span>`
  }${g.flipped.length === 0 ? null : html` <span class="small muted">${plural(g.flipped.length, 'flipped event')}</span>`}`;
}

function th(label: string, type: 'text' | 'num', extra = ''): Html {
  return html`<th class="sortable${type === 'num' ? ' num' : ''}${extra}" data-type="${type}" aria-sort="none"><button type="button">${label}</button></th>`;
}

function td(content: HtmlValue, sort: string | number, cls?: string): Html {
  return html`<td${cls === undefined ? null : html` class="${cls}"`} data-sort="${String(sort)}">${content}</td>`;
}

function fuzzCell(rule: RuleReport, extras: HtmlReportExtras): Html {
  const f = lookupRule(extras.fuzz, rule);
  if (f === undefined) return td(html`<span class="muted">${rule.status === 'untested' ? '–' : 'not run'}</span>`, -1, 'num');
  const { errors, warnings } = fuzzCounts(f);
  const parts: Html[] = [];
  if (errors > 0) parts.push(badge(plural(errors, 'error'), 'error'));
  if (warnings > 0) parts.push(badge(plural(warnings, 'warning'), 'warning'));
  if (f.status === 'unsupported') parts.push(badge('unsupported'));
  const content = parts.length === 0 ? html`<span class="muted">0</span>` : html`${parts.map((p, k) => (k === 0 ? p : html` ${p}`))}`;
  return td(content, errors * 10000 + warnings, 'num fuzz-cell');
}

function propertiesCell(rule: RuleReport): Html {
  const p = rule.properties;
  if (p.results.length === 0) return td(html`<span class="muted">–</span>`, -1, 'num properties-cell');
  const bad = p.failed + p.errors;
  const parts: HtmlValue[] = [html`${p.passed}/${p.results.length}`];
  if (bad > 0) parts.push(html` ${badge(`${bad} failed`, 'fail')}`);
  if (p.knownGaps > 0) parts.push(html` ${badge(plural(p.knownGaps, 'known gap'), 'known-gap')}`);
  if (p.gapsClosed > 0) parts.push(html` ${badge(`${plural(p.gapsClosed, 'gap')} closed`, 'gap-closed')}`);
  return td(parts, p.passed - bad * 1000, 'num properties-cell');
}

function ruleRow(rule: RuleReport, href: string, report: SuiteReport, extras: HtmlReportExtras): Html {
  const tested = rule.status !== 'untested';
  // The coverage the run is judged on: with properties unless --coverage-from cases.
  const c = report.summary.coverageFrom === 'cases' ? rule.coverage : rule.coverageWithProperties;
  const stagesCovered = c.stages.filter((s) => s.covered).length;
  const failed = rule.cases.failed + rule.cases.errors;
  const tactics = ruleTactics(rule, extras);
  const gate = gateEntryFor(rule, extras.gate);
  const search = [rule.title, rule.path, rule.id ?? '', rule.level ?? '', STATUS_LABEL[rule.status] ?? rule.status, ...tactics, ...rule.tags, gate?.change ?? '', gate?.diff ?? '']
    .join(' ')
    .toLowerCase();
  return html`<tr class="rule-row" data-status="${rule.status}" data-search="${search}">
${td(html`<a href="${href}">${rule.title}</a><span class="path">${rule.path}</span>`, rule.title, 'title-cell')}
${td(rule.level ?? '–', LEVEL_RANK[rule.level ?? ''] ?? -1)}
${td(badge(STATUS_LABEL[rule.status] ?? rule.status, rule.status), STATUS_RANK[rule.status])}
${td(rule.cases.passed, rule.cases.passed, 'num')}
${td(failed > 0 ? html`<span class="tf f">${failed}</span>` : failed, failed, 'num')}
${propertiesCell(rule)}
${td(coverageBar(tested ? c.percent : null, report.summary.minCoverage), tested ? c.percent : -1, 'coverage-cell')}
${td(tested ? `${stagesCovered}/${c.stages.length}` : html`<span class="muted">${`0/${c.stages.length}`}</span>`, c.stages.length === 0 ? 0 : stagesCovered / c.stages.length, 'num')}
${fuzzCell(rule, extras)}
${td(tactics.length === 0 ? html`<span class="muted">–</span>` : html`<span class="tags">${tactics.map((t) => html`<span class="tag">${t}</span>`)}</span>`, tactics.join(', ') || '~')}
${extras.gate === undefined ? null : td(gate === undefined ? html`<span class="muted">unchanged</span>` : gateSummary(gate), gate === undefined ? 9 : (DIFF_RANK[gate.diff ?? ''] ?? 5))}
</tr>
`;
}

function card(k: string, v: HtmlValue, sub?: HtmlValue): Html {
  return html`<div class="card"><div class="k">${k}</div><div class="v">${v}</div>${sub === undefined ? null : html`<div class="small muted">${sub}</div>`}</div>`;
}

function gateSection(gate: readonly GateEntry[], hrefByPath: ReadonlyMap<string, string>): Html {
  const rows = gate.map((g) => {
    const href = hrefByPath.get(g.path);
    const name = href === undefined ? html`<code>${g.path}</code>` : html`<a href="${href}"><code>${g.path}</code></a>`;
    return html`<tr><td>${name}${g.oldPath === undefined ? null : html`<div class="small muted">was <code>${g.oldPath}</code></div>`}</td><td>${gateSummary(g)}</td><td>${
      g.checks.filter((c) => c.status !== 'pass').map((c) => html`<div>${badge(c.status)} <b>${c.name}</b>: ${c.message}</div>`)
    }</td></tr>\n`;
  });
  return html`<section id="gate">
<h2>Gate: changed rules</h2>
<p class="muted">${plural(gate.length, 'changed rule file')}. Widened: matches events the base version did not; narrowed: no longer matches some; changed: both; equivalent: same verdicts.</p>
<table class="gate-table"><thead><tr><th>Rule file</th><th>Change</th><th>Checks that did not pass</th></tr></thead>
<tbody>
${rows}</tbody></table>
</section>`;
}

/** The index page; `hrefs` maps each rule (same order as report.rules) to its page. */
export function renderIndexPage(report: SuiteReport, hrefs: readonly string[], extras: HtmlReportExtras): string {
  const s = report.summary;
  const title = extras.title ?? 'sigmatest report';
  const fuzzed = extras.fuzz === undefined ? [] : report.rules.flatMap((r) => lookupRule(extras.fuzz, r) ?? []);
  const fuzzTotals = fuzzed.reduce((a, f) => {
    const c = fuzzCounts(f);
    return { errors: a.errors + c.errors, warnings: a.warnings + c.warnings };
  }, { errors: 0, warnings: 0 });
  const rows = report.rules.map((r, k) => ruleRow(r, hrefs[k] ?? '#', report, extras));
  const hrefByPath = new Map(report.rules.map((r, k) => [r.path, hrefs[k] ?? '#']));
  const statuses: Array<[string, string]> = [['all', 'all statuses'], ['pass', 'pass'], ['fail', 'fail'], ['below-coverage', 'low coverage'], ['untested', 'untested'], ['skipped', 'skipped']];
  const body = html`<p class="crumbs">sigmatest › run</p>
<h1>${title}</h1>
<div class="problems${s.ok ? ' ok' : ''}" id="verdict">${
    s.ok ? html`<b>OK</b>: every case passed${s.minCoverage === null ? null : `, every tested rule has at least ${s.minCoverage}% coverage`}.` : html`<b>FAILED</b><ul>${s.problems.map((p) => html`<li>${p}</li>`)}</ul>`
  }</div>
<div class="cards" id="summary">
${card('Rules', s.rules, `${s.tested} tested, ${s.untested} untested`)}
${card('Cases', `${s.passed}/${s.cases}`, html`passed${s.failed > 0 ? html`, <span class="tf f">${s.failed} failed</span>` : null}${s.errors > 0 ? html`, <span class="tf f">${plural(s.errors, 'error')}</span>` : null}`)}
${
    s.properties.total === 0
      ? card('Coverage', coverageBar(s.coverage.total === 0 ? null : s.coverage.percent, s.minCoverage), `${s.coverage.covered}/${s.coverage.total} items${s.minCoverage === null ? '' : `, minimum ${s.minCoverage}%`}`)
      : card(
          'Coverage',
          coverageBar(s.coverage.withProperties.total === 0 ? null : s.coverage.withProperties.percent, s.minCoverage),
          `with properties ${s.coverage.withProperties.covered}/${s.coverage.withProperties.total} items; cases alone ${s.coverage.percent}%${s.minCoverage === null ? '' : `; minimum ${s.minCoverage}% (${s.coverageFrom === 'cases' ? 'cases alone' : 'with properties'})`}`,
        )
  }
${
    s.properties.total === 0
      ? null
      : card(
          'Properties',
          `${s.properties.passed}/${s.properties.total}`,
          html`held, ${s.properties.runs} runs${s.properties.failed + s.properties.errors > 0 ? html`, <span class="tf f">${s.properties.failed + s.properties.errors} failed</span>` : null}${s.properties.knownGaps > 0 ? `, ${plural(s.properties.knownGaps, 'known gap')}` : ''}${s.properties.gapsClosed > 0 ? `, ${plural(s.properties.gapsClosed, 'gap')} closed` : ''}`,
        )
  }
${extras.fuzz === undefined ? null : card('Fuzz findings', fuzzTotals.errors + fuzzTotals.warnings, `${plural(fuzzTotals.errors, 'error')}, ${plural(fuzzTotals.warnings, 'warning')} in ${plural(fuzzed.length, 'rule')}`)}
${extras.gate === undefined ? null : card('Changed rules', extras.gate.length, `${extras.gate.filter((g) => failedChecks(g) > 0).length} with failed checks`)}
</div>
${
  report.diagnostics.length === 0
    ? null
    : html`<details id="diagnostics"><summary>${plural(report.diagnostics.length, 'diagnostic')} while loading rules and cases</summary><pre class="wrap">${report.diagnostics.map((d) => `${formatDiagnostic(d)}\n`)}</pre></details>`
}
<section id="rules-section">
<h2>Rules</h2>
<div class="controls">
<input type="search" id="filter" placeholder="Filter by title, path, tag, tactic…" aria-label="Filter rules" autocomplete="off">
<select id="status-filter" aria-label="Filter by status">${statuses.map(([v, l]) => html`<option value="${v}">${l}</option>`)}</select>
<span id="shown-count" class="muted">${report.rules.length} of ${report.rules.length} rules shown</span>
</div>
<table id="rules">
<thead><tr>${th('Rule', 'text')}${th('Level', 'num')}${th('Status', 'num')}${th('Passed', 'num')}${th('Failed', 'num')}${th('Properties', 'num')}${th('Coverage', 'num')}${th('Stages', 'num')}${th('Fuzz findings', 'num')}${th('ATT&CK tactics', 'text')}${extras.gate === undefined ? null : th('Gate', 'num')}</tr></thead>
<tbody>
${rows}<tr id="no-rows" hidden><td colspan="${extras.gate === undefined ? 10 : 11}" class="muted">No rule matches the filter.</td></tr>
</tbody>
</table>
<p class="small muted">Coverage counts every stage seen both true and false, every value matched, and every excluded value that was the reason for a no-match, by cases and property runs (${report.summary.coverageFrom === 'cases' ? 'the minimum applies to cases alone' : 'the minimum applies to both together'}). Properties: held / declared. Click a column header to sort.</p>
</section>
${extras.gate === undefined ? null : gateSection(extras.gate, hrefByPath)}
<footer>Generated by sigmatest${extras.generatedAt === undefined ? null : ` on ${extras.generatedAt}`}. Static report: no network resources.</footer>`;
  return page(title, body, INDEX_SCRIPT);
}
