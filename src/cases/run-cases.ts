/**
 * The regression runner: case files bound to their rules, every case evaluated with a full
 * trace, failures explained from the trace, and the traces folded into coverage per stage.
 * Pure apart from reading events files (streamed, one event at a time, and only inside the case
 * file's root: see events-file.ts); reporters and the CLI sit on top of `runSuite`.
 */
import { closeSync, existsSync, readFileSync } from 'node:fs';
import { realPath } from '../util/real-path.js';
import { dirname, resolve } from 'node:path';
import { diagnostic, hasErrors } from '../diagnostics/diagnostics.js';
import { BUILTIN_PIPELINES, combinePipelines, loadPipeline, parsePipeline } from '../pipeline/pipeline.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { Diagnostic } from '../diagnostics/diagnostics.js';
import { loadRuleFile, loadRuleText } from '../rules/load-rule.js';
import type { LoadOptions, SigmaRule } from '../rules/load-rule.js';
import { isUuid } from '../rules/uuid.js';
import { evaluatePlan, planMatchesSurely, undecidedFields } from '../evaluate/evaluate.js';
import { sourceViewer } from '../evaluate/source-verdict.js';
import { planMatcher } from '../compile/compile-plan.js';
import type { Trace } from '../evaluate/evaluate.js';
import { flattenEvent } from '../events/flatten-event.js';
import { readEventsSync } from '../event-files/read-events.js';
import { caseRoot, openCaseFileRead } from './events-file.js';
import type { CaseRootOptions } from './events-file.js';
import { compileLogsourceFilter } from '../logsource/logsource.js';
import type { LogsourceMapping } from '../logsource/logsource.js';
import { emptyObservation, foldCoverage, observe } from '../coverage/coverage.js';
import type { Observation, RuleCoverage } from '../coverage/coverage.js';
import { describeStages } from '../trace/describe-trace.js';
import type { Case, CaseFile } from './load-cases.js';
import { pushAll } from '../util/arrays.js';
import type { EventLimits } from '../event-files/read-events.js';
import type { CorrelationAlert } from '../correlation/engine.js';
import type { Event } from '../evaluate/evaluate.js';

/**
 * A case's outcome: `known-gap` is a case with `known_gap` that still does not give its expected
 * verdict (as declared: not a failure); `gap-closed` is one that now does (the gap is fixed).
 */
export type CaseStatus = 'pass' | 'fail' | 'error' | 'known-gap' | 'gap-closed';

/**
 * A property's outcome: `pass` (every run held), `fail` (a run did not: see the counterexample),
 * `known-gap` (a property with `known_gap` that still does not hold, as declared), `gap-closed`
 * (one that now holds), `error` (it could not run: an unknown operator, or the engines disagreed).
 */
export type PropertyStatus = 'pass' | 'fail' | 'known-gap' | 'gap-closed' | 'error';

/** The minimal event a failing (or known-gap) property found, and how to replay it. */
export interface Counterexample {
  /** The event (flattened), shrunk by fast-check. */
  event: Event;
  /** fast-check's path: with the seed, `fc.assert(..., { seed, path })` replays this event directly. */
  path: string;
  /** The event before `mutate` (the case's event, or the template's). */
  base: Event;
  expected: 'match' | 'no-match';
  got: 'match' | 'no-match';
}

/** One property run against its rule. */
export interface PropertyResult {
  name: string;
  /** The case file and the property's line. */
  file: string;
  line?: number;
  status: PropertyStatus;
  expect: 'match' | 'no-match' | 'same';
  /** Events evaluated (shrinking not counted). */
  runs: number;
  /** The seed of the runs: derived from the rule and the property name unless --seed was given. */
  seed: number;
  knownGap: string | null;
  counterexample: Counterexample | null;
  /** Why it failed (or how the gap shows): expectations, the mutated fields, then the stages explained. */
  messages: string[];
}

