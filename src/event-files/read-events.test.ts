import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEventBatches, readEventFile, readEventFileSync, readEvents, readEventsSync, readEventText, readerFor, readLine } from './read-events.js';
import type { EventRead, EventReadResult } from './read-events.js';
import { JsonSplitter } from './json-splitter.js';
import { buildEvtxFile, ChunkWriter, synthValue } from '../../test/support/evtx-writer.js';
import type { SynthTemplate } from '../../test/support/evtx-writer.js';
import { ValueType } from '../evtx/values.js';

const REGRESSION = fileURLToPath(new URL('../../../shared/corpus/sigmahq/regression_data', import.meta.url));
const HAVE_CORPUS = existsSync(REGRESSION);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sigmatest-read-events-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let fileNo = 0;
function tempFile(text: string | Buffer, ext = '.json'): string {
  const f = join(dir, `f${fileNo++}${ext}`);
  writeFileSync(f, text);
  return f;
}

async function readAll(file: string, chunkSize?: number): Promise<EventReadResult> {
  const result: EventReadResult = { events: [], diagnostics: [] };
  const gen = chunkSize === undefined ? readEventFile(file) : readEventFile(file, { chunkSize });
  for await (const r of gen) {
    if (r.kind === 'event') result.events.push(r);
    else result.diagnostics.push(r.diagnostic);
  }
  return result;
}

/** A compact view of a result: events as [index, line, raw], diagnostics as `CODE line:col`. */
function summary(r: EventReadResult): { events: Array<[number, number, unknown]>; errors: string[] } {
  return {
    events: r.events.map((e) => [e.index, e.line, e.raw]),
    errors: r.diagnostics.map((d) => `${d.code} ${d.pos ? `${d.pos.line}:${d.pos.column}` : '-'}`),
  };
}

interface FormatCase {
  name: string;
  text: string;
  events: Array<[number, number, unknown]>;
  errors?: string[];
}

const formats: FormatCase[] = [
  {
    name: 'JSON Lines with blank lines and CRLF',
    text: '{"a":1}\r\n\r\n{"b":2}\n   \n{"c":[1,{"d":null}]}',
    events: [
      [0, 1, { a: 1 }],
      [1, 3, { b: 2 }],
      [2, 5, { c: [1, { d: null }] }],
    ],
  },
  {
    name: 'a JSON array of objects, pretty-printed',
    text: '[\n  {\n    "a": 1\n  },\n  {\n    "b": [true, false]\n  }\n]\n',
    events: [
      [0, 2, { a: 1 }],
      [1, 5, { b: [true, false] }],
    ],
  },
  { name: 'an empty array', text: ' [ ] ', events: [] },
  { name: 'a single-line array', text: '[{"a":1},{"a":2}]', events: [[0, 1, { a: 1 }], [1, 1, { a: 2 }]] },
  {
    name: 'concatenated pretty-printed objects (SigmaHQ regression style)',
    text: '{\n  "Event": {\n    "System": {"EventID": 1}\n  }\n}\n{\n  "Event": {\n    "System": {"EventID": 2}\n  }\n}\n',
    events: [
      [0, 1, { Event: { System: { EventID: 1 } } }],
      [1, 6, { Event: { System: { EventID: 2 } } }],
    ],
  },
  { name: 'objects back to back on one line', text: '{"a":1}{"a":2} {"a":3}', events: [[0, 1, { a: 1 }], [1, 1, { a: 2 }], [2, 1, { a: 3 }]] },
  { name: 'a single pretty-printed object', text: '{\n  "x": {"y": [1, 2, 3]}\n}\n', events: [[0, 1, { x: { y: [1, 2, 3] } }]] },
  {
    name: 'strings with braces, brackets, escaped quotes, backslashes and unicode escapes',
    text: '{"a":"}{][","b":"say \\"hi\\" {","c":"C:\\\\Windows\\\\","d":"\\u00e9\\ud83d\\ude00\\/","e":"\\\\\\""}\n{"f":"]"}\n',
    events: [
      [0, 1, { a: '}{][', b: 'say "hi" {', c: 'C:\\Windows\\', d: 'é😀/', e: '\\"' }],
      [1, 2, { f: ']' }],
    ],
  },
  { name: 'raw non-ASCII text', text: '{"p":"C:\\\\Users\\\\José\\\\文件😀"}\n', events: [[0, 1, { p: 'C:\\Users\\José\\文件😀' }]] },
  { name: 'a byte order mark', text: '\ufeff{"a":1}\n{"a":2}', events: [[0, 1, { a: 1 }], [1, 2, { a: 2 }]] },
  { name: 'an empty file', text: '', events: [] },
  { name: 'only whitespace', text: ' \n\t\r\n', events: [] },
  {
    name: 'numbers and literals of every form',
    text: '{"a":0,"b":-1.5e+3,"c":1E2,"d":true,"e":false,"f":null,"g":12345678901234567890}',
    events: [[0, 1, { a: 0, b: -1500, c: 100, d: true, e: false, f: null, g: 12345678901234567890 }]],
  },
  {
    name: 'non-object values: EVENT_NOT_OBJECT with the position, reading goes on',
    text: '[\n  {"a":1},\n  42,\n  "s",\n  [1, {"x": 2}],\n  null,\n  {"b":2}\n]',
    events: [[0, 2, { a: 1 }], [5, 7, { b: 2 }]],
    errors: ['EVENT_NOT_OBJECT 3:3', 'EVENT_NOT_OBJECT 4:3', 'EVENT_NOT_OBJECT 5:3', 'EVENT_NOT_OBJECT 6:3'],
  },
  {
    name: 'non-object lines in JSON Lines',
    text: '{"a":1}\n7\ntrue\n"x"\n{"b":2}\n',
    events: [[0, 1, { a: 1 }], [4, 5, { b: 2 }]],
    errors: ['EVENT_NOT_OBJECT 2:1', 'EVENT_NOT_OBJECT 3:1', 'EVENT_NOT_OBJECT 4:1'],
  },
];

