/**
 * The page of one rule, in the spirit of the catalog page (`sigmatest explain`): ATT&CK
 * coverage, event coverage, the rule body, stages and predicates with per-stage coverage,
 * exclusions with the excluded values the cases exercised, indicators; then what the run adds:
 * the cases with their results and the explanation of every failure, the properties (runs,
 * status, known gaps and counterexamples with their events), fuzz findings with their
 * example events, and the gate's verdict when there is one.
 *
 * Sections that need a rule page (src/explain/rule-page.ts) say so when it is absent; the rest
 * comes from the report itself.
 */
import type { RuleReport, SuiteReport } from '../run/suite-report.js';
import type { CaseResult } from '../../cases/run-cases.js';
import type { RulePage } from '../../explain/rule-page.js';
import { attackCoverage } from '../../explain/attack.js';
import { kindText } from '../../explain/indicators.js';
import type { RuleFuzzResult } from '../../fuzz/fuzz-rule.js';
import type { MatchPlan } from '../../plan/plan.js';
import { observe, stageLabel } from '../../coverage/coverage.js';
import { html } from './html.js';
import type { Html, HtmlValue } from './html.js';
import { STATUS_LABEL, badge, coverageBar, eventBlock, mutantsTable, page, plural, table, truth, valueCode } from './parts.js';
import { fuzzCounts, lookupRule } from './types.js';
import type { RuleMutationRecord } from '../../mutate/mutation-report.js';
import type { GateEntry, HtmlReportExtras } from './types.js';
import { gateEntryFor, gateSummary } from './index-page.js';

function section(id: string, title: string, ...content: HtmlValue[]): Html {
  return html`<section id="${id}">
<h2>${title}</h2>
${content}
</section>
`;
}

function fieldLabel(field: string | null): Html {
  return field === null ? html`<em class="muted">(keyword)</em>` : html`${field}`;
}

function needsPage(what: string): Html {
  return html`<p class="muted">${what} is not available: the rule page could not be built for this rule.</p>`;
}

function attackSection(rule: RuleReport, p: RulePage | undefined): Html {
  const cov = p === undefined ? attackCoverage(rule.tags) : { rows: p.attack, groups: p.groups, software: p.software, otherTags: p.otherTags };
  const content: HtmlValue[] = [];
  if (cov.rows.length === 0) content.push(html`<p class="muted">No ATT&amp;CK tactic or technique tags.</p>`);
  else {
    content.push(
      table(
        ['Tactic', 'Techniques'],
        cov.rows.map((r) => [
          r.tactic === null ? html`<em class="muted">(no tactic tag)</em>` : html`${r.tactic.name} <span class="muted small">${r.tactic.id}</span>${r.tagged ? null : html` <em class="muted small">(from ATT&amp;CK, not tagged)</em>`}`,
          r.techniques.length === 0 ? html`<span class="muted">–</span>` : r.techniques.map((t) => html`<div>${t.id}${t.name === undefined ? null : ` ${t.name}`}</div>`),
        ]),
        { cls: 'attack-table' },
      ),
    );
  }
  const named = (label: string, refs: ReadonlyArray<{ id: string; name?: string }>): Html | null =>
    refs.length === 0 ? null : html`<p>${label}: ${refs.map((g, k) => html`${k === 0 ? null : ', '}${g.name === undefined ? g.id : `${g.id} ${g.name}`}`)}</p>`;
  content.push(named('Groups', cov.groups), named('Software', cov.software));
  if (cov.otherTags.length > 0) content.push(html`<p>Other tags: ${cov.otherTags.map((t, k) => html`${k === 0 ? null : ' '}<code>${t}</code>`)}</p>`);
  return section('attack', 'MITRE ATT&CK coverage', content);
}

function eventsSection(p: RulePage | undefined): Html {
  if (p === undefined) return section('events', 'Event coverage', needsPage('Event coverage'));
  if (p.events.length === 0) {
    const ls = Object.entries(p.logsource)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
    return section('events', 'Event coverage', html`<p>No mapped events for this logsource (${ls}); the rule is run against every event.</p>`);
  }
  return section(
    'events',
    'Event coverage',
    table(
      ['Provider', 'Event', 'Title'],
      p.events.map((e) => [html`${e.provider}${e.channel === undefined ? null : html`<div class="small muted">${e.channel}</div>`}`, `Event ID ${e.eventId}`, e.title]),
      { cls: 'events-table' },
    ),
  );
}

