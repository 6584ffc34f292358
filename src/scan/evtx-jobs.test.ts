/**
 * `.evtx` files read apart by chunk ranges (evtx-jobs.ts) give, once put back together by
 * {@link EvtxFileEmitter}, exactly the reads of one walk over the file: record positions, every
 * problem in its place (a wiped chunk decided by a chunk in use in another range, a corrupt and a
 * truncated chunk), and a file that is no EVTX told once, whatever the ranges and however they are
 * grouped into jobs.
 */
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { EvtxFileEmitter, planEvtxSegments, runEvtxJob } from './evtx-jobs.js';
import type { EvtxSegment } from './evtx-jobs.js';
import { readEventsSync } from '../event-files/read-events.js';
import { RuleIndex } from '../compile/rule-index.js';
import { loadRuleText } from '../rules/load-rule.js';
import { buildEvtxFile, ChunkWriter, imageChunk, synthValue as v } from '../../test/support/evtx-writer.js';
import { ValueType } from '../evtx/values.js';
import { CHUNK_SIZE, FILE_HEADER_SIZE } from '../evtx/file-header.js';

const dir = mkdtempSync(join(tmpdir(), 'sigmatest-evtx-jobs-'));

/** A chunk of `n` records with ids from `first`: EventID 1, Image `C:\\<id>.exe`. */
function chunk(first: number, n: number): Buffer {
  return imageChunk(first, n, (id) => `C:\\${id}.exe`);
}

/**
 * Nine chunks: 0-1 in use, 2-3 all zero past the header's count (2), 4 in use, 5 corrupt (a
 * record byte flipped), 6 in use, 7 all zero, 8 in use; then chunk 9 cut short.
 */
function damagedFile(): string {
  const chunks = [chunk(1, 5), chunk(6, 5), Buffer.alloc(CHUNK_SIZE), Buffer.alloc(CHUNK_SIZE), chunk(11, 5), chunk(16, 5), chunk(21, 5), Buffer.alloc(CHUNK_SIZE), chunk(26, 5)];
  const corrupt = chunks[5] as Buffer;
  corrupt[700] = (corrupt[700] as number) ^ 0xff;
  const file = buildEvtxFile(chunks);
  file.writeUInt16LE(2, 42);
  file.writeUInt32LE(crc32(file.subarray(0, 120)) >>> 0, 124);
  const path = join(dir, 'damaged.evtx');
  writeFileSync(path, Buffer.concat([file, chunk(31, 5).subarray(0, 600)]));
  return path;
}

const rules = loadRuleText(`title: any\nlogsource: {product: windows}\ndetection:\n  sel: {EventID: 1}\n  condition: sel`, 'any.yml').rules;

/** One walk over the file, as the one-thread scan reads it: every event (all match), every problem. */
function oneWalk(file: string): string[] {
  return [...readEventsSync(file)].map((r) => (r.kind === 'event' ? `event ${r.index} ${String(r.event.Image)}` : `${r.diagnostic.code} ${r.diagnostic.message}`));
}

/** The file read by segments, `perJob` of them to a job, each job in a fresh index, put back together in order. */
function bySegments(file: string, segments: EvtxSegment[], perJob: number): string[] {
  const out: string[] = [];
  const emitter = new EvtxFileEmitter(file);
  let records = 0;
  for (let i = 0; i < segments.length; i += perJob) {
    const job = { segments: segments.slice(i, i + perJob) };
    const result = runEvtxJob(new RuleIndex(rules, { mapping: null }), job);
    for (const seg of result.segments) {
      records += emitter.segment(seg, {
        diagnostic: (d) => out.push(`${d.code} ${d.message}`),
        hit: (e, at) => {
          expect(at).toEqual([0]);
          expect(JSON.parse(e.json as string)).toEqual(e.raw);
          out.push(`event ${e.index} ${String(e.event.Image)}`);
        },
      });
    }
  }
  expect(records).toBe(out.filter((l) => l.startsWith('event')).length);
  return out;
}

describe('planEvtxSegments', () => {
  it('cuts a file into ranges of at most n chunks, the last one open-ended, the header read by the first', () => {
    const size = FILE_HEADER_SIZE + 5 * CHUNK_SIZE + 10;
    expect(planEvtxSegments('f.evtx', size, 2).map((s) => [s.range.first, s.range.end, s.range.header, s.last, s.chunks])).toEqual([
      [0, 2, true, false, 2],
      [2, 4, false, false, 2],
      [4, Infinity, false, true, 2],
    ]);
    expect(planEvtxSegments('f.evtx', 100).map((s) => [s.range.first, s.range.end, s.last])).toEqual([[0, Infinity, true]]);
  });
});

