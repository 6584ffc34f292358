/**
 * Array helpers that never spread an array into call arguments: `f(...xs)` passes every element
 * on the stack, and more than about 100,000 of them overflow it (`Math.max(...lengths)` over a
 * list of 130,000 rule values did). Rules, events and diagnostics can be that long.
 */

/**
 * Appends every element of `items` to `out` (what `out.push(...items)` does, without spreading
 * the items into call arguments: a spread of more than about 100,000 elements overflows the
 * stack, and rules, events and diagnostics can be that long).
 */
export function pushAll<T>(out: T[], items: Iterable<T>): T[] {
  for (const x of items) out.push(x);
  return out;
}

/** The largest of `start` and the numbers (`Math.max(start, ...xs)` without a spread). */
export function maxOf(xs: Iterable<number>, start = -Infinity): number {
  let m = start;
  for (const x of xs) if (x > m) m = x;
  return m;
}
