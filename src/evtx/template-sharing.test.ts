import { describe, it, expect, afterEach } from 'vitest';
import fc from 'fast-check';
import { ChunkBinXml, shareTemplates } from './binxml.js';
import { checkChunk, chunkRecords } from './chunk.js';
import { ChunkWriter, fixChunkChecksums, synthValue as v } from '../../test/support/evtx-writer.js';
import type { SynthNode, SynthTemplate, SynthValue } from '../../test/support/evtx-writer.js';
import { toEvtxJson } from './to-json.js';
import { ValueType as S } from './values.js';

afterEach(() => shareTemplates(true));

const system = (extra: SynthNode[] = []): SynthNode => ({
  el: 'System',
  children: [
    { el: 'Provider', attrs: [['Name', [{ text: 'Microsoft-Windows-Sysmon' }]], ['Guid', [{ sub: 0, type: S.String, optional: true }]]] },
    { el: 'EventID', children: [{ sub: 1, type: S.UInt16 }] },
    ...extra,
  ],
});
const data = (names: string[]): SynthNode => ({
  el: 'EventData',
  children: names.map((n, i) => ({ el: 'Data', attrs: [['Name', [{ text: n }]]], children: [{ sub: 2 + i, type: S.String, optional: true }] })),
});

/**
 * Template shapes written into chunks in random orders, so that a definition's names are
 * sometimes inline (first use in the chunk) and sometimes references to an earlier template's.
 * Some share a key (one GUID) with another shape of the same size, or differ only in a name.
 */
const SHAPES: Array<{ key: string; nodes: SynthNode[] }> = [
  { key: 'proc', nodes: [{ el: 'Event', children: [system(), data(['Image', 'CommandLine', 'User'])] }] },
  { key: 'file', nodes: [{ el: 'Event', children: [system(), data(['Image', 'TargetFilename', 'User'])] }] },
  { key: 'reg', nodes: [{ el: 'Event', children: [system([{ el: 'Channel', children: [{ text: 'Sysmon' }] }]), data(['TargetObject', 'Details'])] }] },
  // Same key and size as 'file', one name differing in a letter.
  { key: 'file', nodes: [{ el: 'Event', children: [system(), data(['Image', 'TargetFilenamf', 'User'])] }] },
  // Same key as 'proc', names in another order.
  { key: 'proc', nodes: [{ el: 'Event', children: [system(), data(['CommandLine', 'Image', 'User'])] }] },
  { key: 'nested', nodes: [{ el: 'Event', attrs: [['xmlns', [{ text: 'urn:e' }]]], children: [system(), { sub: 6, type: S.BinXml, optional: true }] }] },
  // 6: reg with the last value's declared type changed (the last bytes of the definition).
  {
    key: 'reg',
    nodes: [
      {
        el: 'Event',
        children: [
          system([{ el: 'Channel', children: [{ text: 'Sysmon' }] }]),
          { el: 'EventData', children: [{ el: 'Data', attrs: [['Name', [{ text: 'TargetObject' }]]], children: [{ sub: 2, type: S.String, optional: true }] }, { el: 'Data', attrs: [['Name', [{ text: 'Details' }]]], children: [{ sub: 3, type: S.UInt16, optional: true }] }] },
        ],
      },
    ],
  },
];

const VALUE: fc.Arbitrary<SynthValue> = fc.oneof(fc.constantFrom('a', 'C:\\x.exe', '').map((s) => v.string(s)), fc.constant(v.null()));

function recordOf(shape: number, values: SynthValue[]): SynthTemplate {
  const s = SHAPES[shape] as { key: string; nodes: SynthNode[] };
  const vals = Array.from({ length: 7 }, (_, i): SynthValue => values[i] ?? v.null());
  vals[1] = v.uint16(shape + 1);
  vals[6] = { xml: [data(['Nested', 'Other'])] };
  return { key: s.key, nodes: s.nodes, values: vals };
}

/** Every record of every chunk: its EVTX-JSON (or error), and the definitions' nodes of its instance. */
function readChunks(chunks: Buffer[]): { json: string[]; defs: unknown[] } {
  const json: string[] = [];
  const defs: unknown[] = [];
  for (const chunk of chunks) {
    const check = checkChunk(chunk);
    if (!check.ok) throw new Error(check.reason);
    const parser = new ChunkBinXml(chunk);
    for (const r of chunkRecords(chunk, check.header)) {
      if (r.kind === 'bad') {
        json.push(`bad record: ${r.reason}`);
        defs.push(undefined);
        continue;
      }
      try {
        json.push(JSON.stringify(toEvtxJson(parser.parseDocument(r.dataStart, r.dataEnd))));
        defs.push(parser.parseInstance(r.dataStart, r.dataEnd)?.def.nodes);
      } catch (e) {
        json.push(`error: ${(e as Error).message}`);
        defs.push(undefined);
      }
    }
  }
  return { json, defs };
}

