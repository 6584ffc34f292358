/**
 * `.evtx` files scanned by whole files and chunk ranges (issue 24): with worker threads, the
 * thread that matches a stretch of `.evtx` also opens, decodes and flattens it, so decoding runs
 * in parallel and no event crosses threads unless it matched (the main thread only emits).
 *
 * A job is a list of segments (a file, or a range of its 64 KiB chunks: chunks are independent
 * apart from the file header, which every segment reads for itself); {@link planEvtxSegments}
 * cuts a file, {@link runEvtxJob} reads, flattens and matches a job's events in one batch (as a
 * scan batch is matched, rule by rule) and returns, per segment in file order, its problems, the
 * zero-chunk markers and only the events some rule hit, with their position among the segment's
 * records, their flattened form and their EVTX-JSON text. {@link EvtxFileEmitter} puts the
 * segments of a file back together on the main thread: record positions continue across
 * segments, zero chunks are decided as one walk over the file would decide them, and a segment
 * after a fatal problem of its file (not EVTX, an I/O error) is dropped, as reading would have
 * stopped there. So the output is the one-thread scan's, item for item.
 */
import type { Diagnostic } from '../diagnostics/diagnostics.js';
import type { RuleIndex } from '../compile/rule-index.js';
import { flattenEvent } from '../events/flatten-event.js';
import type { FlatEvent } from '../events/flatten-event.js';
import { readEvtxRangeSync, ZeroedChunks } from '../evtx/read-evtx.js';
import type { ChunkRange, EvtxRecord } from '../evtx/read-evtx.js';
import type { EvtxJson } from '../evtx/to-json.js';
import { CHUNK_SIZE, FILE_HEADER_SIZE } from '../evtx/file-header.js';

/** A stretch of an `.evtx` file: the whole file or a range of its chunks. */
export interface EvtxSegment {
  file: string;
  range: ChunkRange;
  /** The segment ends its file (its range runs to the end of the file). */
  last: boolean;
  /** Chunks it holds, by the file's size when it was planned. */
  chunks: number;
}

/** What one thread reads and matches at once: segments of one or more files, in input order. */
export interface EvtxJob {
  segments: EvtxSegment[];
}

/** One item of a segment's result, in file order. */
export type EvtxJobItem =
  | { kind: 'diagnostic'; d: Diagnostic }
  | { kind: 'zero'; index: number; offset: number }
  | { kind: 'in-use'; index: number }
  | {
      kind: 'hit';
      /** Position of the record among the segment's records. */
      at: number;
      event: FlatEvent;
      /** `JSON.stringify` of the record's EVTX-JSON (a job run in a worker: it crosses threads as text). */
      json?: string;
      /** The record's EVTX-JSON itself (a job run in the thread that emits it: no text made, none parsed). */
      raw?: EvtxJson;
      /** The rule positions the matcher gave for the event (see RuleIndex.matchBatch; -2 − k: rule k failed). */
      rules: number[];
    };

/** What a segment gave. */
export interface EvtxSegmentResult {
  /** Records read. */
  records: number;
  items: EvtxJobItem[];
  /** Reading the file stopped in this segment (a fatal problem): its later segments are dropped. */
  stopped: boolean;
}

export interface EvtxJobResult {
  segments: EvtxSegmentResult[];
}

/**
 * Chunks per job. A job is matched as one batch, so it should hold enough events for each rule's
 * code to stay warm over them (a full chunk holds 100-300 records), and be small enough for the
 * threads to share a folder evenly and for the main thread to emit while they work.
 */
export const JOB_CHUNKS = 16;

/**
 * The segments of an `.evtx` file of `size` bytes: ranges of at most `chunks` chunks, the last
 * one open-ended (the file may have grown; a short last chunk is read as one walk reads it).
 */
export function planEvtxSegments(file: string, size: number, chunks = JOB_CHUNKS): EvtxSegment[] {
  const count = Math.max(1, Math.ceil((size - FILE_HEADER_SIZE) / CHUNK_SIZE));
  const out: EvtxSegment[] = [];
  for (let first = 0; first < count; first += chunks) {
    const last = first + chunks >= count;
    out.push({ file, range: { first, end: last ? Infinity : first + chunks, header: first === 0 }, last, chunks: Math.min(chunks, count - first) });
  }
  return out;
}

/**
 * Reads, flattens and matches the events of a job (in whatever thread runs it) with `index`; see
 * the module comment for what it returns. A hit holds its EVTX-JSON as text (`json`), or with
 * `local` (the job runs in the thread that emits it) as the object itself (`raw`): a rendered
 * event holds only JSON values (finite numbers, no −0), so it equals its JSON round trip.
 */
