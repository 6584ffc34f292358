/**
 * The loader fuzz test's machinery (issue 23): fast-check generates and mutates the inputs every
 * loader takes from users and pull requests — rule documents, case files, known-FP files,
 * logsource mapping files, config files, events (JSON Lines, JSON, concatenated objects) and
 * native `.evtx` files — and holds each loader to one property: it never throws, and it returns
 * its data and well-formed diagnostics (a registered code, a severity, a message, a position
 * inside the text when there is one).
 *
 * Inputs start from valid seeds (the bundled rules and case files, samples of the other formats),
 * from generated documents of a format's shape (case files with `properties:` entries: operators,
 * `{gen: KIND}` expressions with their options, `from`, templates, runs, stages, known gaps, valid
 * or not), or from nothing (random YAML and JSON values with prototype keys, random text), and go through
 * up to three mutations: truncation, character flips, snippets of hostile syntax inserted
 * anywhere (prototype keys, anchors and aliases, tags, flow brackets, NUL, CR), deep nesting and
 * huge scalars.
 *
 * `test/loader-fuzz.test.ts` runs it in `npm test` with a small fixed budget;
 * `npm run fuzz:inputs -- --runs N --seed S` runs it longer (scripts/fuzz-inputs.mjs).
 */
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { dump } from 'js-yaml';
import { CODES } from '../../src/diagnostics/codes.js';
import type { Diagnostic } from '../../src/diagnostics/diagnostics.js';
import { loadRuleText } from '../../src/rules/load-rule.js';
import { loadCaseText } from '../../src/cases/load-cases.js';
import type { CaseFile } from '../../src/cases/load-cases.js';
import { GEN_OPTION_KEYS } from '../../src/cases/load-properties.js';
import { runProperties } from '../../src/properties/run-properties.js';
import type { PropertyStatus } from '../../src/cases/run-cases.js';
import { operatorNames } from '../../generators/mutations.js';
import { generatorKindNames } from '../../generators/expressions.js';
import { parseKnownFps } from '../../src/known-fps/known-fps.js';
import { parseLogsourceMapping } from '../../src/logsource/mapping-file.js';
import { parseConfig } from '../../src/config/config.js';
import { readEventsSync, readEventText, readLine } from '../../src/event-files/read-events.js';
import type { EventRead } from '../../src/event-files/read-events.js';
import { readEvtxSync } from '../../src/evtx/read-evtx.js';
import type { EvtxItem } from '../../src/evtx/read-evtx.js';
import { ValueType } from '../../src/evtx/values.js';
import { buildEvtxFile, ChunkWriter, synthValue } from '../support/evtx-writer.js';
import { REPO_ROOT } from '../support/dist.js';

/** Keys that are special to JavaScript objects, or to the formats. */
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];
const FORMAT_KEYS = ['title', 'id', 'logsource', 'detection', 'condition', 'selection', 'rule', 'cases', 'name', 'expect', 'event', 'events_file', 'stages', 'count', 'known_fps', 'field', 'value', 'reason', 'expires', 'logsources', 'sources', 'channel', 'eventIds', 'placeholders', 'gate', 'root', 'Image|endswith', 'x|re', 'EventID', 'properties', 'from', 'mutate', 'runs', 'known_gap', 'gen', ...GEN_OPTION_KEYS];

/** Snippets of syntax a mutation inserts anywhere. */
const HOSTILE = [
  '__proto__: {id: not-a-uuid, level: pwned}\n',
  'constructor: {prototype: {x: 1}}\n',
  '\n__proto__:\n  Image: x\n',
  '&a [*a, *a]',
  '*undefined_alias',
  '<<: *a\n',
  '!!binary aGVsbG8=',
  '!!js/function "function(){}"',
  '!!python/object:os.system',
  '%YAML 1.1\n---\n',
  '\n---\n',
  '\n...\n',
  '{',
  '}',
  '[',
  ']',
  ': :',
  '- - -',
  '? complex\n: key\n',
  '"\\u0000"',
  '\u0000',
  '\r',
  '\r\n',
  '\t',
  '\ufeff',
  '\u202e',
  '\u001b[2J',
  '"unterminated',
  "'single",
  '|\n  block\n',
  '>-\n  folded\n',
  '#',
  ',',
  '{"__proto__": {"Image": "x"}}',
  '\\',
  '\ud800',
];

