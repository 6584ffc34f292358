/**
 * `sigmatest gate`: the merge gate of a rule repository. For every rule changed against the
 * merge-base (src/gate/changed-rules.ts) it runs these checks and reports each as
 * pass/fail/warn/skip:
 *
 * - `validate`: validateRules (errors fail, warnings warn) plus the loader's own diagnostics.
 * - `tests`: at least `minMatch` match and `minNoMatch` no-match cases, every case passes and
 *   every property holds (known gaps do not fail; a closed gap warns).
 * - `coverage`: the coverage of the cases and property runs reaches `minCoverage` (0: reported only).
 * - `mutation`: the rule's mutation score (mutate/run-mutants.ts) reaches `minMutationScore` (0: reported only).
 * - `fuzz`: fuzzRule; error findings fail, warnings warn.
 * - `semantic-diff` (modified/renamed): the base version against the new one (semantic-diff.ts);
 *   widened/equivalent pass, narrowed/changed warn, and a positive case of the base version's case
 *   files that the new rule no longer matches (a lost detection) fails.
 * - `corpus`: the changed rules over a benign corpus with the logsource mapping; every match not
 *   covered by an unexpired known-FP entry fails; a corpus with zero events fails; no corpus: skip.
 *
 * Paths are resolved against `cwd` and git runs there. Problems that make the gate meaningless
 * (unknown base, unreadable config or known-FP file, missing corpus path) are usage errors.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostics.js';
import { formatDiagnostic } from '../diagnostics/diagnostics.js';
import { loadEnvironment, ruleLoadOptions } from '../config/environment.js';
import { listYamlFiles } from '../rules/collect-rules.js';
import { loadRuleText } from '../rules/load-rule.js';
import type { LoadOptions, RuleFileLoader, SigmaRule } from '../rules/load-rule.js';
import { ruleKey } from '../rules/rule-key.js';
import { inShard } from '../rules/shard.js';
import type { Shard } from '../rules/shard.js';
import { isUuid } from '../rules/uuid.js';
import { loadCaseFile, loadCaseText } from '../cases/load-cases.js';
import type { Case, CaseFile } from '../cases/load-cases.js';
import { caseEvents as readCaseEvents, resolveCaseRule, runRuleCases } from '../cases/run-cases.js';
import { resolveCaseCorrelation, runCorrelationCases } from '../cases/run-correlation-cases.js';
import { collectRuleSet } from '../correlation/rule-set.js';
import type { FullRuleSet, ResolvedCorrelation } from '../correlation/rule-set.js';
import type { CorrelationRule, SigmaFilter } from '../correlation/documents.js';
import { CODES } from '../diagnostics/codes.js';
import type { CaseRootOptions } from '../cases/events-file.js';
import { runRuleProperties } from '../properties/run-properties.js';
import { fuzzRule } from '../fuzz/fuzz-rule.js';
import type { RuleFuzzResult } from '../fuzz/fuzz-rule.js';
import type { Event } from '../evaluate/evaluate.js';
import { compileLogsourceFilter } from '../logsource/logsource.js';
import { sourceVerdict } from '../evaluate/source-verdict.js';
import type { LogsourceMapping } from '../logsource/logsource.js';
import { entryMatchesEvent, expiredDiagnostics, isExpired, loadKnownFps } from '../known-fps/known-fps.js';
import type { KnownFp } from '../known-fps/known-fps.js';
import { scan } from '../scan/scan.js';
import type { ScanMatch } from '../scan/scan.js';
import { canonicalJson } from '../util/canonical-json.js';
import { changedLines, changedRules, readBaseVersion } from './changed-rules.js';
import type { RuleChange } from './changed-rules.js';
import { validateRules } from './validate-rule.js';
import type { ValidationSeverity } from './validate-rule.js';
import type { ValidationCode } from '../diagnostics/codes.js';
import type { Environment } from '../config/environment.js';
import { semanticDiff } from '../fuzz/semantic-diff.js';
import { mutateRule } from '../mutate/run-mutants.js';
import { fingerprint, gitHead } from '../util/provenance.js';
import { ruleStatus, summarize } from './gate-result.js';
import type { GateCheck, GateLocation, GateMessage, GateReport, GateRuleReport, RuleChangeKind } from './gate-result.js';
import { pushAll } from '../util/arrays.js';
import type { Limits } from '../util/limits.js';

export interface GateOptions {
  /** Loads the rule files of the rule tree (the rule cache); default: each file read in full. */
  cache?: RuleFileLoader | undefined;
  /** Working directory: paths are relative to it and git runs here. */
  cwd: string;
  base?: string | undefined;
  ruleDirs: string[];
  caseDirs: string[];
  /**
   * Benign event files or folders; empty: the corpus check is skipped. This and the settings
   * below default to the config's `gate:` section, then to the built-in defaults.
   */
  corpus?: string[] | undefined;
  knownFps?: string | undefined;
  /** Default 0 (coverage reported only). */
  minCoverage?: number | undefined;
  /** Minimum mutation score (0-100) per changed rule; default 0 (reported only). */
  minMutationScore?: number | undefined;
  /** Default 1. */
  minMatch?: number | undefined;
  /** Default 1. */
  minNoMatch?: number | undefined;
  /** Default 50. */
  fuzzRuns?: number | undefined;
  shard?: Shard | undefined;
  /** The config file (relative to cwd); default `sigmatest.config.yml` in cwd when present. */
  config?: string | undefined;
  /** The environment already loaded from the config (then `config` is not read again). */
  environment?: Environment | undefined;
  /** Validation severity overrides. */
  severities?: Partial<Record<ValidationCode, ValidationSeverity>> | undefined;
  /**
   * Which rules need `minMatch`/`minNoMatch` cases: `changed` (default) added rules and rules
   * whose meaning changed (not `equivalent`); `all` every changed rule.
   */
  requireTests?: 'changed' | 'all' | undefined;
  /** The day known-FP expiry is judged on. */
  today?: Date;
  /**
   * The folder case files may read events and rules from (`--root`); default: the config's
   * `root`, else each case file's repository (see cases/events-file.ts).
   */
  root?: string | undefined;
}

/** A rule the gate checks: a changed rule file, or one whose case files changed (`unchanged`). */
type GateChange = Omit<RuleChange, 'change'> & { change: RuleChangeKind; caseFiles?: string[] };

export type GateOutcome = { kind: 'report'; report: GateReport } | { kind: 'usage'; message: string; diagnostics: Diagnostic[] };

const toPosix = (p: string): string => p.split(sep).join('/');

/** Expected verdicts a case contributes: a positive case, a negative case (or neither). */
function caseKind(c: Case): 'match' | 'no-match' | undefined {
  if (c.expect !== undefined) return c.expect;
  const k = c.count;
  if (k === undefined) return undefined;
  if ((k.at_least ?? 0) >= 1 || (k.exactly ?? 0) >= 1) return 'match';
  if (k.exactly === 0 || k.at_most === 0) return 'no-match';
  return undefined;
}

/**
 * The events of a case (inline or streamed from its events file, inside the case file's root;
 * none when unreadable or refused: the tests check reports why).
 */
function caseEvents(cf: CaseFile, c: Case, roots: CaseRootOptions & { limits?: Limits }): Iterable<Event> {
  return readCaseEvents(cf, c, roots, [], []);
}

function git(cwd: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0' } });
  } catch {
    return undefined;
  }
}

