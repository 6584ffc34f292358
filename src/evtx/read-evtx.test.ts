import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureEvtxThroughput, readEvtx, readEvtxBatches, readEvtxSync } from './read-evtx.js';
import type { EvtxItem, EvtxRecord } from './read-evtx.js';
import { buildEvtxFile, ChunkWriter, fixChunkChecksums, synthValue as v } from '../../test/support/evtx-writer.js';
import type { SynthTemplate } from '../../test/support/evtx-writer.js';
import { ValueType } from './values.js';
import { flattenEvent } from '../events/flatten-event.js';
import { JsonSplitter } from '../event-files/json-splitter.js';

const REGRESSION = fileURLToPath(new URL('../../../shared/corpus/sigmahq/regression_data', import.meta.url));
const HAVE_CORPUS = existsSync(REGRESSION);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sigmatest-evtx-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let fileNo = 0;
function tempFile(bytes: Uint8Array): string {
  const f = join(dir, `f${fileNo++}.evtx`);
  writeFileSync(f, bytes);
  return f;
}

async function readAll(file: string): Promise<EvtxItem[]> {
  const out: EvtxItem[] = [];
  for await (const item of readEvtx(file)) out.push(item);
  return out;
}

/** Records as `chunk:recordId:Message`, problems as `CODE path`. */
/** Flips bits of one byte (damage for the reader to meet). */
function flip(bytes: Uint8Array, at: number, mask: number): void {
  bytes[at] = (bytes[at] ?? 0) ^ mask;
}

function summary(items: EvtxItem[]): string[] {
  return items.map((i) =>
    i.kind === 'record'
      ? `${i.chunk}:${i.recordId}:${String(flattenEvent(i.event)['Message'])}`
      : `${i.diagnostic.code} ${i.diagnostic.path ?? ''}`.trim(),
  );
}

function record(message: string): SynthTemplate {
  return {
    key: 'tiny',
    nodes: [
      {
        el: 'Event',
        children: [
          { el: 'System', children: [{ el: 'EventID', children: [{ sub: 0, type: ValueType.UInt16 }] }] },
          { el: 'EventData', children: [{ el: 'Data', attrs: [['Name', [{ text: 'Message' }]]], children: [{ sub: 1, type: ValueType.String }] }] },
        ],
      },
    ],
    values: [v.uint16(1), v.string(message)],
  };
}

/** A chunk holding records `first..first+n-1` with messages `m<id>`. */
function chunkOf(first: number, n: number): Buffer {
  const w = new ChunkWriter();
  for (let id = first; id < first + n; id++) w.addRecord(id, record(`m${id}`), { written: 116444736000000000n + BigInt(id) * 10_000_000n });
  return w.finish();
}