/** A text nested `depth` levels deep (YAML flow / JSON). */
function nested(depth: number, open: string, close: string, inner = '1'): string {
  return open.repeat(depth) + inner + close.repeat(depth);
}

/** One mutation of a text. */
function mutation(): fc.Arbitrary<(text: string) => string> {
  return fc.oneof(
    // Truncation anywhere.
    fc.double({ min: 0, max: 1, noNaN: true }).map((f) => (t: string) => t.slice(0, Math.floor(t.length * f))),
    // Character flips.
    fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 0xffff })).map(([f, c]) => (t: string) => {
      const i = Math.floor(t.length * f);
      return t.slice(0, i) + String.fromCharCode(c) + t.slice(i + 1);
    }),
    // A hostile snippet inserted.
    fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...HOSTILE)).map(([f, s]) => (t: string) => {
      const i = Math.floor(t.length * f);
      return t.slice(0, i) + s + t.slice(i);
    }),
    // Deep nesting at the end of a line, or in place of the text.
    fc.tuple(fc.integer({ min: 50, max: 3000 }), fc.constantFrom(['[', ']'], ['{a: ', '}'], ['{"a":', '}'])).map(([d, [o, c]]) => (t: string) => {
      const nl = t.indexOf('\n');
      return nl < 0 ? nested(d, o as string, c as string) : `${t.slice(0, nl)} ${nested(d, o as string, c as string)}${t.slice(nl)}`;
    }),
    // A huge scalar.
    fc.tuple(fc.integer({ min: 10_000, max: 200_000 }), fc.double({ min: 0, max: 1, noNaN: true })).map(([n, f]) => (t: string) => {
      const i = Math.floor(t.length * f);
      return `${t.slice(0, i)}${'x'.repeat(n)}${t.slice(i)}`;
    }),
  );
}

/** A value of YAML/JSON shape, keys from the formats and the prototype names. */
function documentValue(): fc.Arbitrary<unknown> {
  const key = fc.oneof(fc.constantFrom(...PROTO_KEYS, ...FORMAT_KEYS), fc.string({ maxLength: 8 }));
  return fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null)),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(key, tie('value'), { maxKeys: 5, noNullPrototype: false }),
    ),
  })).value;
}

/** The text of a generated value: as YAML (block or flow) or JSON. */
function valueText(v: unknown, style: number): string {
  try {
    if (style === 0) return JSON.stringify(v) ?? 'null';
    return dump(v, { flowLevel: style === 1 ? 0 : -1, noRefs: true, lineWidth: -1 });
  } catch {
    return JSON.stringify(v) ?? 'null';
  }
}

/** Inputs for a loader: seeds, documents of the loader's format (when it has a generator), generated documents, random text; each mutated or not. */
export function inputs(seeds: readonly string[], shaped?: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const base = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...seeds) },
    ...(shaped !== undefined ? [{ weight: 4, arbitrary: shaped }] : []),
    { weight: 2, arbitrary: fc.tuple(documentValue(), fc.integer({ min: 0, max: 2 })).map(([v, s]) => valueText(v, s)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  );
  return fc.tuple(base, fc.array(mutation(), { maxLength: 3 })).map(([text, ms]) => ms.reduce((t, m) => m(t), text));
}

/** Every diagnostic well-formed, positions inside the text. */
export function checkDiagnostics(ds: readonly Diagnostic[], text: string | undefined, what: string): void {
  const lines = text === undefined ? Infinity : text.split('\n').length + 1;
  for (const d of ds) {
    if (!Object.hasOwn(CODES, d.code)) throw new Error(`${what}: unregistered code ${String(d.code)}`);
    if (d.severity !== 'error' && d.severity !== 'warning') throw new Error(`${what}: severity ${String(d.severity)}`);
    if (typeof d.message !== 'string' || d.message === '') throw new Error(`${what}: empty message (${d.code})`);
    if (d.pos !== undefined) {
      const { line, column } = d.pos;
      if (!Number.isInteger(line) || !Number.isInteger(column) || line < 1 || column < 1 || line > lines) {
        throw new Error(`${what}: position ${line}:${column} outside the text of ${lines - 1} lines (${d.code}: ${d.message})`);
      }
    }
  }
}

