/**
 * The case-file format is defined twice: by the JSON Schema editors validate with
 * (schema/case-file.schema.json) and by the loader (loadCaseText). This property holds them to
 * each other: on generated documents, valid ones and mutations of them, the loader accepts a
 * document exactly when the schema does.
 *
 * The rules the schema cannot express: case names (and property names) are unique within a file
 * (JSON Schema has no uniqueness by property), and a property's `from` names a case of the file
 * that has an `event`. The loader also rejects those; the property says so explicitly.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { dump, load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { loadCaseText } from './load-cases.js';

const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../../schema/case-file.schema.json', import.meta.url)), 'utf8')) as object;
const validate = new Ajv2020({ allErrors: true, strict: true, strictRequired: false }).compile(schema);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/);
const text = fc.oneof(word, fc.constantFrom('', ' ', ' \t', 'a b', 'x: y', '- z', '#c', 'true', '010', 'null', 'É', '日本'));
const scalar: fc.Arbitrary<Json> = fc.oneof(text, fc.integer({ min: -3, max: 5 }), fc.constantFrom(1.5, -0.5), fc.boolean(), fc.constant(null));
const json: fc.Arbitrary<Json> = fc.letrec<{ v: Json }>((tie) => ({
  v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(word, tie('v'), { maxKeys: 3 })),
})).v;
const notObject: fc.Arbitrary<Json> = fc.oneof(scalar, fc.array(scalar, { maxLength: 2 }));

const count = fc.record({ at_least: fc.nat(5), exactly: fc.nat(5), at_most: fc.nat(5) }, { requiredKeys: [] }).filter((c) => Object.keys(c).length > 0);

const events = fc.array(fc.dictionary(word, json, { maxKeys: 3 }), { minLength: 1, maxLength: 3 });
const group = fc.dictionary(word, scalar, { minKeys: 1, maxKeys: 2 });
const alerts = fc
  .tuple(fc.record({ at_least: fc.nat(5), exactly: fc.nat(5), at_most: fc.nat(5) }, { requiredKeys: [] }), fc.oneof(fc.constant({}), fc.record({ groups: fc.array(group, { maxLength: 2 }) }), fc.record({ group })))
  .map(([c, g]) => ({ ...c, ...g }))
  .filter((a) => Object.keys(a).length > 0);

/**
 * A case the schema accepts: an event with expect; an events file or inline events with expect
 * or count; or (a correlation case) an events file or inline events with alerts (no stages).
 */
const validCase = (name: string): fc.Arbitrary<Record<string, Json>> =>
  fc
    .tuple(
      fc.oneof(
        fc.record({ event: fc.dictionary(word, json, { maxKeys: 3 }), expect: fc.constantFrom('match', 'no-match') }),
        fc.record({ events_file: word.map((w) => `data/${w}.jsonl`), expect: fc.constantFrom('match', 'no-match') }),
        fc.record({ events_file: word, count }),
        fc.record({ events, expect: fc.constantFrom('match', 'no-match') }),
        fc.record({ events, count }),
        fc.record({ events, alerts }),
        fc.record({ events_file: word.map((w) => `data/${w}.jsonl`), alerts }),
      ),
      fc.record({ description: text, stages: fc.dictionary(word, fc.boolean(), { maxKeys: 3 }) }, { requiredKeys: [] }),
    )
    .map(([shape, extra]) => {
      const { stages, ...rest } = extra;
      return { name, ...('alerts' in shape || stages === undefined ? rest : extra), ...shape };
    });

