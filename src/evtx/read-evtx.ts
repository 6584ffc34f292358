/**
 * Streaming reader for native Windows `.evtx` event logs, producing one EVTX-JSON object per
 * record, the same shape evtx_dump-style converters write (see `to-json.ts`), so that
 * `flattenEvent` treats a native file and its JSON rendering alike.
 *
 * Technique: the file is read through a file handle, the 4 KiB header first, then one 64 KiB
 * chunk at a time into a single reused buffer (served from 1 MiB blocks read ahead); a chunk is
 * fully self-contained (its own names and template definitions), so every record is decoded into
 * plain JS values before the next chunk is read. Each chunk is checked (signature, header and
 * record-area CRC32) before its records are parsed; records are parsed by {@link ChunkBinXml}
 * and rendered by {@link toEvtxJson} (by {@link templateJson} straight from the template when the
 * record is one template instance, as Windows writes them). A template instance of the usual
 * Windows shape is flattened straight from the template ({@link templateFlat}, `record.flat`)
 * and its EVTX-JSON rendered only when read.
 *
 * Problems never throw. They are yielded as diagnostics, in file order among the records:
 * - `EVTX_NOT_EVTX` (error, reading stops): the file does not start with `ElfFile\0`;
 * - `EVENT_FILE_UNREADABLE` (error, reading stops): missing file, directory, I/O error;
 * - `EVTX_HEADER_CORRUPT` (warning): the file header checksum does not match (chunks are read anyway);
 * - `EVTX_CHUNK_CORRUPT` (warning): bad chunk signature, header or records checksum mismatch,
 *   truncated chunk; the whole chunk is skipped;
 * - `EVTX_RECORD_CORRUPT` (warning): a record with broken framing or undecodable Binary XML; it
 *   is skipped and reading goes on with the next record.
 * - `EVTX_CHUNK_ZEROED` (warning): an all-zero chunk where records belong: before a chunk in use,
 *   or among the chunks the (intact) file header counts; its records are lost (a wiped chunk).
 * Unused (all-zero) chunks at the end of a preallocated file, past the header's chunk count, are
 * skipped silently: Windows preallocates them.
 */