function files(dir: string, ext: RegExp): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (ext.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

const read = (p: string): string => readFileSync(p, 'utf8');

/** A loader under test: its seeds and how to run and check it on one text. */
export interface LoaderCase {
  name: string;
  seeds: string[];
  /** Documents of the loader's format, valid or nearly so (beside the seeds). */
  shaped?: fc.Arbitrary<string>;
  /** Loads `text`; throws (the property fails) when the loader throws or returns something malformed. */
  check(text: string): void;
}

const KNOWN_FPS_SEED = `known_fps:
  - rule: 5f2a3a11-9c51-4c1e-8a3d-6c0b3c9a8e21
    field: Image
    value: 'C:\\Program Files\\Backup\\\\*.exe'
    reason: nightly backup agent
    expires: 2025-12-31
  - rule: 5f2a3a11-9c51-4c1e-8a3d-6c0b3c9a8e21
    field: CommandLine
    reason: any value
`;
const MAPPING_SEED = `logsources:
  - category: process_creation
    product: windows
    append: true
    sources:
      - channel: Security
        eventIds: [4688]
        provider: Microsoft-Windows-Security-Auditing
        title: A new process has been created.
  - product: windows
    service: myapp
    sources:
      - channel: MyApp/Operational
events:
  - channel: MyApp/Operational
    eventId: 100
    title: Something happened
`;
const CONFIG_SEED = `placeholders:
  Admins: ['admin*', root]
logsources: maps.yml
root: .
gate:
  min_match: 1
  min_coverage: 80
  corpus: [corpus/]
  known_fps: fps.yml
  severities: { RULE_AUTHOR_MISSING: off }
`;

/** The rule the generated case files name: the seed rule (registry keys, an Image exclusion, Details). */
const PROPERTY_RULE_FILE = join(REPO_ROOT, 'rules', 'windows', 'registry', 'registry_set_asep_reg_keys_modification_winsock2.yml');
const PROPERTY_CASE_EVENT = {
  EventID: 13,
  TargetObject: 'HKLM\\System\\CurrentControlSet\\Services\\WinSock2\\Parameters\\Protocol_Catalog9\\Catalog_Entries\\000000000012\\PackedCatalogItem',
  Details: 'Binary Data',
  Image: 'C:\\Users\\Public\\lsp.exe',
  CommandLine: 'C:\\Users\\Public\\lsp.exe /install',
};
/** Fields a property mutates or a template fills: the rule's, absent ones, dotted paths, prototype names. */
const PROPERTY_FIELDS = ['TargetObject', 'Image', 'Details', 'CommandLine', 'EventID', 'Missing', 'Event.EventData.Image', '__proto__', 'constructor', ''];

/**
 * `valid`, or in a dirty document now and then `bad`: half the generated case files are clean
 * (their properties load and run), the others have a wrong value here and there.
 */
function mostly<T>(dirty: boolean, valid: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return dirty ? fc.oneof({ weight: 6, arbitrary: valid }, { weight: 1, arbitrary: bad }) : valid;
}

/** Something of the wrong type or shape for any key. */
const anything = (): fc.Arbitrary<unknown> => fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }), fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }));

/** A text, or a list of texts. */
const texts = (choices: readonly string[]): fc.Arbitrary<unknown> => fc.oneof(fc.constantFrom(...choices), fc.array(fc.constantFrom(...choices), { minLength: 1, maxLength: 3 }));

