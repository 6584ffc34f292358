/**
 * The case-file format is defined twice: by the JSON Schema editors validate with
 * (schema/case-file.schema.json) and by the loader (loadCaseText). This property holds them to
 * each other: on generated documents, valid ones and mutations of them, the loader accepts a
 * document exactly when the schema does.
 *
 * The one rule the schema cannot express: case names are unique within a file (JSON Schema has no
 * uniqueness by property). The loader also rejects those; the property says so explicitly.
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

const validDoc: fc.Arbitrary<Record<string, Json>> = fc
  .tuple(
    fc.oneof(fc.uuid(), word.map((w) => `../rules/${w}.yml`), fc.constant(' ')),
    fc.option(fc.constantFrom('ignore', 'map'), { nil: undefined }),
    fc.integer({ min: 1, max: 3 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, k) => validCase(`case ${k + 1}`)))),
  )
  .map(([rule, logsource, cases]) => ({ rule, ...(logsource !== undefined ? { logsource } : {}), cases }));

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
  other: [1, 'x', null],
};

/** A value for `key`: mostly a near miss, sometimes any JSON. */
const valueFor = (key: string): fc.Arbitrary<Json> => fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...(NEAR[key] ?? [null])) }, { weight: 1, arbitrary: json });

/** One change to a document or to one of its cases: a key dropped, added, or given another value. */
function mutate(doc: Record<string, Json>): fc.Arbitrary<Json> {
  const cases = doc['cases'] as Array<Record<string, Json>>;
  const caseKeys = ['name', 'description', 'expect', 'stages', 'event', 'events', 'events_file', 'count', 'alerts', 'other'];
  const topLevel = fc
    .constantFrom('rule', 'logsource', 'cases', 'other')
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
  return fc.oneof({ weight: 2, arbitrary: topLevel }, { weight: 6, arbitrary: inCase }, { weight: 1, arbitrary: wholeCase }, { weight: 1, arbitrary: notObject });
}

const document: fc.Arbitrary<Json> = fc.oneof(validDoc, validDoc.chain(mutate), validDoc.chain(mutate).chain((d) => (typeof d === 'object' && d !== null && !Array.isArray(d) && Array.isArray(d['cases']) && d['cases'].length > 0 ? mutate(d as Record<string, Json>) : fc.constant(d))));

/** Two cases of the file with the same name: the loader's rule the schema cannot express. */
function repeatsName(doc: Json): boolean {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || !Array.isArray(doc['cases'])) return false;
  const names = doc['cases'].flatMap((c) => (typeof c === 'object' && c !== null && !Array.isArray(c) && typeof c['name'] === 'string' ? [c['name']] : []));
  return new Set(names).size < names.length;
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
        expect(loaderOk, why).toBe(schemaOk && !repeatsName(doc));
      }),
      { numRuns: 1000, seed: 20261201 },
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
