/**
 * Cases of correlation rules: a case gives a sequence of timestamped events (`events:` inline, or
 * an `events_file`) and the alerts it expects (`alerts: {exactly | at_least | at_most, groups}`).
 * The events run through the detection rules the correlation refers to (through chains too) and
 * the correlation engine, as `scan` does; the case compares the correlation's alerts with what it
 * expects, and a failing case explains, window by window and group by group, what was counted
 * against which threshold. The cases' alerts and windows fold into the correlation's coverage
 * (correlation/coverage.ts).
 */
import { closeSync } from 'node:fs';
import { realPath } from '../util/real-path.js';
import { diagnostic } from '../diagnostics/diagnostics.js';
import type { Diagnostic } from '../diagnostics/diagnostics.js';
import { planMatches } from '../evaluate/evaluate.js';
import { compileLogsourceFilter } from '../logsource/logsource.js';
import { isUuid } from '../rules/uuid.js';
import type { SigmaRule } from '../rules/load-rule.js';
import { CorrelationEngine } from '../correlation/engine.js';
import type { CorrelationAlert, WindowRecord } from '../correlation/engine.js';
import type { CorrelationRule } from '../correlation/documents.js';
import { conditionText, conditionWords } from '../correlation/condition.js';
import { formatTime } from '../correlation/event-time.js';
import { foldCorrelationCoverage, observeCorrelation } from '../correlation/coverage.js';
import type { CorrelationObservation } from '../correlation/coverage.js';
import type { CorrelationGraph, ResolvedCorrelation } from '../correlation/rule-set.js';
import type { RuleCoverage } from '../coverage/coverage.js';
import { renderScalar } from '../evaluate/field-access.js';
import { caseRoot, openCaseFileRead } from './events-file.js';
import type { CaseRootOptions } from './events-file.js';
import { caseEventReads } from './run-cases.js';
import type { CaseResult, RunOptions } from './run-cases.js';
import type { AlertExpectation, Case, CaseFile } from './load-cases.js';

/** One correlation run against all its cases: the case results (with their alerts) and the coverage they reached. */
export interface CorrelationRun {
  correlation: CorrelationRule;
  resolved: ResolvedCorrelation;
  caseFiles: string[];
  cases: CaseResult[];
  coverage: RuleCoverage;
}


/**
 * The correlation a case file names, if it names one: by id or `name`, or by the path of its file
 * (the outermost correlation of the file: the one no other correlation of the file refers to).
 * `undefined` when the case file names no correlation (a detection rule, or nothing).
 */
export function resolveCaseCorrelation(cf: CaseFile, graph: CorrelationGraph, docs: readonly CorrelationRule[], roots: CaseRootOptions = {}): { correlation?: ResolvedCorrelation; diagnostic?: Diagnostic } | undefined {
  const where = { file: cf.file, path: 'rule', pos: cf.rulePos };
  const key = cf.rule.toLowerCase();
  const named = (d: CorrelationRule): boolean => (isUuid(cf.rule) ? d.id?.toLowerCase() === key : d.name === cf.rule || d.id === cf.rule);
  const byName = docs.filter(named);
  if (byName.length > 0) {
    if (byName.length > 1) return { diagnostic: diagnostic('CASE_RULE_AMBIGUOUS', `'${cf.rule}' names ${byName.length} correlations (${byName.map((d) => d.file).join(', ')})`, where) };
    const r = graph.correlations.find((c) => c.rule === byName[0]);
    if (r === undefined) return { diagnostic: diagnostic('CASE_RULE_UNKNOWN', `correlation '${cf.rule}' cannot be evaluated (see its errors)`, where) };
    return { correlation: r };
  }
  if (isUuid(cf.rule)) return undefined;
  // By path: only inside the case file's root, like every file a case file names.
  const access = openCaseFileRead(cf.file, cf.rule, caseRoot(cf.file, roots));
  if (!access.ok) return undefined;
  closeSync(access.fd);
  const want = realPath(access.path);
  const inFile = graph.correlations.filter((c) => realPath(c.rule.file) === want);
  if (inFile.length === 0) return docs.some((d) => realPath(d.file) === want) ? { diagnostic: diagnostic('CASE_RULE_UNKNOWN', `the correlation of ${cf.rule} cannot be evaluated (see its errors)`, where) } : undefined;
  const referred = new Set(inFile.flatMap((c) => c.inputs.map((i) => i.target.rule)));
  const outer = inFile.filter((c) => !referred.has(c.rule));
  if (outer.length === 1) return { correlation: outer[0] as ResolvedCorrelation };
  return { diagnostic: diagnostic('CASE_RULE_AMBIGUOUS', `${cf.rule} holds ${outer.length} correlations no other one refers to; name one by id or name`, where) };
}

