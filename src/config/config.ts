/**
 * The sigmatest configuration file (YAML, `--config`, default `sigmatest.config.yml` in the
 * working folder when present), read whole, once, with a located diagnostic for every problem:
 *
 * ```yaml
 * placeholders:            # values for %name% under |expand (semantics §7.13)
 *   Administrators: ['admin*', 'root']
 * unresolved_placeholders: skip   # rules whose placeholders have no values: error (default) or skip
 * logsources: mappings.yml # extra logsource mapping merged over the built-in one
 * root: .                  # the folder case files may read events_file (and rule paths) from
 * limits:                  # what one rule, case file or event may ask of the engine (util/limits.ts)
 *   yaml_nodes: 1000000
 *   condition_depth: 100
 * correlation:             # how correlations read events (scan, run)
 *   time_fields: [TimeCreated_SystemTime, '@timestamp', UtcTime, timestamp]
 *   tolerance: 5m          # how far events may come out of time order (scan)
 *   max_groups: 100000     # open groups per correlation at most (scan)
 * pipeline: [ecs-windows, my-fields.yml]   # processing pipelines (built-in names or files)
 * gate:                    # defaults of `sigmatest gate` (its flags win)
 *   min_match: 1
 *   min_no_match: 1
 *   min_coverage: 80
 *   fuzz_runs: 50
 *   corpus: [corpus/]
 *   known_fps: known-fps.yml
 *   severities: { RULE_AUTHOR_MISSING: off, TAG_NAMESPACE_UNKNOWN: error }
 *   require_tests: changed  # or all: which changed rules need min_match/min_no_match cases
 * ```
 *
 * Paths in the file are relative to the file's folder, and stay inside the config file's own
 * repository (the nearest folder above it holding `.git`, else its folder; links resolved): a
 * config that comes with a pull request cannot make `gate` read (and print) files of the machine
 * it runs on (`logsources`, `gate.corpus`, `gate.known_fps`), nor let case files read outside it
 * (`root`), nor load a pipeline file from outside it (`pipeline`). The command-line flags
 * (`--corpus`, `--known-fps`, `--root`, `--pipeline`) can name any path. `gate.severities` keys on the code
 * registry (src/diagnostics/codes.ts): codes of its `validation` group only.
 */
import { existsSync } from 'node:fs';
import { realPath } from '../util/real-path.js';
import { readTextFile } from '../util/read-text-file.js';
import { isInside, repositoryOf } from '../util/inside.js';
import { dirname, resolve } from 'node:path';
import { diagnostic, readErrorReason } from '../diagnostics/diagnostics.js';
import { positionsIn } from '../diagnostics/line-index.js';
import type { Diagnostic, DiagnosticCode, SourcePos } from '../diagnostics/diagnostics.js';
import { BUILTIN_PIPELINES } from '../pipeline/pipeline.js';
import { CODES, isDiagnosticCode } from '../diagnostics/codes.js';
import type { FindingCode, SeverityOverride, ValidationCode } from '../diagnostics/codes.js';
import { childPath } from '../diagnostics/doc-path.js';
import { mapGet, parseYaml } from '../yaml/yaml-tree.js';
import { DEFAULT_LIMITS, LIMIT_KEYS } from '../util/limits.js';
import type { Limits } from '../util/limits.js';
import { parseTimespan } from '../correlation/timespan.js';
import type { YMap, YNode } from '../yaml/yaml-tree.js';
import { dictionary } from '../util/own-field.js';

/** The `gate:` section: defaults of `sigmatest gate` (all optional; its flags win). */
export interface GateSettings {
  minMatch?: number;
  minNoMatch?: number;
  minCoverage?: number;
  minMutationScore?: number;
  fuzzRuns?: number;
  /** Absolute paths of benign event files or folders. */
  corpus?: string[];
  /** Absolute path of a known false-positive file. */
  knownFps?: string;
  /** Severity overrides of validation codes; `off` drops the check. */
  severities?: Partial<Record<ValidationCode, SeverityOverride>>;
  /**
   * Which changed rules need `min_match`/`min_no_match` cases: `changed` (default) added rules and
   * rules whose meaning changed (renames and `equivalent` edits of legacy rules pass), `all` every
   * changed rule.
   */
  requireTests?: 'changed' | 'all';
  /** Severity overrides of fuzz finding codes (same `severities` table; `fuzz` reads them); `off` suppresses the finding. */
  fuzzSeverities?: Partial<Record<FindingCode, SeverityOverride>>;
}