describe('readEvtx on synthetic files', () => {
  it('reads all records of all chunks in order, async and sync alike', async () => {
    const f = tempFile(buildEvtxFile([chunkOf(1, 3), chunkOf(4, 2)]));
    const items = await readAll(f);
    expect(summary(items)).toEqual(['0:1:m1', '0:2:m2', '0:3:m3', '1:4:m4', '1:5:m5']);
    expect(summary([...readEvtxSync(f)])).toEqual(summary(items));
    const first = items[0] as EvtxRecord;
    expect(first.file).toBe(f);
    expect(first.written).toBe('1970-01-01T00:00:01.000000Z');
    expect(first.offset).toBe(4096 + 512);
    expect(first.event).toEqual({ Event: { System: { EventID: 1 }, EventData: { Message: 'm1' } } });
  });

  it('reads files longer than one read-ahead block (16 chunks): every record once, in order, chunk by chunk', async () => {
    // 37 chunks: two whole 1 MiB blocks and a part; then the same cut inside the last chunk.
    const chunks = Array.from({ length: 37 }, (_, c) => chunkOf(2 * c + 1, 2));
    const full = buildEvtxFile(chunks);
    const expected = chunks.flatMap((_, c) => [`${c}:${2 * c + 1}:m${2 * c + 1}`, `${c}:${2 * c + 2}:m${2 * c + 2}`]);
    const f = tempFile(full);
    expect(summary(await readAll(f))).toEqual(expected);
    expect(summary([...readEvtxSync(f)])).toEqual(expected);
    const batches: string[][] = [];
    for await (const b of readEvtxBatches(f)) batches.push(summary(b));
    expect(batches).toHaveLength(37);
    expect(batches.flat()).toEqual(expected);
    const cut = tempFile(full.subarray(0, full.length - 65536 + 700));
    expect(summary(await readAll(cut))).toEqual([...expected.slice(0, 72), 'EVTX_CHUNK_CORRUPT chunk[36]']);
  });

  it('reads ahead without changing what short reads and I/O errors show (as one read per chunk)', async () => {
    const chunks = Array.from({ length: 40 }, (_, c) => chunkOf(3 * c + 1, 3));
    const f = tempFile(buildEvtxFile(chunks));
    const all = chunks.flatMap((_, c) => [0, 1, 2].map((k) => `${c}:${3 * c + 1 + k}:m${3 * c + 1 + k}`));
    const probe = await open(f, 'r');
    const proto = Object.getPrototypeOf(probe) as { read: (this: unknown, buf: unknown, off: number, len: number, pos: number) => Promise<{ bytesRead: number }> };
    await probe.close();
    const realRead = proto.read;
    try {
      // A file system answering at most 256 KiB per read: every record all the same.
      proto.read = function (this: unknown, buf: unknown, off: number, len: number, pos: number) {
        return realRead.call(this, buf, off, Math.min(len, 262144), pos);
      };
      expect(summary(await readAll(f))).toEqual(all);
      // A bad sector at chunk 20: the bytes before it, then EIO, reported as the file unreadable.
      const bad = 4096 + 20 * 65536;
      proto.read = function (this: unknown, buf: unknown, off: number, len: number, pos: number) {
        if (pos === bad) return Promise.reject(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }));
        return realRead.call(this, buf, off, pos < bad && pos + len > bad ? bad - pos : len, pos);
      };
      expect(summary(await readAll(f))).toEqual([...all.slice(0, 60), 'EVENT_FILE_UNREADABLE']);
    } finally {
      proto.read = realRead;
    }
  });

  it('reads a small file (read with blocking calls) in the same batches, problems included', async () => {
    const bytes = buildEvtxFile([chunkOf(1, 2), chunkOf(3, 1), chunkOf(4, 2)]);
    flip(bytes, 4096 + 65536 + 600, 0xff); // chunk 1's records
    const f = tempFile(bytes);
    const batches: string[][] = [];
    for await (const b of readEvtxBatches(f)) batches.push(summary(b));
    expect(batches).toEqual([['0:1:m1', '0:2:m2'], ['EVTX_CHUNK_CORRUPT chunk[1]'], ['2:4:m4', '2:5:m5']]);
    expect(batches.flat()).toEqual(summary([...readEvtxSync(f)]));
  });

  it('reads a file with no chunks, and skips unused all-zero chunks silently', async () => {
    expect(await readAll(tempFile(buildEvtxFile([])))).toEqual([]);
    const f = tempFile(Buffer.concat([buildEvtxFile([chunkOf(1, 1)]), Buffer.alloc(65536)]));
    expect(summary(await readAll(f))).toEqual(['0:1:m1']);
  });

  it('warns about a zeroed (wiped) chunk before a chunk in use or within the header count, with file and chunk, and reads the rest', async () => {
    // The file: 2,000 events in 40 chunks, all but the first and last chunk wiped; it read 35 events and said nothing.
    const chunks = Array.from({ length: 40 }, (_, c) => chunkOf(50 * c + 1, 50));
    const bytes = buildEvtxFile(chunks);
    for (let c = 1; c < 39; c++) bytes.fill(0, 4096 + c * 65536, 4096 + (c + 1) * 65536);
    const f = tempFile(bytes);
    for (const items of [await readAll(f), [...readEvtxSync(f)]]) {
      const warnings = items.filter((i) => i.kind === 'warning').map((i) => i.kind === 'warning' && i.diagnostic);
      expect(items.filter((i) => i.kind === 'record')).toHaveLength(100);
      expect(warnings.map((d) => d && `${d.code} ${d.severity} ${d.file === f} ${d.path}`)).toEqual(
        Array.from({ length: 38 }, (_, k) => `EVTX_CHUNK_ZEROED warning true chunk[${k + 1}]`),
      );
      expect(warnings[0] && warnings[0].message).toBe('chunk 1 (file offset 0x11000) is all zero where records belong (the file header counts 40 chunks); its records are lost');
    }
    // A header that does not count them (or is damaged): zeroed chunks before a chunk in use still show.
    const uncounted = buildEvtxFile([chunkOf(1, 1), Buffer.alloc(65536), chunkOf(3, 1)]);
    uncounted.writeUInt16LE(1, 42); // chunk count 1
    uncounted.writeUInt32LE(0, 124); // and a damaged header
    const items = await readAll(tempFile(uncounted));
    expect(summary(items)).toEqual(['EVTX_HEADER_CORRUPT header', '0:1:m1', 'EVTX_CHUNK_ZEROED chunk[1]', '2:3:m3']);
    expect(items[2]?.kind === 'warning' && items[2].diagnostic.message).toMatch(/chunk 1 .*\(chunk 2 after it is in use\)/);
  });

  it('gives one EVTX_NOT_EVTX error for a file that is not EVTX', async () => {
    for (const bytes of [Buffer.from('{"Event": {}}\n'), Buffer.alloc(0), Buffer.from('ElfFile\0')]) {
      const f = tempFile(bytes);
      const items = await readAll(f);
      expect(items).toHaveLength(1);
      const d = items[0]?.kind === 'warning' ? items[0].diagnostic : undefined;
      expect(d?.code).toBe('EVTX_NOT_EVTX');
      expect(d?.severity).toBe('error');
      expect(d?.file).toBe(f);
      expect(d?.message).toMatch(/not an EVTX file/);
      expect(summary([...readEvtxSync(f)])).toEqual(['EVTX_NOT_EVTX']);
    }
  });

  it('reports a missing file or a directory as EVENT_FILE_UNREADABLE', async () => {
    expect(summary(await readAll(join(dir, 'missing.evtx')))).toEqual(['EVENT_FILE_UNREADABLE']);
    expect(summary([...readEvtxSync(dir)])).toEqual(['EVENT_FILE_UNREADABLE']);
  });

  it('warns about a bad file header checksum and reads on', async () => {
    const bytes = buildEvtxFile([chunkOf(1, 1)]);
    bytes[60] = 0x55;
    expect(summary(await readAll(tempFile(bytes)))).toEqual(['EVTX_HEADER_CORRUPT header', '0:1:m1']);
  });
});