/** The case files of the case folders as they were at `commit` (loaded with their current paths). */
function baseCaseFiles(cwd: string, commit: string, caseDirs: readonly string[]): CaseFile[] {
  const out: CaseFile[] = [];
  const rels = caseDirs.map((d) => toPosix(relative(cwd, resolve(cwd, d))) || '.');
  const listed = git(cwd, ['ls-tree', '-r', '-z', '--name-only', commit, '--', ...rels]);
  if (listed === undefined) return out;
  for (const p of listed.split('\0')) {
    if (!/\.ya?ml$/i.test(p)) continue;
    const text = readBaseVersion(cwd, commit, p);
    if (text === undefined) continue;
    const loaded = loadCaseText(text, resolve(cwd, p));
    if (loaded.caseFile !== undefined) out.push(loaded.caseFile);
  }
  return out;
}

/** Does the case file name this rule (by one of its ids or one of its paths)? */
function namesRule(cf: CaseFile, ids: ReadonlyArray<string | undefined>, paths: readonly string[]): boolean {
  if (isUuid(cf.rule)) return ids.some((id) => id !== undefined && id.toLowerCase() === cf.rule.toLowerCase());
  const p = resolve(dirname(cf.file), cf.rule);
  return paths.includes(p);
}

/** The base case files naming a rule, and how many positive cases they hold. */
function ctx0CaseCount(cases: readonly CaseFile[], ids: ReadonlyArray<string | undefined>, paths: readonly string[]): { files: string[]; positives: number } {
  const files = cases.filter((cf) => namesRule(cf, ids, paths));
  return { files: files.map((f) => f.file), positives: files.reduce((n, f) => n + f.cases.filter((c) => c.expect === 'match').length, 0) };
}

/** Case events the semantic diff starts from (besides witnesses and fuzz events). */
const EXTRA_EVENTS = 200;

function eventText(e: unknown): string {
  const t = JSON.stringify(e);
  return t.length > 300 ? `${t.slice(0, 297)}...` : t;
}

