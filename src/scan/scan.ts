/**
 * The scanning engine behind `sigmatest scan`: every event of the event files (streamed one file
 * at a time through {@link readEvents}, never a whole file in memory) against every rule that can
 * match it ({@link RuleIndex}), in the main thread and, with `workers` > 1, in worker threads.
 *
 * Events are read in order into batches; batches are matched (in parallel with workers: a batch
 * goes to a worker while one has room, else the main thread matches it) and their
 * results emitted strictly in batch order, so matches, diagnostics and counts come out in the
 * same order (file, then position in the file) whatever the number of workers. `.evtx` files
 * are read as jobs of whole files and chunk ranges (evtx-jobs.ts) that the thread taking them
 * (a worker, or this one) reads, decodes and matches, and their results take their place in the
 * same order; on one thread the same jobs run here, so the output is made the same way. At most `capacity` batches and jobs are in flight, which bounds
 * memory on any input size.
 *
 * A match covered by an unexpired known false positive is counted (per rule) instead of reported.
 * Read problems become diagnostics and the scan carries on; callers fail at the end.
 */
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Diagnostic } from '../diagnostics/diagnostics.js';
import { readEventBatches, readLine } from '../event-files/read-events.js';
import { depthExceededAt } from '../event-files/event-depth.js';
import { isJsonObject } from '../util/json-object.js';
import type { RawLine } from '../event-files/read-events.js';
import { flattenEvent } from '../events/flatten-event.js';
import type { Shard } from '../rules/shard.js';
import type { EventRead } from '../event-files/read-events.js';
import type { FlatEvent } from '../events/flatten-event.js';
import { diagnostic } from '../diagnostics/diagnostics.js';
import { expiredEntries, knownFpFor } from '../known-fps/known-fps.js';
import type { KnownFp } from '../known-fps/known-fps.js';
import { listEventFiles } from '../event-files/list-event-files.js';
import { isEvtxFile } from '../event-files/read-events.js';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { CHUNK_SIZE, FILE_HEADER_SIZE, hasFileSignature, parseFileHeader } from '../evtx/file-header.js';
import { EvtxFileEmitter, JOB_CHUNKS, planEvtxSegments } from './evtx-jobs.js';
import type { EvtxJob, EvtxJobResult, EvtxSegmentResult, EvtxSegmentSink } from './evtx-jobs.js';
import { catalogOf, loadScanRules } from './scan-rules.js';
import { deferredLoadSeconds } from '../cache/rule-cache.js';
import type { LogsourceMode, ScanCatalog, ScanRuleInfo, ScanRuleSource, ScanRules } from './scan-rules.js';
import { localMatcher, mixedMatcher, NotAnEventError, startWorkerPool } from './batch-matcher.js';
import type { BatchMatcher, WorkerPool } from './batch-matcher.js';
import { planMatches } from '../evaluate/evaluate.js';
import { CorrelationEngine } from '../correlation/engine.js';
import type { CorrelationAlert } from '../correlation/engine.js';
import type { CorrelationType } from '../correlation/documents.js';
import type { SigmaRule } from '../rules/load-rule.js';

export type { CorrelationAlert } from '../correlation/engine.js';