/** A `{gen: KIND, ...options}` expression: known (and, when dirty, unknown) kinds, a few options that fit the kind or not. */
function genExpression(dirty: boolean): fc.Arbitrary<Record<string, unknown>> {
  const option: Record<string, fc.Arbitrary<unknown>> = {
    under: mostly(dirty, fc.constantFrom('HKLM\\Software\\Vendor', 'HKLM\\System\\CurrentControlSet\\Services\\WinSock2\\Parameters\\Protocol_Catalog9\\Catalog_Entries', 'C:\\Users\\Public', '\\'), anything()),
    name: mostly(dirty, fc.constantFrom('msiexec.exe', 'lsp.dll', 'a b.exe'), anything()),
    dir: mostly(dirty, fc.constantFrom('user-writable', 'system', 'program'), fc.constantFrom('nowhere', '')),
    scope: mostly(dirty, fc.constantFrom('private', 'public'), fc.constantFrom('both', '')),
    min: mostly(dirty, fc.integer({ min: 0, max: 70000 }), fc.oneof(fc.integer({ min: -5, max: -1 }), fc.double(), fc.string({ maxLength: 3 }))),
    max: mostly(dirty, fc.integer({ min: 0, max: 70000 }), fc.oneof(fc.integer({ min: -5, max: -1 }), fc.double(), fc.string({ maxLength: 3 }))),
    contains: mostly(dirty, texts(['lsp', 'Catalog', '\\', 'x']), fc.oneof(fc.constant(''), fc.constant([]), anything())),
    not: mostly(dirty, texts(['*\\msiexec.exe', '(Empty)', '*', '?x*', 'Binary Data']), fc.oneof(fc.constant(''), fc.constant([]), anything())),
    ...(dirty ? { colour: anything() } : {}),
  };
  const options = fc.subarray(Object.keys(option), { maxLength: dirty ? 3 : 1 }).chain((keys) => fc.record(Object.fromEntries(keys.map((k) => [k, option[k] as fc.Arbitrary<unknown>]))));
  return fc.tuple(mostly(dirty, fc.constantFrom(...generatorKindNames()), fc.oneof(fc.constantFrom('nope', ''), anything())), options).map(([gen, o]) => ({ gen, ...o }));
}

/** One `properties:` entry starting from one of `caseNames` or a template: valid when clean; when dirty, keys now and then wrong, missing or extra. */
function propertyEntry(caseNames: readonly string[], dirty: boolean): fc.Arbitrary<Record<string, unknown>> {
  const field = fc.constantFrom(...PROPERTY_FIELDS);
  const ruleField = fc.constantFrom('TargetObject', 'Image', 'Details', 'CommandLine');
  const key = mostly(dirty, ruleField, field) as fc.Arbitrary<string>;
  const step = fc.oneof({ weight: 4, arbitrary: mostly(dirty, fc.constantFrom(...operatorNames()), fc.oneof(fc.constantFrom('nope', 'RECASE', ''), anything())) }, { weight: 1, arbitrary: genExpression(dirty) });
  const steps = fc.oneof(step, fc.array(step, { minLength: 1, maxLength: 3 }));
  const template = fc.dictionary(key, fc.oneof(genExpression(dirty), fc.constantFrom('x', 13, 'C:\\Windows\\System32\\msiexec.exe'), fc.dictionary(ruleField, genExpression(dirty), { maxKeys: 2 })), { minKeys: 1, maxKeys: 4 });
  const stages = fc.dictionary(mostly(dirty, fc.constantFrom('winsock_parameters_base', 'winsock_parameters', 'filter', 'condition'), fc.constantFrom('nope', '')) as fc.Arbitrary<string>, mostly(dirty, fc.boolean(), anything()), { minKeys: 1, maxKeys: 3 });
  const sometimes = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(a, { freq: 3 });
  return fc
    .record({
      // Where the base event comes from: a case or a template (both or neither, when dirty: errors).
      source: dirty ? fc.constantFrom('from', 'from', 'event', 'event', 'both', 'neither') : fc.constantFrom('from', 'event'),
      from: mostly(dirty, fc.constantFrom(...caseNames), fc.oneof(fc.constantFrom('no such case', 'file'), anything())),
      event: mostly(dirty, template, anything()),
      mutate: mostly(dirty, fc.dictionary(key, steps, { minKeys: 1, maxKeys: 3 }), anything()),
      // A property from a case needs mutate; from a template it may do without.
      withoutMutate: fc.boolean(),
      expect: mostly(dirty, fc.constantFrom('match', 'no-match', 'same'), fc.oneof(fc.constant('maybe'), anything())),
      runs: sometimes(mostly(dirty, fc.integer({ min: 1, max: 4 }), fc.oneof(fc.constantFrom(0, -1, 100_001, 1.5), anything()))),
      stages: sometimes(mostly(dirty, stages, anything())),
      known_gap: sometimes(mostly(dirty, fc.constant('a known gap of the rule'), fc.oneof(fc.constant(''), anything()))),
      description: sometimes(mostly(dirty, fc.constant('why'), anything())),
      // When dirty, now and then: a wrong or repeated name (else a unique one is given), an unknown key.
      name: mostly(dirty, fc.constant(null), anything()),
      extra: mostly(dirty, fc.constant(null), anything()),
    })
    .map((r) => {
      const p: Record<string, unknown> = { name: r.name };
      if (r.source === 'from' || r.source === 'both') p['from'] = r.from;
      if (r.source === 'event' || r.source === 'both') p['event'] = r.event;
      if (!(r.source === 'event' && r.withoutMutate)) p['mutate'] = r.mutate;
      p['expect'] = r.expect;
      if (r.runs !== null) p['runs'] = r.runs;
      if (r.stages !== null) p['stages'] = r.stages;
      if (r.known_gap !== null) p['known_gap'] = r.known_gap;
      if (r.description !== null) p['description'] = r.description;
      if (r.extra !== null) p['seed'] = r.extra;
      return p;
    });
}

