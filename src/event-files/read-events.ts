/**
 * Reading event files: JSON Lines, a JSON array of objects, a single object, or several
 * (pretty-printed) objects one after the other, like SigmaHQ's regression `.json` files. The
 * format is told from the content, never from the extension.
 *
 * Files are streamed in chunks through {@link JsonSplitter}, so only one event is in memory at a
 * time, and every problem becomes a diagnostic while reading carries on with the next event. The
 * sync and in-memory variants run the same splitter over the whole text. The reader for a file is
 * picked in one place, {@link readerFor}: native `.evtx` files (by extension) go through the
 * streaming EVTX reader of `src/evtx`, which yields each record as EVTX-JSON, flattened here like
 * any JSON event; its warnings and errors become `error` reads carrying the diagnostic.
 *
 * Diagnostic codes: `EVENT_INVALID_JSON` (malformed JSON; line/column of the problem),
 * `EVENT_NOT_OBJECT` (a top-level value or array element that is not an object),
 * `EVENT_FILE_UNREADABLE` (missing file, directory, I/O error); for `.evtx` also `EVTX_NOT_EVTX`,
 * `EVTX_HEADER_CORRUPT`, `EVTX_CHUNK_CORRUPT` and `EVTX_RECORD_CORRUPT` (see `src/evtx/read-evtx.ts`).
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { assertNever, diagnostic, readErrorReason } from '../diagnostics/diagnostics.js';
import type { Diagnostic } from '../diagnostics/diagnostics.js';
import { flattenEvent } from '../events/flatten-event.js';
import type { FlatEvent } from '../events/flatten-event.js';
import { JsonSplitter } from './json-splitter.js';
import { depthExceededAt, tooDeepMessage, tooLargeMessage } from './event-depth.js';
import { DEFAULT_LIMITS } from '../util/limits.js';
import type { Limits } from '../util/limits.js';
import { isSmallFile } from '../util/small-file.js';
import type { SplitItem } from './json-splitter.js';
import { readEvtxBatches, readEvtxSync } from '../evtx/read-evtx.js';
import type { EvtxItem, EvtxRecord } from '../evtx/read-evtx.js';
import { isJsonObject } from '../util/json-object.js';

/** One result of reading an event file: an event, or a problem found on the way. */
export type EventRead =
  | {
      kind: 'event';
      /** The event as rules see it ({@link flattenEvent} of `raw`). */
      event: FlatEvent;
      /** The object exactly as parsed from the file. */
      raw: unknown;
      file: string;
      /**
       * 0-based position among the file's top-level values (or top-level array elements), broken
       * ones included; for `.evtx` files, the position among the records read.
       */
      index: number;
      /** 1-based line where the object starts (0 for `.evtx` records, which have no lines). */
      line: number;
      /** The object's JSON text as read, when it was one line of a JSON Lines file. */
      json?: string;
    }
  | { kind: 'error'; diagnostic: Diagnostic };

/** A successfully read event. */
export type EventItem = Extract<EventRead, { kind: 'event' }>;

/** All events of a file and the diagnostics met while reading it. */
export interface EventReadResult {
  events: EventItem[];
  diagnostics: Diagnostic[];
}

/** A JSON Lines line handed over unparsed (see {@link readEventBatches}); {@link readLine} reads it. */
export interface RawLine {
  kind: 'line';
  text: string;
  file: string;
  index: number;
  line: number;
}

/** Options for the streaming readers. */
export interface ReadEventsOptions {
  /** JSON Lines lines are yielded unparsed as {@link RawLine} items (only {@link readEventBatches} takes it). */
  rawLines?: boolean;
  /** `limits.event_depth` and `limits.event_bytes` (util/limits.ts; the defaults when absent). */
  limits?: EventLimits;
  /** Size in bytes of the chunks read from disk (default 64 KiB); tests use 1. */
  chunkSize?: number;
}

/** How one kind of event file is read: streaming, and streaming with blocking reads. */
export interface EventFileReader {
  read(file: string, options?: ReadEventsOptions): AsyncGenerator<EventRead>;
  /** The same reads with blocking calls, a chunk at a time; from `fd` when given (left open). */
  readSync(file: string, options?: ReadEventsOptions & { fd?: number }): Generator<EventRead>;
}