/** Runs the gate (see the file comment). */
export async function runGate(options: GateOptions): Promise<GateOutcome> {
  const cwd = resolve(options.cwd);
  const abs = (p: string): string => resolve(cwd, p);
  const rel = (p: string): string => toPosix(relative(cwd, p)) || p;
  const today = options.today ?? new Date();
  const messages: GateMessage[] = [];
  const usage = (message: string, diagnostics: Diagnostic[] = []): GateOutcome => ({ kind: 'usage', message, diagnostics });
  const toMessage = (d: Diagnostic): GateMessage => {
    const m: GateMessage = { severity: d.severity === 'error' ? 'error' : 'warning', code: d.code, message: d.message };
    if (d.file !== undefined) m.file = rel(abs(d.file));
    if (d.pos !== undefined) m.line = d.pos.line;
    return m;
  };

  // Config (with the gate's defaults) and logsource mapping.
  const env = options.environment ?? loadEnvironment(options.config, cwd);
  if (env.diagnostics.some((d) => d.severity === 'error')) return usage('the config file cannot be used', env.diagnostics);
  const configFile = env.config.file;
  const mapping: LogsourceMapping = env.mapping;
  // A changed rule that cannot be evaluated fails the gate: never skipped.
  const loadOpts = { ...ruleLoadOptions(env, options.cache), unresolvedPlaceholders: 'error' as const };
  const roots: CaseRootOptions & { limits: Limits } = { root: options.root !== undefined ? abs(options.root) : env.config.root, cwd, limits: env.config.limits };
  const defaults = env.config.gate;
  const settings: Settings = {
    corpus: options.corpus ?? defaults.corpus ?? [],
    knownFps: options.knownFps ?? defaults.knownFps,
    minCoverage: options.minCoverage ?? defaults.minCoverage ?? 0,
    minMutationScore: options.minMutationScore ?? defaults.minMutationScore ?? 0,
    minMatch: options.minMatch ?? defaults.minMatch ?? 1,
    minNoMatch: options.minNoMatch ?? defaults.minNoMatch ?? 1,
    fuzzRuns: options.fuzzRuns ?? defaults.fuzzRuns ?? 50,
    severities: options.severities ?? defaults.severities,
    requireTests: options.requireTests ?? defaults.requireTests ?? 'changed',
  };

  // Known false positives.
  let knownFps: KnownFp[] = [];
  if (settings.knownFps !== undefined) {
    const loaded = loadKnownFps(abs(settings.knownFps));
    if (loaded.diagnostics.some((d) => d.severity === 'error')) return usage(`the known false-positive file ${settings.knownFps} cannot be used`, loaded.diagnostics);
    knownFps = loaded.entries;
    pushAll(messages, expiredDiagnostics(knownFps, today).map(toMessage));
  }
  for (const c of settings.corpus) if (!existsSync(abs(c))) return usage(`the corpus path ${c} does not exist`);

  // Changed rules.
  const changed = changedRules({ cwd, ruleDirs: options.ruleDirs, caseDirs: options.caseDirs, ...(options.base !== undefined ? { base: options.base } : {}) });
  const fatal = changed.diagnostics.filter((d) => d.severity === 'error');
  if (fatal.length > 0) return usage(fatal.map((d) => d.message).join('; '), fatal);
  pushAll(messages, changed.diagnostics.map(toMessage));
  let changes: GateChange[] = [...changed.changes];
  const shard = options.shard;

  // The whole rule tree (duplicates, case binding) with its correlations and filters (composed
  // into the rules they name), and the case files.
  const tree = collectRuleSet(options.ruleDirs.map(abs), loadOpts);
  const allRules = tree.rules;
  const listed = listYamlFiles(options.caseDirs.map(abs).filter((p) => existsSync(p)));
  const caseFiles: CaseFile[] = [];
  for (const f of listed.files) {
    const l = loadCaseFile(f, { limits: env.config.limits });
    if (l.caseFile !== undefined) caseFiles.push(l.caseFile);
    else pushAll(messages, l.diagnostics.filter((d) => d.severity === 'error').map((d) => ({ ...toMessage(d), severity: 'warning' as const })));
  }
  const bound = new Map<SigmaRule, { cf: CaseFile; cases: Case[] }[]>();
  const boundCorrelations = new Map<CorrelationRule, { cf: CaseFile; cases: Case[] }[]>();
  const unbound: { cf: CaseFile; diagnostic: Diagnostic | undefined }[] = [];
  for (const cf of caseFiles) {
    const corr = resolveCaseCorrelation(cf, tree.graph, tree.correlationDocs, roots);
    if (corr !== undefined) {
      // A correlation that cannot be evaluated fails its own validate check; its case file is not orphaned.
      if (corr.correlation !== undefined) boundCorrelations.set(corr.correlation.rule, [...(boundCorrelations.get(corr.correlation.rule) ?? []), { cf, cases: cf.cases }]);
      continue;
    }
    const { rule, diagnostic } = resolveCaseRule(cf, allRules, loadOpts, roots);
    if (rule === undefined) {
      unbound.push({ cf, diagnostic });
      continue;
    }
    bound.set(rule, [...(bound.get(rule) ?? []), { cf, cases: cf.cases }]);
  }
  const caseChanges = changed.caseChanges;
  const oldCases = changed.base !== undefined && (changes.some((c) => c.change !== 'added') || caseChanges.length > 0) ? baseCaseFiles(cwd, changed.base, options.caseDirs) : [];

  // The whole change: a rule whose case files changed (added, edited, renamed or deleted) is
  // checked like a changed rule, as `unchanged` when its own file did not change.
  const changedPaths = new Set(changes.map((c) => abs(c.path)));
  const touched = new Map<string, Set<string>>(); // rule file → changed case files naming it
  const touch = (rule: { file: string }, caseFile: string): void => {
    const set = touched.get(rule.file) ?? new Set<string>();
    set.add(caseFile);
    touched.set(rule.file, set);
  };
  for (const cc of caseChanges) {
    const file = abs(cc.path);
    if (cc.change !== 'deleted') {
      const now = caseFiles.find((cf) => resolve(cf.file) === file);
      const rule = now !== undefined ? ([...bound].find(([, fs]) => fs.some((f) => f.cf === now)) ?? [...boundCorrelations].find(([, fs]) => fs.some((f) => f.cf === now)))?.[0] : undefined;
      if (rule !== undefined) touch(rule, cc.path);
    }
    if (cc.change === 'added') continue;
    const before = oldCases.find((cf) => resolve(cf.file) === abs(cc.oldPath ?? cc.path));
    if (before === undefined) continue;
    for (const rule of allRules) if (namesRule(before, [rule.id], [resolve(rule.file)])) touch(rule, cc.path);
    for (const c of tree.correlationDocs) if (namesRule(before, [c.id], [resolve(c.file)])) touch(c, cc.path);
  }
  for (const [file, cfs] of touched) {
    const existing = changes.find((c) => abs(c.path) === file);
    if (existing !== undefined) existing.caseFiles = [...new Set([...(existing.caseFiles ?? []), ...cfs])].sort();
    else if (!changedPaths.has(file)) changes.push({ change: 'unchanged', path: rel(file), caseFiles: [...cfs].sort() });
  }
  changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const allChanges = [...changes];
  if (shard !== undefined) changes = inShard(changes.map((c) => ({ file: c.path, c })), shard).map((x) => x.c);

  // Orphaned case files: one this change touched, or one whose rule it deleted or moved, that
  // names no rule now (`sigmatest run` fails on it). Older orphans are only reported.
  const gone = changed.changes.filter((c) => c.change === 'deleted' || c.change === 'renamed');
  const goneRules = gone.flatMap((c) => {
    const path = c.change === 'deleted' ? c.path : (c.oldPath as string);
    const text = changed.base !== undefined ? readBaseVersion(cwd, changed.base, path) : undefined;
    return (text === undefined ? [] : loadRuleText(text, abs(path), loadOpts).rules).map((r) => ({ id: r.id, file: abs(path) }));
  });
  const changedCaseFiles = new Set(caseChanges.filter((c) => c.change !== 'deleted').map((c) => abs(c.path)));
  for (const { cf, diagnostic: d } of unbound) {
    const mine = changedCaseFiles.has(resolve(cf.file)) || goneRules.some((g) => namesRule(cf, [g.id], [g.file]));
    const inShardToo = shard === undefined || inShard([{ file: rel(cf.file) }], shard).length > 0;
    if (!inShardToo) continue;
    messages.push({
      severity: mine ? 'error' : 'warning',
      code: 'GATE_CASE_ORPHANED',
      message: `${rel(cf.file)} names no rule (${d?.message ?? `no rule ${cf.rule}`})${mine ? '' : '; it was orphaned before this change'}`,
      file: rel(cf.file),
      line: cf.rulePos?.line ?? 1,
    });
  }

  // Corpus: one scan of the changed rule files.
  const live = changes.filter((c) => c.change !== 'deleted');
  const corpusMatches = new Map<string, ScanMatch[]>();
  let corpusEvents = 0;
  const corpusProblems: string[] = [];
  /** Matches accepted as known false positives, by rule file. */
  const corpusAccepted = new Map<string, number>();
  if (settings.corpus.length > 0 && live.length > 0) {
    const summary = await scan({
      rulePaths: live.map((c) => abs(c.path)),
      eventPaths: settings.corpus.map(abs),
      logsource: 'map',
      configFile,
      pipelines: env.pipelineArgs,
      cwd,
      knownFps,
      today,
      onMatch: (m) => {
        const k = ruleKey(m.rule);
        corpusMatches.set(k, [...(corpusMatches.get(k) ?? []), m]);
      },
      onDiagnostic: (d) => {
        if (d.severity === 'error' && d.file !== undefined && !live.some((c) => abs(c.path) === resolve(d.file as string))) corpusProblems.push(formatDiagnostic(d));
      },
    });
    corpusEvents = summary.events;
    for (const p of summary.perRule) if (p.suppressed > 0) corpusAccepted.set(resolve(p.path), (corpusAccepted.get(resolve(p.path)) ?? 0) + p.suppressed);
  }

  const rules: GateRuleReport[] = [];
  for (const change of changes) {
    const file = abs(change.path);
    if (change.change === 'deleted') {
      // What the deletion gives up: every detection of the base version, and its cases.
      const text = changed.base !== undefined ? readBaseVersion(cwd, changed.base, change.path) : undefined;
      const old = text === undefined ? [] : loadRuleText(text, resolve(cwd, change.path), loadOpts).rules;
      const cases = ctx0CaseCount(oldCases, old.map((r) => r.id), [resolve(cwd, change.path)]);
      const stillThere = tree.files.flatMap((f) => f.rules).filter((r) => old.some((o) => o.id !== undefined && o.id === r.id));
      const message =
        stillThere.length > 0
          ? `deleted here, but its id lives on in ${stillThere.map((r) => rel(r.file)).join(', ')}`
          : `deleted: its detections are gone${cases.positives > 0 ? ` (${cases.positives} positive case(s) in ${cases.files.map(rel).join(', ')} no longer have a rule)` : ''}`;
      rules.push({
        id: old[0]?.id ?? null,
        title: old[0]?.title ?? null,
        path: change.path,
        change: 'deleted',
        diff: null,
        line: 1,
        status: 'pass',
        checks: [{ name: 'semantic-diff', status: stillThere.length > 0 ? 'pass' : 'warn', message }],
      });
      continue;
    }
    const loaded = tree.files.find((f) => resolve(f.file) === file);
    const docs = loaded?.rules ?? [];
    for (const inv of loaded?.invalid ?? []) {
      const first = inv.diagnostics.find((d) => d.severity === 'error');
      const check: GateCheck = {
        name: 'validate',
        status: 'fail',
        message: `the rule does not load: ${first?.message ?? 'invalid document'}`,
        details: inv.diagnostics.map(formatDiagnostic),
        location: { file: change.path, line: first?.pos?.line ?? 1 },
      };
      const r: GateRuleReport = { id: inv.id ?? null, title: inv.title ?? null, path: change.path, change: change.change, diff: null, line: first?.pos?.line ?? 1, status: 'fail', checks: [check] };
      if (change.oldPath !== undefined) r.oldPath = change.oldPath;
      rules.push(r);
    }
    if (loaded === undefined) {
      rules.push({ id: null, title: null, path: change.path, change: change.change, diff: null, line: 1, status: 'fail', checks: [{ name: 'validate', status: 'fail', message: 'the rule file could not be read' }] });
      continue;
    }
    const ctx: Context = { mapping, loadOpts, roots, allRules, bound, oldCases, corpusMatches, corpusEvents, corpusProblems, corpusAccepted, knownFps, today, base: changed.base };
    for (const rule of docs) {
      rules.push(checkRule(rule, change, { cwd, ...settings }, ctx));
    }
    // Correlations and filters of the file: their own checks, and the tests of the rules they refer to.
    const meta = { tree, boundCorrelations, settings, cwd, ctx };
    for (const c of tree.correlationDocs.filter((x) => resolve(x.file) === file)) rules.push(checkCorrelation(c, change, meta));
    for (const f of tree.filters.filter((x) => resolve(x.file) === file)) rules.push(checkFilter(f, change, meta));
  }
  return {
    kind: 'report',
    report: {
      tool: 'sigmatest-gate',
      version: 1,
      base: changed.base ?? null,
      baseRef: changed.baseRef ?? null,
      shard: shard ?? null,
      head: gitHead(cwd),
      fingerprint: fingerprint(
        { command: 'gate', base: changed.base ?? null, ruleDirs: options.ruleDirs, caseDirs: options.caseDirs, settings, root: options.root ?? null, pipelines: env.pipelineArgs },
        [...allChanges.map((c) => abs(c.path)), ...listed.files, ...(configFile !== undefined ? [configFile] : [])],
      ),
      rules,
      messages,
      summary: summarize(rules, messages),
    },
  };
}

