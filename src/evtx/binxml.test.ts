import { describe, it, expect } from 'vitest';
import { ChunkBinXml } from './binxml.js';
import { checkChunk, chunkRecords } from './chunk.js';
import { ChunkWriter, fixChunkChecksums, synthValue as v } from '../../test/support/evtx-writer.js';
import type { SynthNode, SynthTemplate, SynthValue } from '../../test/support/evtx-writer.js';
import { templateJson, toEvtxJson, toXml } from './to-json.js';
import { templateFlat } from './to-flat.js';
import { EvtxFormatError, ValueType } from './values.js';
import { flattenEvent } from '../events/flatten-event.js';

/** Records rendered both ways by {@link parseChunk} (the direct path was taken). */
let direct = 0;
/** Records also flattened straight from the template by {@link parseChunk}. */
let flatDirect = 0;

/**
 * Parses every record of a finished chunk; returns per record the JSON or the error message.
 * Records that are one template instance are also rendered by the direct path and compared.
 */
function parseChunk(chunk: Buffer): Array<{ id: number; json?: unknown; xml?: string; error?: string }> {
  const check = checkChunk(chunk);
  if (!check.ok) throw new Error(check.reason);
  const parser = new ChunkBinXml(chunk);
  const out: Array<{ id: number; json?: unknown; xml?: string; error?: string }> = [];
  for (const r of chunkRecords(chunk, check.header)) {
    if (r.kind === 'bad') throw new Error(r.reason);
    try {
      const nodes = parser.parseDocument(r.dataStart, r.dataEnd);
      const json = toEvtxJson(nodes);
      // The reader's direct path (template + values, no instantiated tree) must render the same.
      const instance = parser.parseInstance(r.dataStart, r.dataEnd);
      if (instance !== undefined) {
        const rendered = templateJson(instance.def.nodes, instance.values);
        expect(rendered).toEqual(json);
        // Key order too: a match's EVTX-JSON is printed as this text.
        expect(JSON.stringify(rendered)).toBe(JSON.stringify(json));
        direct++;
        // And the flat rendering, when it takes the record, is the JSON flattened (key order too).
        const flat = templateFlat(instance.def, instance.values);
        if (flat !== undefined) {
          const expected = flattenEvent(json);
          expect(flat).toStrictEqual(expected);
          expect(Object.keys(flat)).toEqual(Object.keys(expected));
          flatDirect++;
        }
      }
      out.push({ id: r.recordId, json, xml: toXml(nodes) });
    } catch (e) {
      out.push({ id: r.recordId, error: (e as Error).message });
    }
  }
  return out;
}

function one(event: SynthTemplate | SynthNode[]): { json?: unknown; xml?: string; error?: string } {
  const w = new ChunkWriter();
  w.addRecord(1, event);
  const r = parseChunk(w.finish())[0];
  if (r === undefined) throw new Error('no record');
  return r;
}

const S = ValueType;

/** An Event template like Windows writes: System values by substitution, EventData as nested BinXml. */
const eventTemplate: SynthNode[] = [
  {
    el: 'Event',
    attrs: [['xmlns', [{ text: 'http://schemas.microsoft.com/win/2004/08/events/event' }]]],
    children: [
      {
        el: 'System',
        children: [
          { el: 'Provider', attrs: [['Name', [{ sub: 0, type: S.String, optional: true }]], ['Guid', [{ sub: 1, type: S.Guid, optional: true }]]] },
          { el: 'EventID', attrs: [['Qualifiers', [{ sub: 2, type: S.UInt16, optional: true }]]], children: [{ sub: 3, type: S.UInt16 }] },
          { el: 'Keywords', children: [{ sub: 4, type: S.HexInt64, optional: true }] },
          { el: 'TimeCreated', attrs: [['SystemTime', [{ sub: 5, type: S.FileTime, optional: true }]]] },
          { el: 'EventRecordID', children: [{ sub: 6, type: S.UInt64, optional: true }] },
          {
            el: 'Correlation',
            attrs: [['ActivityID', [{ sub: 7, type: S.Guid, optional: true }]], ['RelatedActivityID', [{ sub: 8, type: S.Guid, optional: true }]]],
          },
          { el: 'Execution', attrs: [['ProcessID', [{ sub: 9, type: S.UInt32 }]], ['ThreadID', [{ sub: 10, type: S.UInt32 }]]] },
          { el: 'Channel', children: [{ text: 'Microsoft-Windows-Sysmon/Operational' }] },
          { el: 'Security', attrs: [['UserID', [{ sub: 11, type: S.Sid, optional: true }]]] },
        ],
      },
      { sub: 12, type: S.BinXml, optional: true },
    ],
  },
];

