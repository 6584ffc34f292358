/**
 * Merging the JSON reports of shards (`run`, `fuzz` or `gate` with `--shard i/n --reporter json`)
 * into one report of the same kind, which any reporter of that kind renders.
 *
 * A merge joins rows and nothing else: the rule rows of all reports (sorted by path) and the
 * diagnostics or messages (each once). The summary is then computed from the merged rows by the
 * same function that summarises a single report ({@link summarizeRun}, {@link summarizeFuzz},
 * {@link summarize}), so a merged report says what the unsharded run would have said: the same
 * counts, the same coverage, the same problems. Summaries of the shards are never added up.
 *
 * Every status the summary is computed from is checked against the statuses the reports are
 * written with: a row saying `"FAIL"`, `null` or nothing is a {@link MergeError} naming the report,
 * rule and field, never a row that counts as passing.
 */
import type { Diagnostic } from '../diagnostics/diagnostics.js';
import { isJsonObject } from '../util/json-object.js';
import type { CaseResult, CaseStatus, PropertyResult, PropertyStatus } from '../cases/run-cases.js';
import type { RuleCoverage } from '../coverage/coverage.js';
import { summarizeFuzz } from '../fuzz/fuzz-report.js';
import type { FuzzReport, FuzzReportRule } from '../fuzz/fuzz-report.js';
import { ruleStatus, summarize } from '../gate/gate-result.js';
import type { GateMessage, GateReport, GateRuleReport } from '../gate/gate-result.js';
import { summarizeRun, tally } from './run/suite-report.js';
import type { CoverageFrom, RuleReport, SuiteReport } from './run/suite-report.js';
import { pushAll } from '../util/arrays.js';

export type ReportKind = 'run' | 'fuzz' | 'gate';

/** A merged report, by kind; `ok` is what decides the exit code. */
export type MergedReport =
  | { kind: 'run'; report: SuiteReport; ok: boolean; warnings: string[] }
  | { kind: 'fuzz'; report: FuzzReport; ok: boolean; warnings: string[] }
  | { kind: 'gate'; report: GateReport; ok: boolean; warnings: string[] };

/** Input that cannot be merged (not a report, reports of different kinds). */
export class MergeError extends Error {}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (isJsonObject(v) ? v : undefined);

/** The kind of a JSON report: gate reports name their tool, fuzz summaries count witnesses, run summaries cases. */
export function reportKind(report: unknown): ReportKind | undefined {
  const o = obj(report);
  const summary = obj(o?.['summary']);
  if (o === undefined || summary === undefined || !Array.isArray(o['rules'])) return undefined;
  if (o['tool'] === 'sigmatest-gate') return 'gate';
  if ('synthesised' in summary) return 'fuzz';
  if ('cases' in summary && 'tested' in summary) return 'run';
  return undefined;
}

/**
 * Merges reports of one kind; throws {@link MergeError} for anything else, and for an incomplete
 * or mixed set ({@link checkShards}). `names` name the reports in messages (default `report <n>`).
 */
export function mergeReports(reports: readonly unknown[], names?: readonly string[]): MergedReport {
  if (reports.length === 0) throw new MergeError('no report to merge');
  const name = (i: number): string => names?.[i] ?? `report ${i + 1}`;
  const kinds = reports.map(reportKind);
  kinds.forEach((k, i) => {
    if (k === undefined) throw new MergeError(`${name(i)} is not a sigmatest run, fuzz or gate JSON report (written with --reporter json)`);
  });
  const kind = kinds[0] as ReportKind;
  const other = kinds.findIndex((k) => k !== kind);
  if (other >= 0) throw new MergeError(`${name(other)} is a ${kinds[other]} report, ${name(0)} a ${kind} report: merge reports of one kind`);
  const shardWarnings = checkShards(reports, name);
  switch (kind) {
    case 'run': {
      const { report, warnings } = mergeRunReports(reports);
      return { kind, report, ok: report.summary.ok, warnings: [...shardWarnings, ...warnings] };
    }
    case 'fuzz': {
      const { report, warnings } = mergeFuzzReports(reports);
      return { kind, report, ok: report.summary.failed === 0, warnings: [...shardWarnings, ...warnings] };
    }
    case 'gate': {
      const report = mergeGateReports(reports);
      return { kind, report, ok: report.summary.ok, warnings: shardWarnings };
    }
  }
}

