/**
 * Matching one batch of inputs against the rule index, in the main thread or in a worker: the
 * result is the flat list of (input position, rule position) pairs the worker protocol sends.
 */
import type { RuleIndex } from '../compile/rule-index.js';

/**
 * Matches a batch whose inputs may be lines that are no event: `eventOf(i)` gives the flattened
 * event of input i, or undefined for such a line, which is flagged as the pair (i, -1) among the
 * (input position, rule position) pairs, in input order. The protocol of the worker results.
 */
export function matchInputs(index: RuleIndex, count: number, eventOf: (i: number) => Record<string, unknown> | undefined): Int32Array {
  const broken: number[] = [];
  // Events are fetched as the index goes, each once: it holds only those it still has rules to
  // try on (see RuleIndex.matchBatchOf), so most of a batch can be collected young.
  const matched = index.matchBatchOf(count, (i) => {
    const e = eventOf(i);
    if (e === undefined) broken.push(i);
    return e;
  });
  if (broken.length === 0) return matched;
  const pairs: number[] = [];
  let b = 0;
  for (let k = 0; k < matched.length; k += 2) {
    const i = matched[k] as number;
    for (; b < broken.length && (broken[b] as number) < i; b++) pairs.push(broken[b] as number, -1);
    pairs.push(i, matched[k + 1] as number);
  }
  for (; b < broken.length; b++) pairs.push(broken[b] as number, -1);
  return Int32Array.from(pairs);
}