function eventData(fields: Array<[string, SynthValue]>, key = 'ed'): SynthValue {
  return {
    xml: {
      key,
      nodes: [
        {
          el: 'EventData',
          children: fields.map(([name], i) => ({ el: 'Data', attrs: [['Name', [{ text: name }]]], children: [{ sub: i, type: S.String, optional: true }] })),
        },
      ],
      values: fields.map(([, value]) => value),
    },
  };
}

function event(values: Partial<Record<number, SynthValue>>, data: SynthValue): SynthTemplate {
  const defaults: SynthValue[] = [
    v.string('Microsoft-Windows-Sysmon'),
    v.guid('5770385F-C22A-43E0-BF4C-06F5698FFBD9'),
    v.null(),
    v.uint16(1),
    v.hexInt64(0x8000000000000000n),
    v.filetime(134058224746406705n),
    v.uint64(14961n),
    v.null(),
    v.null(),
    v.uint32(3308),
    v.uint32(4008),
    v.sid('S-1-5-18'),
    data,
  ];
  return { key: 'event', nodes: eventTemplate, values: defaults.map((d, i) => values[i] ?? d) };
}

describe('Binary XML: templates and substitutions', () => {
  it('renders a Sysmon-like record as EVTX-JSON', () => {
    const r = one(event({}, eventData([['Image', v.string('C:\\x.exe ')], ['ProcessId', v.uint32(7760)], ['Empty', v.null()]])));
    expect(r.error).toBeUndefined();
    expect(r.json).toEqual({
      Event: {
        '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
        System: {
          Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon', Guid: '5770385F-C22A-43E0-BF4C-06F5698FFBD9' } },
          EventID: 1,
          Keywords: '0x8000000000000000',
          TimeCreated: { '#attributes': { SystemTime: '2025-10-24T23:34:34.640670Z' } },
          EventRecordID: 14961,
          Correlation: null,
          Execution: { '#attributes': { ProcessID: 3308, ThreadID: 4008 } },
          Channel: 'Microsoft-Windows-Sysmon/Operational',
          Security: { '#attributes': { UserID: 'S-1-5-18' } },
        },
        EventData: { Image: 'C:\\x.exe', ProcessId: 7760, Empty: null },
      },
    });
    expect(r.xml).toContain('<Data Name="Image">C:\\x.exe </Data>');
  });

  it('keeps an attribute with a value and the element text next to it', () => {
    const r = one(event({ 2: v.uint16(16384), 7: v.guid('11111111-2222-3333-4444-555555555555') }, eventData([])));
    const sys = (r.json as { Event: { System: Record<string, unknown> } }).Event.System;
    expect(sys['EventID']).toEqual({ '#attributes': { Qualifiers: 16384 }, '#text': 1 });
    expect(sys['Correlation']).toEqual({ '#attributes': { ActivityID: '11111111-2222-3333-4444-555555555555' } });
    expect(flattenEvent(r.json)).toMatchObject({ EventID: 1, EventID_Qualifiers: 16384, Correlation_ActivityID: '11111111-2222-3333-4444-555555555555' });
  });

  it('reuses a template definition by offset in later records, and names by offset', () => {
    const w = new ChunkWriter();
    w.addRecord(1, event({}, eventData([['A', v.string('one')]])));
    w.addRecord(2, event({ 3: v.uint16(2), 6: v.uint64(2n) }, eventData([['A', v.string('two')]])));
    w.addRecord(3, event({ 3: v.uint16(3), 6: v.uint64(3n), 11: v.null() }, eventData([['A', v.null()]])));
    const rs = parseChunk(w.finish());
    expect(rs.map((r) => r.error)).toEqual([undefined, undefined, undefined]);
    const flat = rs.map((r) => flattenEvent(r.json));
    expect(flat.map((f) => [f['EventID'], f['EventRecordID'], f['A'], f['Security'], f['Security_UserID']])).toEqual([
      [1, 14961, 'one', undefined, 'S-1-5-18'],
      [2, 2, 'two', undefined, 'S-1-5-18'],
      [3, 3, null, null, undefined],
    ]);
  });

  it('repeats array values as JSON arrays and collects unnamed Data', () => {
    const data: SynthValue = {
      xml: {
        key: 'classic',
        nodes: [
          {
            el: 'EventData',
            children: [
              { el: 'Data', children: [{ sub: 0, type: S.String }] },
              { el: 'Data', children: [{ sub: 1, type: S.String }] },
              { el: 'Data', attrs: [['Name', [{ text: 'List' }]]], children: [{ sub: 2, type: S.String | S.Array }] },
              { el: 'Binary', children: [{ sub: 3, type: S.Binary }] },
            ],
          },
        ],
        values: [v.string('first'), v.string('second'), v.array([v.string('a'), v.string('b')]), v.binary('DEADBEEF')],
      },
    };
    const r = one(event({}, data));
    expect((r.json as { Event: Record<string, unknown> }).Event['EventData']).toEqual({
      Data: ['first', 'second'],
      List: ['a', 'b'],
      Binary: 'DEADBEEF',
    });
    expect(flattenEvent(r.json)).toMatchObject({ Data: ['first', 'second'], List: ['a', 'b'], Binary: 'DEADBEEF' });
  });

  it('parses nested BinXml given as plain elements without dependency identifiers (UserData)', () => {
    const userData: SynthValue = {
      xml: [
        {
          el: 'UserData',
          children: [
            {
              el: 'LogFileCleared',
              attrs: [['xmlns', [{ text: 'http://manifests.microsoft.com/win/2004/08/windows/eventlog' }]]],
              children: [
                { el: 'SubjectUserName', children: [{ text: 'admin' }] },
                { el: 'Channel', children: [{ text: 'Security' }] },
              ],
            },
          ],
        },
      ],
      dependencyIds: false,
    };
    const r = one(event({}, userData));
    expect(r.error).toBeUndefined();
    expect(flattenEvent(r.json)).toMatchObject({ SubjectUserName: 'admin', 'UserData.Channel': 'Security' });
  });

  it('also reads nested elements that do carry dependency identifiers', () => {
    const r = one(event({}, { xml: [{ el: 'EventData', children: [{ el: 'Data', attrs: [['Name', [{ text: 'X' }]]], children: [{ text: '1' }] }] }], dependencyIds: true }));
    expect(flattenEvent(r.json)['X']).toBe('1');
  });

  it('renders every value type through a template', () => {
    const values: Array<[string, SynthValue, unknown]> = [
      ['I8', v.int8(-1), -1],
      ['U8', v.uint8(200), 200],
      ['I16', v.int16(-2), -2],
      ['U16', v.uint16(2), 2],
      ['I32', v.int32(-3), -3],
      ['U32', v.uint32(3), 3],
      ['I64', v.int64(-4n), -4],
      ['U64', v.uint64(4n), 4],
      ['R32', v.real32(1.5), 1.5],
      ['R64', v.real64(2.25), 2.25],
      ['Bool', v.bool(true), true],
      ['Bin', v.binary('0102'), '0102'],
      ['Guid', v.guid('00112233-4455-6677-8899-AABBCCDDEEFF'), '00112233-4455-6677-8899-AABBCCDDEEFF'],
      ['Size', v.sizeT(0x10n), '0x10'],
      ['FileTime', v.filetime(116444736000000000n), '1970-01-01T00:00:00.000000Z'],
      ['SysTime', v.systime(2020, 1, 2, 3, 4, 5, 6), '2020-01-02T03:04:05.006000Z'],
      ['Sid', v.sid('S-1-5-32-544'), 'S-1-5-32-544'],
      ['Hex32', v.hexInt32(255), '0xff'],
      ['Hex64', v.hexInt64(4096n), '0x1000'],
      ['Handle', v.evtHandle(9), 9],
      ['Ansi', v.ansi('plain'), 'plain'],
      ['U32s', v.array([v.uint32(1), v.uint32(2)]), [1, 2]],
    ];
    const data: SynthValue = {
      xml: {
        key: 'types',
        nodes: [
          {
            el: 'EventData',
            children: values.map(([name, value], i) => ({
              el: 'Data',
              attrs: [['Name', [{ text: name }]]],
              children: [{ sub: i, type: 'type' in value ? value.type : S.BinXml }],
            })),
          },
        ],
        values: values.map(([, value]) => value),
      },
    };
    const r = one(event({}, data));
    expect(r.error).toBeUndefined();
    const flat = flattenEvent(r.json);
    for (const [name, , expected] of values) expect(flat[name], name).toEqual(expected);
  });
});

