/**
 * Where the top-level parts of a rule document are written: the value of each top-level key
 * (`title`, `logsource`) and each item of a top-level list (`tags[1]`), for the diagnostics of
 * later stages (gate validation) that must not go back to the file. What is inside `detection`
 * is located by the plan (identifiers, items, values, condition).
 *
 * Kept compact, as every loaded rule holds one and few are ever asked: one array of exactly the
 * needed size per document, holding per top-level entry its key, the line and column of its
 * value, the number of list items and each item's line and column (small integers, stored
 * unboxed). Measured over the SigmaHQ rules: a map of paths to position objects cost ~1.7 KB per
 * rule, keeping offsets and the file's line index ~1.2 KB; this array ~0.6 KB.
 */
import type { SourcePos } from '../diagnostics/diagnostics.js';
import type { LineIndex } from '../diagnostics/line-index.js';
import type { YMapEntry } from '../yaml/yaml-tree.js';

const ITEM = /^(.*)\[(\d+)\]$/;

export class DocumentPositions {
  /** Per entry: key, line, column, item count n, then n × (line, column). */
  readonly #data: ReadonlyArray<string | number>;

  /** The positions of a document's top-level entries, located through `lines` (not kept). */
  constructor(entries: readonly YMapEntry[], lines: LineIndex) {
    let size = 0;
    for (const e of entries) size += 4 + (e.value.kind === 'seq' ? 2 * e.value.items.length : 0);
    const data = new Array<string | number>(size);
    let at = 0;
    const put = (offset: number): void => {
      const p = lines.pos(offset);
      data[at++] = p.line;
      data[at++] = p.column;
    };
    for (const e of entries) {
      data[at++] = e.key;
      put(e.value.offset);
      const items = e.value.kind === 'seq' ? e.value.items : [];
      data[at++] = items.length;
      for (const x of items) put(x.offset);
    }
    this.#data = data;
  }

  /**
   * The position of a top-level value (`title`; the logical path of a key that is not a plain
   * name is its bracketed form, `["my key"]`) or of an item of a top-level list (`tags[1]`);
   * undefined when the document has no such entry.
   */
  get(path: string): SourcePos | undefined {
    const m = ITEM.exec(path);
    const key = unquote(m === null ? path : (m[1] as string));
    const item = m === null ? -1 : Number(m[2]);
    const d = this.#data;
    // The last entry of a key wins, as in the rule's plain data.
    let found = -1;
    for (let at = 0; at < d.length; at += 4 + 2 * (d[at + 3] as number)) if (d[at] === key) found = at;
    if (found < 0) return undefined;
    const n = d[found + 3] as number;
    if (item >= n) return undefined;
    const p = item < 0 ? found + 1 : found + 4 + 2 * item;
    return { line: d[p] as number, column: d[p + 1] as number };
  }
}

/** `["my key"]` → `my key`; a plain name stays as it is. */
function unquote(segment: string): string {
  if (!segment.startsWith('["') || !segment.endsWith('"]')) return segment;
  try {
    const s: unknown = JSON.parse(segment.slice(1, -1));
    return typeof s === 'string' ? s : segment;
  } catch {
    return segment;
  }
}