/** What scan reads (rule and event paths, config, known false positives), how (logsource mode, workers, shard) and where it reports. */
export interface ScanOptions {
  /** Rule files or folders (searched recursively for .yml/.yaml). */
  rulePaths: readonly string[];
  /** Event files or folders (searched recursively for .json/.jsonl/.ndjson/.evtx). */
  eventPaths: readonly string[];
  logsource: LogsourceMode;
  /**
   * 1 (default): match in the calling thread; N > 1: up to N threads (the calling thread and
   * worker threads), as many as the input is large enough for (see {@link minBytesPerThread}).
   */
  workers?: number;
  /**
   * Event input each thread beyond the first needs, in bytes (JSON text, `.evtx` chunks in use;
   * default {@link MIN_BYTES_PER_THREAD}): with less, fewer threads match. 0: always `workers` threads.
   */
  minBytesPerThread?: number;
  /** Only the rules of this shard (`--shard i/n`). */
  shard?: Shard | undefined;
  /** The sigmatest config file; undefined: `sigmatest.config.yml` in `cwd` when present. */
  configFile?: string | undefined;
  /** Processing pipelines (`--pipeline`): built-in names or paths relative to `cwd`. */
  pipelines?: string[] | undefined;
  /** `--placeholders`: rules whose placeholders have no values fail to load (`error`) or are skipped. */
  placeholders?: 'error' | 'skip' | undefined;
  /** `--min-level`: only rules of this level or higher. */
  minLevel?: string | undefined;
  /** The rule cache's folder (src/cache/rule-cache.ts); undefined: no cache. */
  cacheDir?: string | undefined;
  /** The folder relative paths (rules, events, config) are resolved against; default: the process's. */
  cwd?: string | undefined;
  knownFps?: readonly KnownFp[];
  /** The day known-FP expiry is judged on (default: now). */
  today?: Date;
  /** Events per batch (default {@link DEFAULT_BATCH}: 1,000). */
  batchSize?: number;
  /** Fields the event time is read from for correlations (default: the config's correlation.time_fields, else TimeCreated_SystemTime, @timestamp, UtcTime, timestamp). */
  timeFields?: readonly string[] | undefined;
  /** How far (ms) events may come out of time order for correlations (default: the config's correlation.tolerance, else 5 minutes). */
  toleranceMs?: number | undefined;
  /** Open groups per correlation at most (default: the config's correlation.max_groups, else 100,000). */
  maxGroups?: number | undefined;
  /** Each reported match, in file then event order (then rule order). */
  onMatch?: (m: ScanMatch) => void;
  /** Each reported correlation alert, when it is decided (between the matches of the events read so far). */
  onAlert?: (a: CorrelationAlert) => void;
  /** Each problem (config, rules, event files), in the order met. */
  onDiagnostic?: (d: Diagnostic) => void;
  /** Called as the scan goes (after each batch is read and at the end). */
  onProgress?: (p: ScanProgress) => void;
}

/** One reported match. */
export interface ScanMatch {
  /** The rule (the loaded rule object when matching ran here; what a worker's catalog says of it with workers). */
  rule: ScanRuleInfo;
  /** The event as read from the file. */
  raw: unknown;
  /** The event as rules see it (flattened). */
  event: FlatEvent;
  file: string;
  /** Position of the event in its file (see EventRead.index). */
  index: number;
  /** 1-based line where the event starts (0 for .evtx records). */
  line: number;
  /** `JSON.stringify(raw)` when already made (workers send events as JSON), for reporters. */
  rawJson?: string;
  /**
   * What the text reporter shows of the event: the fields the rule's detection reads, with their
   * values, then EventRecordID, Computer, the time and the rule's level (those present).
   */
  evidence?: Array<{ field: string; value: string }>;
}

export interface ScanProgress {
  events: number;
  filesDone: number;
  files: number;
  /** The file being read, when any. */
  file?: string;
  matches: number;
  seconds: number;
}

export interface RuleMatchCount {
  id: string | null;
  title: string;
  path: string;
  /** Reported matches. */
  matches: number;
  /** Matches suppressed by known false positives. */
  suppressed: number;
}

export interface CorrelationAlertCount {
  id: string | null;
  title: string;
  path: string;
  type: CorrelationType;
  alerts: number;
}