/** The `correlation:` section: how correlations read events (all optional; the command-line flags win). */
export interface CorrelationSettings {
  /** Fields the event time is read from, in order. */
  timeFields?: string[];
  /** How far (ms) events may come out of time order in a scan. */
  toleranceMs?: number;
  /** Open groups per correlation at most in a scan. */
  maxGroups?: number;
}

/** A pipeline named in the config file. */
export interface ConfigPipeline {
  spec: string;
  /** The folder a path is relative to (the config file's). */
  base: string;
  file: string;
  pos: SourcePos;
}

/** A loaded config file (an empty one when there is none). */
export interface Config {
  placeholders: Record<string, string[]>;
  correlation: CorrelationSettings;
  /** What a rule with placeholders without values is: `error` (default) or `skip` (`unresolved_placeholders:`). */
  unresolvedPlaceholders?: 'error' | 'skip';
  /** The limits of `limits:` (util/limits.ts); the defaults for those not given. */
  limits: Limits;
  /** Absolute path of an extra logsource mapping file. */
  logsources?: string;
  /** Absolute path of the folder case files may read from (see cases/events-file.ts). */
  root?: string;
  /**
   * Processing pipelines to load rules through (`pipeline:`): each a built-in name or a path
   * relative to the config file's folder (`base`), inside its repository, with where it is written.
   */
  pipelines: ConfigPipeline[];
  gate: GateSettings;
  /** The file it was read from (absolute); undefined when there was none. */
  file?: string;
}

export const DEFAULT_CONFIG_FILE = 'sigmatest.config.yml';

const TOP_KEYS = ['placeholders', 'unresolved_placeholders', 'logsources', 'root', 'pipeline', 'limits', 'correlation', 'gate'];
const CORRELATION_KEYS = ['time_fields', 'tolerance', 'max_groups'];
const GATE_NUMBERS = [
  ['min_match', 'minMatch', 1000],
  ['min_no_match', 'minNoMatch', 1000],
  ['min_coverage', 'minCoverage', 100],
  ['min_mutation_score', 'minMutationScore', 100],
  ['fuzz_runs', 'fuzzRuns', 100000],
] as const;
const GATE_KEYS = [...GATE_NUMBERS.map((n) => n[0]), 'corpus', 'known_fps', 'severities', 'require_tests'];

/** The config file a command uses: `file` resolved against `cwd`, else the default file in `cwd` when present. */
export function configPath(file: string | undefined, cwd: string): string | undefined {
  if (file !== undefined) return resolve(cwd, file);
  const fallback = resolve(cwd, DEFAULT_CONFIG_FILE);
  return existsSync(fallback) ? fallback : undefined;
}

/**
 * Loads the config. `file` is resolved against `cwd`; without it, `sigmatest.config.yml` in `cwd`
 * is used when present (no file: an empty config). A named file that cannot be read is
 * CONFIG_UNREADABLE; every problem inside the file is located (file, line, column, path).
 */
export function loadConfig(file: string | undefined, cwd: string = process.cwd()): { config: Config; diagnostics: Diagnostic[] } {
  const config: Config = { placeholders: dictionary(), pipelines: [], limits: { ...DEFAULT_LIMITS }, correlation: {}, gate: {} };
  const path = configPath(file, cwd);
  if (path === undefined) return { config, diagnostics: [] };
  config.file = path;
  let text: string;
  try {
    text = readTextFile(path);
  } catch (e) {
    return { config, diagnostics: [diagnostic('CONFIG_UNREADABLE', `cannot read the config file: ${readErrorReason(e)}`, { file: path })] };
  }
  return parseConfig(text, path, config);
}