describe('readEventText: formats', () => {
  for (const c of formats) {
    it(c.name, () => {
      const s = summary(readEventText(c.text, 'mem.json'));
      expect(s.events).toEqual(c.events);
      expect(s.errors).toEqual(c.errors ?? []);
    });
  }
  it('flattens EVTX-JSON events and keeps the raw object', () => {
    const r = readEventText('{"Event":{"System":{"EventID":1,"Channel":"C"},"EventData":{"Image":"x"}}}', 'mem.json');
    expect(r.events[0]?.event).toEqual({ EventID: 1, Channel: 'C', Image: 'x' });
    expect(r.events[0]?.raw).toEqual({ Event: { System: { EventID: 1, Channel: 'C' }, EventData: { Image: 'x' } } });
    expect(r.events[0]?.file).toBe('mem.json');
  });
});

interface ErrorCase {
  name: string;
  text: string;
  /** `CODE line:column` of every diagnostic, in order. */
  errors: string[];
  /** Message fragment of the first diagnostic. */
  message: RegExp;
  /** Raw events still read. */
  events: unknown[];
}

const errors: ErrorCase[] = [
  {
    name: 'a misspelt literal in JSON Lines, then recovery on the next line',
    text: '{"a":1}\n{"a": tru}\n{"b":2}\n',
    errors: ['EVENT_INVALID_JSON 2:7'],
    message: /invalid literal 'tru'/,
    events: [{ a: 1 }, { b: 2 }],
  },
  {
    name: 'an unterminated string in JSON Lines',
    text: '{"a":1}\n{"a": "abc}\n{"b":2}\n',
    errors: ['EVENT_INVALID_JSON 2:12'],
    message: /unterminated string.*line 2, column 7/,
    events: [{ a: 1 }, { b: 2 }],
  },
  {
    name: 'a line of JSON Lines that ends inside an object',
    text: '{"a":1}\n{"a": [1,\n{"b":2}\n',
    errors: ['EVENT_INVALID_JSON 2:10'],
    message: /line ends before the object is complete/,
    events: [{ a: 1 }, { b: 2 }],
  },
  {
    name: 'a doubled comma',
    text: '{"a":1,,"b":2}\n{"c":3}',
    errors: ['EVENT_INVALID_JSON 1:8'],
    message: /expected a property name in double quotes, found ','/,
    events: [{ c: 3 }],
  },
  {
    name: 'a trailing comma before }',
    text: '{"a":1,}\n{"c":3}',
    errors: ['EVENT_INVALID_JSON 1:8'],
    message: /trailing comma/,
    events: [{ c: 3 }],
  },
  {
    name: 'a missing colon',
    text: '{"a" 1}\n{"c":3}',
    errors: ['EVENT_INVALID_JSON 1:6'],
    message: /expected ':' after a property name, found '1'/,
    events: [{ c: 3 }],
  },
  {
    name: 'an unquoted key',
    text: "{a:1}\n{'b':2}\n{\"c\":3}",
    errors: ['EVENT_INVALID_JSON 1:2', 'EVENT_INVALID_JSON 2:2'],
    message: /expected a property name in double quotes, found 'a'/,
    events: [{ c: 3 }],
  },
  {
    name: 'an invalid escape',
    text: '{"p":"C:\\Windows"}\n{"c":3}',
    errors: ['EVENT_INVALID_JSON 1:9'],
    message: /invalid escape sequence '\\W'/,
    events: [{ c: 3 }],
  },
  {
    name: 'a bad \\u escape',
    text: '{"p":"\\u12G4"}\n{"c":3}',
    errors: ['EVENT_INVALID_JSON 1:11'],
    message: /four hex digits/,
    events: [{ c: 3 }],
  },
  {
    name: 'a raw tab inside a string',
    text: '{"p":"a\tb"}\n{"c":3}',
    errors: ['EVENT_INVALID_JSON 1:8'],
    message: /control character U\+0009/,
    events: [{ c: 3 }],
  },
  {
    name: 'a number with a leading zero',
    text: '{"n":012}\n{"c":3}',
    errors: ['EVENT_INVALID_JSON 1:6'],
    message: /invalid literal '012'/,
    events: [{ c: 3 }],
  },
  {
    name: 'a stray closing brace after an object',
    text: '{"a":1}}\n{"c":3}',
    errors: ['EVENT_INVALID_JSON 1:8'],
    message: /expected a JSON value, found '}'/,
    events: [{ a: 1 }, { c: 3 }],
  },
  {
    name: 'junk after an object on the same line',
    text: '{"a":1} x\n{"c":3}',
    errors: ['EVENT_INVALID_JSON 1:9'],
    message: /invalid literal 'x'/,
    events: [{ a: 1 }, { c: 3 }],
  },
  {
    name: 'a truncated pretty-printed object followed by the next one',
    text: '{\n  "a": 1\n{\n  "b": 2\n}\n',
    errors: ['EVENT_INVALID_JSON 3:1'],
    message: /expected ',' or '}' after a property value, found '\{' \(in the object starting at line 1, column 1\)/,
    events: [{ b: 2 }],
  },
  {
    name: 'a broken element of a pretty-printed array',
    text: '[\n  {"a": 1},\n  {"a": 2,, "x": 1},\n  {"a": 3}\n]\n',
    errors: ['EVENT_INVALID_JSON 3:11'],
    message: /expected a property name/,
    events: [{ a: 1 }, { a: 3 }],
  },
  {
    name: 'a missing comma between array elements',
    text: '[\n  {"a": 1}\n  {"a": 2},\n  {"a": 3}\n]',
    errors: ['EVENT_INVALID_JSON 3:3'],
    message: /expected ',' or ']' after an array element, found '\{'/,
    events: [{ a: 1 }, { a: 2 }, { a: 3 }],
  },
  {
    name: 'a trailing comma in the top-level array',
    text: '[{"a":1},]',
    errors: ['EVENT_INVALID_JSON 1:10'],
    message: /trailing comma|after ','/,
    events: [{ a: 1 }],
  },
  {
    name: 'the end of the file inside an object',
    text: '{"a":1}\n{"b": [1, 2',
    errors: ['EVENT_INVALID_JSON 2:12'],
    message: /unexpected end of file: the object starting at line 2, column 1 is not complete/,
    events: [{ a: 1 }],
  },
  {
    name: 'the end of the file inside a string',
    text: '{"b": "abc',
    errors: ['EVENT_INVALID_JSON 1:11'],
    message: /inside a string/,
    events: [],
  },
  {
    name: 'an array that is never closed',
    text: '[\n {"a":1},\n {"a":2}\n',
    errors: ['EVENT_INVALID_JSON 4:1'],
    message: /array starting at line 1, column 1 is not closed/,
    events: [{ a: 1 }, { a: 2 }],
  },
];