/** A generator expression the schema accepts (the kind need not exist: that is checked where properties run). */
const genExpr: fc.Arbitrary<Record<string, Json>> = fc
  .tuple(
    fc.constantFrom('path', 'registry-key', 'ip', 'number', 'nokind'),
    fc.record(
      {
        under: fc.constantFrom('HKLM\\SOFTWARE', 'C:\\Temp', '/tmp'),
        name: fc.constantFrom('msiexec.exe', 'x'),
        dir: fc.constantFrom('user-writable', 'system', 'program'),
        scope: fc.constantFrom('private', 'public'),
        min: fc.integer({ min: -5, max: 5 }),
        max: fc.integer({ min: 0, max: 9 }),
        contains: fc.oneof(word, fc.array(word, { minLength: 1, maxLength: 2 })),
        not: fc.oneof(fc.constant('*\\msiexec.exe'), fc.array(fc.constantFrom('*x*', '(Empty)'), { minLength: 1, maxLength: 2 })),
      },
      { requiredKeys: [] },
    ),
  )
  .map(([gen, options]) => ({ gen, ...options }));

const step: fc.Arbitrary<Json> = fc.oneof(fc.constantFrom('recase', 'respell', 'drop', 'nosuchop'), genExpr);
const mutation: fc.Arbitrary<Record<string, Json>> = fc.dictionary(word, fc.oneof(step, fc.array(step, { minLength: 1, maxLength: 3 })), { minKeys: 1, maxKeys: 2 });
const templateValue: fc.Arbitrary<Json> = fc.oneof(scalar, genExpr, fc.dictionary(word, fc.oneof(scalar, genExpr), { maxKeys: 2 }), fc.array(fc.oneof(scalar, genExpr), { maxLength: 2 }));
const template = fc.dictionary(word, templateValue, { maxKeys: 3 });

/** A property the schema and the loader accept: from a case with an event (when there is one) or from a template. */
const validProperty = (name: string, eventCases: readonly string[]): fc.Arbitrary<Record<string, Json>> =>
  fc
    .tuple(
      fc.oneof(
        ...(eventCases.length > 0 ? [fc.record({ from: fc.constantFrom(...eventCases), mutate: mutation, expect: fc.constantFrom('match', 'no-match', 'same') })] : []),
        fc.record({ event: template, expect: fc.constantFrom('match', 'no-match') }, { requiredKeys: ['event', 'expect'] }).chain((p) => fc.record({ mutate: mutation }, { requiredKeys: [] }).map((m) => ({ ...p, ...m }))),
        fc.record({ event: template, mutate: mutation, expect: fc.constant('same') }),
      ),
      fc.record({ description: text, runs: fc.integer({ min: 1, max: 500 }), stages: fc.dictionary(word, fc.boolean(), { maxKeys: 2 }), known_gap: word }, { requiredKeys: [] }),
    )
    .map(([shape, extra]) => ({ name, ...extra, ...shape }));

const validDoc: fc.Arbitrary<Record<string, Json>> = fc
  .tuple(
    fc.oneof(fc.uuid(), word.map((w) => `../rules/${w}.yml`), fc.constant(' ')),
    fc.option(fc.constantFrom('ignore', 'map'), { nil: undefined }),
    fc.integer({ min: 1, max: 3 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, k) => validCase(`case ${k + 1}`)))),
  )
  .chain(([rule, logsource, cases]) => {
    const eventCases = cases.filter((c) => c['event'] !== undefined).map((c) => c['name'] as string);
    const properties = fc.option(fc.integer({ min: 1, max: 2 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, k) => validProperty(`property ${k + 1}`, eventCases)))), { nil: undefined, freq: 2 });
    return properties.map((props) => ({ rule, ...(logsource !== undefined ? { logsource } : {}), cases, ...(props !== undefined ? { properties: props } : {}) }));
  });