/** Reads config text (see loadConfig); `file` is the absolute path paths in it are relative to. */
export function parseConfig(text: string, file: string, config: Config = { placeholders: dictionary(), pipelines: [], limits: { ...DEFAULT_LIMITS }, correlation: {}, gate: {}, file }): { config: Config; diagnostics: Diagnostic[] } {
  const parsed = parseYaml(text, file);
  const ds: Diagnostic[] = [...parsed.diagnostics];
  if (ds.length > 0) return { config, diagnostics: ds };
  const posOf = positionsIn(text);
  const report = (code: DiagnosticCode, message: string, n: YNode, path: string): void => {
    ds.push(diagnostic(code, message, { file, path, pos: posOf(n.offset) }));
  };
  const docs = parsed.documents.filter((d) => d.root !== null);
  const root = docs[0]?.root;
  if (root === undefined || root === null || (root.kind === 'scalar' && root.value.type === 'null')) return { config, diagnostics: ds };
  if (docs.length > 1 || root.kind !== 'map') {
    report('CONFIG_INVALID', 'the config file must be one YAML mapping (placeholders, logsources, root, pipeline, gate)', root, '');
    return { config, diagnostics: ds };
  }
  const base = dirname(file);
  const repo = realPath(repositoryOf(base) ?? base);
  /** A path of the config, resolved; reported and undefined when it leads out of the repository. */
  const inRepo = (text: string, n: YNode, path: string): string | undefined => {
    const p = resolve(base, text);
    if (isInside(repo, realPath(p))) return p;
    report('CONFIG_INVALID', `'${path}' must lie inside ${repo}, the config file's repository: a config file cannot make sigmatest read outside it (give the path on the command line)`, n, path);
    return undefined;
  };
  for (const e of root.entries) {
    if (!TOP_KEYS.includes(e.key)) report('CONFIG_KEY_UNKNOWN', `unknown key '${e.key}' (known: ${TOP_KEYS.join(', ')}); it is ignored`, e.keyNode, e.key);
  }

  const placeholders = mapGet(root, 'placeholders');
  if (placeholders !== undefined && !isNull(placeholders)) {
    if (placeholders.kind !== 'map') report('CONFIG_INVALID', "'placeholders' must map names to lists of values", placeholders, 'placeholders');
    else {
      for (const e of placeholders.entries) {
        const values = e.value.kind === 'seq' ? e.value.items : [e.value];
        const texts = values.map((v) => (v.kind === 'scalar' && (v.value.type === 'string' || v.value.type === 'number') ? v.value.text : undefined));
        if (texts.some((t) => t === undefined)) {
          report('CONFIG_INVALID', `placeholder '${e.key}' must be a value or a list of values (text or numbers)`, e.value, childPath('placeholders', e.key));
        } else config.placeholders[e.key] = texts as string[];
      }
    }
  }

  const unresolved = mapGet(root, 'unresolved_placeholders');
  if (unresolved !== undefined) {
    const v = unresolved.kind === 'scalar' && unresolved.value.type === 'string' ? unresolved.value.text : undefined;
    if (v !== 'error' && v !== 'skip') report('CONFIG_INVALID', "'unresolved_placeholders' must be 'error' or 'skip'", unresolved, 'unresolved_placeholders');
    else config.unresolvedPlaceholders = v;
  }
  const logsources = mapGet(root, 'logsources');
  if (logsources !== undefined && !isNull(logsources)) {
    if (logsources.kind !== 'scalar' || logsources.value.type !== 'string' || logsources.value.text === '') {
      report('CONFIG_INVALID', "'logsources' must be the path of a logsource mapping file", logsources, 'logsources');
    } else {
      const p = inRepo(logsources.value.text, logsources, 'logsources');
      if (p !== undefined) config.logsources = p;
    }
  }

  const rootNode = mapGet(root, 'root');
  if (rootNode !== undefined && !isNull(rootNode)) {
    if (rootNode.kind !== 'scalar' || rootNode.value.type !== 'string' || rootNode.value.text === '') {
      report('CONFIG_INVALID', "'root' must be the path of the folder case files may read from", rootNode, 'root');
    } else {
      const p = inRepo(rootNode.value.text, rootNode, 'root');
      if (p !== undefined) config.root = p;
    }
  }

  const limits = mapGet(root, 'limits');
  if (limits !== undefined && !isNull(limits)) {
    if (limits.kind !== 'map') report('CONFIG_INVALID', `'limits' must map limit names (${LIMIT_KEYS.map((k) => k[0]).join(', ')}) to numbers`, limits, 'limits');
    else {
      for (const e of limits.entries) {
        const known = LIMIT_KEYS.find((k) => k[0] === e.key);
        const path = childPath('limits', e.key);
        if (known === undefined) {
          report('CONFIG_KEY_UNKNOWN', `unknown key '${e.key}' under limits (known: ${LIMIT_KEYS.map((k) => k[0]).join(', ')}); it is ignored`, e.keyNode, path);
          continue;
        }
        const [, prop, max] = known;
        const v = e.value.kind === 'scalar' && e.value.value.type === 'number' ? e.value.value.value : Number.NaN;
        if (!Number.isInteger(v) || v < 1 || v > max) report('CONFIG_INVALID', `limits.${e.key} must be a whole number from 1 to ${max.toLocaleString('en-US')}`, e.value, path);
        else config.limits[prop] = v;
      }
    }
  }
  const corr = mapGet(root, 'correlation');
  if (corr !== undefined && !isNull(corr)) {
    if (corr.kind !== 'map') report('CONFIG_INVALID', "'correlation' must be a mapping (time_fields, tolerance, max_groups)", corr, 'correlation');
    else readCorrelation(corr, config.correlation, report);
  }

  const pipeline = mapGet(root, 'pipeline');
  if (pipeline !== undefined && !isNull(pipeline)) {
    const items = pipeline.kind === 'seq' ? pipeline.items : [pipeline];
    for (const n of items) {
      if (n.kind !== 'scalar' || n.value.type !== 'string' || n.value.text === '') {
        report('CONFIG_INVALID', "'pipeline' must be a pipeline (a built-in name or a file path) or a list of them", n, 'pipeline');
        continue;
      }
      // A built-in name, or a file inside the repository like the config's other paths.
      const spec = n.value.text;
      if (!(BUILTIN_PIPELINES.includes(spec) && !existsSync(resolve(base, spec))) && inRepo(spec, n, 'pipeline') === undefined) continue;
      config.pipelines.push({ spec, base, file, pos: posOf(n.offset) });
    }
  }

  const gate = mapGet(root, 'gate');
  if (gate !== undefined && !isNull(gate)) {
    if (gate.kind !== 'map') report('CONFIG_INVALID', "'gate' must be a mapping of gate defaults", gate, 'gate');
    else readGate(gate, config.gate, report, inRepo);
  }
  return { config, diagnostics: ds };
}