function chunksOf(plan: Array<Array<[number, SynthValue[]]>>): Buffer[] {
  return plan.map((records) => {
    const w = new ChunkWriter();
    records.forEach(([shape, values], i) => w.addRecord(i + 1, recordOf(shape, values)));
    return w.finish();
  });
}

describe('template definitions shared across chunks', () => {
  it('reads every record as a fresh parse of each chunk does, whatever the order of templates and names', () => {
    const chunkPlan = fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: SHAPES.length - 1 }), fc.array(VALUE, { minLength: 6, maxLength: 6 })), { minLength: 1, maxLength: 8 }), {
      minLength: 2,
      maxLength: 5,
    });
    fc.assert(
      fc.property(chunkPlan, (plan) => {
        const chunks = chunksOf(plan);
        shareTemplates(false);
        const fresh = readChunks(chunks);
        shareTemplates(true);
        const reused = readChunks(chunks);
        expect(reused.json).toEqual(fresh.json);
      }),
      { numRuns: 300, seed: 20261128 },
    );
  });

  it('reuses the parse of an equal definition from another chunk, and only of an equal one', () => {
    // proc and file in two chunks, laid out alike (file refers to the names proc defined first);
    // a third chunk has, under file's key (one GUID) and size, a definition one letter apart.
    const a = chunksOf([[[0, []], [1, []]], [[0, []], [1, []]], [[0, []], [3, []]]]);
    shareTemplates(true);
    const { defs } = readChunks(a);
    expect(defs[2]).toBe(defs[0]);
    expect(defs[3]).toBe(defs[1]);
    expect(defs[4]).toBe(defs[0]);
    expect(defs[5]).not.toBe(defs[1]);
    expect(JSON.stringify(defs[5])).toContain('TargetFilenamf');
    expect(JSON.stringify(defs[5]).length).toBe(JSON.stringify(defs[1]).length);
    // y refers to the element names x defined first in its chunk; in another chunk, the same
    // bytes of y (same GUID, size, offsets) refer to other names, defined there by x2.
    const named = (key: string, name: string): SynthTemplate => ({
      key,
      nodes: [{ el: 'Event', children: [{ el: 'System', children: [{ el: name, children: [{ sub: 0, type: S.UInt16 }] }] }] }],
      values: [v.uint16(1)],
    });
    const chunk = (first: SynthTemplate, second: SynthTemplate): Buffer => {
      const w = new ChunkWriter();
      w.addRecord(1, first);
      w.addRecord(2, second);
      return w.finish();
    };
    const b = readChunks([chunk(named('x', 'Alpha'), named('y', 'Alpha')), chunk(named('x2', 'Bravo'), named('y', 'Bravo'))]);
    expect(b.json[3]).toBe('{"Event":{"System":{"Bravo":1}}}');
    expect(b.defs[3]).not.toBe(b.defs[1]);
    // reg and its variant differ only in their last bytes.
    const c = readChunks(chunksOf([[[2, []]], [[6, []]]])).defs;
    expect(c[1]).not.toBe(c[0]);
    expect(JSON.stringify(c[1])).toContain(`"type":${S.UInt16}`);
    shareTemplates(false);
    const fresh = readChunks(a);
    expect(fresh.defs[2]).not.toBe(fresh.defs[0]);
    expect(fresh.defs[2]).toEqual(fresh.defs[0]);
  });

  it('never keeps a definition whose parse read past its own end (a lenient read at a container end)', () => {
    const u32 = (n: number): Buffer => {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(n);
      return b;
    };
    const guid = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    /** A chunk of one record: an instance defining `body` inline, then `count` NULL values. */
    const chunkWith = (body: (bodyStart: number) => Buffer, count: number): Buffer => {
      const w = new ChunkWriter();
      const at = w.addRaw(Buffer.alloc(0));
      const dataStart = at + 24;
      const head = Buffer.from([0x0f, 1, 1, 0, 0x0c, 1, 0, 0, 0, 0]);
      const defOff = dataStart + head.length + 4;
      const b = body(defOff + 24);
      const values = Buffer.alloc(4 + 4 * count);
      values.writeUInt32LE(count);
      const data = Buffer.concat([head, u32(defOff), u32(0), guid, u32(b.length), b, values, Buffer.from([0])]);
      const rec = Buffer.alloc(24 + data.length + 4);
      rec.writeUInt32LE(0x2a2a, 0);
      rec.writeUInt32LE(rec.length, 4);
      rec.writeBigUInt64LE(1n, 8);
      data.copy(rec, 24);
      rec.writeUInt32LE(rec.length, rec.length - 4);
      w.addRaw(rec);
      return w.finish();
    };
    // A character reference as the body's last token: its code comes from the value count after it.
    const charref = (): Buffer => Buffer.from([0x0f, 1, 1, 0, 0x08]);
    // An element whose inline name ends the body: its start tag's close token is the value count.
    const element = (bodyStart: number): Buffer => {
      const b = Buffer.concat([Buffer.from([0x0f, 1, 1, 0, 0x01, 0xff, 0xff, 0xff, 0, 0, 0]), Buffer.alloc(4), Buffer.alloc(8), Buffer.from('E', 'utf16le'), Buffer.alloc(2)]);
      b.writeUInt32LE(bodyStart + 15, 11);
      b.writeUInt16LE(1, 21);
      return b;
    };
    for (const [body, counts] of [[charref, [0, 1]], [element, [3, 2]]] as Array<[(s: number) => Buffer, number[]]>) {
      const chunks = counts.map((n) => chunkWith(body, n));
      // Each record as its JSON (or error) and its definition's nodes (the JSON drops a top-level reference).
      const view = (r: { json: string[]; defs: unknown[] }): string[] => r.json.map((j, i) => `${j} ${JSON.stringify(r.defs[i])}`);
      shareTemplates(false);
      const fresh = view(readChunks(chunks));
      shareTemplates(true);
      expect(view(readChunks(chunks))).toEqual(fresh);
      expect(new Set(fresh).size).toBe(2);
    }
  });

  it('reads alike with sharing on and off after random byte changes to the chunks (checksums fixed)', () => {
    // Shapes with every kind of token a definition holds; a key keeps one shape within a run, so
    // definitions repeat across chunks, and byte changes land in definitions, names and values.
    const sys: SynthNode = {
      el: 'System',
      children: [
        { el: 'Provider', attrs: [['Name', [{ text: 'P' }, { charref: 65 }]], ['Guid', [{ sub: 0, type: S.String, optional: true }]]] },
        { el: 'EventID', children: [{ sub: 1, type: S.UInt16 }] },
      ],
    };
    const shapes: SynthNode[][] = [
      [{ el: 'Event', children: [sys, { el: 'EventData', children: [{ el: 'Data', attrs: [['Name', [{ text: 'Image' }]]], children: [{ sub: 2, type: S.String }] }] }] }],
      [{ el: 'Event', children: [sys, { pi: 'Image', data: 'x' }, { entity: 'amp' }, { el: 'X', attrs: [['Name', [{ entity: 'lt' }]]] }] }],
      [{ el: 'Event', children: [{ el: 'Data', attrs: [['Name', [{ text: 'Image' }]]], children: [{ sub: 2, type: S.String }, { cdata: 'c' }, { charref: 66 }] }] }, { pi: 'amp', data: '' }],
      [{ el: 'Event', children: [{ el: 'System', children: [{ el: 'Image', children: [{ sub: 0, type: S.UInt16 }] }] }] }],
    ];
    const view = (r: { json: string[]; defs: unknown[] }): string[] => r.json.map((j, i) => `${j} ${JSON.stringify(r.defs[i])}`);
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: shapes.length - 1 })), { minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(3), fc.nat(), fc.nat(255), fc.boolean()), { minLength: 1, maxLength: 4 }),
        (plan, changes) => {
          const shapeOf = new Map<number, number>();
          const chunks = plan.map((records) => {
            const w = new ChunkWriter();
            records.forEach(([key, shape], i) => {
              if (!shapeOf.has(key)) shapeOf.set(key, shape);
              w.addRecord(i + 1, { key: `k${key}`, nodes: shapes[shapeOf.get(key) as number] as SynthNode[], values: [v.string('g'), v.uint16(7), v.string('x')] });
            });
            return w.finish();
          });
          for (const [which, where, byte, nudge] of changes) {
            const c = chunks[which % chunks.length] as Buffer;
            const free = c.readUInt32LE(48); // the chunk's free space offset: records end there
            const p = 512 + (where % (free - 512));
            c[p] = nudge ? ((c[p] as number) + (byte % 5) - 2) & 0xff : byte;
            fixChunkChecksums(c);
          }
          shareTemplates(false);
          const fresh = view(readChunks(chunks));
          shareTemplates(true);
          expect(view(readChunks(chunks))).toEqual(fresh);
        },
      ),
      { numRuns: 3000, seed: 20261128 },
    );
  });
});