/** The correlation and every inner correlation it refers to, inner first; and the detection rules they count. */
function closure(target: ResolvedCorrelation, graph: CorrelationGraph): { graph: CorrelationGraph; rules: SigmaRule[] } {
  const byRule = new Map(graph.correlations.map((c) => [c.rule, c]));
  const need = new Set<CorrelationRule>();
  const rules = new Set<SigmaRule>();
  const walk = (c: ResolvedCorrelation): void => {
    if (need.has(c.rule)) return;
    need.add(c.rule);
    for (const i of c.inputs) {
      if (i.target.kind === 'detection') rules.add(i.target.rule);
      else {
        const inner = byRule.get(i.target.rule);
        if (inner !== undefined) walk(inner);
      }
    }
  };
  walk(target);
  return { graph: { correlations: graph.correlations.filter((c) => need.has(c.rule)), silenced: new Set() }, rules: [...rules] };
}

/** A group as text: `User=bob, Computer=pc1`. */
export function groupText(group: Record<string, unknown>): string {
  const parts = Object.entries(group).map(([k, v]) => `${k}=${renderScalar(v) ?? JSON.stringify(v)}`);
  return parts.length === 0 ? '(all events)' : parts.join(', ');
}

function groupKeyOf(group: Record<string, unknown>, names: readonly string[]): string {
  return JSON.stringify(names.map((n) => (group[n] === undefined ? null : (renderScalar(group[n]) ?? JSON.stringify(group[n])))));
}

/** Why the alerts are not what the case expects; empty when they are. */
function alertProblems(expect: AlertExpectation, alerts: readonly CorrelationAlert[], groupBy: readonly string[]): string[] {
  const n = alerts.length;
  const bad: string[] = [];
  if (expect.exactly !== undefined && n !== expect.exactly) bad.push(`exactly ${expect.exactly}`);
  if (expect.at_least !== undefined && n < expect.at_least) bad.push(`at least ${expect.at_least}`);
  if (expect.at_most !== undefined && n > expect.at_most) bad.push(`at most ${expect.at_most}`);
  const out = bad.length > 0 ? [`expected ${bad.join(' and ')} alert${bad.length === 1 && /^exactly 1$|^at (least|most) 1$/.test(bad[0] as string) ? '' : 's'}, got ${n}`] : [];
  if (expect.groups !== undefined) {
    const want = new Map(expect.groups.map((g) => [groupKeyOf(g, groupBy), g]));
    const got = new Map(alerts.map((a) => [groupKeyOf(a.group, groupBy), a.group]));
    const missing = [...want].filter(([k]) => !got.has(k)).map(([, g]) => groupText(g));
    const extra = [...got].filter(([k]) => !want.has(k)).map(([, g]) => groupText(g));
    if (missing.length > 0) out.push(`expected an alert for ${missing.map((m) => `{${m}}`).join(', ')}, which did not alert`);
    if (extra.length > 0) out.push(`unexpected alert for ${extra.map((m) => `{${m}}`).join(', ')}`);
  }
  return out;
}