/** What a scan did: events, files and rules read, matches per rule, known false positives, problems, and speed. */
export interface ScanSummary {
  /** Events read. */
  events: number;
  /** Event files scanned. */
  files: number;
  /** Detection rules loaded. */
  rules: number;
  /** Rule documents (detection, correlation, filter) that could not be loaded. */
  rulesFailed: number;
  /** Correlation rules evaluated. */
  correlations: number;
  /** Sigma filters composed into the rules they name. */
  filters: number;
  /** Rules skipped on purpose (`--placeholders skip`), named: never counted as scanned. */
  skipped: Array<{ path: string; title: string | null; reason: string }>;
  /** Rules left out by `--min-level`. */
  belowLevel: number;
  /** Reported matches. */
  matches: number;
  /** Matches not reported because their rule only feeds correlations (referred to without `generate: true`). */
  correlationOnly: number;
  /** Reported correlation alerts. */
  alerts: number;
  /** Correlations with reported alerts: most alerts first, then in load order. */
  perCorrelation: CorrelationAlertCount[];
  /** Matches suppressed by known false positives. */
  suppressed: number;
  /** Rules with reported or suppressed matches: most matches first, then in rule order. */
  perRule: RuleMatchCount[];
  knownFps: number;
  expiredKnownFps: number;
  /** Error diagnostics (config, rules, event files). */
  errors: number;
  warnings: number;
  workers: number;
  /**
   * Loading the rules: until every worker had them too, plus {@link deferredLoadSeconds} (rule
   * loading that happened during matching).
   */
  loadSeconds: number;
  /**
   * Of `loadSeconds`, the rule loading the rule cache deferred into matching, in the main thread:
   * reading and planning the cached rules the events reached, when they first did (0 without the
   * cache).
   */
  deferredLoadSeconds: number;
  /**
   * Reading and matching the events: from the end of loading to the last result, less
   * {@link deferredLoadSeconds}.
   */
  seconds: number;
  eventsPerSecond: number;
}

interface BatchEvent {
  raw: unknown;
  event: FlatEvent;
  /** JSON sent to the workers: the line as read (raw), or `event` stringified by the pool; an `.evtx` match's EVTX-JSON from a worker. */
  json?: string | undefined;
  /** `json` is the raw event's own text (a JSON Lines line). */
  jsonIsRaw?: boolean;
  file: string;
  index: number;
  line: number;
}

/**
 * An event of an unparsed JSON Lines line: parsed (and flattened) here only if it is reported.
 * A class: its getters live on the prototype (an object literal with getters, one per line, cost
 * a microsecond each and most of the main thread's garbage).
 */
class LazyLineEvent implements BatchEvent {
  readonly jsonIsRaw = true;
  readonly json: string;
  readonly file: string;
  readonly index: number;
  readonly line: number;
  private parsed: { raw: unknown } | undefined = undefined;
  private flat: FlatEvent | undefined = undefined;

  constructor(
    rec: RawLine,
    private readonly maxDepth: number,
  ) {
    this.json = rec.text;
    this.file = rec.file;
    this.index = rec.index;
    this.line = rec.line;
  }

  get raw(): unknown {
    this.parsed ??= { raw: JSON.parse(this.json) as unknown };
    return this.parsed.raw;
  }

  /** Throws {@link NotAnEventError} when the line is not a JSON object (the matchers flag it; see matchInputs). */
  get event(): FlatEvent {
    if (this.flat === undefined) {
      let raw: unknown;
      try {
        raw = this.raw;
      } catch {
        throw new NotAnEventError('not JSON');
      }
      this.flat = this.flatten(raw);
    }
    return this.flat;
  }

  /**
   * The event for matching, not kept (see MatchInput.eventForMatching): most lines meet no rule,
   * and a batch holding every parsed line until it is emitted made them survive young
   * collections (on real events, scavenges copied the batch: 1.3 s of a 50,000-event scan).
   * Only the matched lines parse again, when they are reported.
   */
  eventForMatching(): FlatEvent {
    if (this.flat !== undefined) return this.flat;
    let raw: unknown;
    try {
      raw = this.parsed !== undefined ? this.parsed.raw : (JSON.parse(this.json) as unknown);
    } catch {
      throw new NotAnEventError('not JSON');
    }
    return this.flatten(raw);
  }

  private flatten(raw: unknown): FlatEvent {
    if (!isJsonObject(raw)) throw new NotAnEventError('not a JSON object');
    // Nested too deep to walk safely: flagged like a broken line (readLine reports it).
    if (depthExceededAt(this.json, this.maxDepth) >= 0) throw new NotAnEventError('too deep');
    return flattenEvent(raw);
  }
}

type BatchItem = { kind: 'event'; e: BatchEvent } | { kind: 'diagnostic'; d: Diagnostic };

interface Batch {
  items: BatchItem[];
  events: BatchEvent[];
}

