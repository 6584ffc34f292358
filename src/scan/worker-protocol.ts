/**
 * Messages between the scan's main thread and its workers (structured-clone data only).
 *
 * main → worker: `workerData` is a {@link ScanRuleSource}; then `batch` messages, each a
 * batch of events as JSON texts joined by newlines (JSON text never holds a raw newline); the
 * worker flattens each (flattening a flat event changes nothing); and `evtx` messages, each an
 * {@link EvtxJob}: segments of `.evtx` files the worker reads, flattens and matches itself.
 * worker → main: one `ready` once the rules are loaded (with their fingerprint), then one `result` per batch
 * and one `evtx-result` per job, in any order across workers: `pairs` lists (event position in the batch, rule position) pairs, by
 * event then rule order; rule position -1 flags a text that is not a JSON object; an
 * {@link EvtxJobResult} holds each segment's problems and only the events some rule hit. A failure is an `error` message; the scan stops with it.
 */
import type { EvtxJob, EvtxJobResult } from './evtx-jobs.js';

export interface BatchMessage {
  type: 'batch';
  id: number;
  /** The events of the batch as JSON texts (a JSON Lines line as read, or the flattened event), joined by `\n`; the worker flattens. */
  text: string;
}

/** Segments of `.evtx` files to read, flatten and match in the worker. */
export interface EvtxJobMessage {
  type: 'evtx';
  id: number;
  job: EvtxJob;
}

export type MainMessage = BatchMessage | EvtxJobMessage;

export type WorkerMessage =
  | { type: 'ready'; fingerprint: string }
  | { type: 'result'; id: number; pairs: Int32Array }
  | { type: 'evtx-result'; id: number; result: EvtxJobResult }
  | { type: 'error'; id?: number; message: string };
