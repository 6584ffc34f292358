/**
 * Rule loading: a YAML file becomes typed Sigma documents (§1) with a match plan for every
 * detection rule (§3, §7, §8), and every problem a rule author can cause becomes a located
 * diagnostic (§9). All diagnostics of a file are collected; a broken rule never stops the others.
 *
 * Positions are worked out here, once, from one line index per file (line-index.ts): of every
 * document, top-level key and value, item of a top-level list, and (through the planner) of every
 * identifier, item, value and the condition. Later stages (validation, fuzzing, explain) read
 * them from the rule and never go back to the file's text.
 */
import { readFileSync } from 'node:fs';
import { diagnostic, hasErrors } from '../diagnostics/diagnostics.js';
import type { Diagnostic, DiagnosticCode, SourcePos } from '../diagnostics/diagnostics.js';
import { LineIndex } from '../diagnostics/line-index.js';
import type { WalkTrace } from '../util/walk-files.js';
import { DocumentPositions } from './document-positions.js';
import { parseYaml, toPlain, mapGet } from '../yaml/yaml-tree.js';
import type { YMap, YNode } from '../yaml/yaml-tree.js';
import type { Logsource } from '../logsource/types.js';
import { emptyPlan, planDetection } from '../plan/build-plan.js';
import type { PlanOptions } from '../plan/build-plan.js';
import { readDetection } from '../plan/detection.js';
import { applyPipeline, mappedFieldNames } from '../pipeline/apply-pipeline.js';
import type { ResolvedPipeline } from '../pipeline/pipeline.js';
import type { MatchPlan } from '../plan/plan.js';
import { isUuid } from './uuid.js';
import { pushAll } from '../util/arrays.js';
import { limitsOf } from '../util/limits.js';
import { dictionary, setOwnField } from '../util/own-field.js';

export type { Logsource };

/** A detection rule with its plan. `diagnostics` may hold warnings; errors make it unusable. */
export interface SigmaRule {
  kind: 'detection';
  file: string;
  /** 0-based index of the YAML document in the file. */
  document: number;
  id?: string;
  /** The `name` a correlation or filter may refer to the rule by (Sigma v2). */
  name?: string;
  title: string;
  status?: string;
  level?: string;
  description?: string;
  tags: string[];
  logsource: Logsource;
  /** The logsource as the rule writes it, when a processing pipeline changed it (change_logsource). */
  writtenLogsource?: Logsource;
  /** The processing pipelines the rule was loaded through (their names or files, in the order applied). */
  pipelines?: string[];
  /**
   * The names the pipeline gives the fields events of the rule's logsource carry besides those
   * the rule tests (`Channel` → `winlog.channel`), for generated events; absent without a pipeline.
   */
  eventFieldNames?: Readonly<Record<string, string>>;
  /** The rule as plain data. */
  raw: Record<string, unknown>;
  plan: MatchPlan;
  /** Where the document starts. */
  pos: SourcePos;
  /** Line of each top-level key, for reports (e.g. `detection`). */
  keyLines: Record<string, number>;
  /**
   * Where the document is written, by logical path: the value of each top-level key (`title`,
   * `logsource`) and each item of a top-level list (`tags[1]`). The detection's identifiers,
   * items, values and condition carry their own positions in the plan.
   */
  positions: DocumentPositions;
  /** `detection` identifier lines. */
  diagnostics: Diagnostic[];
}

/**
 * A correlation or filter document as the file holds it: recognised here, typed and checked by
 * src/correlation/ (documents.ts), which reads its YAML nodes for the positions of what it reports.
 */
export interface SigmaMetaDocument {
  kind: 'correlation' | 'filter';
  file: string;
  document: number;
  id?: string;
  title?: string;
  raw: Record<string, unknown>;
  pos: SourcePos;
  /** The document's YAML mapping (positioned nodes). */
  node: YMap;
  /** The line and column of an offset in the file's text. */
  at: (offset: number) => SourcePos;
  /** The document had a YAML error (duplicate key, bad tag…): it is not to be trusted. */
  broken: boolean;
}

/** One rule file loaded: its detection rules, other documents (correlation, filter), documents that failed, and all diagnostics. */
export interface LoadedFile {
  file: string;
  /** Detection rules whose plan has no error. */
  rules: SigmaRule[];
  /** Detection rules that failed to load, with what could be read of them (for explain and lint). */
  invalid: Array<{ document: number; id?: string; title?: string; partial?: SigmaRule; diagnostics: Diagnostic[] }>;
  others: SigmaMetaDocument[];
  /**
   * Detection rules skipped on purpose (`placeholders: 'skip'`): their only errors were
   * placeholders without values. Not loaded, not failed: commands count and name them.
   */
  skipped?: Array<{ document: number; id?: string; title?: string; reason: string }>;
  diagnostics: Diagnostic[];
}

