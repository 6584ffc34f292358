import { describe, it, expect, onTestFinished } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { ChunkBinXml } from './binxml.js';
import { checkChunk, chunkRecords } from './chunk.js';
import { buildEvtxFile, ChunkWriter, synthValue as v } from '../../test/support/evtx-writer.js';
import type { SynthContent, SynthNode, SynthTemplate, SynthValue } from '../../test/support/evtx-writer.js';
import { templateFlat } from './to-flat.js';
import { templateJson } from './to-json.js';
import { readEvtxSync } from './read-evtx.js';
import { ValueType as S } from './values.js';
import { flattenEvent } from '../events/flatten-event.js';
import { readEventBatches, readEventFileSync } from '../event-files/read-events.js';

/** The record's flat event both ways: straight from the template, and flattened from its JSON. */
function bothWays(t: SynthTemplate): { flat: Record<string, unknown> | undefined; expected: Record<string, unknown> } {
  const w = new ChunkWriter();
  w.addRecord(1, t);
  const chunk = w.finish();
  const check = checkChunk(chunk);
  if (!check.ok) throw new Error(check.reason);
  const rec = [...chunkRecords(chunk, check.header)][0];
  if (rec === undefined || rec.kind === 'bad') throw new Error('no record');
  const instance = new ChunkBinXml(chunk).parseInstance(rec.dataStart, rec.dataEnd);
  if (instance === undefined) throw new Error('not a template instance');
  return { flat: templateFlat(instance.def, instance.values), expected: flattenEvent(templateJson(instance.def.nodes, instance.values)) };
}

/** Same fields, same values, same order. */
function expectSame(flat: Record<string, unknown>, expected: Record<string, unknown>): void {
  expect(flat).toStrictEqual(expected);
  expect(Object.keys(flat)).toEqual(Object.keys(expected));
}

// Names chosen to collide: with each other, with System fields, with what flattening treats apart.
/** Mostly `plain` names, sometimes `special` ones. */
function names(plain: string[], special: string[]): fc.Arbitrary<string> {
  return fc.oneof({ arbitrary: fc.constantFrom(...plain), weight: 6 }, { arbitrary: fc.constantFrom(...special), weight: 1 });
}
const ELEMENT = names(['EventID', 'Provider', 'Channel', 'Execution', 'Level', 'Task', 'Keywords', 'Security', 'Computer'], ['Provider_Name', 'EventID', 'Data', '#text', '@x', '7']);
const ATTRIBUTE = names(['Name', 'Guid', 'Qualifiers', 'SystemTime', 'UserID'], ['xmlns', 'Process ID', 'ProcessID', 'Name']);
const DATA_NAME = names(
  ['Image', 'User', 'CommandLine', 'TargetObject', 'Details', 'ParentImage', 'Hashes', 'Product', 'Company', 'Target Filename'],
  ['Channel', 'Data', '#text', '@x', '1', '', 'A B', 'AB', '__proto__', 'Image'],
);
const VALUE: fc.Arbitrary<SynthValue> = fc.oneof(
  fc.constantFrom('cmd.exe', 'a b  ', '', 'C:\\x').map((s) => v.string(s)),
  fc.integer({ min: 0, max: 65535 }).map((n) => v.uint16(n)),
  fc.constant(v.null()),
  fc.constant(v.array([v.string('p'), v.string('q ')])),
);

/** Content of an attribute or element; substitutions take the next value index. */
function contentArb(next: () => number): fc.Arbitrary<SynthContent[]> {
  return fc.oneof(
    fc.constant<SynthContent[]>([]),
    fc.constant(null).map(() => [{ sub: next(), type: S.String, optional: true }]),
    fc.constant(null).map(() => [{ text: 'pre ' }, { sub: next(), type: S.String, optional: true }]),
    fc.constantFrom<SynthContent[]>([{ text: 'x' }], [{ charref: 65 }], [{ entity: 'amp' }], [{ cdata: 'c' }]),
  );
}

/**
 * A random template near the Windows shape (System, EventData of named Data, or EventData as a
 * nested BinXml value), often just outside it, with its values.
 */