/** Per key, near misses of what the format takes (and some valid values, to add a key where it does not belong). */
const NEAR: Record<string, Json[]> = {
  rule: ['', ' ', 0, null, true, [], {}, ['x'], 'x'],
  logsource: ['', 'maybe', 'Map', null, 0, 'map', 'ignore'],
  cases: [[], {}, 'x', null, [null], [[]], [{}]],
  name: ['', ' ', '\t', ' \n ', 0, null, ['x'], 'case 1', 'x'],
  description: ['', 0, null, true, [], {}, 'x'],
  expect: ['', 'maybe', 'Match', null, true, 'match', 'no-match'],
  stages: [{ s: 'yes' }, { s: 1 }, { s: null }, [], null, 'x', {}, { s: true }],
  event: [[], 'x', null, 1, {}, { a: [1, { b: null }] }],
  events_file: ['', ' ', 0, null, ['a'], 'x.jsonl'],
  count: [{}, { at_least: -1 }, { exactly: 1.5 }, { exactly: '1' }, { sometimes: 1 }, 3, null, [], { at_least: 1 }, { at_most: 0, exactly: 2 }],
  events: [[], {}, 'x', null, [null], [1], [[]], [{}], [{ a: 1 }, { b: '2' }]],
  alerts: [{}, { exactly: -1 }, { at_least: 1.5 }, { groups: {} }, { groups: [1] }, { group: [] }, { group: 'x' }, { group: { a: 1 }, groups: [] }, { sometimes: 1 }, 2, null, [], { exactly: 1 }, { groups: [{ a: 'x' }] }, { group: { a: 1 } }],
  known_gap: ['', ' ', 0, null, [], 'x', 'the rule misses ControlSet001'],
  properties: [[], {}, 'x', null, [null], [[]], [{}], [{ name: 'p', event: {}, expect: 'match' }]],
  from: ['', ' ', 0, null, ['case 1'], 'case 1', 'no such case'],
  mutate: [
    {}, [], 'recase', null, { Image: [] }, { Image: 5 }, { Image: null }, { Image: {} }, { Image: { gen: '' } }, { Image: { gen: 3 } },
    { Image: { gen: 'path', dir: 'nowhere' } }, { Image: { gen: 'path', bogus: 1 } }, { Image: { gen: 'number', min: 1.5 } },
    { Image: { gen: 'path', not: [] } }, { Image: { gen: 'path', contains: [''] } }, { Image: { gen: 'ip', scope: 'lan' } }, { Image: ['recase', ' '] },
    { Image: 'recase' }, { Image: ['relocate', 'recase'] }, { Image: { gen: 'path', dir: 'user-writable', name: 'x.exe' } },
  ],
  runs: [0, -1, 1.5, '10', null, 100001, 1, 100000],
  event_template: [[], 'x', null, {}, { a: { gen: '' } }, { a: { b: { gen: 'ip', scope: 'x' } } }, { a: [{ gen: 'path', dir: 3 }] }, { a: { gen: 'path', other: 1 } }, { a: { gen: 'path' } }, { gen: 'x' }],
  property_expect: ['', 'maybe', 'Same', null, 'match', 'no-match', 'same'],
  other: [1, 'x', null],
};

/** A value for `key`: mostly a near miss, sometimes any JSON. */
const valueFor = (key: string): fc.Arbitrary<Json> => fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...(NEAR[key] ?? [null])) }, { weight: 1, arbitrary: json });