/**
 * The reports must be the complete set of shards of one run: each records `shard` ({index,
 * count}, or null for an unsharded run, which merges only alone), `head` and `fingerprint`
 * (util/provenance.ts), and for gate reports `base`. Refused ({@link MergeError}, naming the
 * reports): a shard twice, a rule row in two reports, shards of different runs (fingerprint,
 * head, base or count differ), missing shards. Reports without these fields (hand-made, or
 * written by an older sigmatest) merge with a warning that completeness was not checked, but
 * never mixed with reports that have them. Returns the warnings.
 */
export function checkShards(reports: readonly unknown[], name: (i: number) => string): string[] {
  const objs = reports.map((r) => obj(r) as Obj);
  // A rule row in two reports would be counted twice, whatever the reports say about themselves.
  const seenPath = new Map<string, number>();
  objs.forEach((o, i) => {
    const paths = new Set((o['rules'] as unknown[]).map((r) => obj(r)?.['path']).filter((p): p is string => typeof p === 'string'));
    for (const p of paths) {
      const before = seenPath.get(p);
      if (before !== undefined) throw new MergeError(`${name(before)} and ${name(i)} both hold ${p}: a shard merged twice, or reports of overlapping runs`);
      seenPath.set(p, i);
    }
  });
  const recorded = objs.map((o) => 'fingerprint' in o && 'shard' in o);
  if (recorded.every((x) => !x)) return [`the reports record no shard or fingerprint (written by hand or by an older sigmatest): whether shards are missing or mixed was not checked`];
  const without = recorded.findIndex((x) => !x);
  if (without >= 0) throw new MergeError(`${name(without)} records no shard or fingerprint, ${name(recorded.indexOf(true))} does: reports of different runs`);
  const shards = objs.map((o, i) => {
    const s = obj(o['shard']);
    if (o['shard'] === null) return null;
    if (s === undefined || !Number.isInteger(s['index']) || !Number.isInteger(s['count']) || (s['index'] as number) < 1 || (s['index'] as number) > (s['count'] as number)) {
      throw new MergeError(`the shard of ${name(i)} is ${JSON.stringify(o['shard'])}, not {index, count} with 1 <= index <= count`);
    }
    return { index: s['index'] as number, count: s['count'] as number };
  });
  for (const field of ['fingerprint', 'head', 'base'] as const) {
    const differs = objs.findIndex((o) => JSON.stringify(o[field] ?? null) !== JSON.stringify(objs[0]?.[field] ?? null));
    if (differs >= 0) {
      const what = field === 'fingerprint' ? 'inputs (rules, cases, settings)' : field === 'head' ? 'commit' : 'base commit';
      throw new MergeError(`${name(0)} and ${name(differs)} come from different runs: their ${what} differ (${field} ${String(objs[0]?.[field] ?? null).slice(0, 12)} and ${String(objs[differs]?.[field] ?? null).slice(0, 12)})`);
    }
  }
  const unsharded = shards.findIndex((s) => s === null);
  if (unsharded >= 0) {
    if (reports.length > 1) throw new MergeError(`${name(unsharded)} is an unsharded run: it merges only alone, not with ${reports.length - 1} other report(s)`);
    return [];
  }
  const count = (shards[0] as { count: number }).count;
  const otherCount = shards.findIndex((s) => s?.count !== count);
  if (otherCount >= 0) throw new MergeError(`${name(0)} is shard ${shards[0]?.index}/${count}, ${name(otherCount)} shard ${shards[otherCount]?.index}/${shards[otherCount]?.count}: shards of different splits`);
  const byIndex = new Map<number, number>();
  shards.forEach((s, i) => {
    const before = byIndex.get((s as { index: number }).index);
    if (before !== undefined) throw new MergeError(`${name(before)} and ${name(i)} are both shard ${s?.index}/${count}`);
    byIndex.set((s as { index: number }).index, i);
  });
  const missing = Array.from({ length: count }, (_, k) => k + 1).filter((k) => !byIndex.has(k));
  if (missing.length > 0) throw new MergeError(`shard${missing.length === 1 ? '' : 's'} ${missing.map((k) => `${k}/${count}`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing: a merged report of some shards could pass while a missing shard failed`);
  return [];
}

