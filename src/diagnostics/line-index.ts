/**
 * Offsets to lines and columns in one text, for any number of lookups in any order: the start
 * offset of every line is collected once (one `indexOf('\n')` pass, on first use), and each
 * lookup is a binary search over them. Loading a rule file asks for a position per identifier,
 * item, value and top-level key; rescanning the text from the start for each (offsetToPos) made
 * a large file quadratic.
 *
 * Columns count UTF-16 code units from 1, as offsetToPos does (they agree on every offset).
 */
import type { SourcePos } from './diagnostics.js';

export class LineIndex {
  #starts: Uint32Array | undefined;

  constructor(private readonly text: string) {}

  /** The start offsets of the lines, built on first use. */
  private starts(): Uint32Array {
    if (this.#starts !== undefined) return this.#starts;
    let n = 1;
    for (let nl = this.text.indexOf('\n'); nl >= 0; nl = this.text.indexOf('\n', nl + 1)) n++;
    const starts = new Uint32Array(n);
    let k = 1;
    for (let nl = this.text.indexOf('\n'); nl >= 0; nl = this.text.indexOf('\n', nl + 1)) starts[k++] = nl + 1;
    this.#starts = starts;
    return starts;
  }

  /** The 1-based line and column of a 0-based offset (clamped to the text). */
  pos(offset: number): SourcePos {
    const at = Math.max(0, Math.min(offset, this.text.length));
    const starts = this.starts();
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