import { openSync, readSync, closeSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { diagnostic } from '../diagnostics/diagnostics.js';
import { isSmallFile } from '../util/small-file.js';
import type { Diagnostic, DiagnosticCode } from '../diagnostics/diagnostics.js';
import { ChunkBinXml } from './binxml.js';
import { checkChunk, chunkRecords } from './chunk.js';
import { CHUNK_SIZE, FILE_HEADER_SIZE, hasFileSignature, parseFileHeader } from './file-header.js';
import { templateJson, toEvtxJson } from './to-json.js';
import type { EvtxJson } from './to-json.js';
import { templateFlat } from './to-flat.js';
import type { FlatEvent } from '../events/flatten-event.js';
import type { TemplateInstance } from './binxml.js';

/** One event record read from an `.evtx` file. */
export interface EvtxRecord {
  kind: 'record';
  file: string;
  /** 0-based number of the chunk holding the record. */
  chunk: number;
  /** The record identifier from the record header (EventRecordID). */
  recordId: number;
  /** When the record was written, from the record header (ISO-8601 UTC, µs). */
  written: string;
  /** Byte offset of the record in the file. */
  offset: number;
  /**
   * The event as EVTX-JSON: `{"Event": {"#attributes": ..., "System": ..., "EventData": ...}}`.
   * When {@link flat} is set, rendered on first read (a scan needs it only for its matches).
   */
  event: EvtxJson;
  /** The flattened event, when it was built straight from the template ({@link templateFlat}). */
  flat?: FlatEvent;
}

/** A problem met while reading; `diagnostic.severity` is `error` when reading had to stop. */
export interface EvtxWarning {
  kind: 'warning';
  diagnostic: Diagnostic;
}

/** Everything {@link readEvtx} yields. */
export type EvtxItem = EvtxRecord | EvtxWarning;

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

function warn(code: DiagnosticCode, message: string, file: string, path?: string): EvtxWarning {
  return { kind: 'warning', diagnostic: diagnostic(code, message, { file, path }, 'warning') };
}

function fatal(code: DiagnosticCode, message: string, file: string): EvtxWarning {
  return { kind: 'warning', diagnostic: diagnostic(code, message, { file }) };
}

function unreadable(file: string, e: unknown): EvtxWarning {
  const err = e as NodeJS.ErrnoException;
  const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.message;
  return fatal('EVENT_FILE_UNREADABLE', `cannot read event file: ${why}`, file);
}

/** Checks the file header bytes; returns the chunk start offset, or the fatal problem. */
function checkHeader(head: Uint8Array, file: string): { start: number; warnings: EvtxWarning[]; chunkCount: number } | EvtxWarning {
  if (!hasFileSignature(head)) {
    return fatal('EVTX_NOT_EVTX', 'not an EVTX file: it does not start with the signature "ElfFile"', file);
  }
  if (head.length < FILE_HEADER_SIZE) {
    return fatal('EVTX_NOT_EVTX', `not an EVTX file: only ${head.length} bytes, shorter than the 4096-byte file header`, file);
  }
  const header = parseFileHeader(head);
  const warnings: EvtxWarning[] = [];
  if (!header.checksumOk) {
    warnings.push(warn('EVTX_HEADER_CORRUPT', 'file header checksum mismatch; reading the chunks anyway', file, 'header'));
  }
  // Chunks start after the 4 KiB header block in every known version (header block size 4096).
  // The chunk count of a damaged header is not trusted (0: only chunks in use tell).
  return { start: FILE_HEADER_SIZE, warnings, chunkCount: header.checksumOk ? header.chunkCount : 0 };
}

/**
 * Parses one chunk (`length` valid bytes of `buf`, zero-filled to 64 KiB) and yields its records
 * and problems. `index` is the 0-based chunk number, `fileOffset` where the chunk starts.
 */
export function* readChunk(buf: Uint8Array, length: number, index: number, fileOffset: number, file: string): Generator<EvtxItem> {
  const where = `chunk ${index} (file offset ${hex(fileOffset)})`;
  if (length < buf.length) buf.fill(0, length);
  const check = checkChunk(buf);
  if (!check.ok) {
    if (check.empty) return;
    const truncated = length < CHUNK_SIZE ? ` (chunk truncated to ${length} bytes)` : '';
    yield warn('EVTX_CHUNK_CORRUPT', `${where}: ${check.reason}${truncated}; skipping the chunk`, file, `chunk[${index}]`);
    return;
  }
  const binxml = new ChunkBinXml(buf);
  for (const r of chunkRecords(buf, check.header)) {
    if (r.kind === 'bad') {
      const id = r.recordId === undefined ? '' : ` ${r.recordId}`;
      yield warn(
        'EVTX_RECORD_CORRUPT',
        `${where}, record${id} at chunk offset ${hex(r.offset)}: ${r.reason}; skipping it`,
        file,
        `chunk[${index}].record[${r.recordId ?? `@${hex(r.offset)}`}]`,
      );
      continue;
    }
    let event: EvtxJson | undefined;
    let flat: FlatEvent | undefined;
    let instance: TemplateInstance | undefined;
    try {
      // A record that is one template instance (nearly all) is flattened, or rendered, straight
      // from the template.
      instance = binxml.parseInstance(r.dataStart, r.dataEnd);
      if (instance !== undefined) flat = templateFlat(instance.def, instance.values);
      if (flat === undefined) event = instance !== undefined ? templateJson(instance.def.nodes, instance.values) : toEvtxJson(binxml.parseDocument(r.dataStart, r.dataEnd));
    } catch (e) {
      yield warn(
        'EVTX_RECORD_CORRUPT',
        `${where}, record ${r.recordId} at chunk offset ${hex(r.offset)}: ${(e as Error).message}; skipping it`,
        file,
        `chunk[${index}].record[${r.recordId}]`,
      );
      continue;
    }
    const offset = fileOffset + r.offset;
    yield event !== undefined
      ? { kind: 'record', file, chunk: index, recordId: r.recordId, written: r.written, offset, event }
      : new TemplateRecord(file, index, r.recordId, r.written, offset, flat as FlatEvent, instance as TemplateInstance);
  }
}

/**
 * A record flattened straight from its template: its EVTX-JSON is rendered (once) when first
 * read. A class, so that the getter lives on the prototype: an object literal with a getter per
 * record cost more than the rendering it saves.
 */
class TemplateRecord implements EvtxRecord {
  readonly kind = 'record' as const;
  // Private fields: not own properties, so a copy or JSON of the record shows only its data.
  #rendered: EvtxJson | undefined = undefined;
  readonly #instance: TemplateInstance;

  constructor(
    readonly file: string,
    readonly chunk: number,
    readonly recordId: number,
    readonly written: string,
    readonly offset: number,
    readonly flat: FlatEvent,
    instance: TemplateInstance,
  ) {
    this.#instance = instance;
  }

  get event(): EvtxJson {
    this.#rendered ??= templateJson(this.#instance.def.nodes, this.#instance.values);
    return this.#rendered;
  }
}

/**
 * A read the file walk asks its driver for: `length` bytes at `position` into `buffer`, or, when
 * the driver holds those bytes already (a block read ahead), `view` set to them instead of a copy.
 */
interface ReadRequest {
  kind: 'read';
  buffer: Buffer;
  length: number;
  position: number;
  view?: Buffer | undefined;
}

/**
 * An all-zero chunk past the file header's chunk count (see {@link walkEvtxRange}): Windows'
 * preallocation, unless a chunk in use follows it ({@link ChunkInUse}), which makes it a wiped
 * chunk ({@link ZeroedChunks} decides).
 */
export interface ZeroChunk {
  kind: 'zero';
  index: number;
  offset: number;
}

/** A chunk that is in use (not all zero), told after {@link ZeroChunk}s or at the start of a range. */
export interface ChunkInUse {
  kind: 'in-use';
  index: number;
}

/**
 * Decides the all-zero chunks past the header's count of one file, met in file order (possibly
 * over several chunk ranges read apart, see {@link walkEvtxRange}): each is reported as
 * `EVTX_CHUNK_ZEROED` once a chunk in use follows it, else dropped at the end of the file.
 */
export class ZeroedChunks {
  private pending: ZeroChunk[] = [];

  constructor(private readonly file: string) {}

  /** A zero chunk met: pending until a chunk in use follows. */
  zero(z: ZeroChunk): void {
    this.pending.push(z);
  }

  /** A chunk in use met: the warnings of the zero chunks before it, in order. */
  inUse(index: number): EvtxWarning[] {
    if (this.pending.length === 0) return [];
    const out = this.pending.map((z) => zeroedChunk(this.file, z.index, z.offset, `chunk ${index} after it is in use`));
    this.pending = [];
    return out;
  }
}

/**
 * Which chunks {@link walkEvtxRange} reads: chunks `first` up to (not including) `end`, and
 * whether the file header's own problems are told (the range that starts the file tells them).
 */
export interface ChunkRange {
  first: number;
  end: number;
  header: boolean;
}

/** The whole file. */
const WHOLE: ChunkRange = { first: 0, end: Infinity, header: true };

/**
 * The walk over an open `.evtx` file, shared by the async and sync readers: it yields items and
 * read requests; the driver answers each request with the number of bytes read (or throws the
 * I/O error into it). Zero chunks past the header's count are decided here.
 */
function* walkEvtx(file: string): Generator<EvtxRecord | EvtxWarning | ReadRequest, void, number> {
  const zeroed = new ZeroedChunks(file);
  const inner = walkEvtxRange(file, WHOLE);
  let step = inner.next();
  while (step.done !== true) {
    const item = step.value;
    if (item.kind === 'read') {
      let n: number;
      try {
        n = yield item;
      } catch (e) {
        step = inner.throw(e);
        continue;
      }
      step = inner.next(n);
      continue;
    }
    if (item.kind === 'zero') zeroed.zero(item);
    else if (item.kind === 'in-use') yield* zeroed.inUse(item.index);
    else yield item;
    step = inner.next();
  }
}

/**
 * The walk over one range of chunks of an `.evtx` file (the file header is always read: it says
 * whether the file is EVTX and how many chunks it counts). Chunks of one file are independent,
 * so ranges can be read apart (in worker threads) and their items put back in file order; what
 * spans ranges is told with markers: a {@link ZeroChunk} for each all-zero chunk past the
 * header's count and a {@link ChunkInUse} after them, which {@link ZeroedChunks} turns into
 * warnings exactly as one walk over the whole file would. A fatal problem (not EVTX, an I/O
 * error) ends the walk; what the header says of the file (not EVTX, a bad checksum) is told only
 * by the range with `header`, I/O errors by every range that meets them.
 */
export function* walkEvtxRange(file: string, range: ChunkRange): Generator<EvtxRecord | EvtxWarning | ZeroChunk | ChunkInUse | ReadRequest, void, number> {
  const buffers = spareBuffers.pop() ?? { head: Buffer.alloc(FILE_HEADER_SIZE), chunk: Buffer.alloc(CHUNK_SIZE) };
  try {
    yield* walkWith(file, range, buffers.head, buffers.chunk);
  } finally {
    // Nothing read keeps the buffers' bytes (values are decoded, shared definitions copied).
    if (spareBuffers.length < MAX_SPARE_BUFFERS) spareBuffers.push(buffers);
  }
}

/**
 * The buffers of finished walks, taken by the next ones: a walk per file or chunk range, and
 * fresh buffers (64 KiB, zeroed) cost a folder of small files more than reading them.
 */
const spareBuffers: Array<{ head: Buffer; chunk: Buffer }> = [];
const MAX_SPARE_BUFFERS = 4;

/** {@link walkEvtxRange} with its buffers: the file header's and the chunk's. */
function* walkWith(file: string, range: ChunkRange, head: Buffer, chunk: Buffer): Generator<EvtxRecord | EvtxWarning | ZeroChunk | ChunkInUse | ReadRequest, void, number> {
  let headLength: number;
  try {
    headLength = yield { kind: 'read', buffer: head, length: FILE_HEADER_SIZE, position: 0 };
  } catch (e) {
    yield unreadable(file, e);
    return;
  }
  const checked = checkHeader(head.subarray(0, headLength), file);
  if ('kind' in checked) {
    if (range.header) yield checked;
    return;
  }
  if (range.header) yield* checked.warnings;
  /** A zero chunk past the header's count was told since the last chunk in use (or the range starts). */
  let zeroBefore = range.first > 0;
  for (let index = range.first; index < range.end; index++) {
    const offset = checked.start + index * CHUNK_SIZE;
    let length: number;
    const request: ReadRequest = { kind: 'read', buffer: chunk, length: CHUNK_SIZE, position: offset, view: undefined };
    try {
      length = yield request;
    } catch (e) {
      yield unreadable(file, e);
      return;
    }
    if (length === 0) break;
    const bytes = request.view ?? chunk;
    if (isZero(bytes, length)) {
      if (index < checked.chunkCount) yield zeroedChunk(file, index, offset, `the file header counts ${checked.chunkCount} chunks`);
      else {
        yield { kind: 'zero', index, offset };
        zeroBefore = true;
      }
    } else {
      if (zeroBefore) yield { kind: 'in-use', index };
      zeroBefore = false;
      yield* readChunk(bytes, length, index, offset, file);
    }
    if (length < CHUNK_SIZE) break;
  }
}

function isRead(item: { kind: string }): item is ReadRequest {
  return item.kind === 'read';
}

/** A chunk of zeros, compared with (never written). */
const ZERO_CHUNK = new Uint8Array(CHUNK_SIZE);

/**
 * All `length` bytes of `buf` are zero. Compared natively (memcmp): a byte loop over the zero
 * chunks Windows preallocates (375 of the 809 chunks of evtx-to-mitre-attack) took a fifth of the
 * time of reading that folder into flat events (547 ms of 2.8 s in a profile of ten passes).
 */
function isZero(buf: Buffer, length: number): boolean {
  if (length === 0) return true;
  if (buf[0] !== 0) return false;
  return buf.compare(ZERO_CHUNK, 0, length, 0, length) === 0;
}

function zeroedChunk(file: string, index: number, offset: number, why: string): EvtxWarning {
  return warn('EVTX_CHUNK_ZEROED', `chunk ${index} (file offset ${hex(offset)}) is all zero where records belong (${why}); its records are lost`, file, `chunk[${index}]`);
}

/** Chunks fetched per file read (1 MiB): fewer system calls, and the next block is read during decoding. */
const BLOCK_CHUNKS = 16;

interface Block {
  position: number;
  buffer: Buffer;
  length: number;
}

/** Does block `b` hold all of the `length` bytes at `position`? */
function holds(b: Block | undefined, position: number, length: number): boolean {
  return b !== undefined && position >= b.position && position + length <= b.position + b.length;
}

/**
 * Serves the walk's chunk reads from 1 MiB blocks (a view of the block, not a copy), reading the next block ahead while the current
 * one is decoded (decoding then rarely waits for the disk). Reads smaller than a chunk (the file
 * header), and reads a block does not wholly hold (the end of the file, a short read, an I/O
 * error), go to the file directly: the walk sees exactly what one read per chunk would show.
 */
class BlockReader {
  private current: Block | undefined;
  private ahead: Promise<Block> | undefined;
  private aheadAt = -1;
  private spare: Buffer | undefined;

  constructor(private readonly fh: FileHandle) {}

  /** Answers a request: the number of bytes read, and `request.view` set when a block holds them (no copy). */
  async read(request: ReadRequest): Promise<number> {
    const { buffer: target, length, position } = request;
    if (length < CHUNK_SIZE) return this.direct(target, length, position);
    let b = this.current;
    if (!holds(b, position, length)) {
      // Past a short block (the end of the file, a short read, an I/O error at the bytes not read):
      // read the chunk on its own, so that the walk sees what one read per chunk would see.
      if (b !== undefined && b.length < b.buffer.length && position >= b.position) return this.direct(target, length, position);
      if (b !== undefined) this.spare = b.buffer;
      b = this.current = this.ahead !== undefined && this.aheadAt === position ? await this.ahead : await this.fetch(position, length * BLOCK_CHUNKS);
      this.ahead = undefined;
      // A full block: the file goes on, read the next one now.
      if (b.length === b.buffer.length) {
        this.aheadAt = b.position + b.length;
        this.ahead = this.fetch(this.aheadAt, b.buffer.length);
        // Its rejection surfaces when it is awaited; until then it must not count as unhandled.
        this.ahead.catch(() => undefined);
      }
      if (!holds(b, position, length)) return this.direct(target, length, position);
    }
    // The walk reads the chunk in the block itself: the block's memory is reused (for the block
    // after the next) only once the walk asks for a chunk of the next block, done with this one
    // (what it keeps of a chunk is copied out: values, shared template definitions).
    const block = b as Block;
    request.view = block.buffer.subarray(position - block.position, position - block.position + length);
    return length;
  }

  private async direct(target: Buffer, length: number, position: number): Promise<number> {
    return (await this.fh.read(target, 0, length, position)).bytesRead;
  }

  private async fetch(position: number, size: number): Promise<Block> {
    const buffer = this.spare !== undefined && this.spare.length === size ? this.spare : Buffer.allocUnsafe(size);
    this.spare = undefined;
    const { bytesRead } = await this.fh.read(buffer, 0, size, position);
    return { position, buffer, length: bytesRead };
  }

  /** Lets a read still in flight finish before the file is closed. */
  async settle(): Promise<void> {
    await this.ahead?.catch(() => undefined);
  }
}

/**
 * Streams the records of an `.evtx` file a chunk at a time: each array holds one chunk's records
 * and problems, in file order (one 64 KiB chunk buffer, 1 MiB blocks read ahead, never the whole
 * file). Callers that count microseconds per record take these arrays; {@link readEvtx} yields
 * the same items one by one.
 */
export async function* readEvtxBatches(file: string): AsyncGenerator<EvtxItem[]> {
  if (isSmallFile(file, SMALL_FILE)) {
    yield* evtxBatchesSync(file);
    return;
  }
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    yield [unreadable(file, e)];
    return;
  }
  const reader = new BlockReader(fh);
  try {
    const walk = walkEvtx(file);
    let batch: EvtxItem[] = [];
    let step = walk.next();
    while (step.done !== true) {
      const item = step.value;
      if (item.kind !== 'read') {
        batch.push(item);
        step = walk.next();
        continue;
      }
      if (batch.length > 0) {
        yield batch;
        batch = [];
      }
      let n: number;
      try {
        n = await reader.read(item);
      } catch (e) {
        step = walk.throw(e);
        continue;
      }
      step = walk.next(n);
    }
    if (batch.length > 0) yield batch;
  } finally {
    await reader.settle();
    await fh.close();
  }
}