const DEFAULT_CHUNK = 1024 * 1024;

/** The limits an event file is read under. */
export type EventLimits = Partial<Pick<Limits, 'eventDepth' | 'eventBytes'>>;

function eventLimits(l: EventLimits | undefined): { depth: number; bytes: number } {
  return { depth: l?.eventDepth ?? DEFAULT_LIMITS.eventDepth, bytes: l?.eventBytes ?? DEFAULT_LIMITS.eventBytes };
}

/** Turns one splitter item into an {@link EventRead}. */
function toRead(item: SplitItem, file: string): EventRead {
  const pos = { line: item.line, column: item.column };
  switch (item.kind) {
    case 'error':
      if (item.tooDeep === true) return { kind: 'error', diagnostic: diagnostic('EVENT_TOO_DEEP', item.message, { file, pos }) };
      if (item.tooLarge === true) return { kind: 'error', diagnostic: diagnostic('EVENT_TOO_LARGE', item.message, { file, pos }) };
      return { kind: 'error', diagnostic: diagnostic('EVENT_INVALID_JSON', `invalid JSON: ${item.message}`, { file, pos }) };
    case 'value':
      return {
        kind: 'error',
        diagnostic: diagnostic(
          'EVENT_NOT_OBJECT',
          `an event must be a JSON object, found ${item.valueType === 'array' ? 'an array' : `a ${item.valueType}`}`,
          { file, pos },
        ),
      };
    case 'object': {
      let raw: unknown;
      try {
        raw = JSON.parse(item.text);
      } catch (e) {
        // The splitter checked the grammar, so this is not expected; report it all the same.
        return {
          kind: 'error',
          diagnostic: diagnostic('EVENT_INVALID_JSON', `invalid JSON: ${(e as Error).message}`, { file, pos }),
        };
      }
      return { kind: 'event', event: flattenEvent(raw), raw, file, index: item.index, line: item.line };
    }
    default:
      return assertNever(item);
  }
}

function isObjectLine(text: string): boolean {
  const t = text.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return false;
  try {
    const v: unknown = JSON.parse(t);
    return isJsonObject(v);
  } catch {
    return false;
  }
}

function unreadable(file: string, e: unknown): EventRead {
  const why = readErrorReason(e);
  return { kind: 'error', diagnostic: diagnostic('EVENT_FILE_UNREADABLE', `cannot read event file: ${why}`, { file }) };
}

function collect(reads: Iterable<EventRead>): EventReadResult {
  const result: EventReadResult = { events: [], diagnostics: [] };
  for (const r of reads) {
    if (r.kind === 'event') result.events.push(r);
    else result.diagnostics.push(r.diagnostic);
  }
  return result;
}

/** Reads events from in-memory text (same formats and diagnostics as the file readers). */
export function readEventText(text: string, file: string, limits?: EventLimits): EventReadResult {
  const l = eventLimits(limits);
  const splitter = new JsonSplitter({ maxDepth: l.depth, maxChars: l.bytes });
  const items = [...splitter.feed(text), ...splitter.end()];
  return collect(items.map((it) => toRead(it, file)));
}

/**
 * One line of a JSON Lines file, parsed natively; a line that is not a JSON value goes through
 * the splitter alone, so its diagnostic is exactly the splitter's (line numbers shifted).
 */