describe('readEventText: errors, positions and recovery', () => {
  for (const c of errors) {
    it(c.name, () => {
      const r = readEventText(c.text, 'bad.jsonl');
      expect(summary(r).errors).toEqual(c.errors);
      expect(r.diagnostics[0]?.message).toMatch(c.message);
      expect(r.diagnostics[0]?.file).toBe('bad.jsonl');
      expect(r.diagnostics[0]?.severity).toBe('error');
      expect(r.events.map((e) => e.raw)).toEqual(c.events);
    });
  }
});

describe('JsonSplitter', () => {
  it('hands back each object as soon as it is complete (incremental)', () => {
    const s = new JsonSplitter();
    expect(s.feed('{"a":')).toEqual([]);
    expect(s.feed('1}\n{"b"')).toEqual([{ kind: 'object', text: '{"a":1}', line: 1, column: 1, index: 0 }]);
    expect(s.feed(':2}')).toEqual([{ kind: 'object', text: '{"b":2}', line: 2, column: 1, index: 1 }]);
    expect(s.end()).toEqual([]);
  });
  it('streams a top-level array element by element', () => {
    const s = new JsonSplitter();
    expect(s.feed('[{"a":1},')).toEqual([{ kind: 'object', text: '{"a":1}', line: 1, column: 2, index: 0 }]);
    expect(s.feed('{"a":2}')).toHaveLength(1);
    expect(s.end()).toHaveLength(1); // the array is never closed
  });
  it('gives the same result for every way of cutting the text', () => {
    const text = '{"a":"x\\"}{\\u0041"}\n[{"b":[1,2.5e3,null]}, 3]\n{"c": tru}\n{"d":{}}';
    const whole = new JsonSplitter();
    const expected = [...whole.feed(text), ...whole.end()];
    for (let cut = 1; cut < text.length; cut++) {
      const s = new JsonSplitter();
      const got = [...s.feed(text.slice(0, cut)), ...s.feed(text.slice(cut)), ...s.end()];
      expect(got, `cut at ${cut}`).toEqual(expected);
    }
  });
});