describe('runEvtxJob and EvtxFileEmitter', () => {
  it('chunk ranges read apart give the reads of one walk over the file, in the same order', () => {
    const file = damagedFile();
    const reference = oneWalk(file);
    // The wiped chunks 2-3 are told (chunk 4 follows), chunk 7 too, chunks 5 and 9 are corrupt.
    expect(reference.filter((l) => !l.startsWith('event')).map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual([
      'EVTX_CHUNK_ZEROED chunk 2',
      'EVTX_CHUNK_ZEROED chunk 3',
      'EVTX_CHUNK_CORRUPT chunk 5',
      'EVTX_CHUNK_ZEROED chunk 7',
      'EVTX_CHUNK_CORRUPT chunk 9',
    ]);
    expect(reference.filter((l) => l.startsWith('event'))).toHaveLength(25);
    const size = statSync(file).size;
    for (const chunks of [1, 2, 3, 16]) {
      for (const perJob of [1, 2, 100]) expect(bySegments(file, planEvtxSegments(file, size, chunks), perJob), `${chunks} chunks a segment, ${perJob} a job`).toEqual(reference);
    }
  });

  it('a job run where it is emitted (local) gives each hit its EVTX-JSON as the object a worker sends as text', () => {
    // Records with a float of every kind JSON may not keep (−0, NaN, ∞) beside the usual values.
    const w = new ChunkWriter();
    const floats = [v.real64(-0), v.real64(Number.NaN), v.real64(Number.POSITIVE_INFINITY), v.real32(-0), v.real64(1.5)];
    floats.forEach((f, i) =>
      w.addRecord(i + 1, {
        key: 'floats',
        nodes: [{ el: 'Event', children: [{ el: 'System', children: [{ el: 'EventID', children: [{ sub: 0, type: ValueType.UInt16 }] }] }, { el: 'EventData', children: [{ el: 'Data', attrs: [['Name', [{ text: 'Image' }]]], children: [{ sub: 1, type: ValueType.String }] }, { el: 'Data', attrs: [['Name', [{ text: 'Value' }]]], children: [{ sub: 2, type: ValueType.Real64 }] }] }] }],
        values: [v.uint16(1), v.string(`C:\\${i}.exe`), f],
      }),
    );
    const file = join(dir, 'floats.evtx');
    writeFileSync(file, buildEvtxFile([w.finish(), chunk(100, 3)]));
    const job = { segments: planEvtxSegments(file, statSync(file).size) };
    const sent = runEvtxJob(new RuleIndex(rules, { mapping: null }), job);
    const local = runEvtxJob(new RuleIndex(rules, { mapping: null }), job, true);
    const hits = (r: typeof sent): Array<{ json?: string; raw?: unknown; event: unknown }> => r.segments.flatMap((s) => s.items.flatMap((it) => (it.kind === 'hit' ? [it] : [])));
    expect(hits(sent)).toHaveLength(8);
    expect(hits(local)).toHaveLength(8);
    hits(sent).forEach((h, i) => {
      const l = hits(local)[i] as { json?: string; raw?: unknown; event: unknown };
      expect(l.json).toBeUndefined();
      expect(h.raw).toBeUndefined();
      // The very text a worker sends, and equal to its parse, −0 included (Object.is).
      expect(JSON.stringify(l.raw)).toBe(h.json);
      expect(l.raw).toStrictEqual(JSON.parse(h.json as string));
      expect(l.event).toStrictEqual(h.event);
    });
    expect(hits(local).map((h) => (h.event as Record<string, unknown>)['Value']).slice(0, 5)).toStrictEqual([0, null, null, 0, 1.5]);
  });

  it('a file that is no EVTX is told once, whatever the ranges', () => {
    const file = join(dir, 'not.evtx');
    writeFileSync(file, Buffer.alloc(3 * CHUNK_SIZE, 'x'));
    const reference = oneWalk(file);
    expect(reference.map((l) => l.split(' ')[0])).toEqual(['EVTX_NOT_EVTX']);
    expect(bySegments(file, planEvtxSegments(file, statSync(file).size, 1), 1)).toEqual(reference);
  });

  it('a file gone before it is read is told by its first range', () => {
    const file = join(dir, 'gone.evtx');
    const out = bySegments(file, planEvtxSegments(file, FILE_HEADER_SIZE + 3 * CHUNK_SIZE, 1), 1);
    expect(out.map((l) => l.split(' ')[0])).toEqual(['EVENT_FILE_UNREADABLE']);
    expect(out).toEqual(oneWalk(file));
  });
});
