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
 * Only small functions inlined by the optimizing compiler (bytecode up to 60 bytes, V8's
 * default being 460): loading plans thousands of rules once each, and a scan then runs each
 * rule's generated code a few hundred times, so optimized code is mostly compiled, not run.
 * Big inlined units cost compile time on the compiler thread (2.3 s of it for one scan) and
 * deoptimize whole; with two matching threads on two cores that work competes with matching.
 * Loading took 0.50 s instead of 0.60–0.64, two threads scanned 93–99k events/s instead of
 * 85–87k, one thread the same within noise, and matching in steady state 1–3 % slower.
 */
import { setFlagsFromString } from 'node:v8';

let tuned = false;

export function tuneV8ForScanning(): void {
  if (tuned) return;
  setFlagsFromString('--no-allocation-site-pretenuring');
  setFlagsFromString('--max-inlined-bytecode-size=60');
  tuned = true;
}