interface Context {
  mapping: LogsourceMapping;
  loadOpts: LoadOptions;
  roots: CaseRootOptions & { limits: Limits };
  allRules: SigmaRule[];
  bound: Map<SigmaRule, { cf: CaseFile; cases: Case[] }[]>;
  oldCases: CaseFile[];
  corpusMatches: Map<string, ScanMatch[]>;
  corpusEvents: number;
  corpusAccepted: Map<string, number>;
  corpusProblems: string[];
  knownFps: KnownFp[];
  today: Date;
  base: string | undefined;
}

interface MetaContext {
  tree: FullRuleSet;
  boundCorrelations: Map<CorrelationRule, { cf: CaseFile; cases: Case[] }[]>;
  settings: Settings;
  cwd: string;
  ctx: Context;
}

/** The validate check of a correlation or filter: the diagnostics of its document (errors fail, warnings warn). */
function metaValidate(doc: CorrelationRule | SigmaFilter, group: 'correlation' | 'filter', change: GateChange, meta: MetaContext): GateCheck {
  const own = meta.tree.diagnostics.filter((d) => d.file !== undefined && resolve(d.file) === resolve(doc.file) && CODES[d.code].group === group && (d.pos === undefined || d.pos.line >= doc.pos.line));
  const errors = own.filter((d) => d.severity === 'error');
  const warnings = own.filter((d) => d.severity === 'warning');
  const first = errors[0] ?? warnings[0];
  return {
    name: 'validate',
    status: errors.length > 0 ? 'fail' : warnings.length > 0 ? 'warn' : 'pass',
    message: errors.length > 0 ? `${errors.length} error(s), ${warnings.length} warning(s): ${errors[0]?.message ?? ''}` : warnings.length > 0 ? `${warnings.length} warning(s): ${warnings[0]?.message ?? ''}` : 'valid',
    details: own.map((d) => `${d.pos ? `line ${d.pos.line}: ` : ''}${d.severity} ${d.code}${d.path ? ` at ${d.path}` : ''}: ${d.message}`),
    location: { file: change.path, line: first?.pos?.line ?? doc.pos.line, ...(first?.pos !== undefined ? { column: first.pos.column } : {}) },
  };
}

/** The tests of detection rules (a correlation's referred rules, a filter's rules): one line per rule; problems fail. */
function referredRuleTests(rules: readonly SigmaRule[], meta: MetaContext): { problems: string[]; details: string[]; coverage: Array<{ rule: SigmaRule; percent: number | undefined }> } {
  const rel = (p: string): string => toPosix(relative(meta.cwd, p)) || p;
  const problems: string[] = [];
  const details: string[] = [];
  const coverage: Array<{ rule: SigmaRule; percent: number | undefined }> = [];
  for (const rule of rules) {
    const files = meta.ctx.bound.get(rule) ?? [];
    const name = `rule '${rule.title}' (${rel(rule.file)})`;
    if (files.length === 0) {
      problems.push(`${name} has no cases`);
      details.push(`${name}: no case file`);
      coverage.push({ rule, percent: undefined });
      continue;
    }
    const run = runRuleCases(rule, files, { mapping: meta.ctx.mapping, load: meta.ctx.loadOpts, ...meta.ctx.roots }).run;
    const bad = run.cases.filter((c) => c.status !== 'pass');
    coverage.push({ rule, percent: run.coverage.percent });
    if (bad.length > 0) problems.push(`${name}: ${bad.length} of ${run.cases.length} case(s) fail`);
    details.push(`${name}: ${run.cases.length - bad.length} of ${run.cases.length} case(s) pass, coverage ${run.coverage.percent}%`);
    for (const c of bad) details.push(`  ${rel(c.file)}${c.line !== undefined ? `:${c.line}` : ''}: case '${c.name}' ${c.status}: ${c.messages[0] ?? ''}`);
  }
  return { problems, details, coverage };
}

/**
 * A changed correlation: validate (its document and references), tests (its correlation cases,
 * at least minMatch alerting and minNoMatch quiet ones, all passing; and the cases of every
 * detection rule it refers to, through chains), coverage (its stages over its cases).
 */
function checkCorrelation(c: CorrelationRule, change: GateChange, meta: MetaContext): GateRuleReport {
  const rel = (p: string): string => toPosix(relative(meta.cwd, p)) || p;
  const checks: GateCheck[] = [metaValidate(c, 'correlation', change, meta)];
  const resolved = meta.tree.graph.correlations.find((r) => r.rule === c);
  if (resolved === undefined) {
    checks.push({ name: 'tests', status: 'fail', message: 'the correlation cannot be evaluated (see validate)' });
  } else {
    // The detection rules it counts, through chains.
    const byRule = new Map(meta.tree.graph.correlations.map((r) => [r.rule, r]));
    const referred = new Set<SigmaRule>();
    const walk = (r: ResolvedCorrelation): void => {
      for (const i of r.inputs) {
        if (i.target.kind === 'detection') referred.add(i.target.rule);
        else {
          const inner = byRule.get(i.target.rule);
          if (inner !== undefined) walk(inner);
        }
      }
    };
    walk(resolved);
    const files = meta.boundCorrelations.get(c) ?? [];
    const cases = files.flatMap((f) => f.cases);
    const alerting = cases.filter((k) => (k.alerts?.at_least ?? 0) >= 1 || (k.alerts?.exactly ?? 0) >= 1 || (k.alerts?.groups?.length ?? 0) >= 1).length;
    const quiet = cases.filter((k) => k.alerts?.exactly === 0 || k.alerts?.at_most === 0).length;
    const problems: string[] = [];
    const details: string[] = [];
    let coverage: number | undefined;
    if (files.length > 0) {
      const { run } = runCorrelationCases(resolved, meta.tree.graph, files, { mapping: meta.ctx.mapping, load: meta.ctx.loadOpts, ...meta.ctx.roots });
      const bad = run.cases.filter((k) => k.status !== 'pass');
      if (bad.length > 0) problems.push(`${bad.length} of ${run.cases.length} correlation case(s) fail`);
      for (const k of bad) details.push(`${rel(k.file)}${k.line !== undefined ? `:${k.line}` : ''}: case '${k.name}' ${k.status}: ${k.messages[0] ?? ''}`);
      coverage = run.coverage.percent;
    }
    if (alerting < meta.settings.minMatch) problems.push(`${alerting} case(s) expecting alerts, at least ${meta.settings.minMatch} required`);
    if (quiet < meta.settings.minNoMatch) problems.push(`${quiet} case(s) expecting no alert, at least ${meta.settings.minNoMatch} required`);
    const referredTests = referredRuleTests([...referred], meta);
    problems.push(...referredTests.problems);
    details.push(...referredTests.details);
    checks.push({
      name: 'tests',
      status: problems.length > 0 ? 'fail' : 'pass',
      message: problems.length > 0 ? problems.join('; ') : `${cases.length} correlation case(s) pass (${alerting} alerting, ${quiet} quiet); the ${referred.size} rule(s) it refers to pass their cases`,
      details,
    });
    if (coverage === undefined) checks.push({ name: 'coverage', status: meta.settings.minCoverage > 0 ? 'fail' : 'skip', message: 'no correlation cases, no coverage' });
    else {
      const ok = coverage >= meta.settings.minCoverage;
      checks.push({ name: 'coverage', status: ok ? 'pass' : 'fail', message: meta.settings.minCoverage > 0 ? `${coverage}% (minimum ${meta.settings.minCoverage}%)` : `${coverage}% (no minimum set)` });
    }
  }
  const report: GateRuleReport = { id: c.id ?? null, title: c.title, path: change.path, change: change.change, diff: null, line: c.pos.line, status: 'pass', checks };
  if (change.oldPath !== undefined) report.oldPath = change.oldPath;
  if (change.caseFiles !== undefined) report.caseFiles = change.caseFiles;
  report.status = ruleStatus(checks);
  return report;
}