// Few keys: templates of different shapes share GUIDs (and sizes), as plans are kept by GUID.
const templateArb: fc.Arbitrary<SynthTemplate> = fc.integer({ min: 0, max: 3 }).chain((key) => {
  let n = 0;
  const next = (): number => n++;
  const data = fc.array(fc.tuple(DATA_NAME, contentArb(next)), { maxLength: 4 });
  return fc
    .record({
      system: fc.array(fc.tuple(ELEMENT, fc.array(fc.tuple(ATTRIBUTE, contentArb(next)), { maxLength: 2 }), contentArb(next)), { minLength: 1, maxLength: 4 }),
      eventData: fc.option(data, { nil: undefined }),
      tail: fc.boolean(),
      nested: fc.option(fc.array(fc.tuple(DATA_NAME, VALUE), { maxLength: 4 }), { nil: undefined }),
      // The nested EventData as Windows writes it, a template instance of its own (0: plain nodes),
      // sometimes just outside the shape flattened from its definition.
      nestedInstance: fc.integer({ min: 0, max: 6 }),
      nestedValues: fc.array(fc.oneof({ arbitrary: VALUE, weight: 8 }, { arbitrary: fc.constant<SynthValue>({ xml: [{ text: 'x' }] }), weight: 1 }), { minLength: 8, maxLength: 8 }),
      userData: fc.integer({ min: 0, max: 5 }).map((k) => k === 0),
      values: fc.array(VALUE, { minLength: 40, maxLength: 40 }),
    })
    .map((r) => {
      const children: SynthNode[] = [
        { el: 'System', children: r.system.map(([el, attrs, text]) => ({ el, attrs, children: text })) },
      ];
      if (r.eventData !== undefined) children.push({ el: 'EventData', children: r.eventData.map(([name, text]) => ({ el: 'Data', attrs: [['Name', [{ text: name }]]], children: text })) });
      if (r.userData) children.push({ el: 'UserData', children: [{ el: 'Param', children: [{ text: 'p' }] }] });
      const values = r.values.slice(0, n);
      if (r.tail) {
        children.push({ sub: n, type: S.BinXml, optional: true });
        const nested = r.nested ?? [];
        values.push(
          r.nested === undefined
            ? v.null()
            : r.nestedInstance === 0
              ? { xml: [{ el: 'EventData', children: nested.map(([name, value]) => ({ el: 'Data', attrs: [['Name', [{ text: name }]]], children: value === undefined ? [] : [{ text: valueText(value) }] })) }] }
              : { xml: nestedInstance(key, r.nestedInstance, nested.map(([name]) => name), r.nestedValues) },
        );
      }
      return { key: `t${key}`, nodes: [{ el: 'Event', attrs: [['xmlns', [{ text: 'urn:x' }]]], children }], values };
    });
});

/**
 * A nested EventData template instance over `names` (Data text a substitution, or mixed content),
 * in the shape flattened from the definition (kinds 1-4) or just outside it (5: an attribute on
 * EventData; 6: a Name given by a substitution).
 */
function nestedInstance(key: number, kind: number, names: string[], values: SynthValue[]): SynthTemplate {
  const data: SynthNode[] = names.map((name, i) => ({
    el: 'Data',
    attrs: [['Name', kind === 6 && i === 0 ? [{ sub: 7, type: S.String }] : [{ text: name }]]],
    children: kind === 2 && i === 0 ? [{ text: 'pre ' }, { sub: i, type: S.String, optional: true }] : kind === 3 && i === 0 ? [] : [{ sub: i, type: S.String, optional: true }],
  }));
  const eventData: SynthNode = { el: 'EventData', children: data };
  if (kind === 5) eventData.attrs = [['a', [{ text: 'b' }]]];
  return { key: `n${key}`, nodes: kind === 4 ? [{ pi: 'p', data: 'd' }, eventData] : [eventData], values: values.slice(0, 8) };
}

/** Literal text for nested Data (instantiated fragments hold text, not substitutions). */
function valueText(value: SynthValue): string {
  return 'bytes' in value && value.type === S.String ? Buffer.from(value.bytes).toString('utf16le').replace(/\0+$/, '') : 'v';
}