describe('readEvtx on damaged chunks and records', () => {
  it('skips a chunk whose records checksum does not match and reads the others', async () => {
    const bytes = buildEvtxFile([chunkOf(1, 2), chunkOf(3, 2), chunkOf(5, 1)]);
    flip(bytes, 4096 + 65536 + 600, 0xff); // inside chunk 1's records
    const items = await readAll(tempFile(bytes));
    expect(summary(items)).toEqual(['0:1:m1', '0:2:m2', 'EVTX_CHUNK_CORRUPT chunk[1]', '2:5:m5']);
    const d = items[2]?.kind === 'warning' ? items[2].diagnostic : undefined;
    expect(d?.severity).toBe('warning');
    expect(d?.message).toMatch(/^chunk 1 \(file offset 0x11000\): event records checksum mismatch/);
  });

  it('skips a chunk with a damaged header or signature', async () => {
    const bytes = buildEvtxFile([chunkOf(1, 1), chunkOf(2, 1), chunkOf(3, 1)]);
    flip(bytes, 4096 + 20, 1); // chunk 0 header field
    bytes[4096 + 2 * 65536] = 0x58; // chunk 2 signature
    const items = await readAll(tempFile(bytes));
    expect(summary(items)).toEqual(['EVTX_CHUNK_CORRUPT chunk[0]', '1:2:m2', 'EVTX_CHUNK_CORRUPT chunk[2]']);
    const messages = items.flatMap((i) => (i.kind === 'warning' ? [i.diagnostic.message] : []));
    expect(messages[0]).toMatch(/chunk header checksum mismatch/);
    expect(messages[1]).toMatch(/bad chunk signature/);
  });

  it('warns about a truncated last chunk', async () => {
    const full = buildEvtxFile([chunkOf(1, 1), chunkOf(2, 40)]);
    const items = await readAll(tempFile(full.subarray(0, full.length - 65536 + 1000)));
    expect(summary(items)).toEqual(['0:1:m1', 'EVTX_CHUNK_CORRUPT chunk[1]']);
    expect(items[1]?.kind === 'warning' && items[1].diagnostic.message).toMatch(/truncated to 1000 bytes/);
  });

  it('skips a record whose Binary XML is damaged, naming chunk and record', async () => {
    const w = new ChunkWriter();
    w.addRecord(1, record('m1'));
    const at = w.addRecord(2, record('m2'));
    w.addRecord(3, record('m3'));
    const chunk = w.finish();
    chunk[at + 28] = 0x3f; // the template-instance token of record 2
    fixChunkChecksums(chunk);
    const items = await readAll(tempFile(buildEvtxFile([chunk])));
    expect(summary(items)).toEqual(['0:1:m1', 'EVTX_RECORD_CORRUPT chunk[0].record[2]', '0:3:m3']);
    expect(items[1]?.kind === 'warning' && items[1].diagnostic.message).toMatch(/^chunk 0 \(file offset 0x1000\), record 2 at chunk offset 0x[0-9a-f]+: unexpected token 0x3f/);
  });

  it('resynchronises after a record with broken framing', async () => {
    const w = new ChunkWriter();
    w.addRecord(1, record('m1'));
    const at = w.addRecord(2, record('m2'));
    w.addRecord(3, record('m3'));
    const chunk = w.finish();
    chunk.writeUInt32LE(chunk.readUInt32LE(at + 4) + 6, at + 4); // size no longer matches its copy
    fixChunkChecksums(chunk);
    const items = await readAll(tempFile(buildEvtxFile([chunk])));
    expect(summary(items)).toEqual(['0:1:m1', 'EVTX_RECORD_CORRUPT chunk[0].record[2]', '0:3:m3']);
    expect(items[1]?.kind === 'warning' && items[1].diagnostic.message).toMatch(/does not match its trailing copy/);
  });

  it('handles garbage in the record area', async () => {
    const w = new ChunkWriter();
    w.addRecord(1, record('m1'));
    w.addRaw(Buffer.from('**\0\0garbage that is not a record at all'));
    w.addRecord(2, record('m2'));
    const items = await readAll(tempFile(buildEvtxFile([w.finish()])));
    expect(summary(items).map((x) => x.replace(/record\[[^\]]*\]/, 'record[?]'))).toEqual(['0:1:m1', 'EVTX_RECORD_CORRUPT chunk[0].record[?]', '0:2:m2']);
    expect(items[1]?.kind === 'warning' && items[1].diagnostic.message).toMatch(/does not fit the chunk/);
  });
});