export function readLine(text: string, file: string, line: number, index: number, limits?: EventLimits): EventRead[] {
  const l = eventLimits(limits);
  // A line's bytes were checked by the reader; as text it has at most as many characters.
  if (text.length > l.bytes) return [{ kind: 'error', diagnostic: diagnostic('EVENT_TOO_LARGE', tooLargeMessage(l.bytes), { file, pos: { line, column: 1 } }) }];
  const deep = depthExceededAt(text, l.depth);
  if (deep >= 0) return [{ kind: 'error', diagnostic: diagnostic('EVENT_TOO_DEEP', tooDeepMessage(l.depth), { file, pos: { line, column: deep + 1 } }) }];
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // The splitter in JSON Lines mode, as it is for the file, numbering lines from this one.
    const splitter = new JsonSplitter({ line, lines: true, maxDepth: l.depth, maxChars: l.bytes });
    const items = [...splitter.feed(`${text}\n`), ...splitter.end()];
    return items.map((it) => toRead('index' in it ? { ...it, index } : it, file));
  }
  if (isJsonObject(raw)) return [{ kind: 'event', event: flattenEvent(raw), raw, file, index, line, json: text }];
  const valueType = Array.isArray(raw) ? 'array' : raw === null ? 'null' : (typeof raw as 'string' | 'number' | 'boolean');
  const column = text.length - text.trimStart().length + 1;
  return [toRead({ kind: 'value', valueType, line, column, index }, file)];
}

/**
 * The JSON reader's core, fed one chunk of bytes at a time by a streaming driver (async:
 * {@link jsonBatches}; blocking: {@link jsonBatchesSync}), never the whole file.
 * JSON Lines (the first line is a whole object) is split into lines on the bytes and each line
 * decoded on its own: lines stay one-byte strings unless they hold non-ASCII text themselves,
 * which parses faster, and no decoder state is carried. Each line goes to the native parser (or
 * is handed over unparsed with `rawLines`); anything else streams through the splitter.
 *
 * A line longer than a chunk is kept as a list of pieces joined once when its newline arrives,
 * and the format is decided without re-reading what came before, so a file of one 200 MB line
 * costs what 200 MB of short lines cost (joining the pieces at every chunk made it quadratic).
 */
class JsonCore {
  private readonly splitter: JsonSplitter;
  private readonly limits: { depth: number; bytes: number };
  /** Lines mode: the line in progress grew past limits.event_bytes; its bytes are dropped until its newline. */
  private oversized = false;
  private readonly decoder = new StringDecoder('utf8');
  private mode: 'undecided' | 'lines' | 'splitter' = 'undecided';
  /** Undecided: the bytes so far; lines: the bytes after the last newline (pieces, joined once). */
  private pieces: Buffer[] = [];
  private piecesLength = 0;
  private line = 0;
  private index = 0;
  out: Array<EventRead | RawLine> = [];

  constructor(
    private readonly file: string,
    private readonly rawLines: boolean,
    limits?: EventLimits,
  ) {
    this.limits = eventLimits(limits);
    this.splitter = new JsonSplitter({ maxDepth: this.limits.depth, maxChars: this.limits.bytes });
  }

  private fromSplitter(items: SplitItem[]): void {
    for (const item of items) this.out.push(toRead(item, this.file));
  }

  private takeLine(buf: Buffer, start: number, end: number): void {
    const line = ++this.line;
    if (this.oversized || end - start > this.limits.bytes) {
      // Too large: reported by its line, never decoded (nor kept whole, see push).
      this.oversized = false;
      this.index++;
      this.out.push({ kind: 'error', diagnostic: diagnostic('EVENT_TOO_LARGE', tooLargeMessage(this.limits.bytes), { file: this.file, pos: { line, column: 1 } }) });
      return;
    }
    if (end > start && buf[end - 1] === 13) end--; // CRLF
    let text = buf.toString('utf8', start, end);
    if (line === 1 && text.startsWith('\ufeff')) text = text.slice(1);
    // Most lines start with '{'; only others need the blank-line test.
    if (text.charCodeAt(0) !== 123 && text.trim() === '') return; // blank lines are not values
    if (this.rawLines) this.out.push({ kind: 'line', text, file: this.file, index: this.index++, line });
    else for (const r of readLine(text, this.file, line, this.index++, { eventDepth: this.limits.depth, eventBytes: this.limits.bytes })) this.out.push(r);
  }

  /** The pieces kept so far and `tail`, as one buffer; the pieces are dropped. */
  private joined(tail?: Buffer): Buffer {
    if (tail !== undefined) {
      this.pieces.push(tail);
      this.piecesLength += tail.length;
    }
    const all = this.pieces.length === 1 ? (this.pieces[0] as Buffer) : Buffer.concat(this.pieces, this.piecesLength);
    this.pieces = [];
    this.piecesLength = 0;
    return all;
  }

