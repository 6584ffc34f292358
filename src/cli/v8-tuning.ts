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
 * Only flags that V8 reads as it goes may be set here, once code has run: see
 * {@link tuneV8AtStart} for the one that may not.
 */
import { setFlagsFromString } from 'node:v8';

let tuned = false;

export function tuneV8ForScanning(): void {
  if (tuned) return;
  setFlagsFromString('--no-allocation-site-pretenuring');
  tuned = true;
}

let startTuned = false;

/**
 * Only small functions inlined by the optimizing compiler (bytecode up to 60 bytes; V8's default
 * is 460): loading plans thousands of rules once each, and a scan then runs each rule's code a
 * few hundred times, so optimized code is mostly compiled rather than run; big inlined units
 * cost compiler time and deoptimize whole. Loading took 0.50 s instead of 0.60–0.64, two
 * matching threads scanned 93–103k events/s instead of 85–93k, one the same within noise.
 *
 * Process start only (bin/sigmatest.js, the benches), before any code has run hot: V8 checks
 * that an optimization job's inlining decisions hold when it inlines, and a limit changed while
 * jobs are in flight can fail that check and abort the process (seen when a test called this
 * after thousands of tests had run). Never from runCli, which tests call in-process.
 */
export function tuneV8AtStart(): void {
  if (startTuned) return;
  setFlagsFromString('--max-inlined-bytecode-size=60');
  startTuned = true;
}