/**
 * Options of rule loading: those of planning (placeholder values for `expand`) and the processing
 * pipeline applied to each rule before it is planned.
 */
export interface LoadOptions extends PlanOptions {
  pipeline?: ResolvedPipeline | undefined;
  /**
   * A rule whose only errors are placeholders without values (PLACEHOLDER_UNRESOLVED): `error`
   * (default) fails to load; `skip` is skipped with a RULE_SKIPPED warning (`LoadedFile.skipped`).
   */
  unresolvedPlaceholders?: 'error' | 'skip' | undefined;
  /**
   * Loads the rule files of {@link collectRules} instead of reading each one in full: the rule
   * cache (rule-cache.ts), which answers files it saw before with the same bytes and options.
   * Not part of what a rule depends on.
   */
  cache?: RuleFileLoader | undefined;
}

/** Something that loads listed rule files as {@link loadRuleFile} would (the rule cache). */
export interface RuleFileLoader {
  /**
   * The rule files under `paths` (what `list` returns), possibly known without listing them: a
   * loader that keeps the listing says when it still holds. `list` takes a trace of the walk to
   * fill (see util/walk-files.ts), or none when no listing will be kept.
   */
  listFiles?(paths: readonly string[], options: LoadOptions, list: (trace: WalkTrace | undefined) => { files: string[]; diagnostics: Diagnostic[] }): { files: string[]; diagnostics: Diagnostic[] };
  /** The files, loaded in order; `paths` are the rule paths they were listed from. */
  loadFiles(files: readonly string[], options: LoadOptions, paths: readonly string[]): LoadedFile[];
}

const LEVELS = new Set(['informational', 'low', 'medium', 'high', 'critical']);
const STATUSES = new Set(['stable', 'test', 'experimental', 'deprecated', 'unsupported']);

/** Loads a rule file from disk. An unreadable file is one diagnostic. */
export function loadRuleFile(file: string, options: LoadOptions = {}): LoadedFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return {
      file,
      rules: [],
      invalid: [],
      others: [],
      diagnostics: [diagnostic('FILE_UNREADABLE', `cannot read the rule file: ${(e as Error).message}`, { file })],
    };
  }
  return loadRuleText(text, file, options);
}

/**
 * The plain form of a rule's mapping. `detection`, most of it and read by few, is converted when
 * first read (the property then becomes a plain value).
 */
function plainRule(root: YMap): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const e of root.entries) {
    if (e.key !== 'detection') {
      // Own keys only: a top-level `__proto__` is a key of the rule, not its prototype (which
      // would lend the rule an id or a level that no check ever saw).
      setOwnField(o, e.key, toPlain(e.value));
      continue;
    }
    Object.defineProperty(o, e.key, {
      enumerable: true,
      configurable: true,
      get(): unknown {
        const value = toPlain(e.value);
        Object.defineProperty(o, e.key, { value, writable: true, enumerable: true, configurable: true });
        return value;
      },
    });
  }
  return o;
}

/**
 * The message of an unexpected failure, for a diagnostic: its first line, never its stack (no
 * stack trace reaches a user).
 */