/**
 * A changed filter: validate (its document), tests (the cases of every rule it applies to, with the
 * filter composed into them), coverage (the lowest of those rules'), fuzz (those rules fuzzed with
 * the filter: a filter that suppresses every event of a rule fails).
 */
function checkFilter(f: SigmaFilter, change: GateChange, meta: MetaContext): GateRuleReport {
  const checks: GateCheck[] = [metaValidate(f, 'filter', change, meta)];
  const targets = meta.tree.rules.filter((r) => r.plan.identifiers.some((i) => i.filter !== undefined && resolve(i.filter.file) === resolve(f.file) && i.filter.document === f.document));
  if (targets.length === 0) {
    checks.push({ name: 'tests', status: 'warn', message: 'the filter applies to no loaded rule: nothing to test' });
  } else {
    const t = referredRuleTests(targets, meta);
    checks.push({
      name: 'tests',
      status: t.problems.length > 0 ? 'fail' : 'pass',
      message: t.problems.length > 0 ? t.problems.join('; ') : `the ${targets.length} rule(s) it applies to pass their cases with the filter`,
      details: t.details,
    });
    const known = t.coverage.filter((x): x is { rule: SigmaRule; percent: number } => x.percent !== undefined);
    const lowest = known.reduce<{ rule: SigmaRule; percent: number } | undefined>((m, x) => (m === undefined || x.percent < m.percent ? x : m), undefined);
    if (lowest === undefined) checks.push({ name: 'coverage', status: meta.settings.minCoverage > 0 ? 'fail' : 'skip', message: 'no cases, no coverage' });
    else {
      const ok = lowest.percent >= meta.settings.minCoverage;
      checks.push({ name: 'coverage', status: ok ? 'pass' : 'fail', message: `lowest ${lowest.percent}% ('${lowest.rule.title}')${meta.settings.minCoverage > 0 ? ` (minimum ${meta.settings.minCoverage}%)` : ' (no minimum set)'}` });
    }
    const findings: string[] = [];
    let errors = 0;
    for (const rule of targets) {
      const fz = fuzzRule(rule, { runs: meta.settings.fuzzRuns, seed: 1, mapping: meta.ctx.mapping });
      for (const x of fz.findings) {
        // Findings about this filter's stages (FILTER_SUPPRESSES_ALL, a dead or evadable filter exclusion).
        const ofFilter = x.stage !== undefined && rule.plan.identifiers.some((i) => i.name === x.stage && i.filter !== undefined && resolve(i.filter.file) === resolve(f.file) && i.filter.document === f.document);
        if (x.code !== 'FILTER_SUPPRESSES_ALL' && !ofFilter) continue;
        if (x.severity === 'error') errors++;
        findings.push(`${x.severity} ${x.code} in '${rule.title}': ${x.message}`);
      }
    }
    checks.push({ name: 'fuzz', status: errors > 0 ? 'fail' : findings.length > 0 ? 'warn' : 'pass', message: findings.length === 0 ? `${targets.length} rule(s) fuzzed with the filter, no finding about it` : `${findings.length} finding(s) about the filter: ${findings[0] ?? ''}`, details: findings });
  }
  const report: GateRuleReport = { id: f.id ?? null, title: f.title, path: change.path, change: change.change, diff: null, line: f.pos.line, status: 'pass', checks };
  if (change.oldPath !== undefined) report.oldPath = change.oldPath;
  if (change.caseFiles !== undefined) report.caseFiles = change.caseFiles;
  report.status = ruleStatus(checks);
  return report;
}

/** The gate's settings, flags and config defaults merged. */
interface Settings {
  corpus: string[];
  knownFps: string | undefined;
  minCoverage: number;
  minMutationScore: number;
  minMatch: number;
  minNoMatch: number;
  fuzzRuns: number;
  severities: Partial<Record<ValidationCode, ValidationSeverity>> | undefined;
  requireTests: 'changed' | 'all';
}