/** What running the properties of a rule's case files gives: results, what they exercised, problems. */
export interface PropertyRun {
  results: PropertyResult[];
  /** One observation per property that ran (for coverage). */
  observations: Observation[];
  diagnostics: Diagnostic[];
}

/**
 * Runs the properties of a rule's case files (src/properties/ provides one: `runRuleProperties`).
 * Passed in rather than imported, so a suite without properties never loads the generators.
 */
export type PropertyRunner = (rule: SigmaRule, files: ReadonlyArray<{ cf: CaseFile }>, options: { mapping: LogsourceMapping; seed?: number | undefined }) => PropertyRun;

/** The outcome of one case: pass, fail or error, where it is, and why (from the trace). */
export interface CaseResult {
  name: string;
  /** The case file and the case's line. */
  file: string;
  line?: number;
  status: CaseStatus;
  /** Events evaluated and how many matched. */
  events: number;
  matched: number;
  /** Why it failed: expectation lines, then the stage explanations of the first failing event. */
  messages: string[];
  /** Trace of the single event (event cases only): reports may show it. */
  trace?: Trace;
  /** A correlation case: the correlation's alerts (`matched` counts them). */
  alerts?: CorrelationAlert[];
}

/** One rule run against all its cases and properties: the results and the coverage they reached. */
export interface RuleRun {
  rule: SigmaRule;
  caseFiles: string[];
  cases: CaseResult[];
  properties: PropertyResult[];
  /** Coverage from the cases alone. */
  coverage: RuleCoverage;
  /** Coverage from the cases and the property runs together. */
  coverageWithProperties: RuleCoverage;
}

/** The result of runSuite: every tested rule with its cases and coverage, the untested rules, and the problems met. */
export interface SuiteResult {
  rules: RuleRun[];
  /** Rules without any case file. */
  untested: SigmaRule[];
  /** Problems in case files (unknown rule or stage, unreadable events…). */
  diagnostics: Diagnostic[];
}



/**
 * Finds the rule a case file names: by id among `rules`, else by path relative to the case file
 * (inside the case file's root, see events-file.ts).
 */
export function resolveCaseRule(
  cf: CaseFile,
  rules: readonly SigmaRule[],
  options: LoadOptions = {},
  roots: CaseRootOptions = {},
): { rule?: SigmaRule; diagnostic?: Diagnostic } {
  const where = { file: cf.file, path: 'rule', pos: cf.rulePos };
  if (isUuid(cf.rule)) {
    const found = rules.filter((r) => r.id?.toLowerCase() === cf.rule.toLowerCase());
    if (found.length === 1) return { rule: found[0] as SigmaRule };
    if (found.length > 1) {
      return { diagnostic: diagnostic('CASE_RULE_AMBIGUOUS', `rule id ${cf.rule} is used by ${found.length} rules (${found.map((r) => r.file).join(', ')})`, where) };
    }
    return { diagnostic: diagnostic('CASE_RULE_UNKNOWN', `no loaded rule has the id ${cf.rule}`, where) };
  }
  const access = openCaseFileRead(cf.file, cf.rule, caseRoot(cf.file, roots));
  if (!access.ok) {
    const code = access.refused ? 'CASE_PATH_OUTSIDE' : 'CASE_RULE_UNKNOWN';
    return { diagnostic: diagnostic(code, `the rule file: ${access.reason}`, where) };
  }
  const path = access.path;
  let text: string;
  try {
    text = readFileSync(access.fd, 'utf8');
  } catch (e) {
    return { diagnostic: diagnostic('CASE_RULE_UNKNOWN', `cannot read the rule file ${cf.rule}: ${(e as Error).message}`, where) };
  } finally {
    closeSync(access.fd);
  }
  const want = realPath(path);
  const known = rules.filter((r) => realPath(r.file) === want);
  if (known.length === 1) return { rule: known[0] as SigmaRule };
  const loaded = loadRuleText(text, path, options);
  if (loaded.rules.length === 1) return { rule: loaded.rules[0] as SigmaRule };
  const why = loaded.rules.length === 0 ? 'has no loadable detection rule' : `holds ${loaded.rules.length} detection rules; name one by id`;
  return { diagnostic: diagnostic('CASE_RULE_UNKNOWN', `the rule file ${cf.rule} ${why}`, where) };
}