function readCorrelation(corr: YMap, out: CorrelationSettings, report: (code: DiagnosticCode, message: string, n: YNode, path: string) => void): void {
  for (const e of corr.entries) {
    if (!CORRELATION_KEYS.includes(e.key)) report('CONFIG_KEY_UNKNOWN', `unknown key '${e.key}' under correlation (known: ${CORRELATION_KEYS.join(', ')}); it is ignored`, e.keyNode, childPath('correlation', e.key));
  }
  const fields = mapGet(corr, 'time_fields');
  if (fields !== undefined) {
    const items = fields.kind === 'seq' ? fields.items : [fields];
    const names = items.map((n) => (n.kind === 'scalar' && n.value.type === 'string' && n.value.text !== '' ? n.value.text : undefined));
    if (items.length === 0 || names.some((n) => n === undefined)) report('CONFIG_INVALID', 'correlation.time_fields must be a field name or a list of them', fields, 'correlation.time_fields');
    else out.timeFields = names as string[];
  }
  const tolerance = mapGet(corr, 'tolerance');
  if (tolerance !== undefined) {
    const t = tolerance.kind === 'scalar' && tolerance.value.type === 'number' && tolerance.value.value === 0 ? { ms: 0 } : parseTimespan(tolerance.kind === 'scalar' ? tolerance.value.text : undefined);
    if (typeof t === 'string') report('CONFIG_INVALID', `correlation.tolerance: ${t}`, tolerance, 'correlation.tolerance');
    else out.toleranceMs = t.ms;
  }
  const max = mapGet(corr, 'max_groups');
  if (max !== undefined) {
    const v = max.kind === 'scalar' && max.value.type === 'number' ? max.value.value : Number.NaN;
    if (!Number.isInteger(v) || v < 1) report('CONFIG_INVALID', 'correlation.max_groups must be a whole number of at least 1', max, 'correlation.max_groups');
    else out.maxGroups = v;
  }
}