function checkRule(rule: SigmaRule, change: GateChange, options: Settings & { cwd: string }, ctx: Context): GateRuleReport {
  const cwd = options.cwd;
  const rel = (p: string): string => toPosix(relative(cwd, p)) || p;
  // Where a problem without a position of its own is shown: the first changed line of the rule's
  // detection (GitHub shows annotations inline only on lines of the diff), else its detection line.
  const changed = ctx.base !== undefined && (change.change === 'modified' || change.change === 'renamed') ? changedLines(cwd, ctx.base, change.path, change.oldPath) : undefined;
  const focus = focusLine(rule, change, changed);
  const at = (line: number | undefined, column?: number): GateLocation => ({ file: change.path, line: line ?? focus, ...(column !== undefined ? { column } : {}) });
  const checks: GateCheck[] = [];

  // 1. Validation.
  const vds = [...rule.diagnostics, ...validateRules([rule], { mapping: ctx.mapping, allRules: ctx.allRules, ...(options.severities !== undefined ? { severities: options.severities } : {}) })];
  const verrors = vds.filter((d) => d.severity === 'error');
  const vwarn = vds.filter((d) => d.severity === 'warning');
  const vfirst = verrors[0] ?? vwarn[0];
  const fmt = (d: Diagnostic): string => `${d.pos ? `line ${d.pos.line}: ` : ''}${d.severity} ${d.code}${d.path ? ` at ${d.path}` : ''}: ${d.message}`;
  checks.push({
    name: 'validate',
    status: verrors.length > 0 ? 'fail' : vwarn.length > 0 ? 'warn' : 'pass',
    message: verrors.length > 0 ? `${verrors.length} error(s), ${vwarn.length} warning(s): ${verrors[0]?.message ?? ''}` : vwarn.length > 0 ? `${vwarn.length} warning(s): ${vwarn[0]?.message ?? ''}` : 'valid',
    details: vds.map(fmt),
    location: at(vfirst?.pos?.line, vfirst?.pos?.column),
  });

  // 2. Tests and 3. coverage.
  const files = ctx.bound.get(rule) ?? [];
  const allCases = files.flatMap((f) => f.cases);
  const positives = allCases.filter((c) => caseKind(c) === 'match').length;
  const negatives = allCases.filter((c) => caseKind(c) === 'no-match').length;
  const run = files.length > 0 ? runRuleCases(rule, files, { mapping: ctx.mapping, load: ctx.loadOpts, ...ctx.roots, properties: runRuleProperties }).run : undefined;
  // Known gaps are declared (not failures); a closed gap warns: its known_gap should go.
  const bad = run?.cases.filter((c) => c.status === 'fail' || c.status === 'error') ?? [];
  const badProps = run?.properties.filter((p) => p.status === 'fail' || p.status === 'error') ?? [];
  const closed = [...(run?.cases ?? []), ...(run?.properties ?? [])].filter((x) => x.status === 'gap-closed');
  const gaps = [...(run?.cases ?? []), ...(run?.properties ?? [])].filter((x) => x.status === 'known-gap').length;
  const props = run?.properties ?? [];
  // The minimum numbers of cases: for added rules and rules whose meaning changed (decided after the semantic diff), or all with requireTests 'all'.
  const countProblems: string[] = [];
  if (positives < options.minMatch) countProblems.push(`${positives} match case(s), at least ${options.minMatch} required`);
  if (negatives < options.minNoMatch) countProblems.push(`${negatives} no-match case(s), at least ${options.minNoMatch} required`);
  const testProblems: string[] = [];
  if (bad.length > 0) testProblems.push(`${bad.length} of ${run?.cases.length ?? 0} case(s) fail`);
  if (badProps.length > 0) testProblems.push(`${badProps.length} of ${props.length} propert${props.length === 1 ? 'y' : 'ies'} fail`);
  const firstBad = bad[0] ?? badProps[0] ?? closed[0];
  const propertyText = props.length > 0 ? `, ${props.length} propert${props.length === 1 ? 'y' : 'ies'} hold (${props.reduce((n, p) => n + p.runs, 0)} runs)` : '';
  const gapText = gaps > 0 ? `; ${gaps} known gap(s)` : '';
  const testsCheck: GateCheck = {
    name: 'tests',
    status: 'pass',
    message: '',
    details: [
      ...bad.map((c) => `${rel(c.file)}${c.line !== undefined ? `:${c.line}` : ''}: case '${c.name}' ${c.status}: ${c.messages[0] ?? ''}`),
      ...badProps.map((p) => `${rel(p.file)}${p.line !== undefined ? `:${p.line}` : ''}: property '${p.name}' ${p.status} (seed ${p.seed}): ${p.messages.filter((m) => !m.startsWith('known gap')).slice(0, 1).join('')}${p.counterexample !== null ? ` counterexample: ${JSON.stringify(p.counterexample.event)}` : ''}`),
      ...closed.map((x) => `${rel(x.file)}${x.line !== undefined ? `:${x.line}` : ''}: '${x.name}' gap closed`),
    ],
    ...(firstBad !== undefined ? { location: { file: rel(firstBad.file), line: firstBad.line ?? 1 } } : {}),
  };
  checks.push(testsCheck);
  const settleTests = (required: boolean, why: string): void => {
    const problems = [...(required ? countProblems : []), ...testProblems];
    testsCheck.status = problems.length > 0 ? 'fail' : closed.length > 0 ? 'warn' : 'pass';
    const counted = `${run?.cases.length ?? 0} case(s) pass (${positives} match, ${negatives} no-match)${propertyText}${gapText}`;
    testsCheck.message =
      problems.length > 0
        ? problems.join('; ')
        : closed.length > 0
          ? `${closed.length} known gap(s) closed: remove known_gap from ${closed.map((x) => `'${x.name}'`).join(', ')}`
          : !required && countProblems.length > 0
            ? `${counted}; ${why}: no minimum number of cases required`
            : counted;
    if (required && countProblems.length > 0 && testsCheck.location === undefined) testsCheck.location = at(focus);
  };
  if (run === undefined || run.cases.length === 0) checks.push({ name: 'coverage', status: options.minCoverage > 0 && change.change === 'added' ? 'fail' : 'skip', message: 'no cases, no coverage' });
  else {
    const cov = run.coverageWithProperties;
    const pct = cov.percent;
    const ok = pct >= options.minCoverage;
    const missed = [...cov.values.missed, ...cov.exclusions.missed].slice(0, 10).map((v) => `not covered: ${JSON.stringify(v)}`);
    const fromCases = run.properties.length > 0 ? ` with properties, ${run.coverage.percent}% from cases alone` : '';
    checks.push({
      name: 'coverage',
      status: ok ? 'pass' : 'fail',
      message: options.minCoverage > 0 ? `${pct}%${fromCases} (minimum ${options.minCoverage}%)` : `${pct}%${fromCases} (no minimum set)`,
      ...(ok ? {} : { details: missed }),
    });
  }
  // 4. Mutation score: the rule's cases and properties against its mutants (reported only unless a minimum is set).
  if (run === undefined || files.length === 0) checks.push({ name: 'mutation', status: options.minMutationScore > 0 ? 'fail' : 'skip', message: 'no cases: nothing to mutate' });
  else {
    const m = mutateRule(rule, files, { mapping: ctx.mapping, load: ctx.loadOpts, ...ctx.roots, properties: runRuleProperties }).result;
    const score = m.score;
    const ok = options.minMutationScore === 0 || score === null || score >= options.minMutationScore;
    const counts = `${m.killed} killed, ${m.survived} survived, ${m.equivalent} equivalent?`;
    const survivors = m.mutants.filter((x) => x.status === 'survived');
    checks.push({
      name: 'mutation',
      status: ok ? 'pass' : 'fail',
      message: `${score === null ? 'n/a' : `${score}%`} (${counts})${options.minMutationScore > 0 ? ` (minimum ${options.minMutationScore}%)` : ' (no minimum set)'}`,
      ...(survivors.length > 0
        ? { details: survivors.map((x) => `line ${x.line}: ${x.operator} ${x.path}: ${x.description} survived${x.killer !== null ? `; killer (${x.killer.verdict}): ${JSON.stringify(x.killer.event)}` : ''}`) }
        : {}),
      ...(!ok && survivors[0] !== undefined ? { location: at(survivors[0].line) } : {}),
    });
  }


  // 4. Fuzz.
  let fuzz: RuleFuzzResult | undefined;
  try {
    fuzz = fuzzRule(rule, { runs: options.fuzzRuns, seed: 1, mapping: ctx.mapping });
  } catch (e) {
    checks.push({ name: 'fuzz', status: 'fail', message: `the fuzzer failed: ${(e as Error).message}` });
  }
  if (fuzz !== undefined) {
    const errs = fuzz.findings.filter((f) => f.severity === 'error');
    const warns = fuzz.findings.filter((f) => f.severity === 'warning');
    const first = errs[0] ?? warns[0];
    checks.push({
      name: 'fuzz',
      status: fuzz.status === 'unsupported' ? 'skip' : errs.length > 0 ? 'fail' : warns.length > 0 ? 'warn' : 'pass',
      message:
        fuzz.status === 'unsupported'
          ? `not fuzzed: ${fuzz.reason ?? 'unsupported'}`
          : errs.length + warns.length === 0
            ? `${fuzz.runs} runs, no findings`
            : `${errs.length} error(s), ${warns.length} warning(s): ${first?.message ?? ''}`,
      details: fuzz.findings.map((f) => `${f.severity} ${f.code}: ${f.message} (replay: sigmatest fuzz ${change.path} --seed ${f.seed})`),
      location: at(first?.pos?.line, first?.pos?.column),
    });
  }

  // 5. Semantic diff.
  const report: GateRuleReport = { id: rule.id ?? null, title: rule.title, path: change.path, change: change.change, diff: null, line: focus, status: 'pass', checks };
  if (change.oldPath !== undefined) report.oldPath = change.oldPath;
  if (change.caseFiles !== undefined) report.caseFiles = change.caseFiles;
  if (change.change === 'added') checks.push({ name: 'semantic-diff', status: 'skip', message: 'a new rule: nothing to compare with' });
  else if (ctx.base === undefined) checks.push({ name: 'semantic-diff', status: 'skip', message: 'no base version (not a git repository)' });
  else if (change.change === 'unchanged') {
    checks.push({ name: 'semantic-diff', status: 'skip', message: 'the rule did not change (its case files did)' });
    checks.push(weakenedCheck(rule, rule, resolve(rule.file), files, ctx, rel));
  } else {
    const oldPath = change.oldPath ?? change.path;
    const text = readBaseVersion(cwd, ctx.base, oldPath);
    const oldFile = resolve(cwd, oldPath);
    const oldDocs = text === undefined ? [] : loadRuleText(text, oldFile, ctx.loadOpts).rules;
    const old = (rule.id !== undefined ? oldDocs.find((r) => r.id?.toLowerCase() === rule.id?.toLowerCase()) : undefined) ?? oldDocs.find((r) => r.document === rule.document);
    if (old === undefined) checks.push({ name: 'semantic-diff', status: 'skip', message: `the base version of ${oldPath} could not be loaded` });
    else {
      // Positive cases of the base version's case files, against the new rule.
      const lost: string[] = [];
      const extra: Event[] = [];
      const applies = compileLogsourceFilter(rule.logsource, ctx.mapping);
      const holds = sourceVerdict(rule.plan, rule.logsource, ctx.mapping);
      const oldCaseFiles = ctx.oldCases.filter((cf) => namesRule(cf, [old.id, rule.id], [oldFile, resolve(cwd, change.path)]));
      let firstLostLine: GateLocation | undefined;
      // A base positive case now removed or no longer expecting a match is the author's word that
      // the detection goes: the tests-weakened check judges it, not the lost-detection check.
      const nowMatch = new Set(files.flatMap(({ cases }) => cases.filter((c) => caseKind(c) === 'match').map((c) => c.name)));
      for (const cf of oldCaseFiles) {
        for (const c of cf.cases) {
          const acknowledged = c.expect === 'match' && !nowMatch.has(c.name);
          // Streamed: only the first events seed the diff, and the first missed one is shown.
          let missed: Event | undefined;
          for (const e of caseEvents(cf, c, ctx.roots)) {
            if (extra.length < EXTRA_EVENTS) extra.push(e);
            if (!acknowledged && c.expect === 'match' && missed === undefined && !(holds(e) && (cf.logsource !== 'map' || applies(e)))) missed = e;
            if (missed !== undefined && extra.length >= EXTRA_EVENTS) break;
          }
          if (missed !== undefined) {
            lost.push(`${rel(cf.file)}${c.pos ? `:${c.pos.line}` : ''}: base case '${c.name}' no longer matches: ${eventText(missed)}`);
            firstLostLine ??= { file: rel(cf.file), line: c.pos?.line ?? 1 };
          }
        }
      }
      for (const { cf, cases } of files) {
        for (const c of cases) {
          for (const e of caseEvents(cf, c, ctx.roots)) {
            if (extra.length >= EXTRA_EVENTS) break;
            extra.push(e);
          }
        }
      }
      // The rule's own change: Sigma filters composed into it are not part of its base version either.
      const own = rule.plan.unfiltered === undefined ? rule : { ...rule, plan: rule.plan.unfiltered };
      const d = semanticDiff(old, own, { mapping: ctx.mapping, newWitnesses: fuzz?.witnesses ?? [], extraEvents: extra });
      report.diff = d.diff;
      report.examples = { newMatches: d.newMatches, lostMatches: d.lostMatches };
      const what =
        d.diff === 'equivalent'
          ? `equivalent: no event of ${d.events} changes verdict`
          : `${d.diff}: ${d.newMatchCount} of ${d.events} events now match, ${d.lostMatchCount} no longer match`;
      const details = [
        ...changedItems(rule, changed).map((x) => `changed item: ${x.path} (line ${x.line})`),
        ...lost,
        ...d.newMatches.map((e) => `now matches: ${eventText(e)}`),
        ...d.lostMatches.map((e) => `no longer matches: ${eventText(e)}`),
      ];
      checks.push({
        name: 'semantic-diff',
        status: lost.length > 0 ? 'fail' : d.diff === 'narrowed' || d.diff === 'changed' ? 'warn' : 'pass',
        message: lost.length > 0 ? `${lost.length} lost detection(s) of the base version's cases; ${what}` : what,
        details,
        location: firstLostLine ?? at(focus),
      });
      checks.push(weakenedCheck(old, rule, oldFile, files, ctx, rel));
    }
  }
  const meaningChanged = report.diff !== null && report.diff !== 'equivalent';
  const required = change.change === 'added' || options.requireTests === 'all' || meaningChanged || (change.change !== 'unchanged' && report.diff === null);
  settleTests(
    required,
    change.change === 'unchanged' ? 'the rule did not change' : change.change === 'renamed' ? `renamed, ${report.diff ?? 'not compared'}` : `its meaning did not change (${report.diff ?? 'not compared'})`,
  );

  // 6. Corpus.
  if (options.corpus.length === 0) checks.push({ name: 'corpus', status: 'skip', message: 'no benign corpus given (--corpus)' });
  else if (ctx.corpusEvents === 0) checks.push({ name: 'corpus', status: 'fail', message: 'the benign corpus yielded zero events: a corpus that checks nothing must not pass' });
  else {
    const matches = ctx.corpusMatches.get(ruleKey(rule)) ?? [];
    const accepted = ctx.corpusAccepted.get(resolve(rule.file)) ?? 0;
    const expired = (m: ScanMatch): KnownFp | undefined =>
      ctx.knownFps.find((e) => rule.id !== undefined && e.rule.toLowerCase() === rule.id.toLowerCase() && isExpired(e, ctx.today) && entryMatchesEvent(e, m.event));
    checks.push({
      name: 'corpus',
      status: matches.length > 0 || ctx.corpusProblems.length > 0 ? 'fail' : 'pass',
      message:
        matches.length > 0
          ? `${matches.length} match(es) in the benign corpus of ${ctx.corpusEvents} events (add a filter, or a known-FP entry with a reason)`
          : ctx.corpusProblems.length > 0
            ? `the corpus could not be read completely: ${ctx.corpusProblems[0] ?? ''}`
            : `no match in ${ctx.corpusEvents} benign events${accepted > 0 ? ` (${accepted} accepted as known false positives${ctx.knownFps[0] !== undefined ? ` by ${rel(ctx.knownFps[0].file)}` : ''})` : ''}`,
      details: matches.slice(0, 10).map((m) => {
        const e = expired(m);
        return `${rel(m.file)}:${m.line}: ${eventText(m.raw)}${e !== undefined ? ` (the known-FP entry at ${rel(e.file)}:${e.pos.line} expired on ${e.expires ?? ''})` : ''}`;
      }),
    });
  }

  report.status = ruleStatus(checks);
  return report;
}