const byPath = <T extends { path: string }>(a: T, b: T): number => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** `value` when it is one of `allowed`, else a {@link MergeError} naming where it is. */
function oneOf<T extends string>(value: unknown, allowed: readonly T[], where: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new MergeError(`${where} is ${value === undefined ? 'missing' : JSON.stringify(value)}, not one of ${allowed.join(', ')}`);
}

/** A path of a rule row (rows are sorted and named by it). */
function rowPath(r: Obj, where: string): string {
  if (typeof r['path'] !== 'string') throw new MergeError(`${where} has no path`);
  return r['path'];
}

const RUN_RULE_STATUSES = ['pass', 'fail', 'untested', 'below-coverage', 'skipped'] as const;
// Every status a case or property result is written with (a status added to the type must be added here).
const CASE_STATUSES = Object.keys({ pass: 1, fail: 1, error: 1, 'known-gap': 1, 'gap-closed': 1 } satisfies Record<CaseStatus, 1>) as CaseStatus[];
const PROPERTY_STATUSES = Object.keys({ pass: 1, fail: 1, error: 1, 'known-gap': 1, 'gap-closed': 1 } satisfies Record<PropertyStatus, 1>) as PropertyStatus[];
const FUZZ_RULE_STATUSES = ['pass', 'fail', 'unsupported'] as const;
const SEVERITIES = ['error', 'warning'] as const;
const CHECK_STATUSES = ['pass', 'fail', 'skip', 'warn'] as const;