/** Checks the stage names a case expects against the rule's stages (and that it is no correlation case). */
function stageProblems(cf: CaseFile, c: Case, rule: SigmaRule): Diagnostic[] {
  if (c.alerts !== undefined) {
    return [diagnostic('CASE_INVALID', `case '${c.name}' expects alerts, but '${rule.title}' is a detection rule, not a correlation: give 'expect' or 'count'`, { file: cf.file, path: `cases[${c.index}].alerts`, pos: c.pos })];
  }
  if (c.stages === undefined) return [];
  const names = new Set(rule.plan.stages.map((s) => s.name));
  return Object.keys(c.stages)
    .filter((n) => !names.has(n))
    .map((n) =>
      diagnostic(
        'CASE_STAGE_UNKNOWN',
        `case '${c.name}' expects stage '${n}', which is not a stage of rule '${rule.title}' (stages: ${[...names].join(', ')})`,
        { file: cf.file, path: `cases[${c.index}].stages.${n}`, pos: c.stagesPos },
      ),
    );
}

function checkCount(c: Case, matched: number): string | undefined {
  const k = c.count;
  if (k === undefined) return undefined;
  const bad: string[] = [];
  if (k.exactly !== undefined && matched !== k.exactly) bad.push(`exactly ${k.exactly}`);
  if (k.at_least !== undefined && matched < k.at_least) bad.push(`at least ${k.at_least}`);
  if (k.at_most !== undefined && matched > k.at_most) bad.push(`at most ${k.at_most}`);
  return bad.length ? `expected ${bad.join(' and ')} matching events, got ${matched}` : undefined;
}

/** How cases run: the logsource mapping, how rules named by path load, and where case files may read (see events-file.ts). */
export interface RunOptions extends CaseRootOptions {
  mapping: LogsourceMapping;
  load?: LoadOptions;
  /** How correlation cases read event times (the config's correlation section). */
  correlation?: { timeFields?: readonly string[] | undefined };
  /** Runs the case files' properties; without it, properties are reported as not run (status error). */
  properties?: PropertyRunner | undefined;
  /** The seed of every property (default: derived from the rule and the property's name). */
  seed?: number | undefined;
}

/** Results for properties that could not run because no runner was given. */
function notRun(files: ReadonlyArray<{ cf: CaseFile }>, why = 'not run: this suite was run without a property runner (pass runRuleProperties as the properties option)'): PropertyResult[] {
  return files.flatMap(({ cf }) =>
    cf.properties.map((p): PropertyResult => ({
      name: p.name,
      file: cf.file,
      line: p.pos.line,
      status: 'error',
      expect: p.expect,
      runs: 0,
      seed: 0,
      knownGap: p.knownGap ?? null,
      counterexample: null,
      messages: [why],
    })),
  );
}

/** Problems met reading one events_file, shown in the case's error (the first few, then a count). */
const SHOWN_READ_ERRORS = 5;

/** An event of a case with where it is: the case file (inline events) or the events file, its position and line. */
export interface CaseEventRead {
  event: Record<string, unknown>;
  file: string;
  index: number;
  line: number;
}

/**
 * The events of a case, one at a time: its `event`, its `events`, or its `events_file` streamed
 * (never held whole) from inside the case file's root. Read problems go to `problems` (errors) and
 * `diagnostics` (warnings, such as skipped EVTX chunks); a refused path is one `CASE_PATH_OUTSIDE`.
 */