function corpusEvtxFiles(d: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) out.push(...corpusEvtxFiles(p));
    else if (e.name.endsWith('.evtx')) out.push(p);
  }
  return out.sort();
}

function jsonRecords(file: string): unknown[] {
  const splitter = new JsonSplitter();
  const items = [...splitter.feed(readFileSync(file, 'utf8')), ...splitter.end()];
  return items.flatMap((i) => (i.kind === 'object' ? [JSON.parse(i.text) as unknown] : []));
}

function recordId(raw: unknown): unknown {
  return flattenEvent(raw)['EventRecordID'];
}

/**
 * Known differences between a regression `.evtx` and its `.json` rendering that no reader can
 * remove, because the `.json` was not produced from that `.evtx` by one converter: the JSON has
 * `Explorer.exe` where the EVTX holds `Explorer.EXE`, and a 9-digit SystemTime where every other
 * rendering has 6 digits. Key: path relative to the regression data, `EventRecordID`.
 */
const KNOWN_DIFFERENCES: Record<string, Record<string, [unknown, unknown]>> = {
  'rules/windows/process_creation/proc_creation_win_susp_right_to_left_override/ad691d92-15f2-4181-9aa4-723c74f9ddc3.evtx#23419552': {
    TimeCreated_SystemTime: ['2026-03-20T08:31:26.751156Z', '2026-03-20T08:31:26.751156500Z'],
    ParentCommandLine: ['C:\\Windows\\Explorer.EXE', 'C:\\Windows\\Explorer.exe'],
  },
};