/**
 * Events per batch. A batch is matched rule by rule (see RuleIndex.matchBatch), so the more
 * events, the longer each rule's code and data stay warm: on 200,000 generated events × 3,018
 * rules one thread scanned 82-87k events/s with 500, 94-95k with 1,000 and 96-101k with 2,000
 * (4,000 and 8,000: no better, and 300-450 MiB). But a batch's lines and the events still to be
 * tried survive young collections: on 50,075 real events (bigger, more fields) 2,000 promoted
 * 46 MB to the old generation and 500 19 MB, and matching took 1.61-1.68 s with 2,000,
 * 1.43-1.77 with 1,000 and 1.39-1.79 with 500 (generated: 1.51-1.77, 1.62-1.96, 1.90-2.03;
 * alternated runs, 2026-12-07). 1,000: real events first. With workers a batch also travels as
 * one message and up to two per worker are in flight: 1,000 there too (2,000: more memory, no
 * faster).
 */
const DEFAULT_BATCH = { oneThread: 1000, withWorkers: 1000 };

/** `.evtx` jobs the main thread may match beyond the matcher's capacity while the oldest job is still with a worker. */
const LOCAL_JOBS_AHEAD = 6;

/**
 * Event input (bytes) each matching thread beyond the first needs by default. A worker thread
 * loads the rules again and warms up its own code (rule index, needle automata, compiled rules),
 * which costs about what matching tens of thousands of events does: on the 2-vCPU machine two
 * threads were slower than one on 10,000 and 50,000 real events (11 and 55 MB of JSON Lines) and
 * barely faster on 200,000 generated ones (see the README, Speed).
 */
export const MIN_BYTES_PER_THREAD = 64 * 1024 * 1024;

/** Runs a scan; resolves to its summary. Throws only when a worker fails. */
export async function scan(options: ScanOptions): Promise<ScanSummary> {
  const started = performance.now();
  const cwd = options.cwd ?? process.cwd();
  const source: ScanRuleSource = { rulePaths: options.rulePaths.map((p) => resolve(cwd, p)), cwd, configFile: options.configFile, logsource: options.logsource, shard: options.shard, pipelines: options.pipelines, placeholders: options.placeholders, minLevel: options.minLevel, cacheDir: options.cacheDir };
  const listed = listEventFiles(options.eventPaths.map((p) => resolve(cwd, p)));
  const workers = matchingThreads(Math.max(1, Math.floor(options.workers ?? 1)), listed.files, options.minBytesPerThread ?? MIN_BYTES_PER_THREAD);
  // `workers` threads match: this one and workers − 1 worker threads, which start first and load
  // their rules while this thread loads its own.
  const pool = workers > 1 ? startWorkerPool(workers - 1, source) : undefined;
  try {
    return await run(options, source, pool, started, workers, listed);
  } finally {
    await pool?.close();
  }
}

/**
 * How many threads match: at most `most`, one more for each `minBytes` of event input beyond
 * the first (JSON text by its size, an `.evtx` file by its chunks in use, see {@link inputBytes}).
 */
export function matchingThreads(most: number, files: readonly string[], minBytes: number): number {
  if (most <= 1 || minBytes <= 0) return most;
  const enough = (most - 1) * minBytes;
  let bytes = 0;
  for (const f of files) {
    bytes += inputBytes(f);
    if (bytes >= enough) return most;
  }
  return Math.min(most, 1 + Math.floor(bytes / minBytes));
}

/**
 * The bytes of an event file a scan reads as events: the file's size, or for an `.evtx` file with
 * an intact header, the header and the chunks it counts (files often end in unused chunks that
 * Windows preallocated). 0 when the file cannot be examined (the scan reports it).
 */
function inputBytes(file: string): number {
  let size: number;
  try {
    const st = statSync(file);
    // A named pipe or device (`--events <(zcat big.jsonl.gz)`): its size is unknown and a stream
    // may be long, so it asks for every thread --workers allows.
    if (!st.isFile()) return Number.POSITIVE_INFINITY;
    size = st.size;
  } catch {
    return 0;
  }
  if (!isEvtxFile(file) || size < FILE_HEADER_SIZE) return size;
  const head = Buffer.alloc(FILE_HEADER_SIZE);
  try {
    const fd = openSync(file, 'r');
    try {
      if (readSync(fd, head, 0, FILE_HEADER_SIZE, 0) < FILE_HEADER_SIZE) return size;
    } finally {
      closeSync(fd);
    }
  } catch {
    return size;
  }
  if (!hasFileSignature(head)) return size;
  const header = parseFileHeader(head);
  return header.checksumOk ? Math.min(size, FILE_HEADER_SIZE + header.chunkCount * CHUNK_SIZE) : size;
}