describe('Binary XML: rendering straight from the template', () => {
  it('takes template records the direct way (and parseChunk compares every one with the tree)', () => {
    const before = direct;
    const flatBefore = flatDirect;
    const r = one(event({}, eventData([['Image', v.string('C:\\x.exe')], ['Gone', v.null()]])));
    expect(r.error).toBeUndefined();
    expect(direct).toBe(before + 1);
    // The Windows shape (EventData as a nested BinXml value) is flattened straight from the template.
    expect(flatDirect).toBe(flatBefore + 1);
  });

  it('renders the edge cases of substitution alike: a NULL element value next to an attribute, an attribute without content', () => {
    const before = direct;
    const r = one(event({ 2: v.uint16(16384), 3: v.null() }, eventData([['Image', v.string('a')]])));
    expect((r.json as { Event: { System: Record<string, unknown> } }).Event.System['EventID']).toEqual({ '#attributes': { Qualifiers: 16384 } });
    const bare = one({ key: 'bare', nodes: [{ el: 'Event', attrs: [['Empty', []]], children: [{ el: 'System', children: [{ el: 'EventID', children: [{ sub: 0, type: S.UInt16 }] }] }] }], values: [v.uint16(5)] });
    expect(bare.json).toEqual({ Event: { '#attributes': { Empty: '' }, System: { EventID: 5 } } });
    expect(direct).toBe(before + 2);
  });

  it('renders elements, Data names and attributes called __proto__ as own keys, both ways', () => {
    const r = one({
      key: 'proto',
      nodes: [
        {
          el: 'Event',
          attrs: [['__proto__', [{ sub: 0, type: S.String }]]],
          children: [
            { el: 'System', children: [{ el: 'EventID', children: [{ sub: 1, type: S.UInt16 }] }] },
            { el: 'EventData', children: [{ el: 'Data', attrs: [['Name', [{ text: '__proto__' }]]], children: [{ sub: 0, type: S.String }] }] },
            { el: 'UserData', children: [{ el: '__proto__', children: [{ el: 'Param', children: [{ text: 'p' }] }] }] },
          ],
        },
      ],
      values: [v.string('x'), v.uint16(4)],
    });
    const json = r.json as { Event: Record<string, Record<string, unknown>> };
    expect(JSON.stringify(json)).toBe('{"Event":{"#attributes":{"__proto__":"x"},"System":{"EventID":4},"EventData":{"__proto__":"x"},"UserData":{"__proto__":{"Param":"p"}}}}');
    expect(Object.getPrototypeOf(json.Event['UserData'])).toBe(Object.prototype);
    expect(flattenEvent(json)).toMatchObject({ EventID: 4, Param: 'p' });
  });

  it('leaves records that are no single template instance to the general path', () => {
    const w = new ChunkWriter();
    w.addRecord(1, [{ el: 'Event', children: [{ el: 'System', children: [{ el: 'EventID', children: [{ text: '4' }] }] }] }]);
    const chunk = w.finish();
    const check = checkChunk(chunk);
    if (!check.ok) throw new Error(check.reason);
    const parser = new ChunkBinXml(chunk);
    const rec = [...chunkRecords(chunk, check.header)][0];
    if (rec === undefined || rec.kind === 'bad') throw new Error('no record');
    expect(parser.parseInstance(rec.dataStart, rec.dataEnd)).toBeUndefined();
    expect(toEvtxJson(parser.parseDocument(rec.dataStart, rec.dataEnd))).toEqual({ Event: { System: { EventID: '4' } } });
  });
});