export function* caseEventReads(cf: CaseFile, c: Case, options: CaseRootOptions & { limits?: EventLimits | undefined }, problems: Diagnostic[], diagnostics: Diagnostic[]): Generator<CaseEventRead> {
  if (c.event !== undefined) {
    yield { event: flattenEvent(c.event), file: cf.file, index: 0, line: c.pos?.line ?? 0 };
    return;
  }
  if (c.events !== undefined) {
    for (let k = 0; k < c.events.length; k++) yield { event: flattenEvent(c.events[k] as Record<string, unknown>), file: cf.file, index: k, line: c.eventsPos?.[k]?.line ?? 0 };
    return;
  }
  const written = c.eventsFile as string;
  const access = openCaseFileRead(cf.file, written, caseRoot(cf.file, options));
  if (!access.ok) {
    problems.push(
      diagnostic(access.refused ? 'CASE_PATH_OUTSIDE' : 'CASE_EVENTS_UNREADABLE', `case '${c.name}': events_file ${access.reason}`, {
        file: cf.file,
        path: `cases[${c.index}].events_file`,
        pos: c.eventsFilePos ?? c.pos,
      }),
    );
    return;
  }
  try {
    for (const read of readEventsSync(access.path, options.limits === undefined ? { fd: access.fd } : { fd: access.fd, limits: options.limits })) {
      if (read.kind === 'event') yield { event: read.event, file: read.file, index: read.index, line: read.line };
      else if (read.diagnostic.severity === 'error') problems.push(read.diagnostic);
      else diagnostics.push(read.diagnostic);
    }
  } finally {
    closeSync(access.fd);
  }
}

/** The events of a case, one at a time (see {@link caseEventReads}). */
export function* caseEvents(cf: CaseFile, c: Case, options: CaseRootOptions & { limits?: EventLimits | undefined }, problems: Diagnostic[], diagnostics: Diagnostic[]): Generator<Record<string, unknown>> {
  for (const r of caseEventReads(cf, c, options, problems, diagnostics)) yield r.event;
}

