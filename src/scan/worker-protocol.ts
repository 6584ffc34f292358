/**
 * Messages between the scan's main thread and its workers (structured-clone data only).
 *
 * main → worker: `workerData` is a {@link ScanRuleSource}; then `batch` messages, each a
 * batch of events as JSON texts joined by newlines (JSON text never holds a raw newline); the
 * worker flattens each (flattening a flat event changes nothing).
 * worker → main: one `ready` once the rules are loaded (with their fingerprint), then one `result` per batch, in any
 * order across workers: `pairs` lists (event position in the batch, rule position) pairs, by
 * event then rule order; rule position -1 flags a text that is not a JSON object. A failure is an `error` message; the scan stops with it.
 */
export interface BatchMessage {
  type: 'batch';
  id: number;
  /** The events of the batch as JSON texts (a JSON Lines line as read, or the flattened event), joined by `\n`; the worker flattens. */
  text: string;
}

export type WorkerMessage =
  | { type: 'ready'; fingerprint: string }
  | { type: 'result'; id: number; pairs: Int32Array }
  | { type: 'error'; id?: number; message: string };