/** The scan proper, once the workers (if any) are starting; the caller closes them. */
async function run(options: ScanOptions, source: ScanRuleSource, pool: WorkerPool | undefined, started: number, workers: number, listed: { files: string[]; diagnostics: Diagnostic[] }): Promise<ScanSummary> {
  const batchSize = Math.max(1, options.batchSize ?? (pool === undefined ? DEFAULT_BATCH.oneThread : DEFAULT_BATCH.withWorkers));
  const today = options.today ?? new Date();
  const knownFps = options.knownFps ?? [];
  let errors = 0;
  let warnings = 0;
  const report = (d: Diagnostic): void => {
    if (d.severity === 'error') errors++;
    else warnings++;
    options.onDiagnostic?.(d);
  };
  // This thread always matches, so it loads the rules (the rule objects themselves are what a
  // match names); worker threads, if any, must have loaded the very same ones.
  const loaded: ScanRules = loadScanRules(source);
  const limits = loaded.env.config.limits;
  for (const d of loaded.env.diagnostics) report(d);
  const catalog: ScanCatalog = catalogOf(loaded);
  let matcher: BatchMatcher = localMatcher(loaded);
  if (pool !== undefined) {
    await pool.ready(loaded.fingerprint);
    matcher = mixedMatcher(matcher, pool);
  }
  for (const d of catalog.diagnostics) report(d);
  const { rulesFailed, skipped, belowLevel } = catalog;
  const rules: readonly ScanRuleInfo[] = catalog.rules;
  const reported = loaded.reported;

  // Correlations: state lives here, where results are merged in input order.
  let alerts = 0;
  let correlationOnly = 0;
  const alertCounts = new Map<CorrelationAlert['correlation'], number>();
  const engine =
    loaded.graph.correlations.length === 0
      ? undefined
      : new CorrelationEngine(loaded.graph, {
          timeFields: options.timeFields ?? loaded.env.config.correlation.timeFields,
          toleranceMs: options.toleranceMs ?? loaded.env.config.correlation.toleranceMs,
          maxGroups: options.maxGroups ?? loaded.env.config.correlation.maxGroups,
          onDiagnostic: report,
          onAlert: (a) => {
            if (!a.reported) return;
            alerts++;
            alertCounts.set(a.correlation, (alertCounts.get(a.correlation) ?? 0) + 1);
            options.onAlert?.(a);
          },
        });
  const counted = loaded.rules.map((r) => engine?.counts(r) === true);
  const forCorrelations: SigmaRule[] = [];

  const { files, diagnostics: fileDiagnostics } = listed;
  for (const d of fileDiagnostics) report(d);

  const counts = rules.map(() => ({ matches: 0, suppressed: 0 }));
  let events = 0;
  let matches = 0;
  let suppressed = 0;
  let filesDone = 0;
  // Timing of the scan proper starts once every worker has its rules.
  const scanStart = performance.now();
  const deferredAtStart = deferredLoadSeconds();

  const progress = (file?: string): void => {
    if (options.onProgress === undefined) return;
    const p: ScanProgress = { events, filesDone, files: files.length, matches, seconds: (performance.now() - scanStart) / 1000 };
    if (file !== undefined) p.file = file;
    options.onProgress(p);
  };

  /** One rule position the matcher gave for event `e` (see RuleIndex.matchBatch). */
  const hit = (e: BatchEvent, ruleAt: number): void => {
    if (ruleAt <= -2) {
      ruleFailed(-2 - ruleAt, e);
      return;
    }
    if (counted[ruleAt] === true) forCorrelations.push(loaded.rules[ruleAt] as SigmaRule);
    if (reported[ruleAt] !== true) {
      correlationOnly++;
      return;
    }
    const rule = rules[ruleAt] as ScanRuleInfo;
    const count = counts[ruleAt] as { matches: number; suppressed: number };
    if (knownFps.length > 0 && knownFpFor(knownFps, rule.id, e.event, today) !== undefined) {
      count.suppressed++;
      suppressed++;
      return;
    }
    count.matches++;
    matches++;
    const m: ScanMatch = { rule, raw: e.raw, event: e.event, file: e.file, index: e.index, line: e.line };
    // A plain JSON event is its own flattened form (same object), so its JSON is the raw JSON.
    if (e.json !== undefined && (e.jsonIsRaw === true || e.raw === e.event)) m.rawJson = e.json;
    m.evidence = matchEvidence(catalog.fields[ruleAt] ?? [], e.event, rule.level);
    options.onMatch?.(m);
  };
  /** After an event's hits: the rules it matched that correlations count, fed to them in input order. */
  const hitsDone = (e: BatchEvent): void => {
    if (forCorrelations.length > 0) {
      // Only events a correlation counts are read here (a JSON Lines line is parsed for it).
      (engine as CorrelationEngine).push(e.event, forCorrelations, { file: e.file, index: e.index, line: e.line });
      forCorrelations.length = 0;
    }
  };

  const emit = (batch: Batch, pairs: Int32Array): void => {
    let k = 0;
    let position = 0;
    for (const item of batch.items) {
      if (item.kind === 'diagnostic') {
        report(item.d);
        continue;
      }
      const e = item.e;
      if (k < pairs.length && pairs[k] === position && pairs[k + 1] === -1) {
        // A JSON Lines line the worker could not take as an event: read it here for its exact diagnostic.
        for (const r of readLine(e.json ?? '', e.file, e.line, e.index, limits)) if (r.kind === 'error') report(r.diagnostic);
        events--;
        k += 2;
        position++;
        continue;
      }
      for (; k < pairs.length && pairs[k] === position; k += 2) hit(e, pairs[k + 1] as number);
      hitsDone(e);
      position++;
    }
  };

  // `.evtx` files: read, flattened and matched by whole files and chunk ranges in whichever
  // thread takes the job (evtx-jobs.ts); only what they found comes back, emitted here in file
  // order.
  const evtxSink: EvtxSegmentSink = {
    diagnostic: report,
    hit: (e, ruleAts) => {
      for (const r of ruleAts) hit(e, r);
      hitsDone(e);
    },
  };
  const evtxFiles = new Map<string, EvtxFileEmitter>();
  const emitJob = (job: EvtxJob, result: EvtxJobResult): void => {
    job.segments.forEach((seg, i) => {
      let emitter = evtxFiles.get(seg.file);
      if (emitter === undefined) evtxFiles.set(seg.file, (emitter = new EvtxFileEmitter(seg.file)));
      events += emitter.segment(result.segments[i] as EvtxSegmentResult, evtxSink);
      if (seg.last) {
        evtxFiles.delete(seg.file);
        filesDone++;
        progress(seg.file);
      }
    });
  };

  // A rule that threw on an event (flagged in the pairs, see RuleIndex.matchBatch) is reported once,
  // with the first event it failed on; it does not match such events, and the scan goes on.
  const failedRules = new Set<number>();
  const ruleFailed = (ruleAt: number, e: BatchEvent): void => {
    if (failedRules.has(ruleAt)) return;
    failedRules.add(ruleAt);
    const rule = loaded.rules[ruleAt];
    if (rule === undefined) return;
    report(matchFailure(rule, e.event, `${e.file}:${e.line}`));
  };

  /** Batches and `.evtx` jobs being matched, in input order: each emitted once its result is in. */
  const inFlight: Array<{ result: Promise<unknown>; emit: (result: unknown) => void }> = [];
  const drainOne = async (): Promise<void> => {
    const head = inFlight.shift();
    if (head === undefined) return;
    head.emit(await head.result);
  };
  const enqueue = async <R>(result: Promise<R>, emitResult: (r: R) => void, limit = matcher.capacity): Promise<void> => {
    // A rejected result is awaited (and thrown) by drainOne; keep it from counting as unhandled meanwhile.
    result.catch(() => undefined);
    inFlight.push({ result, emit: emitResult as (r: unknown) => void });
    while (inFlight.length >= limit) await drainOne();
  };
  let batch: Batch = { items: [], events: [] };
  const submit = async (): Promise<void> => {
    const b = batch;
    batch = { items: [], events: [] };
    await enqueue(matcher.match(b.events), (pairs) => emit(b, pairs));
  };
  let job: EvtxJob = { segments: [] };
  let jobChunks = 0;
  const submitJob = async (): Promise<void> => {
    const j = job;
    job = { segments: [] };
    jobChunks = 0;
    // Workers that finished a job say so in a message, read only between tasks: without this turn
    // of the event loop, this thread would take job after job itself while they idle.
    if (pool !== undefined) await new Promise((resolveTurn) => setImmediate(resolveTurn));
    // A job matched here comes back at once, and holds only its hits: this thread may run a few
    // ahead of the oldest worker job rather than wait for it (it waited half the scan otherwise).
    await enqueue(matcher.evtx(j), (result) => emitJob(j, result), matcher.capacity + (pool === undefined ? 0 : LOCAL_JOBS_AHEAD));
  };

  for (const file of files) {
    const size = evtxSize(file);
    if (size !== undefined) {
      // Whatever was read before this file is matched first (results come out in order anyway).
      if (batch.items.length > 0) await submit();
      for (const seg of planEvtxSegments(file, size)) {
        job.segments.push(seg);
        jobChunks += seg.chunks;
        if (jobChunks >= JOB_CHUNKS) await submitJob();
      }
      continue;
    }
    if (job.segments.length > 0) await submitJob();
    // JSON Lines lines come unparsed: the workers parse them in parallel, or the local matcher
    // parses them batch by batch (a chunk's worth of parsed events never lives at once).
    // Reads come a chunk at a time (one await per chunk, not per event).
    const reads = readEventBatches(file, { rawLines: true, limits });
    try {
      for (;;) {
        let next: IteratorResult<Array<EventRead | RawLine>>;
        try {
          next = await reads.next();
        } catch (e) {
          // The readers report problems as diagnostics; this is a last resort so one file never ends the scan.
          batch.items.push({ kind: 'diagnostic', d: diagnostic('EVENT_FILE_UNREADABLE', `reading stopped: ${(e as Error).message}`, { file }) });
          break;
        }
        if (next.done === true) break;
        for (const rec of next.value) {
          if (rec.kind === 'error') {
            batch.items.push({ kind: 'diagnostic', d: rec.diagnostic });
            continue;
          }
          let e: BatchEvent;
          if (rec.kind === 'line') e = new LazyLineEvent(rec, limits.eventDepth);
          else {
            // The read itself: its raw form may be rendered only when a match needs it (.evtx).
            e = rec;
            // A JSON Lines event travels to the workers as its own line (they flatten it again).
            if (rec.json !== undefined) e.jsonIsRaw = true;
          }
          batch.items.push({ kind: 'event', e });
          batch.events.push(e);
          events++;
          if (batch.events.length >= batchSize) {
            // Matching failures (a worker died) end the scan: they propagate from here.
            await submit();
            progress(file);
          }
        }
      }
    } finally {
      // Closes the file when the scan ends early.
      await reads.return(undefined).catch(() => undefined);
    }
    filesDone++;
    progress(file);
  }
  if (batch.items.length > 0) await submit();
  if (job.segments.length > 0) await submitJob();
  while (inFlight.length > 0) await drainOne();
  await matcher.close();
  engine?.finish();
  progress();

  const perRule: RuleMatchCount[] = [];
  rules.forEach((r, i) => {
    const c = counts[i] as { matches: number; suppressed: number };
    if (c.matches + c.suppressed === 0) return;
    perRule.push({ id: r.id ?? null, title: r.title, path: r.file, matches: c.matches, suppressed: c.suppressed });
  });
  // Stable sort: equal counts stay in rule order.
  perRule.sort((a, b) => b.matches - a.matches || b.suppressed - a.suppressed);
  const perCorrelation: CorrelationAlertCount[] = loaded.graph.correlations
    .filter((c) => (alertCounts.get(c.rule) ?? 0) > 0)
    .map((c) => ({ id: c.rule.id ?? null, title: c.rule.title, path: c.rule.file, type: c.rule.type, alerts: alertCounts.get(c.rule) ?? 0 }))
    .sort((a, b) => b.alerts - a.alerts);
  const end = performance.now();
  const deferredLoad = deferredLoadSeconds() - deferredAtStart;
  const seconds = Math.max(0, (end - scanStart) / 1000 - deferredLoad);
  return {
    events,
    files: files.length,
    rules: rules.length,
    rulesFailed,
    correlations: catalog.correlations,
    filters: catalog.filters,
    skipped,
    belowLevel,
    matches,
    correlationOnly,
    alerts,
    perCorrelation,
    suppressed,
    perRule,
    knownFps: knownFps.length,
    expiredKnownFps: expiredEntries(knownFps, today).length,
    errors,
    warnings,
    workers,
    loadSeconds: (scanStart - started) / 1000 + deferredLoad,
    deferredLoadSeconds: deferredLoad,
    seconds,
    eventsPerSecond: seconds > 0 ? events / seconds : 0,
  };
}

