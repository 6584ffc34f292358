/**
 * The loader fuzz test's machinery (issue 23): fast-check generates and mutates the inputs every
 * loader takes from users and pull requests — rule documents, case files, known-FP files,
 * logsource mapping files, config files, events (JSON Lines, JSON, concatenated objects) and
 * native `.evtx` files — and holds each loader to one property: it never throws, and it returns
 * its data and well-formed diagnostics (a registered code, a severity, a message, a position
 * inside the text when there is one).
 *
 * Inputs start from valid seeds (the bundled rules and case files, samples of the other formats)
 * or from nothing (random YAML and JSON values with prototype keys, random text), and go through
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
const FORMAT_KEYS = ['title', 'id', 'logsource', 'detection', 'condition', 'selection', 'rule', 'cases', 'name', 'expect', 'event', 'events_file', 'stages', 'count', 'known_fps', 'field', 'value', 'reason', 'expires', 'logsources', 'sources', 'channel', 'eventIds', 'placeholders', 'gate', 'root', 'Image|endswith', 'x|re', 'EventID'];

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

/** Inputs for a loader: seeds, mutated seeds, generated documents, random text. */
export function inputs(seeds: readonly string[]): fc.Arbitrary<string> {
  const base = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...seeds) },
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
    seeds: textLoaders()[5]?.seeds ?? [],
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