function readGate(
  gate: YMap,
  out: GateSettings,
  report: (code: DiagnosticCode, message: string, n: YNode, path: string) => void,
  inRepo: (text: string, n: YNode, path: string) => string | undefined,
): void {
  for (const e of gate.entries) {
    if (!GATE_KEYS.includes(e.key)) report('CONFIG_KEY_UNKNOWN', `unknown key '${e.key}' under gate (known: ${GATE_KEYS.join(', ')}); it is ignored`, e.keyNode, childPath('gate', e.key));
  }
  for (const [key, prop, max] of GATE_NUMBERS) {
    const n = mapGet(gate, key);
    if (n === undefined) continue;
    const v = n.kind === 'scalar' && n.value.type === 'number' ? n.value.value : Number.NaN;
    if (!Number.isFinite(v) || v < 0 || v > max) report('CONFIG_INVALID', `gate.${key} must be a number from 0 to ${max}`, n, childPath('gate', key));
    else out[prop] = v;
  }
  const corpus = mapGet(gate, 'corpus');
  if (corpus !== undefined) {
    const items = corpus.kind === 'seq' ? corpus.items : [corpus];
    const paths = items.map((n) => (n.kind === 'scalar' && n.value.type === 'string' && n.value.text !== '' ? n.value.text : undefined));
    if (paths.some((p) => p === undefined)) report('CONFIG_INVALID', 'gate.corpus must be a path or a list of paths', corpus, 'gate.corpus');
    else {
      const inside = (paths as string[]).map((p, k) => inRepo(p, corpus.kind === 'seq' ? (corpus.items[k] as YNode) : corpus, 'gate.corpus'));
      if (inside.every((p) => p !== undefined)) out.corpus = inside as string[];
    }
  }
  const knownFps = mapGet(gate, 'known_fps');
  if (knownFps !== undefined) {
    if (knownFps.kind !== 'scalar' || knownFps.value.type !== 'string' || knownFps.value.text === '') report('CONFIG_INVALID', 'gate.known_fps must be a path', knownFps, 'gate.known_fps');
    else {
      const p = inRepo(knownFps.value.text, knownFps, 'gate.known_fps');
      if (p !== undefined) out.knownFps = p;
    }
  }
  const requireTests = mapGet(gate, 'require_tests');
  if (requireTests !== undefined) {
    const v = requireTests.kind === 'scalar' && requireTests.value.type === 'string' ? requireTests.value.text : undefined;
    if (v !== 'changed' && v !== 'all') report('CONFIG_INVALID', "gate.require_tests must be 'changed' (added rules and rules whose meaning changed) or 'all'", requireTests, 'gate.require_tests');
    else out.requireTests = v;
  }
  const severities = mapGet(gate, 'severities');
  if (severities !== undefined) {
    if (severities.kind !== 'map') {
      report('CONFIG_INVALID', 'gate.severities must map validation and fuzz codes to error, warning, info or off', severities, 'gate.severities');
      return;
    }
    const table: Partial<Record<ValidationCode, SeverityOverride>> = {};
    const fuzzTable: Partial<Record<FindingCode, SeverityOverride>> = {};
    for (const e of severities.entries) {
      const path = childPath('gate.severities', e.key);
      const v = e.value.kind === 'scalar' && e.value.value.type === 'string' ? e.value.value.text : undefined;
      if (v !== 'error' && v !== 'warning' && v !== 'info' && v !== 'off') {
        report('CONFIG_INVALID', `gate.severities.${e.key} must be error, warning, info or off`, e.value, path);
        continue;
      }
      if (!isDiagnosticCode(e.key)) report('CONFIG_KEY_UNKNOWN', `'${e.key}' is not a sigmatest code; it is ignored`, e.keyNode, path);
      else if (CODES[e.key].group === 'fuzz') fuzzTable[e.key as FindingCode] = v;
      else if (CODES[e.key].group !== 'validation') report('CONFIG_INVALID', `'${e.key}' is not a validation or fuzz code: only those can be given a severity`, e.keyNode, path);
      else table[e.key as ValidationCode] = v;
    }
    out.severities = table;
    if (Object.keys(fuzzTable).length > 0) out.fuzzSeverities = fuzzTable;
  }
}


function isNull(n: YNode): boolean {
  return n.kind === 'scalar' && n.value.type === 'null';
}
