/**
 * The rules of a scan, loaded the same way in the main thread (which always matches) and in every
 * worker: the config (placeholders, extra logsource mapping), the rule files under the paths, and
 * a {@link RuleIndex}. Rule objects hold RegExps and closures and cannot cross threads, so each
 * worker calls {@link loadScanRules} itself and names rules by their position in `rules`; the
 * fingerprints let the main thread check that all workers loaded the very same rules in the same
 * order as it did; its {@link ScanCatalog} says what to report of them.
 */
import { inShard } from '../rules/shard.js';
import type { Shard } from '../rules/shard.js';
import { createHash } from 'node:crypto';
import { loadEnvironment, ruleLoadOptions } from '../config/environment.js';
import type { Environment } from '../config/environment.js';
import { collectRuleSet } from '../correlation/rule-set.js';
import type { CorrelationGraph, FullRuleSet, ResolvedCorrelation } from '../correlation/rule-set.js';
import type { CorrelationRule } from '../correlation/documents.js';
import { ruleKey } from '../rules/rule-key.js';
import { RuleIndex } from '../compile/rule-index.js';
import { knownRuleFacts, planFields } from '../compile/rule-facts.js';
import { RuleCache } from '../cache/rule-cache.js';
import type { SigmaRule } from '../rules/load-rule.js';
import type { Diagnostic } from '../diagnostics/diagnostics.js';

export type LogsourceMode = 'map' | 'ignore';

/** What a scan needs to load its rules; plain data, sent to workers as it is. */
export interface ScanRuleSource {
  /** Absolute rule file and folder paths. */
  rulePaths: string[];
  /** The folder `configFile` is relative to, and where the default config file is looked up. */
  cwd: string;
  /** The config file (placeholders, logsource mapping); undefined: the default file in `cwd` if present. */
  configFile: string | undefined;
  logsource: LogsourceMode;
  /** Only the rules of this shard (`--shard i/n`). */
  shard?: Shard | undefined;
  /** Processing pipelines named on the command line (built-in names or paths relative to `cwd`). */
  pipelines?: string[] | undefined;
  /** `--placeholders error|skip` (overrides the config's `unresolved_placeholders`). */
  placeholders?: 'error' | 'skip' | undefined;
  /** `--min-level`: only rules of this level or higher (informational < low < medium < high < critical). */
  minLevel?: string | undefined;
  /** The rule cache's folder (src/cache/rule-cache.ts); undefined: no cache (`--no-cache`). */
  cacheDir?: string | undefined;
}

/** Sigma's levels, lowest first. */
export const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;

export interface ScanRules {
  env: Environment;
  set: FullRuleSet;
  /** The rules matched, in load order; a match names a rule by its position here. */
  rules: readonly SigmaRule[];
  /** Per rule position: its own matches are reported (false: it only feeds correlations, or belongs to another shard). */
  reported: readonly boolean[];
  /** The correlations this scan evaluates (with `--shard`, those of the shard's files and the inner ones they refer to). */
  graph: CorrelationGraph;
  /** The rule index, built on first use. */
  readonly index: RuleIndex;
  /** Position of each rule in `rules`. */
  position: (rule: SigmaRule) => number;
  /** Identifies the loaded rules and their order (for checking workers). */
  fingerprint: string;
  /** Rules left out by `minLevel`. */
  belowLevel: number;
}

/** What a scan reports of a rule (a loaded rule is one; a worker's catalog sends these). */
export interface ScanRuleInfo {
  id?: string;
  title: string;
  level?: string;
  file: string;
  document: number;
}

/** The rules as a scan reports them: what to report of each rule and the loading diagnostics. */
export interface ScanCatalog {
  rules: ScanRuleInfo[];
  /** Diagnostics of the rule files (not of the config: the main thread loads that itself). */
  diagnostics: Diagnostic[];
  /** Documents (detection, correlation, filter) that could not be loaded. */
  rulesFailed: number;
  /** Correlations evaluated. */
  correlations: number;
  /** Filters composed into the rules they name. */
  filters: number;
  /** Rules skipped on purpose (placeholders without values and `skip`). */
  skipped: Array<{ path: string; title: string | null; reason: string }>;
  /** Per rule (by position): the event fields its detection items read, in document order (the evidence a match shows). */
  fields: Array<readonly string[]>;
  /** Rules left out by `--min-level` (their level is lower, or they have none). */
  belowLevel: number;
}

