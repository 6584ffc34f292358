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
import { collectRules } from '../rules/collect-rules.js';
import { ruleKey } from '../rules/rule-key.js';
import type { RuleSet } from '../rules/collect-rules.js';
import { RuleIndex } from '../compile/rule-index.js';
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
}

/** Sigma's levels, lowest first. */
export const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;

export interface ScanRules {
  env: Environment;
  set: RuleSet;
  /** The rules matched, in load order; a match names a rule by its position here. */
  rules: readonly SigmaRule[];
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
  rulesFailed: number;
  rulesNotEvaluated: number;
  /** Rules skipped on purpose (placeholders without values and `skip`). */
  skipped: Array<{ path: string; title: string | null; reason: string }>;
  /** Per rule (by position): the event fields its detection items read, in document order (the evidence a match shows). */
  fields: string[][];
  /** Rules left out by `--min-level` (their level is lower, or they have none). */
  belowLevel: number;
}

/** The catalog of loaded rules: the rule objects themselves (a match names the very rule). */
export function catalogOf(loaded: ScanRules): ScanCatalog {
  return {
    rules: [...loaded.rules],
    diagnostics: loaded.set.diagnostics,
    rulesFailed: loaded.set.files.reduce((k, f) => k + f.invalid.length, 0),
    rulesNotEvaluated: loaded.set.files.reduce((k, f) => k + f.others.length, 0),
    skipped: loaded.set.files.flatMap((f) => (f.skipped ?? []).map((x) => ({ path: f.file, title: x.title ?? null, reason: x.reason }))),
    fields: loaded.rules.map((r) => [...new Set(r.plan.items.flatMap((i) => (i.field === null ? [] : [i.field])))]),
    belowLevel: loaded.belowLevel,
  };
}

/** Loads config, rules and the rule index. */
export function loadScanRules(source: ScanRuleSource): ScanRules {
  const env = loadEnvironment(source.configFile, source.cwd, { pipelines: source.pipelines, placeholders: source.placeholders });
  const set = collectRules(source.rulePaths, ruleLoadOptions(env));
  const sharded = inShard(set.rules, source.shard);
  const min = source.minLevel === undefined ? -1 : LEVELS.indexOf(source.minLevel as (typeof LEVELS)[number]);
  const rules = min < 0 ? sharded : sharded.filter((r) => LEVELS.indexOf((r.level ?? '') as (typeof LEVELS)[number]) >= min);
  let index: RuleIndex | undefined;
  const byObject = new Map<SigmaRule, number>();
  const byKey = new Map<string, number>();
  rules.forEach((r, i) => {
    byObject.set(r, i);
    byKey.set(ruleKey(r), i);
  });
  const position = (r: SigmaRule): number => {
    const i = byObject.get(r) ?? byKey.get(ruleKey(r));
    if (i === undefined) throw new Error(`the rule index returned a rule it was not given: ${ruleKey(r)}`);
    return i;
  };
  const hash = createHash('sha1');
  for (const r of rules) hash.update(`${ruleKey(r)}\0${r.id ?? ''}\n`);
  return {
    env,
    set,
    rules,
    get index(): RuleIndex {
      index ??= new RuleIndex(rules, { mapping: source.logsource === 'map' ? env.mapping : null, views: env.mapping });
      return index;
    },
    position,
    fingerprint: `${rules.length}:${hash.digest('hex')}`,
    belowLevel: sharded.length - rules.length,
  };
}
