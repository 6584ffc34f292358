/**
 * Case files (`cases/*.yml`, schema in schema/case-file.schema.json): positive and negative
 * cases for one rule, and its properties (load-properties.ts). Parsed with positions so every problem names the file, line and column;
 * the whole file is checked and every problem reported, never only the first.
 */
import { readTextFile } from '../util/read-text-file.js';
import { diagnostic } from '../diagnostics/diagnostics.js';
import { positionsIn } from '../diagnostics/line-index.js';
import type { Diagnostic, DiagnosticCode, SourcePos } from '../diagnostics/diagnostics.js';
import { mapGet, parseYaml, toPlain } from '../yaml/yaml-tree.js';
import type { YNode } from '../yaml/yaml-tree.js';
import { childPath } from '../diagnostics/doc-path.js';
import { pushAll } from '../util/arrays.js';
import { limitsOf } from '../util/limits.js';
import type { Limits } from '../util/limits.js';
import { dictionary } from '../util/own-field.js';
import { CODES, codesOf, isDiagnosticCode } from '../diagnostics/codes.js';
import type { FindingCode } from '../diagnostics/codes.js';
import { parseProperties } from './load-properties.js';
import type { Property } from './load-properties.js';

export type { FieldMutation, GenOptionsSpec, GenSpec, MutationStep, Property, TemplateSlot } from './load-properties.js';

export interface CountExpectation {
  at_least?: number;
  exactly?: number;
  at_most?: number;
}

/** What a correlation case expects of the correlation's alerts: how many, and which groups. */
export interface AlertExpectation extends CountExpectation {
  /** The groups that alert, as a set (each group-by name and its value); every one must alert and no other. */
  groups?: Array<Record<string, unknown>>;
  /** Where each expected group is written. */
  groupsPos?: SourcePos[];
}

/** One case of a case file: an event (or an events file) and the verdict, stage truths or match count expected. */
export interface Case {
  /** 0-based position in the file's `cases` list. */
  index: number;
  name: string;
  expect?: 'match' | 'no-match';
  stages?: Record<string, boolean>;
  event?: Record<string, unknown>;
  /** A sequence of events written in the case (a correlation case's timestamped stream). */
  events?: Array<Record<string, unknown>>;
  /** Where each event of `events` is written. */
  eventsPos?: SourcePos[];
  /** A correlation case: the alerts expected of the events. */
  alerts?: AlertExpectation;
  /** As written, relative to the case file. */
  eventsFile?: string;
  /** Where the `events_file` value is, for errors about the file. */
  eventsFilePos?: SourcePos;
  count?: CountExpectation;
  /** The reason the case is known not to give its expected verdict (a known gap of the rule). */
  knownGap?: string;
  pos?: SourcePos;
  /** Line of the `stages` key, for stage errors. */
  stagesPos?: SourcePos;
}

/** A loaded case file: the rule it names (id or path) and its cases. */
export interface CaseFile {
  file: string;
  /** The rule reference as written: an id or a path relative to the case file. */
  rule: string;
  rulePos?: SourcePos;
  logsource: 'ignore' | 'map';
  /**
   * Processing pipelines the rule is loaded through for these cases (`pipeline:`, built-in names or
   * paths relative to the case file), applied with the command's own, by priority.
   */
  pipelines?: Array<{ spec: string; pos: SourcePos }>;
  cases: Case[];
  /** The file's properties (empty when it has none). */
  properties: Property[];
  /** `fuzz: {ignore: {CODE: reason}}`: fuzz finding codes muted for this rule, each with the reason. */
  fuzzIgnore?: Partial<Record<FindingCode, string>>;
}

export interface LoadedCaseFile {
  file: string;
  caseFile?: CaseFile;
  diagnostics: Diagnostic[];
}

const CASE_KEYS = new Set(['name', 'description', 'expect', 'stages', 'event', 'events', 'events_file', 'count', 'alerts', 'known_gap']);
const TOP_KEYS = new Set(['rule', 'cases', 'logsource', 'pipeline', 'properties', 'fuzz']);

/** Options of case loading: the limits (util/limits.ts; the YAML ones apply, the defaults for those not given). */
export interface CaseLoadOptions {
  limits?: Partial<Limits>;
}

/** Loads and validates one case file. */
export function loadCaseFile(file: string, options: CaseLoadOptions = {}): LoadedCaseFile {
  let text: string;
  try {
    text = readTextFile(file);
  } catch (e) {
    return { file, diagnostics: [diagnostic('CASE_FILE_UNREADABLE', `cannot read the case file: ${(e as Error).message}`, { file })] };
  }
  return loadCaseText(text, file, options);
}