/** The catalog of loaded rules: the rule objects themselves (a match names the very rule). */
export function catalogOf(loaded: ScanRules): ScanCatalog {
  const metaOk = loaded.set.correlationDocs.length + loaded.set.filters.length;
  return {
    rules: [...loaded.rules],
    diagnostics: loaded.set.diagnostics,
    rulesFailed: loaded.set.files.reduce((k, f) => k + f.invalid.length + f.others.length, 0) - metaOk,
    correlations: loaded.graph.correlations.length,
    filters: loaded.set.filters.length,
    skipped: loaded.set.files.flatMap((f) => (f.skipped ?? []).map((x) => ({ path: f.file, title: x.title ?? null, reason: x.reason }))),
    // Known beforehand for cached rules (rule-facts.ts): their plans are built when first tried.
    fields: loaded.rules.map((r) => knownRuleFacts(r)?.fields ?? planFields(r.plan)),
    belowLevel: loaded.belowLevel,
  };
}

/**
 * The rules and correlations of one shard: the files of the shard (rules and correlations split
 * by file together); a correlation of the shard brings the rules and inner correlations it
 * refers to (matched and evaluated here, reported by their own shard).
 */
function shardOf(set: FullRuleSet, shard: Shard | undefined): { rules: SigmaRule[]; reported: boolean[]; graph: CorrelationGraph } {
  const { graph } = set;
  const kept = new Set(inShard<{ file: string }>([...set.rules, ...set.correlationDocs], shard).map((x) => x.file));
  const byRule = new Map<CorrelationRule, ResolvedCorrelation>(graph.correlations.map((c) => [c.rule, c]));
  const needCorr = new Set<CorrelationRule>();
  const needRule = new Set<SigmaRule>();
  const need = (c: ResolvedCorrelation): void => {
    if (needCorr.has(c.rule)) return;
    needCorr.add(c.rule);
    for (const input of c.inputs) {
      if (input.target.kind === 'detection') needRule.add(input.target.rule);
      else {
        const inner = byRule.get(input.target.rule);
        if (inner !== undefined) need(inner);
      }
    }
  };
  for (const c of graph.correlations) if (kept.has(c.rule.file)) need(c);
  const rules = set.rules.filter((r) => kept.has(r.file) || needRule.has(r));
  const silenced = new Set<SigmaRule | CorrelationRule>(graph.silenced);
  for (const c of needCorr) if (!kept.has(c.file)) silenced.add(c);
  return {
    rules,
    reported: rules.map((r) => kept.has(r.file) && !graph.silenced.has(r)),
    graph: { correlations: graph.correlations.filter((c) => needCorr.has(c.rule)), silenced },
  };
}

/** Loads config, rules (with their filters and correlations) and the rule index. */
export function loadScanRules(source: ScanRuleSource): ScanRules {
  const env = loadEnvironment(source.configFile, source.cwd, { pipelines: source.pipelines, placeholders: source.placeholders });
  const cache = source.cacheDir === undefined ? undefined : new RuleCache({ dir: source.cacheDir });
  const set = collectRuleSet(source.rulePaths, ruleLoadOptions(env, cache));
  const sharded = shardOf(set, source.shard);
  const { graph } = sharded;
  // `--min-level` leaves out reported rules below the level; one that feeds a correlation is
  // still matched for it, but its own matches are not reported.
  const min = source.minLevel === undefined ? -1 : LEVELS.indexOf(source.minLevel as (typeof LEVELS)[number]);
  const feeds = new Set<SigmaRule>();
  for (const c of graph.correlations) for (const input of c.inputs) if (input.target.kind === 'detection') feeds.add(input.target.rule);
  const rules: SigmaRule[] = [];
  const reported: boolean[] = [];
  let belowLevel = 0;
  sharded.rules.forEach((r, k) => {
    const own = sharded.reported[k] === true;
    if (min >= 0 && own && LEVELS.indexOf((r.level ?? '') as (typeof LEVELS)[number]) < min) {
      belowLevel++;
      if (!feeds.has(r)) return;
      rules.push(r);
      reported.push(false);
      return;
    }
    rules.push(r);
    reported.push(own);
  });
  let index: RuleIndex | undefined;
  const byObject = new Map<SigmaRule, number>();
  const byKey = new Map<string, number>();
  const keys = rules.map(ruleKey);
  rules.forEach((r, i) => {
    byObject.set(r, i);
    byKey.set(keys[i] as string, i);
  });
  const position = (r: SigmaRule): number => {
    const i = byObject.get(r) ?? byKey.get(ruleKey(r));
    if (i === undefined) throw new Error(`the rule index returned a rule it was not given: ${ruleKey(r)}`);
    return i;
  };
  const hash = createHash('sha1');
  // Identity and metadata only: reading plans here would build those of cached rules (rule-facts.ts).
  rules.forEach((r, i) => hash.update(`${keys[i] as string}\0${r.id ?? ''}\0${r.title}\0${r.level ?? ''}\0${r.diagnostics.length}\n`));
  return {
    env,
    set,
    rules,
    reported,
    graph,
    get index(): RuleIndex {
      index ??= new RuleIndex(rules, { mapping: source.logsource === 'map' ? env.mapping : null, views: env.mapping });
      return index;
    },
    position,
    fingerprint: `${rules.length}:${hash.digest('hex')}`,
    belowLevel,
  };
}