export function runEvtxJob(index: RuleIndex, job: EvtxJob, local = false): EvtxJobResult {
  const events: FlatEvent[] = [];
  const records: EvtxRecord[] = [];
  /** Per segment: its items, a record as the number −1 − (its position in `events`) until matched. */
  const pending: Array<{ records: number; items: Array<EvtxJobItem | number>; stopped: boolean; firstEvent: number }> = [];
  for (const seg of job.segments) {
    const out: Array<EvtxJobItem | number> = [];
    const firstEvent = events.length;
    let stopped = false;
    for (const item of readEvtxRangeSync(seg.file, seg.range)) {
      switch (item.kind) {
        case 'record':
          out.push(events.length);
          events.push(item.flat ?? flattenEvent(item.event));
          records.push(item);
          break;
        case 'warning':
          out.push({ kind: 'diagnostic', d: item.diagnostic });
          // An error stops reading the file (see readEvtx).
          if (item.diagnostic.severity === 'error') stopped = true;
          break;
        default:
          out.push(item);
      }
    }
    pending.push({ records: events.length - firstEvent, items: out, stopped, firstEvent });
  }
  const pairs = index.matchBatch(events);
  /** The rule positions of each event with hits. */
  const hits = new Map<number, number[]>();
  for (let k = 0; k < pairs.length; k += 2) {
    const at = pairs[k] as number;
    let list = hits.get(at);
    if (list === undefined) hits.set(at, (list = []));
    list.push(pairs[k + 1] as number);
  }
  return {
    segments: pending.map((p) => {
      const items: EvtxJobItem[] = [];
      for (const it of p.items) {
        if (typeof it !== 'number') {
          items.push(it);
          continue;
        }
        const rules = hits.get(it);
        if (rules === undefined) continue;
        const record = records[it] as EvtxRecord;
        items.push(local ? { kind: 'hit', at: it - p.firstEvent, event: events[it] as FlatEvent, raw: record.event, rules } : { kind: 'hit', at: it - p.firstEvent, event: events[it] as FlatEvent, json: JSON.stringify(record.event), rules });
      }
      return { records: p.records, items, stopped: p.stopped };
    }),
  };
}

/**
 * An event of a segment's result, as the scan's emitter takes events: its raw form as given, or
 * parsed from its JSON when asked for (then `json`, its text, goes to reporters as it is).
 */
export class EvtxHit {
  readonly jsonIsRaw = true;
  readonly line = 0;
  private parsed: { raw: unknown } | undefined;

  constructor(
    readonly event: FlatEvent,
    readonly json: string | undefined,
    readonly file: string,
    readonly index: number,
    raw?: unknown,
  ) {
    this.parsed = json === undefined ? { raw } : undefined;
  }

  get raw(): unknown {
    this.parsed ??= { raw: JSON.parse(this.json as string) as unknown };
    return this.parsed.raw;
  }
}

/** What the emitter is told of a segment, in file order. */
export interface EvtxSegmentSink {
  diagnostic(d: Diagnostic): void;
  /** An event some rule hit, with the rule positions. */
  hit(e: EvtxHit, rules: readonly number[]): void;
}

/**
 * The main thread's side: the segments of one file, given in file order, become the reads one
 * walk over the whole file gives (record positions, zero chunks, a stop at a fatal problem).
 */
export class EvtxFileEmitter {
  private records = 0;
  private stopped = false;
  private readonly zeroed: ZeroedChunks;

  constructor(readonly file: string) {
    this.zeroed = new ZeroedChunks(file);
  }

  /** Emits a segment's items; returns the number of records it counts (0 after a fatal problem). */
  segment(r: EvtxSegmentResult, sink: EvtxSegmentSink): number {
    if (this.stopped) return 0;
    for (const it of r.items) {
      switch (it.kind) {
        case 'diagnostic':
          sink.diagnostic(it.d);
          break;
        case 'zero':
          this.zeroed.zero(it);
          break;
        case 'in-use':
          for (const w of this.zeroed.inUse(it.index)) sink.diagnostic(w.diagnostic);
          break;
        case 'hit':
          sink.hit(new EvtxHit(it.event, it.json, this.file, this.records + it.at, it.raw), it.rules);
          break;
      }
    }
    this.records += r.records;
    if (r.stopped) this.stopped = true;
    return r.records;
  }
}