/** The expectation a case states, as a positive or negative claim. */
function claim(c: Case): 'match' | 'no-match' | undefined {
  return caseKind(c);
}

/**
 * `tests-weakened`: a positive case of the base version's case files that is gone now, or whose
 * expectation is no longer `match`, fails, unless the rule change explains it: one of the case's
 * events matched the base version of the rule and does not match the new one (the semantic diff's
 * flip). For an unchanged rule nothing explains it.
 */
function weakenedCheck(
  old: SigmaRule,
  rule: SigmaRule,
  oldFile: string,
  files: ReadonlyArray<{ cf: CaseFile; cases: Case[] }>,
  ctx: Context,
  rel: (p: string) => string,
): GateCheck {
  const before = ctx.oldCases.filter((cf) => namesRule(cf, [old.id, rule.id], [oldFile, resolve(rule.file)]));
  const now = new Map<string, { cf: CaseFile; c: Case }>();
  for (const { cf, cases } of files) for (const c of cases) if (!now.has(c.name)) now.set(c.name, { cf, c });
  const verdict = (r: SigmaRule): ((cf: CaseFile, e: Event) => boolean) => {
    const applies = compileLogsourceFilter(r.logsource, ctx.mapping);
    const holds = sourceVerdict(r.plan, r.logsource, ctx.mapping);
    return (cf, e) => {
      try {
        return holds(e) && (cf.logsource !== 'map' || applies(e));
      } catch {
        return false;
      }
    };
  };
  const oldV = verdict(old);
  const newV = verdict(rule);
  // A positive case is known by its events too: one removed under its name whose events a current
  // positive case still holds was renamed (or moved to another case file), not removed.
  const eventsKey = (cf: CaseFile, c: Case): string => {
    const events: Event[] = [];
    try {
      for (const e of caseEvents(cf, c, ctx.roots)) {
        events.push(e);
        if (events.length >= EXTRA_EVENTS) break;
      }
    } catch {
      return `unreadable:${cf.file}:${c.name}`;
    }
    return canonicalJson(events);
  };
  let kept: Map<string, string> | undefined; // built when a positive case is missing by name
  const keptNames = (): Map<string, string> => {
    if (kept === undefined) {
      kept = new Map();
      for (const [name, { cf, c }] of now) if (claim(c) === 'match') kept.set(eventsKey(cf, c), name);
    }
    return kept;
  };
  const weakened: string[] = [];
  const explained: string[] = [];
  const renamed: string[] = [];
  let location: GateLocation | undefined;
  for (const cf of before) {
    for (const c of cf.cases) {
      if (claim(c) !== 'match') continue;
      const current = now.get(c.name);
      const renamedTo = current === undefined ? keptNames().get(eventsKey(cf, c)) : undefined;
      if (renamedTo !== undefined) {
        renamed.push(`positive case '${c.name}' was renamed '${renamedTo}' (same events)`);
        continue;
      }
      const what =
        current === undefined
          ? `positive case '${c.name}' (${rel(cf.file)} at the base) was removed`
          : claim(current.c) !== 'match'
            ? `case '${c.name}' was flipped from match to ${current.c.expect ?? 'another expectation'}`
            : undefined;
      if (what === undefined) continue;
      let flipped = false;
      if (old !== rule) {
        let k = 0;
        for (const e of caseEvents(cf, c, ctx.roots)) {
          if (oldV(cf, e) && !newV(cf, e)) {
            flipped = true;
            break;
          }
          if (++k >= EXTRA_EVENTS) break;
        }
      }
      if (flipped) explained.push(`${what}: explained, the rule change no longer matches its event`);
      else {
        weakened.push(`${what}${old === rule ? ' though the rule did not change' : ', and the rule change does not explain it (the base version and the new one agree on its events)'}`);
        location ??=
          current !== undefined
            ? { file: rel(current.cf.file), line: current.c.pos?.line ?? 1 }
            : existsSync(cf.file)
              ? { file: rel(cf.file), line: 1 }
              : { file: rel(rule.file), line: rule.keyLines['detection'] ?? rule.pos.line };
      }
    }
  }
  return {
    name: 'tests-weakened',
    status: weakened.length > 0 ? 'fail' : 'pass',
    message:
      weakened.length > 0
        ? `${weakened.length} positive case(s) removed or flipped: ${weakened[0] ?? ''}`
        : explained.length > 0
          ? `${explained.length} positive case(s) removed or flipped, each explained by the rule change`
          : 'no positive case of the base version was removed or flipped',
    details: [...weakened, ...explained, ...renamed],
    ...(location !== undefined ? { location } : {}),
  };
}