/** Case files with `properties:` (and the cases they start from), clean or dirty, as YAML (block or flow) or JSON. */
export function propertyCaseFiles(): fc.Arbitrary<string> {
  const cases = [
    { name: 'base', expect: 'match', event: PROPERTY_CASE_EVENT },
    { name: 'installer', expect: 'no-match', event: { ...PROPERTY_CASE_EVENT, Image: 'C:\\Windows\\System32\\msiexec.exe' } },
    { name: 'file', expect: 'match', events_file: 'data/none.jsonl' },
  ];
  // The cases a property may start from ('file' reads an events_file: a dirty `from` names it).
  const names = ['base', 'installer'];
  const doc = (dirty: boolean): fc.Arbitrary<Record<string, unknown>> =>
    fc.record({
      rule: mostly(dirty, fc.constant('d6c2ce7e-afb5-4337-9ca4-4b5254ed0565'), fc.oneof(fc.constant('../rules/r.yml'), anything())),
      logsource: fc.constantFrom(undefined, undefined, 'map', 'ignore'),
      properties: mostly(dirty, fc.array(propertyEntry(names, dirty), { minLength: 1, maxLength: 4 }), fc.oneof(fc.constant([]), anything())),
    });
  return fc.tuple(fc.oneof(doc(false), doc(true)), fc.integer({ min: 0, max: 2 })).map(([d, style]) => {
    const properties = Array.isArray(d['properties']) ? (d['properties'] as Record<string, unknown>[]).map((p, k) => ({ ...p, name: p['name'] ?? `property ${k}` })) : d['properties'];
    return valueText(JSON.parse(JSON.stringify({ rule: d['rule'], ...(d['logsource'] !== undefined ? { logsource: d['logsource'] } : {}), cases, properties })) as unknown, style);
  });
}

/** How many events a fuzzed property may build (its own `runs`, capped: the check is the loading, not the runs). */
const PROPERTY_RUNS_CAP = 2;
const PROPERTY_STATUSES: ReadonlySet<PropertyStatus> = new Set(['pass', 'fail', 'error', 'known-gap', 'gap-closed']);

/** Checks the properties of a loaded case file against the seed rule: never a throw, diagnostics located in the text, every result with a status. */
function checkProperties(cf: CaseFile, text: string): void {
  if (cf.properties.length === 0) return;
  const rule = loadRuleText(read(PROPERTY_RULE_FILE), PROPERTY_RULE_FILE).rules[0];
  if (rule === undefined) throw new Error('properties: the seed rule does not load');
  const capped: CaseFile = { ...cf, properties: cf.properties.map((p) => ({ ...p, runs: Math.min(p.runs, PROPERTY_RUNS_CAP) })) };
  const r = runProperties(capped, { plan: rule.plan, ruleKey: 'fuzz', seed: 1 });
  checkDiagnostics(r.diagnostics, text, 'properties (run)');
  if (r.results.length !== cf.properties.length) throw new Error(`properties: ${r.results.length} results for ${cf.properties.length} properties`);
  for (const x of r.results) {
    if (!PROPERTY_STATUSES.has(x.status)) throw new Error(`properties: status ${String(x.status)}`);
    if (x.runs > PROPERTY_RUNS_CAP) throw new Error(`properties: ${x.runs} runs, more than ${PROPERTY_RUNS_CAP}`);
    if ((x.status === 'fail' || x.status === 'known-gap') !== (x.counterexample !== null)) throw new Error(`properties: a ${x.status} property ${x.counterexample === null ? 'without' : 'with'} a counterexample`);
  }
}