const chunkFixtures: string[] = [...formats.map((f) => f.text), ...errors.map((e) => e.text)];

describe('readEventFile: streaming from disk', () => {
  it('reads every format and error case identically with 1-byte chunks, small chunks and the default', async () => {
    for (const text of chunkFixtures) {
      const file = tempFile(text);
      const expected = summary(readEventText(text, file));
      expect(summary(await readAll(file, 1)), text).toEqual(expected);
      expect(summary(await readAll(file, 3)), text).toEqual(expected);
      expect(summary(await readAll(file)), text).toEqual(expected);
      expect(summary(readEventFileSync(file)), text).toEqual(expected);
    }
  });
  it('decodes multi-byte UTF-8 split across 1-byte chunks', async () => {
    const file = tempFile('{"a":"é文😀"}\n{"b":"ü"}\n');
    expect((await readAll(file, 1)).events.map((e) => e.raw)).toEqual([{ a: 'é文😀' }, { b: 'ü' }]);
  });
  it('yields events lazily and can be stopped early', async () => {
    const lines = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(100) })).join('\n');
    const file = tempFile(lines);
    const seen: EventRead[] = [];
    for await (const r of readEventFile(file, { chunkSize: 256 })) {
      seen.push(r);
      if (seen.length === 3) break;
    }
    expect(seen.map((r) => (r.kind === 'event' ? r.raw : r))).toEqual([
      { i: 0, pad: 'x'.repeat(100) },
      { i: 1, pad: 'x'.repeat(100) },
      { i: 2, pad: 'x'.repeat(100) },
    ]);
  });
  it('reports a missing file as EVENT_FILE_UNREADABLE (async and sync)', async () => {
    const file = join(dir, 'does-not-exist.jsonl');
    const r = await readAll(file);
    expect(r.events).toEqual([]);
    expect(r.diagnostics).toEqual([{ code: 'EVENT_FILE_UNREADABLE', severity: 'error', message: 'cannot read event file: no such file', file }]);
    expect(readEventFileSync(file).diagnostics.map((d) => d.code)).toEqual(['EVENT_FILE_UNREADABLE']);
  });
  it('reports a directory as EVENT_FILE_UNREADABLE', async () => {
    const sub = join(dir, 'a-directory');
    mkdirSync(sub);
    expect((await readAll(sub)).diagnostics.map((d) => d.code)).toEqual(['EVENT_FILE_UNREADABLE']);
    expect(readEventFileSync(sub).diagnostics.map((d) => d.code)).toEqual(['EVENT_FILE_UNREADABLE']);
  });
  it('detects the format from content, not from the extension', async () => {
    const file = tempFile('[{"a":1}]', '.jsonl');
    expect((await readAll(file)).events.map((e) => e.raw)).toEqual([{ a: 1 }]);
    const file2 = tempFile('{"a":1}\n{"a":2}\n', '.txt');
    expect((await readAll(file2)).events).toHaveLength(2);
  });
});