/** The lines of a rule's `detection`: from its key to the next top-level key (exclusive); undefined without one. */
function detectionSpan(rule: SigmaRule): { start: number; end: number } | undefined {
  const start = rule.keyLines['detection'];
  if (start === undefined) return undefined;
  const after = Object.values(rule.keyLines).filter((l) => l > start);
  return { start, end: after.length > 0 ? Math.min(...after) : Number.POSITIVE_INFINITY };
}

/**
 * The parts of the detection the diff touches: each search identifier's key, each detection item
 * and the condition spans from its own line to the line before the next of them (or the end of
 * `detection`), and is touched when a changed line falls in that span. Identifiers and items
 * composed in from a filter file are not the rule's own lines.
 */
export function changedItems(rule: SigmaRule, changed: readonly number[] | undefined): Array<{ path: string; line: number }> {
  const span = detectionSpan(rule);
  if (changed === undefined || changed.length === 0 || span === undefined) return [];
  const { end } = span;
  const plan = rule.plan.unfiltered ?? rule.plan;
  const parts: Array<{ path: string; line: number }> = [];
  for (const id of plan.identifiers) if (id.filter === undefined && id.pos !== undefined) parts.push({ path: id.path, line: id.pos.line });
  for (const it of plan.items) if (it.file === undefined && it.pos !== undefined) parts.push({ path: it.path, line: it.pos.line });
  if (plan.conditionPos !== undefined) parts.push({ path: 'detection.condition', line: plan.conditionPos.line });
  parts.sort((a, b) => a.line - b.line);
  return parts.filter((p, k) => {
    const next = parts.slice(k + 1).find((x) => x.line > p.line)?.line ?? end;
    return changed.some((l) => l >= p.line && l < next);
  });
}

/**
 * The line a rule's problems without a position of their own point at: the first changed line
 * inside its `detection` (from the top-level `detection:` key to the next top-level key), else
 * the `detection` line, else the rule's first line.
 */
function focusLine(rule: SigmaRule, change: GateChange, changed: readonly number[] | undefined): number {
  const span = detectionSpan(rule);
  if (span === undefined) return rule.pos.line;
  const { start, end } = span;
  if (changed === undefined || change.change === 'added') return start;
  return changed.find((l) => l >= start && l < end) ?? start;
}