/** Items that are equal as JSON, once each, in first-seen order. */
function unique<T>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((x) => {
    const key = JSON.stringify(x);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The distinct values of a setting across reports, for a warning when the shards disagree. */
function disagreement(name: string, values: readonly unknown[]): string[] {
  const distinct = unique(values);
  return distinct.length > 1 ? [`the reports differ in ${name} (${distinct.map((v) => JSON.stringify(v)).join(', ')}); the merged report shows the first`] : [];
}

// --- run -----------------------------------------------------------------------------------

/** The `skipped` record of a run rule row (a rule left out by `--placeholders skip`), checked. */
function skippedOf(raw: unknown, where: string): Pick<RuleReport, 'skipped'> {
  if (raw === undefined) return {};
  const s = obj(raw);
  if (s === undefined || typeof s['reason'] !== 'string' || typeof s['cases'] !== 'number') throw new MergeError(`the skipped record of ${where} is not {reason, cases}`);
  return { skipped: { reason: s['reason'], cases: s['cases'] } };
}

/** A rule row of a run JSON report (report/run/json.ts) as report data again. */
function runRuleFromJson(row: unknown, where: string): RuleReport {
  const r = obj(row);
  const cases = obj(r?.['cases']);
  const cov = obj(r?.['coverage']);
  const values = obj(cov?.['values']);
  const exclusions = obj(cov?.['exclusions']);
  if (r === undefined || cases === undefined || !Array.isArray(cases['results']) || cov === undefined || !Array.isArray(cov['stages']) || values === undefined || exclusions === undefined) {
    throw new MergeError(`${where} is not a rule of a run JSON report`);
  }
  const stages = cov['stages'] as RuleCoverage['stages'];
  const v = values as unknown as RuleCoverage['values'];
  const x = exclusions as unknown as RuleCoverage['exclusions'];
  const results = (cases['results'] as unknown[]).map((row, k): CaseResult => {
    const c = obj(row);
    if (c === undefined) throw new MergeError(`case ${k + 1} of ${where} is not a case result`);
    oneOf(c['status'], CASE_STATUSES, `the status of case ${k + 1} of ${where}`);
    const { line, ...rest } = c;
    return { ...(rest as unknown as CaseResult), ...(typeof line === 'number' ? { line } : {}) };
  });
  for (const key of ['passed', 'failed', 'errors'] as const) {
    if (typeof cases[key] !== 'number') throw new MergeError(`cases.${key} of ${where} is ${JSON.stringify(cases[key])}, not a number`);
  }
  // Reports written before properties existed have none.
  const rawProperties = r['properties'] ?? [];
  if (!Array.isArray(rawProperties)) throw new MergeError(`the properties of ${where} are not a list`);
  const properties = (rawProperties as unknown[]).map((row, k): PropertyResult => {
    const p = obj(row);
    if (p === undefined) throw new MergeError(`property ${k + 1} of ${where} is not a property result`);
    oneOf(p['status'], PROPERTY_STATUSES, `the status of property ${k + 1} of ${where}`);
    const { line, known_gap, ...rest } = p;
    return { ...(rest as unknown as PropertyResult), knownGap: typeof known_gap === 'string' ? known_gap : null, ...(typeof line === 'number' ? { line } : {}) };
  });
  const coverageOf = (c: Obj, stages: RuleCoverage['stages'], v: RuleCoverage['values'], x: RuleCoverage['exclusions']): RuleCoverage => ({
    stages,
    values: v,
    exclusions: x,
    percent: Number(c['percent']),
    // As foldCoverage counts them: covered stages, values and exclusion values.
    covered: stages.filter((s) => s.covered).length + v.covered + x.covered,
    total: stages.length + v.total + x.total,
  });
  const coverage = coverageOf(cov, stages, v, x);
  const all = obj(cov['withProperties']);
  const coverageWithProperties =
    all !== undefined && Array.isArray(all['stages']) && obj(all['values']) !== undefined && obj(all['exclusions']) !== undefined
      ? coverageOf(all, all['stages'] as RuleCoverage['stages'], all['values'] as unknown as RuleCoverage['values'], all['exclusions'] as unknown as RuleCoverage['exclusions'])
      : coverage;
  return {
    id: (r['id'] as string | null | undefined) ?? null,
    path: rowPath(r, where),
    title: String(r['title']),
    // Not in the JSON report; none of the reporters a merged run report is rendered with shows them.
    level: null,
    tags: [],
    status: oneOf(r['status'], RUN_RULE_STATUSES, `the status of ${where}`),
    ...(typeof r['correlation'] === 'string' ? { correlation: r['correlation'] as NonNullable<RuleReport['correlation']> } : {}),
    ...skippedOf(r['skipped'], where),
    // Counted from the (checked) results, as for a single report.
    cases: { ...tally(results), results },
    properties: { ...tally(properties), results: properties },
    coverage,
    coverageWithProperties,
  };
}

/** Merges run JSON reports: rule rows joined, diagnostics once each, the summary of the joined rows. */
export function mergeRunReports(reports: readonly unknown[]): { report: SuiteReport; warnings: string[] } {
  const rules: RuleReport[] = [];
  const diagnostics: Diagnostic[] = [];
  const minCoverage: Array<number | null> = [];
  const coverageFrom: CoverageFrom[] = [];
  const strict: boolean[] = [];
  reports.forEach((raw, k) => {
    if (reportKind(raw) !== 'run') throw new MergeError(`report ${k + 1} is not a sigmatest run JSON report`);
    const o = raw as Obj;
    const summary = o['summary'] as Obj;
    (o['rules'] as unknown[]).forEach((row, i) => rules.push(runRuleFromJson(row, `rule ${i + 1} of report ${k + 1}`)));
    if (Array.isArray(o['diagnostics'])) {
      (o['diagnostics'] as unknown[]).forEach((d, j) => oneOf(obj(d)?.['severity'], SEVERITIES, `the severity of diagnostic ${j + 1} of report ${k + 1}`));
      pushAll(diagnostics, o['diagnostics'] as Diagnostic[]);
    }
    minCoverage.push((summary['minCoverage'] as number | null | undefined) ?? null);
    coverageFrom.push(summary['coverageFrom'] === 'cases' ? 'cases' : 'all');
    strict.push(summary['strict'] === true);
  });
  rules.sort(byPath);
  const merged = unique(diagnostics);
  const summary = summarizeRun(rules, { minCoverage: minCoverage[0] ?? null, diagnostics: merged, coverageFrom: coverageFrom[0], strict: strict[0] });
  return {
    report: { rules, summary, diagnostics: merged },
    warnings: [...disagreement('--min-coverage', minCoverage), ...disagreement('--coverage-from', coverageFrom), ...disagreement('--strict', strict)],
  };
}

// --- fuzz ----------------------------------------------------------------------------------

/** Merges fuzz JSON reports: rule rows joined, the summary of the joined rows; seconds add up. */
export function mergeFuzzReports(reports: readonly unknown[]): { report: FuzzReport; warnings: string[] } {
  const rules: FuzzReportRule[] = [];
  const seeds: unknown[] = [];
  const runs: unknown[] = [];
  let seconds = 0;
  reports.forEach((raw, k) => {
    if (reportKind(raw) !== 'fuzz') throw new MergeError(`report ${k + 1} is not a sigmatest fuzz JSON report`);
    const o = raw as Obj;
    const summary = o['summary'] as Obj;
    for (const [i, row] of (o['rules'] as unknown[]).entries()) {
      const r = obj(row);
      const where = `rule ${i + 1} of report ${k + 1}`;
      if (r === undefined || !Array.isArray(r['findings']) || typeof r['witnesses'] !== 'number') throw new MergeError(`${where} is not a rule of a fuzz JSON report`);
      rowPath(r, where);
      oneOf(r['status'], FUZZ_RULE_STATUSES, `the status of ${where}`);
      (r['findings'] as unknown[]).forEach((f, j) => oneOf(obj(f)?.['severity'], SEVERITIES, `the severity of finding ${j + 1} of ${where}`));
      rules.push(r as unknown as FuzzReportRule);
    }
    seeds.push(summary['seed']);
    runs.push(summary['runs']);
    seconds += Number(summary['seconds'] ?? 0);
  });
  rules.sort(byPath);
  const summary = summarizeFuzz(rules, { seed: Number(seeds[0] ?? 0), runs: Number(runs[0] ?? 0), seconds });
  return { report: { rules, summary }, warnings: [...disagreement('--seed', seeds), ...disagreement('--runs', runs)] };
}

// --- gate ----------------------------------------------------------------------------------

/** Merges gate JSON reports: rule rows joined, messages once each, rule statuses and the summary recomputed. */
export function mergeGateReports(reports: readonly unknown[]): GateReport {
  const rules: GateRuleReport[] = [];
  const messages: GateMessage[] = [];
  let base: string | null = null;
  let baseRef: string | null = null;
  reports.forEach((raw, k) => {
    if (reportKind(raw) !== 'gate') throw new MergeError(`report ${k + 1} is not a sigmatest gate JSON report (no rules and summary)`);
    const o = raw as Partial<GateReport>;
    base ??= o.base ?? null;
    baseRef ??= o.baseRef ?? null;
    (o.rules as unknown[]).forEach((row, i) => {
      const where = `rule ${i + 1} of report ${k + 1}`;
      const r = obj(row);
      if (r === undefined || !Array.isArray(r['checks'])) throw new MergeError(`${where} is not a rule of a gate JSON report (no checks)`);
      rowPath(r, where);
      (r['checks'] as unknown[]).forEach((c, j) => {
        const check = obj(c);
        if (check === undefined || typeof check['name'] !== 'string') throw new MergeError(`check ${j + 1} of ${where} is not a gate check`);
        oneOf(check['status'], CHECK_STATUSES, `the status of check '${check['name']}' of ${where}`);
      });
      rules.push(r as unknown as GateRuleReport);
    });
    const ms = o.messages ?? [];
    if (!Array.isArray(ms)) throw new MergeError(`the messages of report ${k + 1} are not a list`);
    (ms as unknown[]).forEach((m, j) => oneOf(obj(m)?.['severity'], SEVERITIES, `the severity of message ${j + 1} of report ${k + 1}`));
    pushAll(messages, ms);
  });
  rules.sort(byPath);
  for (const r of rules) r.status = ruleStatus(r.checks);
  const merged = unique(messages);
  const first = obj(reports[0]);
  const head = typeof first?.['head'] === 'string' ? first['head'] : null;
  const fp = typeof first?.['fingerprint'] === 'string' ? first['fingerprint'] : null;
  return { tool: 'sigmatest-gate', version: 1, base, baseRef, shard: null, head, fingerprint: fp, rules, messages: merged, summary: summarize(rules, merged) };
}