/** Runs the cases of one rule (from any number of case files). */
export function runRuleCases(rule: SigmaRule, files: ReadonlyArray<{ cf: CaseFile; cases: Case[] }>, options: RunOptions): { run: RuleRun; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const results: CaseResult[] = [];
  const observations = [];
  const applies = compileLogsourceFilter(rule.logsource, options.mapping);
  // Events of a mapped source (a Security 4688 event for a process_creation rule) are seen as that source's view.
  const viewer = sourceViewer(rule.logsource, options.mapping);
  for (const { cf, cases } of files) {
    const mapped = cf.logsource === 'map';
    for (const c of cases) {
      const probs = stageProblems(cf, c, rule);
      const base = { name: c.name, file: cf.file, ...(c.pos ? { line: c.pos.line } : {}) };
      if (probs.length > 0) {
        pushAll(diagnostics, probs);
        results.push({ ...base, status: 'error', events: 0, matched: 0, messages: probs.map((d) => d.message) });
        continue;
      }
      const obs = emptyObservation();
      let matched = 0;
      let disagreed = false;
      let events = 0;
      const messages: string[] = [];
      let firstTrace: Trace | undefined;
      const fast = planMatcher(rule.plan);
      const readProblems: Diagnostic[] = [];
      let failure: string | undefined;
      for (const raw of caseEvents(cf, c, { ...options, limits: options.load?.limits }, readProblems, diagnostics)) {
        const k = events++;
        let trace: Trace;
        let event: Record<string, unknown>;
        let viewed: ReturnType<typeof viewer>;
        try {
          viewed = viewer(raw);
          event = viewed?.event ?? raw;
          trace = evaluatePlan(rule.plan, event);
          // Every case is also a differential check of the fast path against the reference.
          if (fast.match(event) !== trace.match) {
            disagreed = true;
            messages.push(`internal error: the compiled matcher says ${trace.match ? 'no-match' : 'match'} where the reference evaluator says ${trace.match ? 'match' : 'no-match'}; please report this rule and event`);
          }
        } catch (e) {
          // One rule failing on an event (an engine bug, a resource exhausted) fails this case only.
          failure = `${c.eventsFile !== undefined ? `event ${k}: ` : ''}the rule failed while matching the event: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]?.slice(0, 300) ?? ''}`;
          break;
        }
        const view = viewed;
        // Through a view, a match must not depend on the fields the source does not record.
        const undecided = view !== undefined && trace.match && !planMatchesSurely(rule.plan, event, view.unknown);
        const hit = trace.match && !undecided && (!mapped || applies(raw));
        if (hit) matched++;
        firstTrace ??= trace;
        observe(rule.plan, trace, c.expect === 'no-match' || (c.count !== undefined && !hit), obs);
        const problems: string[] = [];
        if (c.expect !== undefined && hit !== (c.expect === 'match')) {
          const why = undecided
            ? ` (the event's source does not record ${undecidedFields(rule.plan, view.unknown).join(', ')}, and the verdict depends on ${undecidedFields(rule.plan, view.unknown).length === 1 ? 'it' : 'them'})`
            : mapped && trace.match && !hit
              ? " (the event is outside the rule's logsource)"
              : '';
          problems.push(`expected ${c.expect}, got ${hit ? 'match' : 'no-match'}${why}`);
        }
        for (const [name, want] of Object.entries(c.stages ?? {})) {
          const got = name === 'condition' ? trace.match : trace.identifiers[name];
          if (got !== want) problems.push(`expected stage ${name} to be ${want}, got ${String(got)}`);
        }
        if (problems.length > 0 && messages.length === 0) {
          const where = c.eventsFile !== undefined || c.events !== undefined ? `event ${k}: ` : '';
          pushAll(messages, problems.map((p) => where + p));
          pushAll(messages, describeStages(rule.plan, trace, event));
        }
      }
      if (readProblems.length > 0) {
        // A refused path, an unreadable file or bad events in it: the case checked nothing reliable.
        const refused = readProblems.length === 1 && readProblems[0]?.file === cf.file ? readProblems[0] : undefined;
        const d =
          refused ??
          diagnostic(
            'CASE_EVENTS_UNREADABLE',
            `case '${c.name}': ${readProblems
              .slice(0, SHOWN_READ_ERRORS)
              .map((e) => `${e.file ?? c.eventsFile ?? ''}${e.pos ? `:${e.pos.line}:${e.pos.column}` : ''}: ${e.message}`)
              .join('; ')}${readProblems.length > SHOWN_READ_ERRORS ? `; and ${readProblems.length - SHOWN_READ_ERRORS} more` : ''}`,
            { file: cf.file, path: `cases[${c.index}].events_file`, pos: c.eventsFilePos ?? c.pos },
          );
        diagnostics.push(d);
        results.push({ ...base, status: 'error', events: 0, matched: 0, messages: [d.message] });
        continue;
      }
      if (failure !== undefined) {
        const d = diagnostic('RULE_MATCH_FAILED', `case '${c.name}': ${failure}`, { file: rule.file, pos: rule.pos });
        diagnostics.push(d);
        results.push({ ...base, status: 'error', events, matched, messages: [d.message] });
        continue;
      }
      if (events === 0) {
        // An empty events file would satisfy both `expect: match` and `expect: no-match`.
        const d = diagnostic('CASE_EVENTS_EMPTY', `case '${c.name}': events_file ${c.eventsFile ?? ''} holds no events, so the case would check nothing`, {
          file: cf.file,
          path: `cases[${c.index}].events_file`,
          pos: c.eventsFilePos ?? c.pos,
        });
        diagnostics.push(d);
        results.push({ ...base, status: 'error', events: 0, matched: 0, messages: [d.message] });
        continue;
      }
      const countProblem = checkCount(c, matched);
      if (countProblem !== undefined) messages.unshift(countProblem);
      observations.push(obs);
      // A known gap is expected to fail; an engine disagreement fails it all the same.
      const status: CaseStatus = c.knownGap === undefined || disagreed ? (messages.length === 0 ? 'pass' : 'fail') : messages.length === 0 ? 'gap-closed' : 'known-gap';
      if (c.knownGap !== undefined) messages.unshift(status === 'gap-closed' ? `known gap closed: the rule now gives the expected verdict (${c.knownGap}); remove known_gap` : `known gap: ${c.knownGap}`);
      const result: CaseResult = { ...base, status, events, matched, messages };
      if (c.event !== undefined && firstTrace !== undefined) result.trace = firstTrace;
      results.push(result);
    }
  }
  let properties: PropertyResult[] = [];
  const propertyObservations: Observation[] = [];
  if (files.some((f) => f.cf.properties.length > 0)) {
    if (options.properties === undefined) properties = notRun(files);
    else {
      try {
        const p = options.properties(rule, files, { mapping: options.mapping, seed: options.seed });
        properties = p.results;
        pushAll(propertyObservations, p.observations);
        pushAll(diagnostics, p.diagnostics);
      } catch (e) {
        // A rule that fails while matching (an engine bug, a resource exhausted) errs its properties only.
        const d = diagnostic('RULE_MATCH_FAILED', `the rule failed while its properties ran: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]?.slice(0, 300) ?? ''}`, { file: rule.file, pos: rule.pos });
        diagnostics.push(d);
        properties = notRun(files, d.message);
      }
    }
  }
  const coverage = foldCoverage(rule.plan, observations);
  return {
    run: {
      rule,
      caseFiles: files.map((f) => f.cf.file),
      cases: results,
      properties,
      coverage,
      coverageWithProperties: propertyObservations.length === 0 ? coverage : foldCoverage(rule.plan, [...observations, ...propertyObservations]),
    },
    diagnostics,
  };
}