describe('flat rendering straight from the template', () => {
  it('equals flattening the JSON rendering, whenever it takes a record (fields, values, order)', () => {
    let taken = 0;
    let runs = 0;
    fc.assert(
      fc.property(templateArb, (t) => {
        runs++;
        const { flat, expected } = bothWays(t);
        if (flat === undefined) return;
        taken++;
        expectSame(flat, expected);
      }),
      { numRuns: 3000, seed: 20261128 },
    );
    // Both ways are exercised: many records near the shape are taken, many just outside are not.
    expect(taken).toBeGreaterThan(runs * 0.2);
    expect(taken).toBeLessThan(runs * 0.9);
  });

  it('gives each record of one template its own fields when records leave out different ones (fields kept per template)', () => {
    // Records of one template in one chunk, each with some values null: attributes and text left
    // out at any place, also at the end (a record whose fields are a prefix of the last one's).
    let reused = 0;
    fc.assert(
      // A few masks of values left null, taken in turn by up to 60 records: a shape recurs often
      // enough to be made by its own function (after 16 records) as well as field by field.
      fc.property(templateArb, fc.array(fc.array(fc.boolean(), { minLength: 48, maxLength: 48 }), { minLength: 1, maxLength: 3 }), fc.array(fc.nat(2), { minLength: 2, maxLength: 60 }), (t, masks, picks) => {
        const w = new ChunkWriter();
        const nulls = picks.map((p) => masks[p % masks.length] as boolean[]);
        const variants = nulls.map((mask) => ({ ...t, values: t.values.map((x, i) => (mask[i] === true && !('xml' in x) ? v.null() : x)) }));
        variants.forEach((variant, i) => w.addRecord(i + 1, variant));
        const chunk = w.finish();
        const check = checkChunk(chunk);
        if (!check.ok) throw new Error(check.reason);
        const binxml = new ChunkBinXml(chunk);
        let last: string | undefined;
        for (const rec of chunkRecords(chunk, check.header)) {
          if (rec.kind === 'bad') throw new Error(rec.reason);
          const instance = binxml.parseInstance(rec.dataStart, rec.dataEnd);
          if (instance === undefined) throw new Error('not a template instance');
          const flat = templateFlat(instance.def, instance.values);
          if (flat === undefined) continue;
          expectSame(flat, flattenEvent(templateJson(instance.def.nodes, instance.values)));
          const keys = Object.keys(flat).join('|');
          if (keys === last) reused++;
          last = keys;
        }
      }),
      { numRuns: 600, seed: 20261207 },
    );
    expect(reused).toBeGreaterThan(500);
  });

  it('takes the Windows shape, and leaves repeated or specially named fields to the JSON path', () => {
    const system: SynthNode = {
      el: 'System',
      children: [
        { el: 'Provider', attrs: [['Name', [{ text: 'P' }]], ['Guid', [{ sub: 0, type: S.String, optional: true }]]] },
        { el: 'EventID', attrs: [['Qualifiers', [{ sub: 1, type: S.UInt16, optional: true }]]], children: [{ sub: 2, type: S.UInt16 }] },
        { el: 'Correlation' },
      ],
    };
    const windows = (data: Array<[string, string]>): SynthTemplate => ({
      key: `w${data.map((d) => d[0]).join('|')}`,
      nodes: [{ el: 'Event', attrs: [['xmlns', [{ text: 'urn:x' }]]], children: [system, { sub: 3, type: S.BinXml, optional: true }] }],
      values: [v.null(), v.null(), v.uint16(11), { xml: [{ el: 'EventData', children: data.map(([name, text]) => ({ el: 'Data', attrs: [['Name', [{ text: name }]]], children: [{ text }] })) }] }],
    });
    const ok = bothWays(windows([['Image', 'C:\\a.exe  '], ['Target Filename', 'b']]));
    expect(ok.flat).toBeDefined();
    expectSame(ok.flat as Record<string, unknown>, ok.expected);
    expect(ok.flat).toEqual({ Provider_Name: 'P', EventID: 11, Correlation: null, Image: 'C:\\a.exe', TargetFilename: 'b' });
    // Repeated names become arrays, a System name moves to `EventData.<name>`, `Data` collects
    // unnamed values: the JSON path does all of that.
    for (const data of [[['Image', 'a'], ['Image', 'b']], [['EventID', '4']], [['Data', 'x']], [['2', 'x']]] as Array<Array<[string, string]>>) {
      const r = bothWays(windows(data));
      expect(r.flat, JSON.stringify(data)).toBeUndefined();
    }
  });

  it('keeps plans apart for templates that share a GUID and size but differ in a name, text or substitution', () => {
    const shaped = (attr: string, text: string, sub: number): SynthTemplate => ({
      key: 'shared', // one GUID for all
      nodes: [
        {
          el: 'Event',
          children: [
            { el: 'System', children: [{ el: 'Provider', attrs: [[attr, [{ sub, type: S.String }]]] }, { el: 'Channel', children: [{ text }] }] },
          ],
        },
      ],
      values: [v.string('zero'), v.string('one')],
    });
    const seen = new Set<string>();
    for (const [attr, text, sub] of [['Name', 'Sec', 0], ['Guid', 'Sec', 0], ['Guid', 'App', 0], ['Guid', 'App', 1], ['Name', 'Sec', 0]] as Array<[string, string, number]>) {
      const { flat, expected } = bothWays(shaped(attr, text, sub));
      expect(flat).toBeDefined();
      expectSame(flat as Record<string, unknown>, expected);
      seen.add(JSON.stringify(flat));
    }
    expect(seen.size).toBe(4);
  });

  it('renders the EVTX-JSON of a flattened record only when asked, and the same as before', async () => {
    const w = new ChunkWriter();
    w.addRecord(7, {
      key: 'k',
      nodes: [{ el: 'Event', children: [{ el: 'System', children: [{ el: 'EventID', children: [{ sub: 0, type: S.UInt16 }] }] }, { sub: 1, type: S.BinXml, optional: true }] }],
      values: [v.uint16(1), { xml: [{ el: 'EventData', children: [{ el: 'Data', attrs: [['Name', [{ text: 'Image' }]]], children: [{ text: 'x.exe' }] }] }] }],
    });
    const dir = mkdtempSync(join(tmpdir(), 'sigmatest-flat-'));
    const file = join(dir, 'one.evtx');
    writeFileSync(file, buildEvtxFile([w.finish()]));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const [rec] = readEvtxSync(file);
    if (rec?.kind !== 'record') throw new Error('no record');
    expect(rec.flat).toEqual({ EventID: 1, Image: 'x.exe' });
    // A getter (on the prototype), not a value rendered ahead.
    expect(Object.hasOwn(rec, 'event')).toBe(false);
    expect(rec.event).toEqual({ Event: { System: { EventID: 1 }, EventData: { Image: 'x.exe' } } });
    expect(rec.event).toBe(rec.event); // rendered once
    // The public readers give plain objects (copies and JSON keep `raw`)...
    const read = readEventFileSync(file).events[0];
    expect(read?.event).toEqual({ EventID: 1, Image: 'x.exe' });
    const json = '{"Event":{"System":{"EventID":1},"EventData":{"Image":"x.exe"}}}';
    expect(JSON.stringify({ ...read }.raw)).toBe(json);
    expect(JSON.parse(JSON.stringify(read)) as unknown).toEqual({ kind: 'event', event: { EventID: 1, Image: 'x.exe' }, raw: JSON.parse(json) as unknown, file, index: 0, line: 0 });
    // ...the batches a scan reads render `raw` when it is read, and hold nothing else of the record.
    const batches: unknown[] = [];
    for await (const b of readEventBatches(file)) batches.push(...b);
    const lazy = batches[0] as { raw: unknown; event: unknown };
    expect(Object.hasOwn(lazy, 'raw')).toBe(false);
    expect(Object.keys(lazy).sort()).toEqual(['event', 'file', 'index', 'kind', 'line']);
    expect(JSON.stringify(lazy.raw)).toBe(json);
  });
});

const REGRESSION = fileURLToPath(new URL('../../../shared/corpus/sigmahq/regression_data', import.meta.url));

describe.skipIf(!existsSync(REGRESSION))('flat rendering on the SigmaHQ regression .evtx files (../shared)', () => {
  it('takes every record and equals flattening its JSON', () => {
    let records = 0;
    let taken = 0;
    for (const file of evtxFiles(REGRESSION)) {
      for (const item of readEvtxSync(file)) {
        if (item.kind !== 'record') continue;
        records++;
        if (item.flat === undefined) continue;
        taken++;
        expectSame(item.flat, flattenEvent(item.event));
      }
    }
    expect(records).toBeGreaterThan(100);
    expect(taken).toBe(records);
  });
});

function evtxFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? evtxFiles(p) : name.endsWith('.evtx') ? [p] : [];
  });
}