  private keep(piece: Buffer): void {
    if (this.mode === 'lines' && (this.oversized || this.piecesLength + piece.length > this.limits.bytes)) {
      // The line in progress is too large for an event: drop its bytes, report it at its newline.
      this.oversized = true;
      this.pieces = [];
      this.piecesLength = 0;
      return;
    }
    this.pieces.push(piece);
    this.piecesLength += piece.length;
  }

  /** Takes the next chunk of the file; what is kept of it is copied (the caller reads the next chunk into the same memory). */
  push(chunk: Buffer): void {
    if (this.mode === 'splitter') {
      this.fromSplitter(this.splitter.feed(this.decoder.write(chunk)));
      return;
    }
    if (this.mode === 'undecided') {
      this.keep(Buffer.from(chunk));
      // A first line larger than an event may be: the splitter reads on (and reports it).
      if (this.piecesLength > this.limits.bytes) {
        this.mode = 'splitter';
        this.fromSplitter(this.splitter.feed(this.decoder.write(this.joined())));
        return;
      }
      // The format shows once the first line holding anything has ended: only a chunk with a
      // newline can decide it, so a first line of many chunks is looked at once.
      if (chunk.indexOf(10) < 0) return;
      const bytes = this.joined();
      const decided = formatOf(bytes);
      if (decided === undefined) {
        this.keep(bytes);
        return;
      }
      this.mode = decided;
      if (decided === 'splitter') {
        this.fromSplitter(this.splitter.feed(this.decoder.write(bytes)));
        return;
      }
      chunk = bytes;
    }
    let start = 0;
    let nl = chunk.indexOf(10);
    if (this.pieces.length > 0) {
      // The line begun in earlier chunks.
      if (nl < 0) {
        this.keep(Buffer.from(chunk));
        return;
      }
      const first = this.joined(chunk.subarray(0, nl));
      this.takeLine(first, 0, first.length);
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    while (nl >= 0) {
      this.takeLine(chunk, start, nl);
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (start < chunk.length) this.keep(Buffer.from(chunk.subarray(start)));
  }

  /** The end of the file: completes or reports what is left. */
  finish(): void {
    if (this.mode === 'lines') {
      if (this.pieces.length > 0) {
        const last = this.joined();
        this.takeLine(last, 0, last.length);
      }
      return;
    }
    if (this.mode === 'undecided' && this.pieces.length > 0) this.fromSplitter(this.splitter.feed(this.decoder.write(this.joined())));
    this.fromSplitter(this.splitter.feed(this.decoder.end()));
    this.fromSplitter(this.splitter.end());
  }

  /** The reads completed since the last call. */
  take(): Array<EventRead | RawLine> {
    const out = this.out;
    this.out = [];
    return out;
  }
}

/** The reads of a JSON event file a chunk at a time (one await per chunk, not per event). */
async function* jsonBatches(file: string, options: ReadEventsOptions = {}): AsyncGenerator<Array<EventRead | RawLine>> {
  const core = new JsonCore(file, options.rawLines === true, options.limits);
  const highWaterMark = Math.max(1, options.chunkSize ?? DEFAULT_CHUNK);
  try {
    // Errors (missing file, directory, I/O) surface from the first read, inside this loop.
    // A file that fits one chunk is read at once (see isSmallFile).
    const stream = isSmallFile(file, highWaterMark) ? [readFileSync(file)] : fileChunks(file, highWaterMark);
    for await (const raw of stream) {
      core.push(raw);
      if (core.out.length > 0) yield core.take();
    }
  } catch (e) {
    core.out.push(unreadable(file, e));
    yield core.take();
    return;
  }
  core.finish();
  if (core.out.length > 0) yield core.take();
}

/**
 * A file's bytes a chunk (at most `size` bytes) at a time, each valid until the next is asked
 * for: read into two buffers in turn, the next chunk while the caller takes this one apart. (A
 * read stream allocates a buffer per chunk: memory touched for the first time at every chunk,
 * which costs more than reading into it, and kept until the collector frees it.)
 */
async function* fileChunks(file: string, size: number): AsyncGenerator<Buffer> {
  const fh = await open(file, 'r');
  let pending: Promise<{ bytesRead: number }> | undefined;
  try {
    const buffers = [Buffer.allocUnsafeSlow(size), Buffer.allocUnsafeSlow(size)];
    let k = 0;
    pending = fh.read(buffers[0] as Buffer, 0, size, null);
    for (;;) {
      const { bytesRead } = await pending;
      pending = undefined;
      if (bytesRead === 0) return;
      const chunk = buffers[k] as Buffer;
      k = 1 - k;
      pending = fh.read(buffers[k] as Buffer, 0, size, null);
      yield chunk.subarray(0, bytesRead);
    }
  } finally {
    // A read ahead still running when the caller stops (or a read failed) ends before the file closes.
    await pending?.catch(() => undefined);
    await fh.close();
  }
}

/**
 * The reads of a JSON event file a chunk at a time with blocking reads: from `fd` when given (an
 * open file the caller has checked; it is not closed here), else from the file, opened and
 * closed here.
 */
function* jsonBatchesSync(file: string, options: ReadEventsOptions & { fd?: number } = {}): Generator<Array<EventRead | RawLine>> {
  const core = new JsonCore(file, options.rawLines === true, options.limits);
  const size = Math.max(1, options.chunkSize ?? DEFAULT_CHUNK);
  let fd = options.fd;
  const own = fd === undefined;
  try {
    fd ??= openSync(file, 'r');
    const buf = Buffer.allocUnsafe(size);
    for (;;) {
      const n = readSync(fd, buf, 0, size, null);
      if (n === 0) break;
      core.push(buf.subarray(0, n));
      if (core.out.length > 0) yield core.take();
    }
  } catch (e) {
    core.out.push(unreadable(file, e));
    yield core.take();
    return;
  } finally {
    if (own && fd !== undefined) closeSync(fd);
  }
  core.finish();
  if (core.out.length > 0) yield core.take();
}

/**
 * JSON Lines when the first line holding anything is a whole JSON object, else the splitter;
 * undefined until the bytes so far show it (that line has ended and something follows it).
 */
function formatOf(bytes: Buffer): 'lines' | 'splitter' | undefined {
  const text = bytes.toString('utf8');
  const first = text.search(/\S/);
  const nl = text.indexOf('\n');
  if (first < 0 || nl < 0 || (first > nl && text.slice(nl + 1).search(/\S/) < 0)) return undefined;
  const firstLineEnd = text.indexOf('\n', first);
  if (firstLineEnd < 0) return undefined;
  const firstLine = text.slice(text.lastIndexOf('\n', first) + 1, firstLineEnd);
  return isObjectLine(firstLine) ? 'lines' : 'splitter';
}

/** The JSON reader: streams JSON Lines, arrays, single and concatenated objects. */
const jsonReader: EventFileReader = {
  async *read(file: string, options: ReadEventsOptions = {}): AsyncGenerator<EventRead> {
    for await (const batch of jsonBatches(file, { ...options, rawLines: false })) yield* batch as EventRead[];
  },
  *readSync(file: string, options: ReadEventsOptions & { fd?: number } = {}): Generator<EventRead> {
    for (const batch of jsonBatchesSync(file, { ...options, rawLines: false })) yield* batch as EventRead[];
  },
};

/** Turns one EVTX reader item into an {@link EventRead}; `index` counts the records so far. */
function evtxRead(item: EvtxItem, file: string, index: number, lazy = false): EventRead {
  if (item.kind === 'warning') return { kind: 'error', diagnostic: item.diagnostic };
  if (lazy && item.flat !== undefined) return new EvtxEventRead(item, file, index);
  return { kind: 'event', event: item.flat ?? flattenEvent(item.event), raw: item.event, file, index, line: 0 };
}

/**
 * An event flattened straight from its EVTX template, its EVTX-JSON rendered when first asked
 * for: what {@link readEventBatches} gives a scan, which prints the JSON of matches only. (The
 * other readers give plain objects, `raw` an own property, as callers may copy or serialise them.)
 */
class EvtxEventRead {
  readonly kind = 'event' as const;
  readonly event: FlatEvent;
  readonly line = 0;
  readonly #record: EvtxRecord;

  constructor(
    record: EvtxRecord,
    readonly file: string,
    readonly index: number,
  ) {
    this.#record = record;
    this.event = record.flat as FlatEvent;
  }

  get raw(): unknown {
    return this.#record.event;
  }
}

/** The native `.evtx` reader: records streamed chunk by chunk by `src/evtx`, then flattened. */
const evtxReader: EventFileReader = {
  async *read(file: string): AsyncGenerator<EventRead> {
    for await (const batch of evtxBatches(file, false)) yield* batch;
  },
  *readSync(file: string, options: { fd?: number } = {}): Generator<EventRead> {
    let index = 0;
    for (const item of readEvtxSync(file, options.fd)) {
      yield evtxRead(item, file, index);
      if (item.kind === 'record') index++;
    }
  },
};

/** Is `file` read as a native `.evtx` log (by its name; see {@link readerFor})? */
export function isEvtxFile(file: string): boolean {
  return /\.evtx$/i.test(file);
}

/** Picks the reader for a file by its name: the one place new formats (native EVTX) plug in. */
export function readerFor(file: string): EventFileReader {
  if (isEvtxFile(file)) return evtxReader;
  return jsonReader;
}

/**
 * The reads of a file a batch at a time (a chunk's worth: 1 MiB of JSON, one 64 KiB `.evtx` chunk), for
 * callers that count microseconds per event; with `rawLines`, JSON Lines lines come unparsed
 * ({@link RawLine}, parsed elsewhere, e.g. by scan's workers, and read back with {@link readLine} when broken).
 * An `.evtx` record flattened from its template renders `raw` only when it is read (a getter).
 */
export async function* readEventBatches(file: string, options: ReadEventsOptions = {}): AsyncGenerator<Array<EventRead | RawLine>> {
  if (readerFor(file) === jsonReader) {
    yield* jsonBatches(file, options);
    return;
  }
  yield* evtxBatches(file, true);
}

/**
 * The reads of an `.evtx` file a chunk at a time, records numbered in file order; `lazy`: a
 * record flattened from its template renders its EVTX-JSON (`raw`) only when read.
 */
async function* evtxBatches(file: string, lazy: boolean): AsyncGenerator<EventRead[]> {
  let index = 0;
  for await (const items of readEvtxBatches(file)) {
    const reads: EventRead[] = new Array<EventRead>(items.length);
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as EvtxItem;
      reads[i] = evtxRead(item, file, index, lazy);
      if (item.kind === 'record') index++;
    }
    yield reads;
  }
}

/** Streams the events of any supported event file, choosing the reader with {@link readerFor}. */
export function readEvents(file: string, options: ReadEventsOptions = {}): AsyncGenerator<EventRead> {
  return readerFor(file).read(file, options);
}

/**
 * Streams the events of a file, one at a time, in file order (same as {@link readEvents}): JSON
 * content is split incrementally; `.evtx` files are read chunk by chunk.
 */
export async function* readEventFile(file: string, options: ReadEventsOptions = {}): AsyncGenerator<EventRead> {
  yield* readEvents(file, options);
}

/**
 * Streams the events of a file with blocking reads, a chunk at a time (same reads as
 * {@link readEventFile}): for synchronous callers such as case runs, which must not hold a large
 * file in memory either. With `fd`, reads that open file (the caller checked what it is, and
 * closes it); `file` then only names it.
 */
export function readEventsSync(file: string, options: ReadEventsOptions & { fd?: number } = {}): Generator<EventRead> {
  return readerFor(file).readSync(file, options);
}

/** Reads all events of a file (same formats and diagnostics as {@link readEventFile}), streamed into one result. */
export function readEventFileSync(file: string): EventReadResult {
  return collect(readEventsSync(file));
}