/**
 * Streams the records of an `.evtx` file one by one (see {@link readEvtxBatches}), with problems
 * as {@link EvtxWarning}s in file order.
 */
export async function* readEvtx(file: string): AsyncGenerator<EvtxRecord | EvtxWarning> {
  for await (const batch of readEvtxBatches(file)) yield* batch;
}

/** Files up to this size are read with blocking calls by {@link readEvtxBatches}. */
const SMALL_FILE = BLOCK_CHUNKS * CHUNK_SIZE;

/** {@link readEvtxSync}'s items a chunk at a time, as {@link readEvtxBatches} yields them. */
function* evtxBatchesSync(file: string): Generator<EvtxItem[]> {
  let batch: EvtxItem[] = [];
  for (const item of evtxItemsSync(file)) {
    if (item !== undefined) batch.push(item);
    else if (batch.length > 0) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Synchronous {@link readEvtx}: the same items, read with blocking file calls, one chunk at a time;
 * from `fd` when given (an open file the caller closes), else from the file.
 */
export function* readEvtxSync(file: string, fd?: number): Generator<EvtxRecord | EvtxWarning> {
  for (const item of evtxItemsSync(file, fd)) if (item !== undefined) yield item;
}

/** The blocking driver of {@link walkEvtx}: its items, and `undefined` before each read (a chunk boundary). */
function evtxItemsSync(file: string, given?: number): Generator<EvtxItem | undefined> {
  return driveSync(file, walkEvtx(file), given);
}

/**
 * The items of one range of chunks of an `.evtx` file ({@link walkEvtxRange}), read with blocking
 * calls: records and problems in file order, with the zero-chunk markers {@link ZeroedChunks}
 * decides across ranges. From `fd` when given (an open file the caller closes).
 */
export function* readEvtxRangeSync(file: string, range: ChunkRange, fd?: number): Generator<EvtxItem | ZeroChunk | ChunkInUse> {
  for (const item of driveSync(file, walkEvtxRange(file, range), fd)) if (item !== undefined) yield item;
}

/** Drives a walk with blocking reads: its items, and `undefined` before each read (a chunk boundary). */
function* driveSync<T extends { kind: string }>(file: string, walk: Generator<T | ReadRequest, void, number>, given: number | undefined): Generator<T | EvtxWarning | undefined> {
  let fd: number;
  try {
    fd = given ?? openSync(file, 'r');
  } catch (e) {
    yield unreadable(file, e);
    return;
  }
  try {
    let step = walk.next();
    while (step.done !== true) {
      const item = step.value;
      if (!isRead(item)) {
        yield item;
        step = walk.next();
        continue;
      }
      yield undefined;
      let n: number;
      try {
        n = readSync(fd, item.buffer, 0, item.length, item.position);
      } catch (e) {
        step = walk.throw(e);
        continue;
      }
      step = walk.next(n);
    }
  } finally {
    if (given === undefined) closeSync(fd);
  }
}

/**
 * Reads every record of `files` with {@link readEvtxBatches}, as scans do (decoding to EVTX-JSON,
 * no flattening), and reports the total file size, the number of records and the wall-clock time:
 * for benchmarks.
 */
export async function measureEvtxThroughput(files: string[]): Promise<{ bytes: number; records: number; seconds: number }> {
  let bytes = 0;
  let records = 0;
  const t0 = performance.now();
  for (const f of files) {
    bytes += statSync(f).size;
    for await (const batch of readEvtxBatches(f)) for (const item of batch) if (item.kind === 'record') records++;
  }
  return { bytes, records, seconds: (performance.now() - t0) / 1000 };
}