describe('readEvents: dispatch by file type', () => {
  it('reads .evtx files natively: records flattened, line 0, index counting records', async () => {
    const w = new ChunkWriter();
    const tpl = (id: number): SynthTemplate => ({
      key: 'e',
      nodes: [
        {
          el: 'Event',
          children: [
            { el: 'System', children: [{ el: 'EventRecordID', children: [{ sub: 0, type: ValueType.UInt64 }] }] },
            { el: 'EventData', children: [{ el: 'Data', attrs: [['Name', [{ text: 'Image' }]]], children: [{ sub: 1, type: ValueType.String }] }] },
          ],
        },
      ],
      values: [synthValue.uint64(BigInt(id)), synthValue.string(`C:\\p${id}.exe`)],
    });
    w.addRecord(1, tpl(1));
    w.addRecord(2, tpl(2));
    const file = tempFile(buildEvtxFile([w.finish()]), '.evtx');
    const streamed = await readAll(file);
    expect(streamed.diagnostics).toEqual([]);
    expect(streamed.events.map((e) => [e.index, e.line, e.event])).toEqual([
      [0, 0, { EventRecordID: 1, Image: 'C:\\p1.exe' }],
      [1, 0, { EventRecordID: 2, Image: 'C:\\p2.exe' }],
    ]);
    expect(streamed.events[0]?.raw).toEqual({ Event: { System: { EventRecordID: 1 }, EventData: { Image: 'C:\\p1.exe' } } });
    expect(streamed.events[0]?.file).toBe(file);
    expect(summary(readEventFileSync(file))).toEqual(summary(streamed));
  });
  it('reports a .evtx file that is not EVTX as EVTX_NOT_EVTX', async () => {
    const file = tempFile(Buffer.from([0x45, 0x6c, 0x66, 0x46, 0x69, 0x6c, 0x65, 0x00]), '.evtx');
    const reads: EventRead[] = [];
    for await (const r of readEvents(file)) reads.push(r);
    expect(reads).toHaveLength(1);
    const d = reads[0]?.kind === 'error' ? reads[0].diagnostic : undefined;
    expect(d?.code).toBe('EVTX_NOT_EVTX');
    expect(d?.file).toBe(file);
    expect(d?.message).toMatch(/not an EVTX file/);
    expect(readEventFileSync(file).diagnostics.map((x) => x.code)).toEqual(['EVTX_NOT_EVTX']);
    expect((await readAll(file.replace(/\.evtx$/, '.EVTX'))).diagnostics.map((x) => x.code)).toEqual(['EVENT_FILE_UNREADABLE']);
    const upper = tempFile(readFileSync(file), '.EVTX');
    expect((await readAll(upper)).diagnostics.map((x) => x.code)).toEqual(['EVTX_NOT_EVTX']);
  });
  it('picks the JSON reader for everything else', () => {
    expect(readerFor('a.json')).toBe(readerFor('b.jsonl'));
    expect(readerFor('a.json')).not.toBe(readerFor('a.evtx'));
  });
});