function stagesSection(rule: RuleReport, p: RulePage | undefined, plan: MatchPlan | undefined): Html {
  const tested = rule.status !== 'untested';
  const c = rule.coverage;
  const withProps = rule.properties.results.length > 0;
  const all = rule.coverageWithProperties;
  const rows = c.stages.map((s, k) => {
    const a = all.stages[k] ?? s;
    const predicate = p?.stages.find((x) => x.index === s.index)?.text;
    const missed = c.values.missed.filter((v) => v.identifier === s.name);
    let values: HtmlValue = s.index === 0 ? html`<span class="muted">–</span>` : missed.length === 0 ? html`<span class="muted">all matched</span>` : null;
    if (s.index > 0 && plan !== undefined) {
      const total = plan.items.filter((it) => it.identifier === s.name).reduce((n, it) => n + it.values.length, 0);
      values = `${total - missed.length}/${total}`;
    }
    const cov = !tested
      ? badge('not tested', 'untested')
      : a.covered
        ? s.covered
          ? badge('covered')
          : badge('covered by properties', 'covered')
        : badge(a.true === 0 ? 'never true' : 'never false', 'missed');
    return html`<tr class="stage-row${a.covered ? '' : ' not-covered'}" data-stage="${s.name}">
<td class="num">${s.index}</td>
<td><b>${s.name}</b>${s.exclusion ? html`<div class="small muted">exclusion: true when it excluded the event</div>` : null}</td>
<td>${predicate === undefined ? html`<span class="muted">–</span>` : html`<pre>${predicate}</pre>`}</td>
<td class="num stage-true">${s.true}</td>
<td class="num stage-false">${s.false}</td>
${withProps ? html`<td class="num stage-true-all">${a.true}</td><td class="num stage-false-all">${a.false}</td>` : null}
<td class="num">${values}</td>
<td>${cov}</td>
</tr>
`;
  });
  const missedValues = c.values.missed;
  return section(
    'stages',
    'Stages and Predicates',
    html`<p class="muted">Stage 0 is the condition, then each identifier the condition uses. True/False count the cases that saw the stage (for an exclusion: its excluded pattern) true or false${withProps ? ', and with the properties (each property counts once, whatever its runs)' : ''}; a stage is covered when it was seen both ways.</p>
<table class="stages-table">
<thead><tr><th class="num">#</th><th>Stage</th><th>Predicate</th><th class="num">True</th><th class="num">False</th>${withProps ? html`<th class="num">True with properties</th><th class="num">False with properties</th>` : null}<th class="num">Values matched</th><th>Coverage</th></tr></thead>
<tbody>
${rows}</tbody>
</table>
<p>Values matched by some case: <b>${c.values.covered}/${c.values.total}</b>${withProps ? html`; by a case or a property run: <b>${all.values.covered}/${all.values.total}</b>` : null}.</p>
${
  missedValues.length === 0 || !tested
    ? null
    : html`<h3>Values no case matched</h3><ul class="values missed-values">${missedValues.map((v) => html`<li><code>${v.path}</code> ${valueCode(v.source)}</li>`)}</ul>`
}`,
  );
}

/**
 * Which passing single-event cases had each excluded value as the deciding reason for their
 * no-match (`item:value` → case names), by the rule coverage uses (coverage.ts `observe`).
 */