/** Validates case-file text (see loadCaseFile). */
export function loadCaseText(text: string, file: string, options: CaseLoadOptions = {}): LoadedCaseFile {
  const ds: Diagnostic[] = [];
  const parsed = parseYaml(text, file, limitsOf(options.limits));
  pushAll(ds, parsed.diagnostics);
  const docs = parsed.documents.filter((d) => d.root !== null);
  if (ds.some((d) => d.severity === 'error')) return { file, diagnostics: ds };
  const posOf = positionsIn(text);
  const at = (n: YNode, path: string): { file: string; path: string; pos: SourcePos } => ({ file, path, pos: posOf(n.offset) });
  const err = (code: DiagnosticCode, message: string, n: YNode, path: string): void => {
    ds.push(diagnostic(code, message, at(n, path)));
  };
  const root = docs[0]?.root;
  if (docs.length !== 1 || root === undefined || root === null || root.kind !== 'map') {
    ds.push(diagnostic('CASE_FILE_INVALID', 'a case file is one YAML mapping with `rule` and `cases`', { file, pos: { line: 1, column: 1 } }));
    return { file, diagnostics: ds };
  }
  for (const e of root.entries) {
    if (!TOP_KEYS.has(e.key)) err('CASE_FILE_INVALID', `unknown key '${e.key}' (expected rule, logsource, pipeline, cases, properties, fuzz)`, e.keyNode, e.key);
  }
  const ruleNode = mapGet(root, 'rule');
  let rule = '';
  if (ruleNode === undefined) err('CASE_RULE_MISSING', "the case file has no 'rule' (a rule id or a path relative to this file)", root, 'rule');
  else if (ruleNode.kind !== 'scalar' || ruleNode.value.type !== 'string' || ruleNode.value.text === '') {
    err('CASE_RULE_MISSING', "'rule' must be a rule id or a path relative to this file", ruleNode, 'rule');
  } else rule = ruleNode.value.text;

  let logsource: 'ignore' | 'map' = 'ignore';
  const lsNode = mapGet(root, 'logsource');
  if (lsNode !== undefined) {
    const v = toPlain(lsNode);
    if (v === 'ignore' || v === 'map') logsource = v;
    else err('CASE_FILE_INVALID', "'logsource' must be 'ignore' or 'map'", lsNode, 'logsource');
  }

  let pipelines: CaseFile['pipelines'];
  const pipelineNode = mapGet(root, 'pipeline');
  if (pipelineNode !== undefined) {
    const items = pipelineNode.kind === 'seq' ? pipelineNode.items : [pipelineNode];
    pipelines = [];
    for (const n of items) {
      if (n.kind !== 'scalar' || n.value.type !== 'string' || n.value.text === '') err('CASE_FILE_INVALID', "'pipeline' must be a pipeline (a built-in name or a path relative to this file) or a list of them", n, 'pipeline');
      else pipelines.push({ spec: n.value.text, pos: posOf(n.offset) });
    }
  }

  // fuzz: {ignore: {CODE: reason}}
  let fuzzIgnore: CaseFile['fuzzIgnore'];
  const fuzzNode = mapGet(root, 'fuzz');
  if (fuzzNode !== undefined) {
    if (fuzzNode.kind !== 'map') err('CASE_FILE_INVALID', "'fuzz' must be a mapping (fuzz: {ignore: {CODE: reason}})", fuzzNode, 'fuzz');
    else {
      for (const e of fuzzNode.entries) if (e.key !== 'ignore') err('CASE_FILE_INVALID', `unknown key '${e.key}' under 'fuzz' (expected ignore)`, e.keyNode, childPath('fuzz', e.key));
      const ign = mapGet(fuzzNode, 'ignore');
      if (ign !== undefined && ign.kind !== 'map') err('CASE_FILE_INVALID', "'fuzz.ignore' maps fuzz finding codes to the reason they are muted", ign, 'fuzz.ignore');
      else if (ign !== undefined) {
        fuzzIgnore = {};
        for (const e of ign.entries) {
          const path = childPath('fuzz.ignore', e.key);
          const why = e.value.kind === 'scalar' && e.value.value.type === 'string' ? e.value.value.text.trim() : '';
          if (!isDiagnosticCode(e.key) || CODES[e.key].group !== 'fuzz') err('CASE_FILE_INVALID', `'${e.key}' is not a fuzz finding code (${codesOf('fuzz').join(', ')})`, e.keyNode, path);
          else if (why === '') err('CASE_FILE_INVALID', `'fuzz.ignore.${e.key}' gives the reason the code is muted (text)`, e.value, path);
          else fuzzIgnore[e.key as FindingCode] = why;
        }
      }
    }
  }

  const casesNode = mapGet(root, 'cases');
  const cases: Case[] = [];
  if (casesNode === undefined) err('CASE_FILE_INVALID', "the case file has no 'cases' list", root, 'cases');
  else if (casesNode.kind !== 'seq' || casesNode.items.length === 0) err('CASE_FILE_INVALID', "'cases' must be a non-empty list", casesNode, 'cases');
  else {
    const names = new Map<string, number>();
    casesNode.items.forEach((n, index) => {
      const path = childPath('cases', index);
      if (n.kind !== 'map') {
        err('CASE_INVALID', 'a case must be a mapping with name, expect and event or events_file', n, path);
        return;
      }
      let ok = true;
      const bad = (message: string, node: YNode, p: string): void => {
        err('CASE_INVALID', message, node, p);
        ok = false;
      };
      for (const e of n.entries) {
        if (!CASE_KEYS.has(e.key)) bad(`unknown key '${e.key}' (expected ${[...CASE_KEYS].join(', ')})`, e.keyNode, childPath(path, e.key));
      }
      const c: Case = { index, name: '', pos: posOf(n.offset) };
      const nameNode = mapGet(n, 'name');
      const name = nameNode === undefined ? undefined : toPlain(nameNode);
      if (typeof name !== 'string' || name.trim() === '') bad("a case needs a 'name'", nameNode ?? n, childPath(path, 'name'));
      else {
        c.name = name;
        const prev = names.get(name);
        if (prev !== undefined) bad(`two cases are named '${name}' (cases[${prev}] and cases[${index}]); names identify cases in reports`, nameNode ?? n, childPath(path, 'name'));
        names.set(name, index);
      }
      const descriptionNode = mapGet(n, 'description');
      if (descriptionNode !== undefined && !(descriptionNode.kind === 'scalar' && descriptionNode.value.type === 'string')) {
        bad("'description' must be text", descriptionNode, childPath(path, 'description'));
      }
      const expectNode = mapGet(n, 'expect');
      if (expectNode !== undefined) {
        const v = toPlain(expectNode);
        if (v === 'match' || v === 'no-match') c.expect = v;
        else bad(`'expect' must be match or no-match, not '${String(v)}'`, expectNode, childPath(path, 'expect'));
      }
      const stagesNode = mapGet(n, 'stages');
      if (stagesNode !== undefined) {
        if (stagesNode.kind !== 'map') bad("'stages' maps stage names to true or false", stagesNode, childPath(path, 'stages'));
        else {
          const stages = dictionary<boolean>();
          for (const e of stagesNode.entries) {
            if (e.value.kind !== 'scalar' || e.value.value.type !== 'bool') bad(`stage '${e.key}' must be true or false`, e.value, childPath(childPath(path, 'stages'), e.key));
            else stages[e.key] = e.value.value.value;
          }
          c.stages = stages;
          c.stagesPos = posOf(stagesNode.offset);
        }
      }
      const eventNode = mapGet(n, 'event');
      if (eventNode !== undefined) {
        if (eventNode.kind !== 'map') bad("'event' must be a mapping (one event)", eventNode, childPath(path, 'event'));
        else c.event = toPlain(eventNode) as Record<string, unknown>;
      }
      const fileNode = mapGet(n, 'events_file');
      if (fileNode !== undefined) {
        const v = toPlain(fileNode);
        if (typeof v !== 'string' || v === '') bad("'events_file' must be a path relative to this case file", fileNode, childPath(path, 'events_file'));
        else {
          c.eventsFile = v;
          c.eventsFilePos = posOf(fileNode.offset);
        }
      }
      const eventsNode = mapGet(n, 'events');
      if (eventsNode !== undefined) {
        if (eventsNode.kind !== 'seq' || eventsNode.items.length === 0 || eventsNode.items.some((x) => x.kind !== 'map')) {
          bad("'events' must be a non-empty list of events (mappings)", eventsNode, childPath(path, 'events'));
        } else {
          c.events = eventsNode.items.map((x) => toPlain(x) as Record<string, unknown>);
          c.eventsPos = eventsNode.items.map((x) => posOf(x.offset));
        }
      }
      const alertsNode = mapGet(n, 'alerts');
      if (alertsNode !== undefined) {
        const ap = childPath(path, 'alerts');
        if (alertsNode.kind !== 'map' || alertsNode.entries.length === 0) bad("'alerts' takes exactly, at_least and/or at_most, and groups", alertsNode, ap);
        else {
          const alerts: AlertExpectation = {};
          for (const e of alertsNode.entries) {
            if (e.key === 'groups' || e.key === 'group') {
              const items = e.key === 'group' ? [e.value] : e.value.kind === 'seq' ? e.value.items : [];
              if ((e.key === 'groups' && e.value.kind !== 'seq') || items.some((x) => x.kind !== 'map')) {
                bad(e.key === 'group' ? "'group' is one group: a mapping of group-by names to values" : "'groups' is a list of groups, each a mapping of group-by names to values", e.value, childPath(ap, e.key));
                continue;
              }
              if (alerts.groups !== undefined) {
                bad("'alerts' takes 'group' or 'groups', not both", e.keyNode, childPath(ap, e.key));
                continue;
              }
              alerts.groups = items.map((x) => toPlain(x) as Record<string, unknown>);
              alerts.groupsPos = items.map((x) => posOf(x.offset));
              continue;
            }
            const v = toPlain(e.value);
            if (e.key !== 'at_least' && e.key !== 'exactly' && e.key !== 'at_most') bad(`unknown key '${e.key}' in alerts (exactly, at_least, at_most, groups, group)`, e.keyNode, childPath(ap, e.key));
            else if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) bad(`alerts ${e.key} must be a whole number ≥ 0`, e.value, childPath(ap, e.key));
            else alerts[e.key] = v;
          }
          c.alerts = alerts;
        }
      }
      const countNode = mapGet(n, 'count');
      if (countNode !== undefined) {
        if (countNode.kind !== 'map' || countNode.entries.length === 0) bad("'count' takes at_least, exactly and/or at_most", countNode, childPath(path, 'count'));
        else {
          const count: CountExpectation = {};
          for (const e of countNode.entries) {
            const v = toPlain(e.value);
            if (e.key !== 'at_least' && e.key !== 'exactly' && e.key !== 'at_most') bad(`unknown count '${e.key}' (at_least, exactly, at_most)`, e.keyNode, childPath(path, 'count'));
            else if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) bad(`count ${e.key} must be a whole number ≥ 0`, e.value, childPath(childPath(path, 'count'), e.key));
            else count[e.key] = v;
          }
          c.count = count;
        }
      }
      const gapNode = mapGet(n, 'known_gap');
      if (gapNode !== undefined) {
        const g = toPlain(gapNode);
        if (typeof g !== 'string' || g.trim() === '') bad("'known_gap' gives the reason the rule does not give the expected verdict (text)", gapNode, childPath(path, 'known_gap'));
        else c.knownGap = g;
      }
      // Shape: event + expect; events_file or events + (expect | count); events_file or events + alerts (a correlation case).
      const sources = [eventNode, fileNode, eventsNode].filter((x) => x !== undefined).length;
      if (sources > 1) bad("a case has one of 'event', 'events' or 'events_file'", n, path);
      else if (sources === 0) bad("a case needs an 'event', 'events' or an 'events_file'", n, path);
      else if (alertsNode !== undefined) {
        if (eventNode !== undefined) bad("'alerts' goes with a sequence of events ('events' or 'events_file'), not with a single 'event'", alertsNode, childPath(path, 'alerts'));
        else if (expectNode !== undefined || countNode !== undefined || stagesNode !== undefined) bad("a correlation case expects 'alerts' only (no expect, count or stages)", n, path);
      } else if (eventsNode !== undefined) {
        if ((expectNode === undefined) === (countNode === undefined)) bad("a case with 'events' needs 'alerts' (a correlation case), or exactly one of 'expect' (for every event) or 'count'", n, path);
      } else if (eventNode !== undefined && expectNode === undefined) bad("a case with an 'event' needs 'expect: match' or 'expect: no-match'", n, path);
      else if (eventNode !== undefined && countNode !== undefined) bad("'count' goes with 'events_file', not with a single 'event'", countNode, childPath(path, 'count'));
      else if (fileNode !== undefined && (expectNode === undefined) === (countNode === undefined)) {
        bad("a case with 'events_file' needs exactly one of 'expect' (for every event) or 'count'", n, path);
      }
      if (ok) cases.push(c);
    });
  }
  const propertiesNode = mapGet(root, 'properties');
  const properties =
    propertiesNode === undefined
      ? []
      : parseProperties(
          propertiesNode,
          posOf,
          new Set(cases.filter((c) => c.event !== undefined).map((c) => c.name)),
          new Set(cases.map((c) => c.name)),
          (message, node, path, code = 'PROPERTY_INVALID') => err(code, message, node, path),
        );
  if (ds.some((d) => d.severity === 'error')) return { file, diagnostics: ds };
  const caseFile: CaseFile = { file, rule, logsource, cases, properties };
  if (fuzzIgnore !== undefined) caseFile.fuzzIgnore = fuzzIgnore;
  if (pipelines !== undefined && pipelines.length > 0) caseFile.pipelines = pipelines;
  if (ruleNode !== undefined) caseFile.rulePos = posOf(ruleNode.offset);
  return { file, caseFile, diagnostics: ds };
}