/** One change to a document or to one of its cases or properties: a key dropped, added, or given another value. */
function mutate(doc: Record<string, Json>): fc.Arbitrary<Json> {
  const cases = doc['cases'] as Array<Record<string, Json>>;
  const properties = Array.isArray(doc['properties']) ? (doc['properties'] as Array<Record<string, Json>>) : [];
  const caseKeys = ['name', 'description', 'expect', 'stages', 'event', 'events', 'events_file', 'count', 'alerts', 'known_gap', 'other'];
  // The keys whose combinations the loader checks come up more often.
  const propertyKeys = ['name', 'description', 'from', 'from', 'event', 'event', 'mutate', 'mutate', 'mutate', 'expect', 'expect', 'runs', 'stages', 'known_gap', 'other'];
  const inProperty = fc
    .tuple(fc.nat(Math.max(0, properties.length - 1)), fc.constantFrom(...propertyKeys))
    .chain(([k, key]) =>
      fc.tuple(fc.constant(k), fc.constant(key), fc.option(valueFor(key === 'event' ? 'event_template' : key === 'expect' ? 'property_expect' : key), { nil: undefined, freq: 4 })),
    )
    .map(([k, key, value]) => {
      const p: Record<string, Json> = { ...properties[k] };
      if (value === undefined) delete p[key];
      else p[key] = value;
      return { ...doc, properties: properties.map((x, j) => (j === k ? p : x)) } as Json;
    });
  // A key a property has, dropped (required keys and the keys others depend on: from and mutate, same and mutate).
  const dropInProperty = fc.tuple(fc.nat(Math.max(0, properties.length - 1)), fc.nat()).map(([k, n]) => {
    const p: Record<string, Json> = { ...properties[k] };
    const keys = Object.keys(p);
    delete p[keys[n % keys.length] ?? 'name'];
    return { ...doc, properties: properties.map((x, j) => (j === k ? p : x)) } as Json;
  });
  const topLevel = fc
    .constantFrom('rule', 'logsource', 'cases', 'properties', 'other')
    .chain((key) => fc.tuple(fc.constant(key), fc.option(valueFor(key), { nil: undefined, freq: 4 })))
    .map(([key, value]) => {
      const d: Record<string, Json> = { ...doc };
      if (value === undefined) delete d[key];
      else d[key] = value;
      return d as Json;
    });
  const inCase = fc
    .tuple(fc.nat(cases.length - 1), fc.constantFrom(...caseKeys))
    .chain(([k, key]) => fc.tuple(fc.constant(k), fc.constant(key), fc.option(valueFor(key), { nil: undefined, freq: 4 })))
    .map(([k, key, value]) => {
      const c: Record<string, Json> = { ...cases[k] };
      if (value === undefined) delete c[key];
      else c[key] = value;
      return { ...doc, cases: cases.map((x, j) => (j === k ? c : x)) } as Json;
    });
  const wholeCase = fc.tuple(fc.nat(cases.length - 1), notObject).map(([k, v]) => ({ ...doc, cases: cases.map((x, j) => (j === k ? v : x)) }) as Json);
  return fc.oneof(
    { weight: 2, arbitrary: topLevel },
    { weight: 6, arbitrary: inCase },
    { weight: properties.length > 0 ? 6 : 0, arbitrary: inProperty },
    { weight: properties.length > 0 ? 2 : 0, arbitrary: dropInProperty },
    { weight: 1, arbitrary: wholeCase },
    { weight: 1, arbitrary: notObject },
  );
}

const document: fc.Arbitrary<Json> = fc.oneof(validDoc, validDoc.chain(mutate), validDoc.chain(mutate).chain((d) => (typeof d === 'object' && d !== null && !Array.isArray(d) && Array.isArray(d['cases']) && d['cases'].length > 0 ? mutate(d as Record<string, Json>) : fc.constant(d))));

const isMap = (x: Json | undefined): x is { [k: string]: Json } => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Two cases (or two properties) of the file with the same name: a loader rule the schema cannot express. */
function repeatsName(doc: Json): boolean {
  if (!isMap(doc)) return false;
  return ['cases', 'properties'].some((key) => {
    const list = doc[key];
    if (!Array.isArray(list)) return false;
    const names = list.flatMap((c) => (isMap(c) && typeof c['name'] === 'string' ? [c['name']] : []));
    return new Set(names).size < names.length;
  });
}

/** A property whose 'from' names no case of the file with an 'event': the other loader rule the schema cannot express. */
function badFrom(doc: Json): boolean {
  if (!isMap(doc) || !Array.isArray(doc['properties']) || !Array.isArray(doc['cases'])) return false;
  const withEvent = new Set(doc['cases'].flatMap((c) => (isMap(c) && typeof c['name'] === 'string' && c['event'] !== undefined ? [c['name']] : [])));
  return doc['properties'].some((p) => isMap(p) && typeof p['from'] === 'string' && !withEvent.has(p['from']));
}