/** The loaders of text formats, with their seeds. */
export function textLoaders(): LoaderCase[] {
  const rules = files(join(REPO_ROOT, 'rules'), /\.ya?ml$/).map(read);
  const cases = files(join(REPO_ROOT, 'cases'), /\.ya?ml$/).map(read);
  const events = [
    ...files(join(REPO_ROOT, 'cases', 'data'), /\.(jsonl?|ndjson)$/).map(read),
    read(join(REPO_ROOT, 'samples', 'events.jsonl')),
    '[\n  {"a": 1},\n  {"Event": {"System": {"EventID": 1, "Channel": "C"}, "EventData": {"Image": "x"}}}\n]\n',
    '{\n  "a": 1\n}\n{\n  "b": [1, 2]\n}\n',
  ];
  return [
    {
      name: 'rule files (loadRuleText)',
      seeds: rules,
      check(text) {
        const r = loadRuleText(text, 'fuzz.yml', { placeholders: { Admins: ['admin*'] } });
        if (!Array.isArray(r.rules) || !Array.isArray(r.invalid) || !Array.isArray(r.others)) throw new Error('rules: malformed result');
        checkDiagnostics(r.diagnostics, text, 'rules');
        for (const bad of r.invalid) checkDiagnostics(bad.diagnostics, text, 'rules (invalid document)');
      },
    },
    {
      name: 'case files (loadCaseText)',
      seeds: cases,
      check(text) {
        const r = loadCaseText(text, 'fuzz.yml');
        if (r.caseFile === undefined && !r.diagnostics.some((d) => d.severity === 'error')) throw new Error('cases: neither data nor an error');
        checkDiagnostics(r.diagnostics, text, 'cases');
      },
    },
    {
      name: 'case files with properties (loadCaseText, then the properties checked and run)',
      seeds: cases.filter((t) => /^properties:/m.test(t)),
      shaped: propertyCaseFiles(),
      check(text) {
        const r = loadCaseText(text, 'fuzz.yml');
        if (r.caseFile === undefined && !r.diagnostics.some((d) => d.severity === 'error')) throw new Error('properties: neither data nor an error');
        checkDiagnostics(r.diagnostics, text, 'properties');
        if (r.caseFile !== undefined) checkProperties(r.caseFile, text);
      },
    },
    {
      name: 'known-FP files (parseKnownFps)',
      seeds: [KNOWN_FPS_SEED],
      check(text) {
        const r = parseKnownFps(text, 'fuzz.yml');
        if (!Array.isArray(r.entries)) throw new Error('known FPs: malformed result');
        checkDiagnostics(r.diagnostics, text, 'known FPs');
      },
    },
    {
      name: 'logsource mapping files (parseLogsourceMapping)',
      seeds: [MAPPING_SEED],
      check(text) {
        const r = parseLogsourceMapping(text, 'fuzz.yml');
        if (typeof r.mapping !== 'object' || r.mapping === null) throw new Error('mapping: malformed result');
        checkDiagnostics(r.diagnostics, text, 'mapping');
      },
    },
    {
      name: 'config files (parseConfig)',
      seeds: [CONFIG_SEED],
      check(text) {
        const r = parseConfig(text, join(tmpdir(), 'sigmatest.config.yml'));
        if (typeof r.config !== 'object' || r.config === null) throw new Error('config: malformed result');
        checkDiagnostics(r.diagnostics, text, 'config');
      },
    },
    {
      name: 'events in memory (readEventText) and JSON Lines lines (readLine)',
      seeds: events,
      check(text) {
        const r = readEventText(text, 'fuzz.json');
        checkDiagnostics(r.diagnostics, text, 'events');
        for (const e of r.events) if (typeof e.event !== 'object' || e.event === null) throw new Error('events: an event that is not an object');
        text.split('\n').forEach((line, k) => {
          for (const x of readLine(line, 'fuzz.jsonl', k + 1, k)) if (x.kind === 'error') checkDiagnostics([x.diagnostic], text, 'readLine');
        });
      },
    },
  ];
}