/** The windows of the correlation, explained: what was counted against which threshold. */
function windowLines(c: CorrelationRule, windows: readonly WindowRecord[]): string[] {
  const cond = c.condition.defaulted ? `every one of its ${c.rules.length} rules${c.type === 'temporal_ordered' ? ' in order' : ''}` : `${conditionWords(c.condition)} (${conditionText(c.condition)})`;
  const what: Record<CorrelationRule['type'], string> = {
    event_count: 'events',
    value_count: `distinct ${c.condition.field?.join('+') ?? ''}`,
    temporal: 'rules seen',
    temporal_ordered: 'rules in order',
    value_sum: `sum of ${c.condition.field?.[0] ?? ''}`,
    value_avg: `average of ${c.condition.field?.[0] ?? ''}`,
    value_percentile: `${c.condition.percentile ?? 50}th percentile of ${c.condition.field?.[0] ?? ''}`,
  };
  const lines = windows.slice(0, 20).map((w) => {
    const span = `${formatTime(w.start)} .. ${formatTime(w.end)}`;
    const value = `${what[c.type]}: ${w.value}`;
    return w.met
      ? `group {${groupText(w.group)}}: ${span}: ${value}, meets ${cond}: alert`
      : `group {${groupText(w.group)}}: ${span}: ${value} (${w.events} event${w.events === 1 ? '' : 's'} counted), needs ${cond}: no alert${w.orderBroken === true ? ' (every rule was seen within the timespan, but not in order)' : ''}`;
  });
  if (windows.length > 20) lines.push(`… and ${windows.length - 20} more windows`);
  if (windows.length === 0) lines.push(`no window: no event matched the rules the correlation refers to (${c.rules.map((r) => r.ref).join(', ')}) with all of its group-by fields (${c.groupBy.join(', ') || 'none'})`);
  return [`timespan ${c.timespan.text}, condition: ${cond}`, ...lines];
}

/** Runs the cases of one correlation. */
export function runCorrelationCases(
  target: ResolvedCorrelation,
  graph: CorrelationGraph,
  files: ReadonlyArray<{ cf: CaseFile; cases: Case[] }>,
  options: RunOptions,
): { run: CorrelationRun; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const results: CaseResult[] = [];
  const observations: CorrelationObservation[] = [];
  const sub = closure(target, graph);
  const c = target.rule;
  for (const { cf, cases } of files) {
    const mapped = cf.logsource === 'map';
    const applies = new Map(sub.rules.map((r) => [r, mapped ? compileLogsourceFilter(r.logsource, options.mapping) : undefined]));
    for (const kase of cases) {
      const base = { name: kase.name, file: cf.file, ...(kase.pos ? { line: kase.pos.line } : {}) };
      const fail = (d: Diagnostic): void => {
        diagnostics.push(d);
        results.push({ ...base, status: 'error', events: 0, matched: 0, messages: [d.message], alerts: [] });
      };
      if (kase.alerts === undefined) {
        fail(diagnostic('CASE_INVALID', `case '${kase.name}' of correlation '${c.title}' needs 'alerts' (and 'events' or 'events_file'): a correlation is tested on sequences of events`, { file: cf.file, path: `cases[${kase.index}]`, pos: kase.pos }));
        continue;
      }
      const unknown = (kase.alerts.groups ?? []).flatMap((g, k) => Object.keys(g).filter((n) => !c.groupBy.includes(n)).map((n) => ({ n, k })));
      if (unknown.length > 0) {
        const u = unknown[0] as { n: string; k: number };
        fail(
          diagnostic('CASE_GROUP_UNKNOWN', `case '${kase.name}' expects a group with '${u.n}', which is not in the group-by of correlation '${c.title}' (${c.groupBy.join(', ') || 'none'})`, {
            file: cf.file,
            path: `cases[${kase.index}].alerts.groups[${u.k}].${u.n}`,
            pos: kase.alerts.groupsPos?.[u.k] ?? kase.pos,
          }),
        );
        continue;
      }
      const alerts: CorrelationAlert[] = [];
      const windows: WindowRecord[] = [];
      const innerWindows = new Map<CorrelationRule, WindowRecord[]>();
      const timeProblems: Diagnostic[] = [];
      const engine = new CorrelationEngine(sub.graph, {
        timeFields: options.correlation?.timeFields,
        toleranceMs: Infinity,
        trace: true,
        onAlert: (a) => {
          if (a.correlation === c) alerts.push(a);
        },
        onWindow: (w) => {
          if (w.correlation === c) windows.push(w);
          else innerWindows.set(w.correlation, [...(innerWindows.get(w.correlation) ?? []), w]);
        },
        onDiagnostic: (d) => timeProblems.push(d),
      });
      const readProblems: Diagnostic[] = [];
      let events = 0;
      let matched = 0;
      for (const read of caseEventReads(cf, kase, options, readProblems, diagnostics)) {
        events++;
        const hits = sub.rules.filter((r) => planMatches(r.plan, read.event) && (applies.get(r)?.(read.event) ?? true));
        if (hits.length > 0) matched++;
        engine.push(read.event, hits, { file: read.file, index: read.index, line: read.line });
      }
      engine.finish();
      if (readProblems.length > 0) {
        const first = readProblems[0] as Diagnostic;
        fail(first.file === cf.file ? first : diagnostic('CASE_EVENTS_UNREADABLE', `case '${kase.name}': ${readProblems.map((e) => `${e.file ?? ''}${e.pos ? `:${e.pos.line}:${e.pos.column}` : ''}: ${e.message}`).slice(0, 5).join('; ')}`, { file: cf.file, path: `cases[${kase.index}].events_file`, pos: kase.eventsFilePos ?? kase.pos }));
        continue;
      }
      if (events === 0) {
        fail(diagnostic('CASE_EVENTS_EMPTY', `case '${kase.name}': events_file ${kase.eventsFile ?? ''} holds no events, so the case would check nothing`, { file: cf.file, path: `cases[${kase.index}].events_file`, pos: kase.eventsFilePos ?? kase.pos }));
        continue;
      }
      const timeErrors = timeProblems.filter((d) => d.severity === 'error');
      if (timeErrors.length > 0) {
        diagnostics.push(...timeErrors);
        results.push({ ...base, status: 'error', events, matched, messages: timeErrors.slice(0, 5).map((d) => `${d.file ?? ''}${d.pos ? `:${d.pos.line}` : ''}: ${d.message}`), alerts });
        continue;
      }
      diagnostics.push(...timeProblems);
      observations.push(observeCorrelation(alerts, windows));
      const problems = alertProblems(kase.alerts, alerts, c.groupBy);
      const inner = [...innerWindows].flatMap(([ic, ws]) => [`in '${ic.name ?? ic.id ?? ic.title}' (${ic.type}, which '${c.name ?? c.title}' refers to):`, ...windowLines(ic, ws).map((l) => `  ${l}`)]);
      const messages = problems.length === 0 ? [] : [...problems, ...windowLines(c, windows), ...inner];
      results.push({ ...base, status: messages.length === 0 ? 'pass' : 'fail', events, matched, messages, alerts });
    }
  }
  return {
    run: { correlation: c, resolved: target, caseFiles: files.map((f) => f.cf.file), cases: results, coverage: foldCorrelationCoverage(target, observations) },
    diagnostics,
  };
}