describe('Binary XML: literal content', () => {
  it('handles character and entity references, CDATA and processing instructions', () => {
    const r = one([
      { pi: 'xml-stylesheet', data: 'href="a.xsl"' },
      {
        el: 'Event',
        children: [
          { el: 'System', children: [{ el: 'EventID', children: [{ text: '4' }, { text: '2' }] }] },
          {
            el: 'EventData',
            children: [
              { el: 'Data', attrs: [['Name', [{ text: 'Refs' }]]], children: [{ text: 'a' }, { entity: 'amp' }, { charref: 0x42 }, { entity: 'lt' }, { cdata: '<x>' }] },
              { el: 'Data', attrs: [['Name', [{ text: 'Attr' }]]], children: [{ el: 'V', attrs: [['q', [{ text: 'x' }, { entity: 'quot' }, { charref: 0x263a }]]] }] },
            ],
          },
        ],
      },
    ]);
    expect(r.error).toBeUndefined();
    expect(r.json).toEqual({
      Event: { System: { EventID: '42' }, EventData: { Refs: 'a&B<<x>', Attr: { V: { '#attributes': { q: 'x"\u263a' } } } } },
    });
    expect(r.xml).toBe(
      '<?xml-stylesheet href="a.xsl"?><Event><System><EventID>42</EventID></System><EventData><Data Name="Refs">a&amp;&#66;&lt;<![CDATA[<x>]]></Data><Data Name="Attr"><V q="x&quot;&#9786;"/></Data></EventData></Event>',
    );
  });

  it('keeps repeated elements as an array in document order', () => {
    const r = one([{ el: 'Event', children: [{ el: 'System', children: [] }, { el: 'UserData', children: [{ el: 'P', children: [{ text: '1' }] }, { el: 'Q' }, { el: 'P', children: [{ text: '2' }] }] }] }]);
    expect((r.json as { Event: Record<string, unknown> }).Event['UserData']).toEqual({ P: ['1', '2'], Q: null });
  });

  it('drops whitespace-only text between child elements', () => {
    const r = one([{ el: 'Event', children: [{ text: '\n  ' }, { el: 'System', children: [{ el: 'Level', children: [{ text: '4' }] }] }, { text: '\n' }] }]);
    expect(r.json).toEqual({ Event: { System: { Level: '4' } } });
  });
});