function exclusionAttribution(plan: MatchPlan | undefined, results: readonly CaseResult[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (plan === undefined) return out;
  for (const r of results) {
    if (r.trace === undefined || r.status !== 'pass' || r.matched > 0) continue;
    for (const key of observe(plan, r.trace, true).exclusions) {
      const list = out.get(key) ?? [];
      list.push(r.name);
      out.set(key, list);
    }
  }
  return out;
}

function exclusionsSection(rule: RuleReport, p: RulePage | undefined, plan: MatchPlan | undefined): Html {
  const intro = html`<p>Top-level NOT(...) conjuncts: predicates this rule actively suppresses. An excluded value is <em>exercised</em> when some case expecting no match was suppressed by it (and would have matched without the exclusion).</p>`;
  const c = rule.coverage;
  const tested = rule.status !== 'untested';
  if (p === undefined) {
    const missed = c.exclusions.missed;
    return section(
      'exclusions',
      'Exclusions',
      intro,
      html`<p>Exclusion values exercised: <b>${c.exclusions.covered}/${c.exclusions.total}</b>.</p>`,
      missed.length === 0 ? null : html`<ul class="values">${missed.map((v) => html`<li><code>${v.path}</code> ${valueCode(v.source)} ${badge('never exercised', 'missed')}</li>`)}</ul>`,
    );
  }
  if (p.exclusions.length === 0) return section('exclusions', 'Exclusions', intro, html`<p class="muted">None: the condition has no top-level <code>not</code>.</p>`);
  const attribution = exclusionAttribution(plan, rule.cases.results);
  const rows = p.exclusions.map((e) => {
    const item = plan?.items.find((it) => it.path === e.path && it.identifier === e.identifier);
    const values = e.values.map((v) => {
      const missed = c.exclusions.missed.some((m) => m.path === e.path && m.source === v);
      const k = item?.values.findIndex((x) => x.source === v) ?? -1;
      const by = item === undefined || k < 0 ? [] : (attribution.get(`${item.id}:${k}`) ?? []);
      const state = !tested ? badge('not tested', 'untested') : missed ? badge('never exercised', 'missed') : badge('exercised', 'covered');
      return html`<li class="${missed || !tested ? 'excl-missed' : 'excl-exercised'}">${valueCode(v)} ${state}${
        by.length === 0 ? null : html`<div class="small muted">by ${by.map((n, i) => html`${i === 0 ? null : ', '}<q>${n}</q>`)}</div>`
      }</li>`;
    });
    return [fieldLabel(e.field), kindText(e.kind, e.negated, e.shapes), html`<ul class="values">${values}</ul>`, html`<code>${e.identifier}</code>`];
  });
  return section(
    'exclusions',
    'Exclusions',
    intro,
    table(['Field', 'Kind', 'Excluded values', 'Identifier'], rows, { cls: 'exclusions-table' }),
    html`<p>Exclusion values exercised by the cases: <b>${c.exclusions.covered}/${c.exclusions.total}</b>.</p>`,
  );
}

function indicatorsSection(p: RulePage | undefined): Html {
  const intro = html`<p>Each row is a field, operator, and value that the rule matches. The corpus column counts how many other rules in the catalog look for the same combination: high numbers point to widely-used, community-vetted indicators. Blank or 1 shows that the indicator is specific to this rule.</p>`;
  if (p === undefined) return section('indicators', 'Indicators', intro, needsPage('The indicator list'));
  const rows = p.indicators.flatMap((g) =>
    g.values.map((v) => {
      const row: HtmlValue[] = [fieldLabel(g.field), kindText(g.kind, g.negated, v.shapes), valueCode(v.value), html`<span class="small muted">${v.identifiers.join(', ')}</span>`];
      if (p.catalog !== null) row.push(v.corpus === null ? '' : v.corpus);
      return row;
    }),
  );
  const head = ['Field', 'Kind', 'Value', 'Identifiers'];
  if (p.catalog !== null) head.push('Corpus');
  return section(
    'indicators',
    'Indicators',
    intro,
    p.catalog === null ? null : html`<p>Catalog: ${plural(p.catalog.rules, 'rule')}.</p>`,
    rows.length === 0 ? html`<p class="muted">None.</p>` : table(head, rows, { cls: 'indicators-table', numeric: p.catalog === null ? [] : [4] }),
  );
}

function casesSection(rule: RuleReport): Html {
  const results = rule.cases.results;
  if (results.length === 0) return section('cases', 'Cases', html`<p class="muted">No cases: the rule is untested. Add a case file that names the rule.</p>`);
  const stages = rule.coverage.stages;
  const failed = rule.cases.failed + rule.cases.errors;
  const rows = results.map((r, k) => {
    const cells = stages.map((s) => {
      const t = r.trace?.stages.find((x) => x.name === s.name);
      return html`<td class="stage-cell">${truth(t?.result)}</td>`;
    });
    const where = `${r.file}${r.line === undefined ? '' : `:${r.line}`}`;
    const main = html`<tr class="case-row case-${r.status}">
<td class="num">${k + 1}</td>
<td>${r.name}<div class="small muted mono">${where}</div></td>
<td>${badge(r.status)}</td>
<td class="num">${r.matched}/${r.events}</td>
${cells}
</tr>
`;
    if (r.status === 'pass') return main;
    return html`${main}<tr class="explain"><td></td><td colspan="${3 + stages.length}"><pre class="wrap failure">${r.messages.join('\n')}</pre></td></tr>
`;
  });
  return section(
    'cases',
    'Cases',
    html`<p>${plural(results.length, 'case')}: ${rule.cases.passed} passed${failed > 0 ? html`, <span class="tf f">${failed} failed${rule.cases.errors > 0 ? ` (${plural(rule.cases.errors, 'error')})` : ''}</span>` : null}. Matched: events that matched / events evaluated. Stage columns show each stage's truth for single-event cases.</p>
<table class="cases-table">
<thead><tr><th class="num">#</th><th>Case</th><th>Result</th><th class="num">Matched</th>${stages.map((s) => html`<th>${stageLabel(s)}</th>`)}</tr></thead>
<tbody>
${rows}</tbody>
</table>`,
  );
}

function propertiesSection(rule: RuleReport): Html {
  const results = rule.properties.results;
  const intro = html`<p class="muted">Properties state what must hold on every event a recipe builds (a case's event or a template, varied by mutation operators and generator expressions). A failure is shrunk to a minimal event; <code>sigmatest run --seed S</code> replays it. A known gap is a declared blind spot, shown with an example event.</p>`;
  if (results.length === 0) return section('properties', 'Properties', intro, html`<p class="muted">No properties: add a <code>properties:</code> list to the rule's case file.</p>`);
  const p = rule.properties;
  const rows = results.map((r) => {
    const where = `${r.file}${r.line === undefined ? '' : `:${r.line}`}`;
    const main = html`<tr class="property-row property-${r.status}">
<td>${r.name}<div class="small muted mono">${where}</div></td>
<td>${badge(STATUS_LABEL[r.status] ?? r.status, r.status)}</td>
<td>${r.expect}</td>
<td class="num">${r.runs}</td>
<td class="num mono">${r.seed}</td>
<td>${r.knownGap === null ? html`<span class="muted">–</span>` : r.knownGap}</td>
</tr>
`;
    if (r.status === 'pass') return main;
    const ex = r.counterexample;
    return html`${main}<tr class="explain"><td colspan="6">${
      ex === null
        ? null
        : html`<div class="small muted">${r.status === 'known-gap' ? 'Example event' : 'Counterexample'} (shrunk; path <code>${ex.path}</code>): expected ${ex.expected}, got ${ex.got}</div>${eventBlock(ex.event)}`
    }<pre class="wrap${r.status === 'known-gap' || r.status === 'gap-closed' ? '' : ' failure'}">${r.messages.join('\n')}</pre></td></tr>
`;
  });
  return section(
    'properties',
    'Properties',
    intro,
    html`<p>${plural(results.length, 'property', 'properties')}: ${p.passed} held${p.failed + p.errors > 0 ? html`, <span class="tf f">${p.failed + p.errors} failed</span>` : null}${p.knownGaps > 0 ? `, ${plural(p.knownGaps, 'known gap')}` : ''}${p.gapsClosed > 0 ? `, ${plural(p.gapsClosed, 'gap')} closed` : ''}; ${results.reduce((n, r) => n + r.runs, 0)} runs.</p>
<table class="properties-table">
<thead><tr><th>Property</th><th>Result</th><th>Expect</th><th class="num">Runs</th><th class="num">Seed</th><th>Known gap</th></tr></thead>
<tbody>
${rows}</tbody>
</table>`,
  );
}

function fuzzSection(rule: RuleReport, f: RuleFuzzResult | undefined, seed: number | undefined): Html {
  if (f === undefined) {
    return section('fuzz', 'Fuzz findings', html`<p class="muted">Not fuzzed in this run.</p>`);
  }
  const { errors, warnings } = fuzzCounts(f);
  const replaySeed = f.findings[0]?.seed ?? seed;
  const head = html`<p>${badge(f.status === 'pass' ? 'pass' : f.status)} ${f.runs} property runs${replaySeed === undefined ? null : `, seed ${replaySeed}`}; ${plural(f.witnesses.length, 'matching event')} synthesised; ${plural(errors, 'error')}, ${plural(warnings, 'warning')}.</p>${
    f.reason === undefined ? null : html`<p class="note">${f.reason}</p>`
  }`;
  if (f.findings.length === 0) return section('fuzz', 'Fuzz findings', head, html`<p class="muted">No findings.</p>`);
  const items = f.findings.map(
    (x) => html`<div class="finding finding-${x.severity}">
<h3>${badge(x.severity, x.severity)} <code>${x.code}</code>${x.stage === undefined ? null : html` <span class="small muted">stage <code>${x.stage}</code></span>`}</h3>
<p>${x.message}</p>
${x.value === undefined ? null : html`<p class="small">Value: ${valueCode(x.value)}</p>`}
<p class="small muted">Replay: <code>sigmatest fuzz ${rule.path} --runs ${f.runs} --seed ${x.seed}</code> (path <code>${x.path}</code>)</p>
${x.event === undefined ? null : html`<div class="small muted">Example event</div>${eventBlock(x.event)}`}
</div>
`,
  );
  return section('fuzz', 'Fuzz findings', head, items);
}

function mutationSection(rule: RuleReport, m: RuleMutationRecord | undefined): Html | null {
  if (m === undefined) return null;
  return section(
    'mutation',
    'Mutation score',
    html`<p>${m.score === null ? 'n/a' : `${m.score}%`}: ${m.killed} killed, ${m.survived} survived, ${m.equivalent} equivalent? (score = killed / (mutants − equivalent)). Each mutant is a small change of the rule; a case or property that changes outcome kills it; a survivor shows an event that would.</p>`,
    mutantsTable(rule.path, m.mutants),
  );
}

function gateRuleSection(g: GateEntry): Html {
  const direction = g.diff === 'widened' ? 'matches now, did not before' : g.diff === 'narrowed' ? 'matched before, does not now' : 'verdict differs from the base version';
  return section(
    'gate',
    'Gate',
    html`<p>${gateSummary(g)}${g.oldPath === undefined ? null : html` <span class="muted">renamed from <code>${g.oldPath}</code></span>`}</p>`,
    g.checks.length === 0 ? null : table(['Check', 'Status', 'Message'], g.checks.map((c) => [html`<b>${c.name}</b>`, badge(c.status), c.message]), { cls: 'gate-checks' }),
    g.flipped.length === 0
      ? html`<p class="muted">No flipped example events.</p>`
      : html`<h3>Flipped example events</h3>${g.flipped.map((e, k) => html`<div class="small muted">Event ${k + 1}: ${direction}</div>${eventBlock(e)}`)}`,
  );
}

/** The page of one rule (`indexHref`: the way back to the index). */
export function renderRulePage(rule: RuleReport, report: SuiteReport, extras: HtmlReportExtras, indexHref: string): string {
  const p = lookupRule(extras.pages, rule);
  const plan = lookupRule(extras.plans, rule);
  const f = lookupRule(extras.fuzz, rule);
  const gate = gateEntryFor(rule, extras.gate);
  const tested = rule.status !== 'untested';
  const c = rule.coverage;
  const all = rule.coverageWithProperties;
  const failed = rule.cases.failed + rule.cases.errors;
  const ls = p === undefined ? [] : Object.entries(p.logsource).map(([k, v]) => `${k}: ${v}`);
  const meta: HtmlValue[] = [
    html`<span>File <b class="mono">${rule.path}</b></span>`,
    rule.id === null ? null : html`<span>ID <b class="mono">${rule.id}</b></span>`,
    html`<span>Level <b>${rule.level ?? '–'}</b></span>`,
    p?.status == null ? null : html`<span>Status <b>${p.status}</b></span>`,
    ls.length === 0 ? null : html`<span>Logsource <b>${ls.join(', ')}</b></span>`,
  ];
  const fuzzCard = f === undefined ? null : fuzzCounts(f);
  const mutation = lookupRule(extras.mutation, rule);
  const body = html`<p class="crumbs"><a href="${indexHref}">← All rules</a> · Detection rules › Sigma</p>
<h1>${rule.title}</h1>
${p?.description == null || p.description.trim() === '' ? null : html`<p class="description">${p.description.trim()}</p>`}
<div class="meta">${meta}</div>
<div class="cards" id="rule-summary">
<div class="card"><div class="k">Status</div><div class="v">${badge(STATUS_LABEL[rule.status] ?? rule.status, rule.status)}</div></div>
<div class="card"><div class="k">Cases</div><div class="v">${rule.cases.passed}/${rule.cases.results.length}</div><div class="small muted">passed${failed > 0 ? html`, <span class="tf f">${failed} failed</span>` : null}</div></div>
${
  rule.properties.results.length === 0
    ? html`<div class="card"><div class="k">Coverage</div><div class="v">${coverageBar(tested ? c.percent : null, report.summary.minCoverage)}</div><div class="small muted">${c.covered}/${c.total} items</div></div>`
    : html`<div class="card"><div class="k">Coverage</div><div class="v">${coverageBar(tested ? rule.coverageWithProperties.percent : null, report.summary.minCoverage)}</div><div class="small muted">with properties ${rule.coverageWithProperties.covered}/${rule.coverageWithProperties.total}; cases alone ${c.percent}%</div></div>
<div class="card"><div class="k">Properties</div><div class="v">${rule.properties.passed}/${rule.properties.results.length}</div><div class="small muted">held${rule.properties.knownGaps > 0 ? `, ${plural(rule.properties.knownGaps, 'known gap')}` : ''}${rule.properties.failed + rule.properties.errors > 0 ? html`, <span class="tf f">${rule.properties.failed + rule.properties.errors} failed</span>` : null}</div></div>`
}
<div class="card"><div class="k">Stages covered</div><div class="v">${all.stages.filter((s) => s.covered).length}/${all.stages.length}</div><div class="small muted">values ${all.values.covered}/${all.values.total}, exclusions ${all.exclusions.covered}/${all.exclusions.total}${rule.properties.results.length > 0 ? ' (with properties)' : ''}</div></div>
${mutation === undefined ? null : html`<div class="card"><div class="k">Mutation score</div><div class="v">${mutation.score === null ? 'n/a' : `${mutation.score}%`}</div><div class="small muted">${mutation.killed} killed, ${mutation.survived} survived, ${mutation.equivalent} equivalent?</div></div>`}${fuzzCard === null ? null : html`<div class="card"><div class="k">Fuzz findings</div><div class="v">${fuzzCard.errors + fuzzCard.warnings}</div><div class="small muted">${plural(fuzzCard.errors, 'error')}, ${plural(fuzzCard.warnings, 'warning')}</div></div>`}
</div>
${(p?.notes ?? []).map((n) => html`<p class="note"><b>Note:</b> ${n}</p>`)}
${attackSection(rule, p)}
${eventsSection(p)}
${section('body', 'Rule body', p === undefined ? needsPage('The rule body') : html`<pre class="yaml"><code>${p.body}</code></pre>`)}
${stagesSection(rule, p, plan)}
${exclusionsSection(rule, p, plan)}
${indicatorsSection(p)}
${casesSection(rule)}
${propertiesSection(rule)}
${mutationSection(rule, mutation)}${fuzzSection(rule, f, extras.fuzzSeed)}
${gate === undefined ? null : gateRuleSection(gate)}
<footer>Generated by sigmatest${extras.generatedAt === undefined ? null : ` on ${extras.generatedAt}`}. <a href="${indexHref}">Back to all rules</a>.</footer>`;
  return page(`${rule.title} – sigmatest`, body);
}