/**
 * The size of `file` when it is a regular `.evtx` file (read as jobs of chunk ranges), else
 * undefined (read as a stream: other formats, and anything that cannot be examined, which the
 * reader then reports).
 */
function evtxSize(file: string): number | undefined {
  if (!isEvtxFile(file)) return undefined;
  try {
    const st = statSync(file);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
}

/** Where an event says when it happened, by the names event sources use (the first present wins). */
const TIME_FIELDS = ['TimeCreated_SystemTime', 'TimeCreated', 'SystemTime', 'UtcTime', '@timestamp', 'timestamp', 'eventTime', 'EventTime'];

/** The value of a field of a flat event: by its name, else case-insensitively. */
function fieldValue(event: FlatEvent, field: string): unknown {
  const e = event as Record<string, unknown>;
  if (field in e) return e[field];
  const lower = field.toLowerCase();
  for (const k of Object.keys(e)) if (k.toLowerCase() === lower) return e[k];
  return undefined;
}

/**
 * The evidence of a match: the fields the rule reads (those the event has), then EventRecordID,
 * Computer, the time and the rule's level. Values as text, each cut to 300 characters.
 */
export function matchEvidence(fields: readonly string[], event: FlatEvent, level: string | undefined): Array<{ field: string; value: string }> {
  const out: Array<{ field: string; value: string }> = [];
  const text = (v: unknown): string => {
    const t = typeof v === 'string' ? v : JSON.stringify(v);
    return t.length > 300 ? `${t.slice(0, 299)}…` : t;
  };
  const seen = new Set<string>();
  const add = (field: string, v: unknown): void => {
    if (v === undefined || seen.has(field.toLowerCase())) return;
    seen.add(field.toLowerCase());
    out.push({ field, value: text(v) });
  };
  for (const f of fields) add(f, fieldValue(event, f));
  add('EventRecordID', fieldValue(event, 'EventRecordID'));
  add('Computer', fieldValue(event, 'Computer'));
  const time = TIME_FIELDS.find((f) => fieldValue(event, f) !== undefined);
  if (time !== undefined) add(time, fieldValue(event, time));
  if (level !== undefined) out.push({ field: 'level', value: level });
  return out;
}

/**
 * The diagnostic of a rule that threw while matching an event (RULE_MATCH_FAILED), at the rule:
 * the reference evaluator is asked again here for the error's message (the failure may have
 * happened in a worker thread).
 */
function matchFailure(rule: SigmaRule, event: FlatEvent, where: string): Diagnostic {
  let reason = '';
  try {
    planMatches(rule.plan, event);
  } catch (err) {
    reason = `: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 300) ?? ''}`;
  }
  return diagnostic('RULE_MATCH_FAILED', `the rule failed while matching the event at ${where}${reason}; it is taken as not matching the events it fails on, and the scan goes on`, { file: rule.file, pos: rule.pos });
}