function failureText(e: unknown): string {
  const m = e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
  const line = m.split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/**
 * Loads every document of a YAML text. An unexpected failure (an engine bug, a resource
 * exhausted) is a RULE_LOAD_FAILED diagnostic of its document, never an exception: the other
 * documents, and the other files, load as usual.
 */
export function loadRuleText(text: string, file: string, options: LoadOptions = {}): LoadedFile {
  try {
    return loadDocuments(text, file, options);
  } catch (e) {
    const d = diagnostic('RULE_LOAD_FAILED', `the rule file could not be loaded: ${failureText(e)}`, { file });
    return { file, rules: [], invalid: [{ document: 0, diagnostics: [d] }], others: [], diagnostics: [d] };
  }
}

function loadDocuments(text: string, file: string, options: LoadOptions): LoadedFile {
  const out: LoadedFile = { file, rules: [], invalid: [], others: [], diagnostics: [] };
  const parsed = parseYaml(text, file, limitsOf(options.limits));
  const lines = new LineIndex(text);
  pushAll(out.diagnostics, parsed.diagnostics);
  if (parsed.documents.length === 0) {
    if (parsed.diagnostics.length === 0) out.diagnostics.push(diagnostic('RULE_EMPTY', 'the file holds no YAML document', { file }));
    out.invalid.push({ document: 0, diagnostics: [...out.diagnostics] });
  }
  parsed.documents.forEach((doc, index) => {
    try {
      loadDocument(doc, index);
    } catch (e) {
      const d = diagnostic('RULE_LOAD_FAILED', `document ${index + 1} could not be loaded: ${failureText(e)}`, { file, pos: lines.pos(doc.offset) });
      out.diagnostics.push(d);
      out.invalid.push({ document: index, diagnostics: [d] });
    }
  });
  return out;

  function loadDocument(doc: (typeof parsed.documents)[number], index: number): void {
    const pos = lines.pos(doc.offset);
    if (doc.root === null) return; // an empty document (e.g. a trailing ---)
    if (doc.root.kind !== 'map') {
      const d = diagnostic('RULE_NOT_MAPPING', 'a Sigma document must be a YAML mapping', { file, pos });
      out.diagnostics.push(d);
      out.invalid.push({ document: index, diagnostics: [d] });
      return;
    }
    const root = doc.root;
    const raw = plainRule(root);
    if (mapGet(root, 'correlation') !== undefined || mapGet(root, 'filter') !== undefined) {
      const meta: SigmaMetaDocument = {
        kind: mapGet(root, 'correlation') !== undefined ? 'correlation' : 'filter',
        file,
        document: index,
        raw,
        pos,
        node: root,
        at: (offset) => lines.pos(offset),
        broken: doc.broken,
      };
      if (typeof raw.id === 'string') meta.id = raw.id;
      if (typeof raw.title === 'string') meta.title = raw.title;
      out.others.push(meta);
      return;
    }
    const ds: Diagnostic[] = [];
    const rule = buildRule(root, raw, lines, file, index, pos, ds, options);
    pushAll(out.diagnostics, ds);
    if (rule !== undefined) rule.diagnostics = ds;
    const errs = ds.filter((d) => d.severity === 'error');
    if (rule !== undefined && !hasErrors(ds) && !doc.broken) out.rules.push(rule);
    else if (options.unresolvedPlaceholders === 'skip' && !doc.broken && errs.length > 0 && errs.every((d) => d.code === 'PLACEHOLDER_UNRESOLVED')) {
      const names = [...new Set(errs.flatMap((d) => d.message.match(/%[^%\s]+%/g) ?? []))];
      const reason = `placeholder${names.length === 1 ? '' : 's'} ${names.join(', ')} without values`;
      const entry: NonNullable<LoadedFile['skipped']>[number] = { document: index, reason };
      if (typeof raw.id === 'string') entry.id = raw.id;
      if (typeof raw.title === 'string') entry.title = raw.title;
      (out.skipped ??= []).push(entry);
      // The errors become one warning: the rule is skipped knowingly, not broken.
      for (const d of errs) out.diagnostics.splice(out.diagnostics.indexOf(d), 1);
      out.diagnostics.push(diagnostic('RULE_SKIPPED', `skipped (--placeholders skip): ${reason}`, { file, pos: errs[0]?.pos ?? pos }, 'warning'));
    } else {
      const entry: LoadedFile['invalid'][number] = { document: index, diagnostics: doc.broken ? [...parsed.diagnostics.filter((d) => d.pos === undefined || d.pos.line >= pos.line), ...ds] : ds };
      if (typeof raw.id === 'string') entry.id = raw.id;
      if (typeof raw.title === 'string') entry.title = raw.title;
      if (rule !== undefined) entry.partial = rule;
      out.invalid.push(entry);
    }
  }
}

function buildRule(
  root: YMap,
  raw: Record<string, unknown>,
  lines: LineIndex,
  file: string,
  document: number,
  pos: SourcePos,
  ds: Diagnostic[],
  options: LoadOptions,
): SigmaRule | undefined {
  const at = (n: YNode | undefined, path: string): { file: string; path: string; pos?: SourcePos } => {
    const w: { file: string; path: string; pos?: SourcePos } = { file, path };
    if (n !== undefined) w.pos = lines.pos(n.offset);
    return w;
  };
  const err = (code: DiagnosticCode, message: string, n: YNode | undefined, path: string): void => {
    ds.push(diagnostic(code, message, at(n ?? root, path)));
  };
  const warn = (code: DiagnosticCode, message: string, n: YNode | undefined, path: string): void => {
    ds.push(diagnostic(code, message, at(n ?? root, path), 'warning'));
  };
  const keyLines = dictionary<number>();
  for (const e of root.entries) keyLines[e.key] = lines.line(e.keyNode.offset);
  const positions = new DocumentPositions(root.entries, lines);

  // Metadata (§1).
  const titleNode = mapGet(root, 'title');
  const title = typeof raw.title === 'string' ? raw.title : '';
  if (titleNode === undefined) err('RULE_TITLE_MISSING', "the rule has no 'title'", root, 'title');
  else if (typeof raw.title !== 'string' || raw.title.trim() === '') err('RULE_TITLE_INVALID', "'title' must be a non-empty string", titleNode, 'title');
  else if (raw.title.length > 256) err('RULE_TITLE_INVALID', `'title' is ${raw.title.length} characters long; at most 256 are allowed`, titleNode, 'title');

  const idNode = mapGet(root, 'id');
  if (idNode !== undefined && (typeof raw.id !== 'string' || !isUuid(raw.id))) {
    err('RULE_ID_INVALID', `'id' must be a UUID such as 929a690e-bef0-4204-a928-ef5e620d6fcc, not '${String(raw.id)}'`, idNode, 'id');
  }
  const levelNode = mapGet(root, 'level');
  if (levelNode !== undefined && (typeof raw.level !== 'string' || !LEVELS.has(raw.level))) {
    err('RULE_LEVEL_INVALID', `'level' must be one of ${[...LEVELS].join(', ')}, not '${String(raw.level)}'`, levelNode, 'level');
  }
  const statusNode = mapGet(root, 'status');
  if (statusNode !== undefined && (typeof raw.status !== 'string' || !STATUSES.has(raw.status))) {
    err('RULE_STATUS_INVALID', `'status' must be one of ${[...STATUSES].join(', ')}, not '${String(raw.status)}'`, statusNode, 'status');
  }

  const lsNode = mapGet(root, 'logsource');
  const logsource: Logsource = {};
  if (lsNode === undefined) err('RULE_LOGSOURCE_MISSING', "the rule has no 'logsource'", root, 'logsource');
  else if (lsNode.kind !== 'map') err('RULE_LOGSOURCE_INVALID', "'logsource' must be a mapping with category, product and/or service", lsNode, 'logsource');
  else {
    for (const k of ['category', 'product', 'service', 'definition'] as const) {
      const v = mapGet(lsNode, k);
      if (v === undefined) continue;
      if (v.kind !== 'scalar' || v.value.type === 'null') {
        if (k !== 'definition') err('RULE_LOGSOURCE_INVALID', `'logsource.${k}' must be text`, v, `logsource.${k}`);
        continue;
      }
      logsource[k] = v.value.text;
    }
    if (logsource.category === undefined && logsource.product === undefined && logsource.service === undefined) {
      err('RULE_LOGSOURCE_INVALID', "'logsource' needs at least one of category, product or service", lsNode, 'logsource');
    }
  }

  const tags = Array.isArray(raw.tags) ? raw.tags.filter((t): t is string => typeof t === 'string') : [];

  // Detection (§3).
  const detNode = mapGet(root, 'detection');
  let plan: MatchPlan | undefined;
  let writtenLogsource: Logsource | undefined;
  if (detNode === undefined) err('RULE_DETECTION_MISSING', "the rule has no 'detection'", root, 'detection');
  else if (detNode.kind !== 'map') err('RULE_DETECTION_INVALID', "'detection' must be a mapping of search identifiers and a condition", detNode, 'detection');
  else {
    const detection = readDetection(detNode, { err, warn });
    if (options.pipeline !== undefined && detection.ok) {
      const written = { ...logsource };
      const r = applyPipeline(options.pipeline, { detection, logsource, raw }, err, limitsOf(options.limits).valueAlternatives);
      if (['category', 'product', 'service'].some((k) => r.logsource[k as keyof Logsource] !== written[k as keyof Logsource])) {
        for (const k of ['category', 'product', 'service', 'definition'] as const) delete logsource[k];
        Object.assign(logsource, r.logsource);
        writtenLogsource = written;
      }
    }
    plan = planDetection(detection, { err, warn, pos: (offset) => lines.pos(offset), options });
  }

  const rule: SigmaRule = {
    kind: 'detection',
    file,
    document,
    title,
    tags,
    logsource,
    raw,
    plan: plan ?? emptyPlan(),
    pos,
    keyLines,
    positions,
    diagnostics: ds,
  };
  if (typeof raw.id === 'string') rule.id = raw.id;
  if (typeof raw.name === 'string' && raw.name !== '') rule.name = raw.name;
  if (writtenLogsource !== undefined) rule.writtenLogsource = writtenLogsource;
  if (options.pipeline !== undefined) {
    rule.pipelines = options.pipeline.labels;
    rule.eventFieldNames = mappedFieldNames(options.pipeline, { logsource: writtenLogsource ?? logsource, raw }, ['Channel', 'EventID', 'Provider_Name']);
  }
  if (typeof raw.status === 'string') rule.status = raw.status;
  if (typeof raw.level === 'string') rule.level = raw.level;
  if (typeof raw.description === 'string') rule.description = raw.description;
  return plan === undefined ? undefined : rule;
}

/** Is the path a rule file by name? */
export function isRuleFileName(path: string): boolean {
  return /\.(ya?ml)$/i.test(path);
}
