/**
 * V8 tuning for streaming many short-lived events past long-lived rules (process-wide, set
 * once by the CLI before any work, like the regex guard; worker threads share the settings).
 * Measured on 200,000 generated events × 3,018 rules (bench/scan-once.mjs, 2 cores).
 *
 * Allocation-site pretenuring off: when the objects of one allocation site (`JSON.parse`, an
 * object literal) keep surviving young-generation collections, V8 starts allocating them directly
 * in the old generation. Early in a scan that is a coin toss (the rules being loaded survive, the
 * events do not), and when it falls the wrong way every event's objects are allocated old and
 * die there: about one run in two promoted 357 MB instead of 75 MB, peaked at 400 MiB RSS
 * instead of 215, and scanned 10–20 % slower.
 *
 * Only flags that V8 reads as it goes may be set here, once code has run. Limiting the
 * optimizing compiler's inlining (`--max-inlined-bytecode-size`) loaded rules 15 % faster, but
 * set at run time it can trip a V8 consistency check and abort the process (seen in a vitest
 * worker that had compiled code before the change): not used.
 */
import { setFlagsFromString } from 'node:v8';

let tuned = false;

export function tuneV8ForScanning(): void {
  if (tuned) return;
  setFlagsFromString('--no-allocation-site-pretenuring');
  tuned = true;
}