/** The correlation runs of a suite: every correlation case file bound to its correlation, and the correlations without cases. */
export interface CorrelationSuiteResult {
  runs: CorrelationRun[];
  untested: ResolvedCorrelation[];
  diagnostics: Diagnostic[];
}

/**
 * Runs the cases of every correlation (`caseFiles` name correlations, see {@link resolveCaseCorrelation});
 * `correlations` are the ones to report, untested when no case names them.
 */
export function runCorrelationSuite(
  graph: CorrelationGraph,
  correlations: readonly ResolvedCorrelation[],
  caseFiles: ReadonlyArray<{ cf: CaseFile; correlation: ResolvedCorrelation }>,
  options: RunOptions,
): CorrelationSuiteResult {
  const diagnostics: Diagnostic[] = [];
  const byCorrelation = new Map<ResolvedCorrelation, Array<{ cf: CaseFile; cases: Case[] }>>();
  for (const { cf, correlation } of caseFiles) {
    byCorrelation.set(correlation, [...(byCorrelation.get(correlation) ?? []), { cf, cases: cf.cases }]);
    const first = cf.properties[0];
    if (first !== undefined) {
      diagnostics.push(
        diagnostic('CASE_PROPERTIES_UNSUPPORTED', `${cf.properties.length} propert${cf.properties.length === 1 ? 'y' : 'ies'} on a case file of the correlation '${correlation.rule.title}': properties build single events, a correlation needs a sequence of them; they are not run`, { file: cf.file, path: 'properties', pos: first.pos }),
      );
    }
  }
  const runs: CorrelationRun[] = [];
  for (const c of [...correlations, ...[...byCorrelation.keys()].filter((k) => !correlations.includes(k))]) {
    const files = byCorrelation.get(c);
    if (files === undefined) continue;
    const r = runCorrelationCases(c, graph, files, options);
    diagnostics.push(...r.diagnostics);
    runs.push(r.run);
  }
  return { runs, untested: correlations.filter((c) => !byCorrelation.has(c)), diagnostics };
}