describe.skipIf(!HAVE_CORPUS)(
  HAVE_CORPUS ? 'readEvtx on SigmaHQ regression data' : 'readEvtx on SigmaHQ regression data (SKIPPED: ../shared/corpus is absent)',
  () => {
    it('reads every .evtx into the flattened events of its .json sibling, record by record', async () => {
      const files = corpusEvtxFiles(REGRESSION);
      expect(files.length).toBeGreaterThanOrEqual(100);
      let records = 0;
      let known = 0;
      for (const f of files) {
        const items = await readAll(f);
        expect(items.filter((i) => i.kind === 'warning'), f).toEqual([]);
        const read = new Map<unknown, EvtxRecord>();
        for (const i of items) if (i.kind === 'record') read.set(recordId(i.event), i);
        const json = jsonRecords(f.replace(/\.evtx$/, '.json'));
        // Every sibling .json holds exactly the records of its .evtx.
        expect([...read.keys()].sort(), f).toEqual(json.map(recordId).sort());
        for (const j of json) {
          const id = recordId(j);
          const mine = flattenEvent(read.get(id)?.event);
          const theirs = flattenEvent(j);
          const exceptions = KNOWN_DIFFERENCES[`${relative(REGRESSION, f)}#${String(id)}`];
          if (exceptions !== undefined) {
            for (const [field, [ours, rendered]] of Object.entries(exceptions)) {
              expect([mine[field], theirs[field]], `${f} ${field}`).toEqual([ours, rendered]);
              theirs[field] = ours;
              known++;
            }
          }
          expect(mine, `${f} record ${String(id)}`).toEqual(theirs);
          records++;
        }
        expect(summary([...readEvtxSync(f)]), f).toEqual(summary(items));
      }
      expect(records).toBeGreaterThan(files.length);
      expect(known).toBe(2);
    });

    it('skips a chunk whose CRC no longer matches after flipping a byte of a real file', async () => {
      const original = corpusEvtxFiles(REGRESSION).find((f) => f.includes('file_event_win_anydesk_artefact'));
      if (original === undefined) throw new Error('corpus file missing');
      const bytes = readFileSync(original);
      const good = (await readAll(original)).filter((i) => i.kind === 'record');
      expect(good.length).toBeGreaterThan(1);
      const flipped = Buffer.from(bytes);
      flip(flipped, 4096 + 2000, 0x01);
      const items = await readAll(tempFile(flipped));
      expect(items).toHaveLength(1);
      const d = items[0]?.kind === 'warning' ? items[0].diagnostic : undefined;
      expect(d?.code).toBe('EVTX_CHUNK_CORRUPT');
      expect(d?.message).toMatch(/chunk 0 .*event records checksum mismatch/);
      // Appending a second copy of the intact chunk: the damaged one is skipped, the copy is read.
      const twice = Buffer.concat([flipped, bytes.subarray(4096)]);
      const again = await readAll(tempFile(twice));
      expect(summary(again)).toEqual(['EVTX_CHUNK_CORRUPT chunk[0]', ...summary(good).map((s) => `1${s.slice(1)}`)]);
    });

    it('measures throughput over the corpus', async () => {
      const files = corpusEvtxFiles(REGRESSION);
      const m = await measureEvtxThroughput(files);
      expect(m.records).toBeGreaterThanOrEqual(files.length);
      expect(m.bytes).toBe(files.reduce((n, f) => n + statSync(f).size, 0));
      expect(m.seconds).toBeGreaterThan(0);
    });
  },
);

if (!HAVE_CORPUS) console.warn(`read-evtx.test: ${REGRESSION} not found; corpus tests skipped`);

// Real files (issue 24): records whose elements are written in the record itself, without
// a dependency identifier, were read in the other layout, their name taken from offset 0 of the
// chunk (its header): 52 records of evtx-to-mitre-attack were lost as EVTX_RECORD_CORRUPT.
const ATTACKS = fileURLToPath(new URL('../../../shared/corpus/evtx-to-mitre-attack', import.meta.url));
describe.skipIf(!existsSync(ATTACKS))('real .evtx files (../shared/corpus/evtx-to-mitre-attack)', () => {
  it('decodes every record of every file, none reported corrupt', { timeout: 120_000 }, async () => {
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d).sort()) {
        const p = join(d, e);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.evtx')) files.push(p);
      }
    };
    walk(ATTACKS);
    const warnings: string[] = [];
    let records = 0;
    for (const f of files) {
      for await (const item of readEvtx(f)) {
        if (item.kind === 'record') records++;
        else warnings.push(`${relative(ATTACKS, f)}: ${item.diagnostic.code} ${item.diagnostic.message}`);
      }
    }
    expect(warnings.filter((w) => w.includes('EVTX_RECORD_CORRUPT'))).toEqual([]);
    expect(records).toBeGreaterThanOrEqual(10015);
    const defender = [];
    for await (const item of readEvtx(join(ATTACKS, 'Antivirus/ID1116-1117-Defender threat detected.evtx'))) defender.push(item);
    expect(defender.map((r) => r.kind)).toEqual(Array(6).fill('record'));
  });
});
