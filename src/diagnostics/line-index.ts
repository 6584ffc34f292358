/**
 * Offsets to lines and columns in one text, for any number of lookups in any order: the start
 * offset of every line is collected once (an `indexOf('\n')` pass when built), and each lookup
 * is a binary search over them. The index keeps only those offsets (a few bytes a line), not the
 * text, so loaded rules can hold their file's index to locate things later. Loading a rule file asks for a position per identifier,
 * item, value and top-level key; rescanning the text from the start for each (offsetToPos) made
 * a large file quadratic.
 *
 * Columns count UTF-16 code units from 1, as offsetToPos does (they agree on every offset).
 */
import type { SourcePos } from './diagnostics.js';

export class LineIndex {
  /** Start offset of every line (small integers: a packed array, no buffer of its own). */
  readonly #starts: number[];
  readonly #length: number;

  /** Indexes `text` (one pass); the text itself is not kept. */
  constructor(text: string) {
    const starts = [0];
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', nl + 1)) starts.push(nl + 1);
    this.#starts = starts;
    this.#length = text.length;
  }

  /** The 1-based line and column of a 0-based offset (clamped to the text). */
  pos(offset: number): SourcePos {
    const at = Math.max(0, Math.min(offset, this.#length));
    const starts = this.#starts;
    // The last line start at or before `at`.
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((starts[mid] as number) <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - (starts[lo] as number) + 1 };
  }

  /** The 1-based line of a 0-based offset. */
  line(offset: number): number {
    return this.pos(offset).line;
  }
}

/**
 * A lookup of offsets in `text` to line and column that indexes the text on its first call (so a
 * file without problems pays nothing): what loaders that locate many nodes of one text use.
 */
export function positionsIn(text: string): (offset: number) => SourcePos {
  let index: LineIndex | undefined;
  return (offset) => (index ??= new LineIndex(text)).pos(offset);
}
