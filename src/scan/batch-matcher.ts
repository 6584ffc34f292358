/**
 * Matching batches of events, in the main thread or in a pool of worker threads. Both give, for
 * a batch, the (event position, rule position) pairs of its matches in event then rule order, and
 * for an `.evtx` job (evtx-jobs.ts) the same {@link EvtxJobResult}, so the scan's output does not
 * depend on where matching ran.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ScanRuleSource, ScanRules } from './scan-rules.js';
import type { MainMessage, WorkerMessage } from './worker-protocol.js';
import { matchInputs } from './match-inputs.js';
import { runEvtxJob } from './evtx-jobs.js';
import type { EvtxJob, EvtxJobResult } from './evtx-jobs.js';
import { assertNever } from '../diagnostics/diagnostics.js';

/** Thrown by {@link MatchInput.event} for a line that holds no JSON object (not for other failures). */
export class NotAnEventError extends Error {}

/** An event to match: flattened, and its JSON text once some matcher has needed it. */
export interface MatchInput {
  /**
   * The flattened event. An unparsed JSON Lines line parses when this is first read, and
   * throws {@link NotAnEventError} when the line is not a JSON object: the matchers flag it
   * (rule position -1).
   */
  readonly event: Record<string, unknown>;
  /** `JSON.stringify(event)`, set by the worker pool (callers may reuse it for output). */
  json?: string | undefined;
  /**
   * The flattened event as {@link event} gives it, without keeping it when it was not kept yet
   * (an unparsed line parses again if its event is read later, for a match): the local matcher
   * reads events so, and a batch's events that meet no rule can be collected young.
   */
  eventForMatching?(): Record<string, unknown>;
}

export interface BatchMatcher {
  /** Matches the events of a batch; resolves to (event, rule) position pairs. */
  match(events: readonly MatchInput[]): Promise<Int32Array>;
  /** Reads, flattens and matches the segments of `.evtx` files of a job (see evtx-jobs.ts). */
  evtx(job: EvtxJob): Promise<EvtxJobResult>;
  /** How many batches may be in flight at once before the reader should wait. */
  readonly capacity: number;
  close(): Promise<void>;
}

/** Matching in the calling thread with the already-loaded rules. */
export function localMatcher(rules: ScanRules): BatchMatcher {
  const index = rules.index;
  return {
    capacity: 1,
    match(events) {
      // Index positions are rule positions: the index holds `rules.rules` in order. A line
      // that is no JSON object throws when parsed; it is flagged, as a worker flags it.
      return Promise.resolve(
        matchInputs(index, events.length, (i) => {
          try {
            const input = events[i] as MatchInput;
            return input.eventForMatching !== undefined ? input.eventForMatching() : input.event;
          } catch (e) {
            // Anything else is a fault, and ends the scan as in a worker.
            if (e instanceof NotAnEventError) return undefined;
            throw e;
          }
        }),
      );
    },
    // Run here, where it is emitted: hits keep their EVTX-JSON as objects (no text made and parsed back).
    evtx: (job) => Promise.resolve(runEvtxJob(index, job, true)),
    close: () => Promise.resolve(),
  };
}

/**
 * Matching in the calling thread and in a pool of workers at once: a batch goes to a worker while
 * one has room, else it is matched here. The calling thread only reads between batches, so on
 * N cores N matching threads (this one and N − 1 workers) beat N workers and an idle reader.
 */
export function mixedMatcher(local: BatchMatcher, pool: WorkerPool): BatchMatcher {
  return {
    // The workers' batches, and a few matched here while the oldest worker batch is pending.
    capacity: pool.capacity + 2,
    match: (events) => (pool.hasRoom() ? pool.match(events) : local.match(events)),
    evtx: (job) => (pool.hasRoom() ? pool.evtx(job) : local.evtx(job)),
    close: async () => {
      await pool.close();
      await local.close();
    },
  };
}

/** Batches in flight per worker: one being matched, one waiting (no idle gap between them). */
const PER_WORKER = 2;

/** The compiled worker script next to this module (dist/src/scan/scan-worker.js). */
export const WORKER_SCRIPT = new URL('./scan-worker.js', import.meta.url);