function corpusJsonFiles(d: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) out.push(...corpusJsonFiles(p));
    else if (/\.json\w*$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

describe.skipIf(!HAVE_CORPUS)(
  HAVE_CORPUS ? 'readEventFile on SigmaHQ regression data' : 'readEventFile on SigmaHQ regression data (SKIPPED: ../shared/corpus is absent)',
  () => {
    it('reads every regression file without diagnostics, streamed and sync alike', async () => {
      const files = corpusJsonFiles(REGRESSION);
      expect(files.length).toBeGreaterThanOrEqual(100);
      let total = 0;
      for (const f of files) {
        const streamed = await readAll(f, 4096);
        expect(streamed.diagnostics, f).toEqual([]);
        expect(summary(streamed)).toEqual(summary(readEventFileSync(f)));
        total += streamed.events.length;
      }
      expect(total).toBeGreaterThan(files.length); // some files hold several events
    });
    it('reads the multi-event files with 1-byte chunks', async () => {
      const multi = corpusJsonFiles(REGRESSION).filter((f) => readEventFileSync(f).events.length > 1);
      expect(multi.length).toBeGreaterThan(0);
      for (const f of multi) {
        const sync = readEventFileSync(f);
        const streamed = await readAll(f, 1);
        expect(summary(streamed)).toEqual(summary(sync));
        expect(streamed.events.map((e) => e.line)[0]).toBe(1);
      }
    });
  },
);

if (!HAVE_CORPUS) console.warn(`read-events.test: ${REGRESSION} not found; corpus tests skipped`);

describe('readEventBatches', () => {
  it('gives the reads of readEvents, a chunk at a time', async () => {
    const text = '{"a":1}\n{"b":\n{"c":3}\n\n[1]\n{"d":4}';
    const f = tempFile(text, '.jsonl');
    const one: EventRead[] = [];
    for await (const r of readEvents(f, { chunkSize: 5 })) one.push(r);
    const batched: unknown[] = [];
    let batches = 0;
    for await (const b of readEventBatches(f, { chunkSize: 5 })) {
      batches++;
      batched.push(...b);
    }
    expect(batched).toEqual(one);
    expect(batches).toBeLessThan(one.length + 2);
  });

  it('hands JSON Lines over unparsed with rawLines; readLine reads a broken one like the reader', async () => {
    const f = tempFile('{"a":1}\n{"b":\n{"c":3}\n', '.jsonl');
    const items: Array<{ kind: string }> = [];
    for await (const b of readEventBatches(f, { rawLines: true })) items.push(...b);
    expect(items).toEqual([
      { kind: 'line', text: '{"a":1}', file: f, index: 0, line: 1 },
      { kind: 'line', text: '{"b":', file: f, index: 1, line: 2 },
      { kind: 'line', text: '{"c":3}', file: f, index: 2, line: 3 },
    ]);
    const direct: EventRead[] = [];
    for await (const r of readEvents(f)) direct.push(r);
    expect(readLine('{"b":', f, 2, 1)).toEqual([direct[1]]);
  });
});

describe('issue 23: long lines, positions after recovery, deep events, streaming', () => {
  it('joins the pieces of a line longer than many chunks once (was: once per chunk, quadratic), async and sync alike', async () => {
    // One 3 MB line read in 4 KiB chunks: 750 chunks. Joining at every chunk copied ~1 GB.
    const long = `{"a":"${'x'.repeat(3_000_000)}"}`;
    const f = tempFile(`${long}\n{"b":1}\n${long}`, '.jsonl');
    const concat = Buffer.concat;
    let copied = 0;
    Buffer.concat = ((list: readonly Uint8Array[], total?: number) => {
      const out = concat(list, total);
      copied += out.length;
      return out;
    }) as typeof Buffer.concat;
    try {
      const streamed = await readAll(f, 4096);
      const sync = [...readEventsSync(f, { chunkSize: 4096 })];
      expect(streamed.events.map((e) => Object.keys(e.event))).toEqual([['a'], ['b'], ['a']]);
      expect(sync.filter((r) => r.kind === 'event')).toHaveLength(3);
    } finally {
      Buffer.concat = concat;
    }
    // Each long line is joined once per reader (plus the first decision of the format): linear.
    expect(copied).toBeLessThan(6 * (long.length + 10));
  });

  it('error messages after recovery name the lines of the file, in JSON Lines as in the other formats', async () => {
    const text = ['{"a":1}', '{"a":2,}', '{"a":3}', '{"a" 4}', '{"a":5}', '', '{"a":', '{"a":7}', '{"s":"unterminated', '{"a":9}'].join('\n');
    const f = tempFile(text, '.jsonl');
    for (const r of [await readAll(f), await readAll(f, 3), readEventFileSync(f)]) {
      expect(r.events.map((e) => e.line)).toEqual([1, 3, 5, 8, 10]);
      const where = r.diagnostics.map((d) => `${d.pos?.line}:${d.pos?.column} ${d.message.match(/line \d+/g)?.join(',') ?? ''}`);
      // Every "line N" a message names is its own line (it said "line 2" for line 4: the line of a probe).
      expect(where).toEqual(['2:8 line 2', '4:6 line 4', '7:6 ', '9:19 line 9,line 9']);
    }
  });

  it('a deeply nested event is one located EVENT_TOO_DEEP error and the rest of the file is read (JSON Lines, array, concatenated)', async () => {
    const good = JSON.stringify({ Image: 'C:\\x\\whoami.exe' });
    const deepObject = `{"Event":{"System":{"EventID":1},"UserData":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}}`;
    const deepArray = `{"Image":"C:\\\\whoami.exe","x":${'['.repeat(5_000)}1${']'.repeat(5_000)}}`;
    const lines = [good, deepObject, ...Array.from({ length: 1000 }, () => good)].join('\n');
    const array = `[\n${[good, deepArray, ...Array.from({ length: 1000 }, () => good)].join(',\n')}\n]\n`;
    const concatenated = `{\n  "Image": "a"\n}\n{\n  "Event": ${deepObject.slice('{"Event":'.length, -1)}\n}\n{\n  "Image": "b"\n}\n`;
    for (const [text, ext, events, at] of [
      [lines, '.jsonl', 1001, '2:'],
      [array, '.json', 1001, '3:'],
      [concatenated, '.json', 2, '5:'],
    ] as const) {
      const f = tempFile(text, ext);
      for (const r of [await readAll(f), readEventFileSync(f), readEventText(text, f)]) {
        expect(r.events, ext).toHaveLength(events);
        expect(r.diagnostics.map((d) => d.code), ext).toEqual(['EVENT_TOO_DEEP']);
        expect(`${r.diagnostics[0]?.pos?.line}:`, ext).toBe(at);
        expect(r.diagnostics[0]?.message).toMatch(/more than 100 levels deep/);
      }
    }
  });

  it('readEventsSync streams: events come before the file is read to its end', () => {
    // Events appended after the first one was read are read too: nothing was read whole up front.
    const f = tempFile('{"n":1}\n', '.jsonl');
    const it = readEventsSync(f, { chunkSize: 4 });
    const first = it.next();
    expect(first.value?.kind === 'event' && first.value.event['n']).toBe(1);
    writeFileSync(f, '{"n":1}\n{"n":2}\n');
    const rest = [...it].flatMap((r) => (r.kind === 'event' ? [r.event['n']] : []));
    expect(rest).toEqual([2]);
  });
});