/**
 * The rule as a case file's `pipeline:` sees it: its file loaded again through the command's
 * pipelines and the case file's (combined by priority); the same rule and pipelines give the same
 * rule object (`cache`), so case files that share them share a row and its coverage.
 */
function ruleThroughCasePipelines(
  rule: SigmaRule,
  cf: CaseFile,
  load: LoadOptions | undefined,
  cache: Map<string, SigmaRule | Diagnostic[]>,
  roots: CaseRootOptions,
): { rule?: SigmaRule; diagnostics: Diagnostic[] } {
  const specs = cf.pipelines ?? [];
  const key = `${rule.file}\u0000${rule.document}\u0000${dirname(cf.file)}\u0000${specs.map((s) => s.spec).join('\u0000')}`;
  const known = cache.get(key);
  if (known !== undefined) return Array.isArray(known) ? { diagnostics: [] } : { rule: known, diagnostics: [] };
  // A pipeline file, like an events_file, is read only inside the case file's root; a built-in name is the package's own.
  const root = caseRoot(cf.file, roots);
  const diagnostics: Diagnostic[] = [];
  const loadedPipelines: Pipeline[] = [];
  for (const s of specs) {
    const where = { file: cf.file, path: 'pipeline', pos: s.pos };
    const builtin = BUILTIN_PIPELINES.includes(s.spec) && !existsSync(resolve(dirname(cf.file), s.spec));
    if (builtin) {
      const r = loadPipeline(s.spec, dirname(cf.file), where);
      pushAll(diagnostics, r.diagnostics);
      if (r.pipeline !== undefined) loadedPipelines.push(r.pipeline);
      continue;
    }
    const access = openCaseFileRead(cf.file, s.spec, root);
    if (!access.ok) {
      diagnostics.push(diagnostic(access.refused ? 'CASE_PATH_OUTSIDE' : 'PIPELINE_NOT_FOUND', `pipeline ${access.reason}`, where));
      continue;
    }
    let text: string;
    try {
      text = readFileSync(access.fd, 'utf8');
    } finally {
      closeSync(access.fd);
    }
    const r = parsePipeline(text, access.path, s.spec);
    pushAll(diagnostics, r.diagnostics);
    if (r.pipeline !== undefined) loadedPipelines.push(r.pipeline);
  }
  if (hasErrors(diagnostics) || loadedPipelines.length === 0) {
    cache.set(key, diagnostics);
    return { diagnostics };
  }
  const loaded = { pipeline: combinePipelines(loadedPipelines), diagnostics };
  const pipeline = combinePipelines([...(load?.pipeline?.pipelines ?? []), ...loaded.pipeline.pipelines]);
  const file = loadRuleFile(rule.file, { ...load, pipeline });
  const found = file.rules.find((r) => r.document === rule.document);
  if (found === undefined) {
    const ds = [...loaded.diagnostics, ...(file.invalid.find((i) => i.document === rule.document)?.diagnostics ?? file.diagnostics)];
    cache.set(key, ds);
    return { diagnostics: ds };
  }
  cache.set(key, found);
  return { rule: found, diagnostics: loaded.diagnostics };
}