/** Streamed reading of an event file (JSON formats), chunked: the text written to a file first. */
export function eventFileLoader(dir: string): LoaderCase {
  let n = 0;
  return {
    name: 'event files streamed (readEventsSync, any chunk size)',
    seeds: textLoaders().find((l) => l.name.startsWith('events in memory'))?.seeds ?? [],
    check(text) {
      const file = join(dir, `e${n++}.jsonl`);
      writeFileSync(file, text);
      const fd = openSync(file, 'r');
      try {
        const reads: EventRead[] = [...readEventsSync(file, { fd, chunkSize: 1 + (text.length % 97) })];
        checkDiagnostics(
          reads.flatMap((r) => (r.kind === 'error' ? [r.diagnostic] : [])),
          text,
          'event file',
        );
      } finally {
        closeSync(fd);
        rmSync(file, { force: true });
      }
    },
  };
}

/** A small valid `.evtx` file: two chunks of records, one of them nested a few levels deep. */
export function evtxSeed(): Buffer {
  const chunk = (first: number): Buffer => {
    const w = new ChunkWriter();
    for (let id = first; id < first + 3; id++) {
      w.addRecord(id, {
        key: 't',
        nodes: [
          {
            el: 'Event',
            children: [
              { el: 'System', children: [{ el: 'EventID', children: [{ sub: 0, type: ValueType.UInt16 }] }] },
              { el: 'UserData', children: [{ el: 'A', children: [{ el: 'B', children: [{ el: 'Param', children: [{ sub: 1, type: ValueType.String }] }] }] }] },
            ],
          },
        ],
        values: [synthValue.uint16(id), synthValue.string(`v${id}`)],
      });
    }
    return w.finish();
  };
  return buildEvtxFile([chunk(1), chunk(4)]);
}

/** Mutations of `.evtx` bytes: flips, truncation, zeroed or duplicated ranges. */
export function evtxBytes(seed: Buffer): fc.Arbitrary<Buffer> {
  type Edit = (buf: Buffer) => Buffer;
  const edit: fc.Arbitrary<Edit> = fc.oneof<fc.Arbitrary<Edit>[]>(
    fc.tuple(fc.nat({ max: seed.length - 1 }), fc.integer({ min: 0, max: 255 })).map(([i, b]) => (buf: Buffer) => {
      buf[Math.min(i, buf.length - 1)] = b;
      return buf;
    }),
    fc.nat({ max: seed.length }).map((n) => (buf: Buffer) => buf.subarray(0, n)),
    fc.tuple(fc.nat({ max: seed.length }), fc.nat({ max: 70_000 })).map(([at, len]) => (buf: Buffer) => {
      buf.fill(0, at, Math.min(buf.length, at + len));
      return buf;
    }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 6 }).map((edits) => edits.reduce<Buffer>((b, e) => e(b), Buffer.from(seed)));
}

/** Reads mutated `.evtx` bytes from a file: never throws, every problem a well-formed diagnostic. */
export function checkEvtx(dir: string, bytes: Buffer, n: number): void {
  const file = join(dir, `f${n}.evtx`);
  writeFileSync(file, bytes);
  try {
    const items: EvtxItem[] = [...readEvtxSync(file)];
    checkDiagnostics(
      items.flatMap((i) => (i.kind === 'warning' ? [i.diagnostic] : [])),
      undefined,
      'evtx',
    );
    for (const i of items) if (i.kind === 'record') void i.event; // rendering must not throw either
  } finally {
    rmSync(file, { force: true });
  }
}

/** A folder for the file-based loaders. */
export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'sigmatest-fuzz-inputs-'));
}

/** The run count and seed: the environment's (set by `npm run fuzz:inputs`), else the CI budget. */
export function budget(ciRuns: number): { numRuns: number; seed?: number } {
  const runs = Number(process.env['FUZZ_INPUTS_RUNS'] ?? '');
  const seed = Number(process.env['FUZZ_INPUTS_SEED'] ?? '');
  return { numRuns: Number.isInteger(runs) && runs > 0 ? runs : ciRuns, ...(Number.isInteger(seed) && process.env['FUZZ_INPUTS_SEED'] !== undefined ? { seed } : {}) };
}