describe('Binary XML: malformed input', () => {
  /** A chunk with one good record, then one whose BinXml is damaged by `damage` (checksums fixed). */
  function damaged(damage: (chunk: Buffer, recordOffset: number) => void): Array<{ id: number; error?: string }> {
    const w = new ChunkWriter();
    w.addRecord(1, event({}, eventData([['A', v.string('ok')]])));
    const at = w.addRecord(2, event({}, eventData([['A', v.string('bad')]])));
    w.addRecord(3, event({}, eventData([['A', v.string('ok too')]])));
    const chunk = w.finish();
    damage(chunk, at);
    fixChunkChecksums(chunk);
    return parseChunk(chunk).map((r) => (r.error === undefined ? { id: r.id } : { id: r.id, error: r.error }));
  }

  it('reports an unknown token and parses the following records', () => {
    // Record 2 references the cached template; its first token after the fragment header is 0x0C.
    const rs = damaged((c, at) => {
      c[at + 24 + 4] = 0x1c;
    });
    expect(rs[0]).toEqual({ id: 1 });
    expect(rs[1]?.error).toMatch(/unexpected token 0x1c/);
    expect(rs[2]).toEqual({ id: 3 });
  });

  it('reports a template offset outside the chunk', () => {
    const rs = damaged((c, at) => {
      c.writeUInt32LE(0xfffff0, at + 24 + 4 + 6);
    });
    expect(rs[1]?.error).toMatch(/template definition offset/);
    expect(rs[2]).toEqual({ id: 3 });
  });

  it('reports a value count that cannot fit', () => {
    const rs = damaged((c, at) => {
      c.writeUInt32LE(100000, at + 24 + 4 + 10);
    });
    expect(rs[1]?.error).toMatch(/declares 100000 values/);
  });

  it('throws EvtxFormatError for data outside the chunk', () => {
    const parser = new ChunkBinXml(Buffer.alloc(1024));
    expect(() => parser.parseDocument(1000, 2000)).toThrow(EvtxFormatError);
    expect(() => parser.template(5000)).toThrow(/outside the chunk/);
  });

  it('stops self-referencing templates instead of recursing forever', () => {
    const chunk = Buffer.alloc(2048);
    // A template definition at 600 whose body is a template instance of itself.
    const def = 600;
    chunk.writeUInt32LE(40, def + 20);
    Buffer.from([0x0f, 1, 1, 0, 0x0c, 1, 0, 0, 0, 0]).copy(chunk, def + 24);
    chunk.writeUInt32LE(def, def + 24 + 10);
    const parser = new ChunkBinXml(chunk);
    expect(() => parser.template(def)).toThrow(/refers to itself/);
  });
});