/** Case files bound to their rules: each tested rule (through a case file's pipelines, a rule of its own) with its files. */
export interface BoundSuite {
  groups: Array<{ rule: SigmaRule; files: { cf: CaseFile; cases: Case[] }[] }>;
  /** Rules without any case file. */
  untested: SigmaRule[];
  diagnostics: Diagnostic[];
}

/** Binds every case file to its rule (by id or path, through its `pipeline:`), rules in order. */
export function bindSuite(rules: readonly SigmaRule[], caseFiles: readonly CaseFile[], options: RunOptions): BoundSuite {
  const diagnostics: Diagnostic[] = [];
  const byRule = new Map<SigmaRule, { cf: CaseFile; cases: Case[] }[]>();
  const extra: SigmaRule[] = [];
  const bound = new Set<SigmaRule>();
  const piped = new Map<string, SigmaRule | Diagnostic[]>();
  for (const cf of caseFiles) {
    const resolved = resolveCaseRule(cf, rules, options.load, options);
    if (resolved.diagnostic !== undefined) diagnostics.push(resolved.diagnostic);
    let rule = resolved.rule;
    if (rule === undefined) continue;
    bound.add(rule);
    if (cf.pipelines !== undefined) {
      const p = ruleThroughCasePipelines(rule, cf, options.load, piped, options);
      pushAll(diagnostics, p.diagnostics);
      rule = p.rule;
      if (rule === undefined) continue;
    }
    if (!rules.includes(rule) && !extra.includes(rule)) extra.push(rule);
    const list = byRule.get(rule) ?? [];
    list.push({ cf, cases: cf.cases });
    byRule.set(rule, list);
  }
  const groups: BoundSuite['groups'] = [];
  for (const rule of [...rules, ...extra]) {
    const files = byRule.get(rule);
    if (files !== undefined) groups.push({ rule, files });
  }
  return { groups, untested: rules.filter((r) => !byRule.has(r) && !bound.has(r)), diagnostics };
}

/** Binds every case file to its rule and runs them all; rules without cases are untested. */
export function runSuite(rules: readonly SigmaRule[], caseFiles: readonly CaseFile[], options: RunOptions): SuiteResult {
  const b = bindSuite(rules, caseFiles, options);
  const diagnostics = [...b.diagnostics];
  const runs: RuleRun[] = [];
  for (const { rule, files } of b.groups) {
    const r = runRuleCases(rule, files, options);
    pushAll(diagnostics, r.diagnostics);
    runs.push(r.run);
  }
  return { rules: runs, untested: b.untested, diagnostics };
}