/** The document as YAML text: block style (the loader's fast reader) or flow JSON (js-yaml's events). */
const asText = (doc: Json, flow: boolean): string => (flow ? JSON.stringify(doc) : dump(doc, { lineWidth: -1 }));

describe('the case-file schema and the loader agree', () => {
  it('on generated documents, valid ones and mutated ones: the loader accepts exactly what the schema accepts', () => {
    let accepted = 0;
    let total = 0;
    fc.assert(
      fc.property(document, fc.boolean(), (doc, flow) => {
        const schemaOk = validate(doc) === true;
        const loaded = loadCaseText(asText(doc, flow), 'cases/generated.yml');
        const loaderOk = loaded.caseFile !== undefined && !loaded.diagnostics.some((d) => d.severity === 'error');
        total++;
        if (loaderOk) accepted++;
        const why = `schema: ${JSON.stringify(validate.errors ?? [])}\nloader: ${loaded.diagnostics.map((d) => `${d.code} ${d.path ?? ''} ${d.message}`).join('; ')}`;
        expect(loaderOk, why).toBe(schemaOk && !repeatsName(doc) && !badFrom(doc));
      }),
      { numRuns: 2000, seed: 20261201 },
    );
    // Both kinds are well represented.
    expect(accepted).toBeGreaterThan(total / 5);
    expect(total - accepted).toBeGreaterThan(total / 5);
  });

  it('on the shapes of correlation cases, each checked by name (valid and near misses)', () => {
    const ev = [{ a: 1 }, { b: 'x' }];
    const shapes: Array<[Record<string, Json>, boolean]> = [
      [{ events: ev, alerts: { exactly: 1, groups: [{ User: 'eve' }] } }, true],
      [{ events_file: 'x.jsonl', alerts: { group: { User: 'eve' } } }, true],
      [{ events: ev, alerts: { at_least: 0 } }, true],
      [{ events: ev, expect: 'match' }, true],
      [{ events: ev, count: { exactly: 2 } }, true],
      [{ events: ev, alerts: { exactly: 1 }, stages: { condition: true } }, false],
      [{ events: ev, alerts: { exactly: 1 }, expect: 'match' }, false],
      [{ events: ev, alerts: { exactly: 1 }, count: { exactly: 1 } }, false],
      [{ event: { a: 1 }, alerts: { exactly: 1 } }, false],
      [{ event: { a: 1 }, expect: 'match', events: ev }, false],
      [{ events: ev, events_file: 'x.jsonl', alerts: { exactly: 1 } }, false],
      [{ events: ev }, false],
      [{ events: ev, expect: 'match', count: { exactly: 1 } }, false],
      [{ events: [], alerts: { exactly: 1 } }, false],
      [{ events: [1], alerts: { exactly: 1 } }, false],
      [{ events: ev, alerts: {} }, false],
      [{ events: ev, alerts: { group: { a: 1 }, groups: [{ a: 1 }] } }, false],
      [{ events: ev, alerts: { groups: [1] } }, false],
      [{ events: ev, alerts: { group: [] } }, false],
      [{ events: ev, alerts: { exactly: -1 } }, false],
      [{ events: ev, alerts: { sometimes: 1 } }, false],
    ];
    for (const [shape, ok] of shapes) {
      const doc = { rule: 'c', cases: [{ name: 'c1', ...shape }] };
      const loaded = loadCaseText(JSON.stringify(doc), 'cases/c.yml');
      const loaderOk = loaded.caseFile !== undefined && !loaded.diagnostics.some((d) => d.severity === 'error');
      expect([JSON.stringify(shape), validate(doc)]).toEqual([JSON.stringify(shape), ok]);
      expect([JSON.stringify(shape), loaderOk]).toEqual([JSON.stringify(shape), ok]);
    }
  });

  it('the bundled case files are valid for both', () => {
    const dir = fileURLToPath(new URL('../../cases/', import.meta.url));
    const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      expect(loadCaseText(text, f).diagnostics, f).toEqual([]);
      expect(validate(load(text)), `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });
});