interface Pending {
  resolve: (result: Int32Array | EvtxJobResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  inFlight: number;
}

export interface WorkerPool extends BatchMatcher {
  /**
   * Resolves once every worker has loaded its rules and they are the same rules (same
   * fingerprint, see scan-rules.ts), and the rules of `expected` when given (the main thread's);
   * rejects (after closing the pool) otherwise.
   */
  ready(expected?: string): Promise<void>;
  /** Some worker has fewer than its share of batches in flight. */
  hasRoom(): boolean;
}

/**
 * Starts `n` scan workers, each loading the rules from `source` itself, in parallel with each
 * other and with the calling thread. Throws when the compiled worker script is missing.
 */
export function startWorkerPool(n: number, source: ScanRuleSource): WorkerPool {
  const script = WORKER_SCRIPT;
  if (!existsSync(fileURLToPath(script))) {
    throw new Error(`the scan worker script is missing (${fileURLToPath(script)}): workers run the compiled code; run 'npm run build'`);
  }
  const pending = new Map<number, Pending>();
  let failure: Error | undefined;
  let closing = false;
  const fail = (e: Error): void => {
    failure ??= e;
    for (const p of pending.values()) p.reject(failure);
    pending.clear();
  };
  const slots: Slot[] = [];
  const loadedRules: Array<Promise<{ fingerprint: string }>> = [];
  for (let k = 0; k < n; k++) {
    const worker = new Worker(script, { workerData: source });
    const slot: Slot = { worker, inFlight: 0 };
    slots.push(slot);
    const fingerprint = new Promise<{ fingerprint: string }>((resolveReady, rejectReady) => {
      const broken = (e: Error): void => {
        fail(e);
        rejectReady(e);
      };
      worker.on('message', (m: WorkerMessage) => {
        switch (m.type) {
          case 'ready':
            resolveReady({ fingerprint: m.fingerprint });
            return;
          case 'result':
          case 'evtx-result': {
            slot.inFlight--;
            const p = pending.get(m.id);
            pending.delete(m.id);
            p?.resolve(m.type === 'result' ? m.pairs : m.result);
            return;
          }
          case 'error':
            broken(new Error(`scan worker ${k + 1} failed: ${m.message}`));
            return;
          default:
            return assertNever(m);
        }
      });
      worker.on('error', (e) => broken(new Error(`scan worker ${k + 1} crashed: ${e.message}`)));
      worker.on('exit', (code) => {
        if (!closing) broken(new Error(`scan worker ${k + 1} exited unexpectedly (code ${code})`));
      });
    });
    fingerprint.catch(() => undefined);
    loadedRules.push(fingerprint);
  }
  const close = async (): Promise<void> => {
    closing = true;
    await Promise.all(slots.map((s) => s.worker.terminate()));
  };
  let nextId = 0;
  /** Sends a message to the least busy worker; resolves to its answer. */
  const send = (message: (id: number) => MainMessage): Promise<Int32Array | EvtxJobResult> => {
    let slot = slots[0] as Slot;
    for (const s of slots) if (s.inFlight < slot.inFlight) slot = s;
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      slot.inFlight++;
      slot.worker.postMessage(message(id));
    });
  };
  return {
    capacity: n * PER_WORKER,
    hasRoom: () => slots.some((s) => s.inFlight < PER_WORKER),
    async ready(expected) {
      try {
        const got = await Promise.all(loadedRules);
        const first = got[0] as { fingerprint: string };
        const k = got.findIndex((g) => g.fingerprint !== first.fingerprint);
        if (k >= 0) {
          throw new Error(`scan worker ${k + 1} loaded other rules (${got[k]?.fingerprint}) than scan worker 1 (${first.fingerprint}): did rule files change during the scan?`);
        }
        if (expected !== undefined && first.fingerprint !== expected) {
          throw new Error(`the scan workers loaded other rules (${first.fingerprint}) than the main thread (${expected}): did rule files change during the scan?`);
        }
      } catch (e) {
        await close();
        throw e;
      }
    },
    match(events) {
      if (failure !== undefined) return Promise.reject(failure);
      if (events.length === 0) return Promise.resolve(new Int32Array(0));
      const text = events.map((e) => (e.json ??= JSON.stringify(e.event))).join('\n');
      return send((id) => ({ type: 'batch', id, text })) as Promise<Int32Array>;
    },
    evtx(job) {
      if (failure !== undefined) return Promise.reject(failure);
      return send((id) => ({ type: 'evtx', id, job })) as Promise<EvtxJobResult>;
    },
    close,
  };
}
