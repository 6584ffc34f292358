/**
 * Cutting a rule's own YAML text out of its file: the text of one document (between `---`
 * markers) and the text of one search identifier (its key line and body, as written, comments
 * included, re-indented to start at column 0). A page shows what the author wrote, so nothing
 * here re-serialises YAML, except the fallback for flow style (`detection: {sel: …}`), where an
 * identifier shares its line with others and is dumped from its parsed value instead.
 *
 * The YAML tree has start offsets only, so an identifier ends where the next key of the
 * `detection` map starts (or the next top-level key, or the end of the document); trailing blank
 * lines and comment lines indented no deeper than the key belong to what follows.
 */
import { dump } from 'js-yaml';
import { mapGet, toPlain } from '../yaml/yaml-tree.js';
import type { YDocument, YMap } from '../yaml/yaml-tree.js';

/** A document marker line: `---` or `...` at column 0, alone or followed by a blank. */
const MARKER = /^(?:---|\.\.\.)(?=[ \t\r\n]|$)/;

/** Start offsets and ends (after the line break) of every line of a text. */
function lines(text: string): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl + 1;
    out.push({ start, end });
    start = end;
  }
  return out;
}

/** Offset of the start of the line holding `offset`. */
function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The span [start, end) of the document whose root node starts at `rootOffset`, markers excluded. */
export function documentSpan(text: string, rootOffset: number): { start: number; end: number } {
  let start = 0;
  let end = text.length;
  for (const l of lines(text)) {
    if (!MARKER.test(text.slice(l.start, l.end))) continue;
    if (l.end <= rootOffset) start = l.end;
    else if (l.start <= rootOffset) start = Math.min(l.start + 3, rootOffset); // `--- value` on the marker line
    else {
      end = l.start;
      break;
    }
  }
  return { start, end };
}

/** Removes trailing blank lines and line ends; normalises CRLF. */
function trimEnd(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(/\s+$/, '');
}

/** The text of a document as written (comments included), without its `---` markers. */
export function documentText(text: string, doc: YDocument): string {
  if (doc.root === null) return '';
  const { start, end } = documentSpan(text, doc.root.offset);
  return trimEnd(text.slice(start, end)).replace(/^(?:[ \t]*\n)+/, '');
}

/** Is the text before `offset` on its line only indentation (and a key's opening quote)? */
function blockKey(text: string, offset: number): { indent: number } | undefined {
  const prefix = text.slice(lineStart(text, offset), offset);
  const m = /^([ ]*)['"]?$/.exec(prefix);
  return m === null ? undefined : { indent: m[1]?.length ?? 0 };
}

/**
 * The text of the search identifier `name` of a document's `detection` map (or a filter's
 * `filter` map): key line and body as written, re-indented to column 0. Undefined when the
 * document has no such identifier.
 */
export function identifierText(text: string, doc: YDocument, name: string, section: 'detection' | 'filter' = 'detection'): string | undefined {
  const root = doc.root;
  if (root === null || root.kind !== 'map') return undefined;
  const detIndex = root.entries.findIndex((e) => e.key === section);
  const det = root.entries[detIndex]?.value;
  if (det === undefined || det.kind !== 'map') return undefined;
  const k = det.entries.findIndex((e) => e.key === name);
  const entry = det.entries[k];
  if (entry === undefined) return undefined;
  const docEnd = documentSpan(text, root.offset).end;
  const next = det.entries[k + 1]?.keyNode.offset ?? root.entries[detIndex + 1]?.keyNode.offset ?? docEnd;
  const key = blockKey(text, entry.keyNode.offset);
  const nextIsBlock = next === docEnd || blockKey(text, next) !== undefined;
  if (key === undefined || !nextIsBlock) return flowFallback(det, name);
  const end = next === docEnd ? docEnd : lineStart(text, next);
  const body = text.slice(lineStart(text, entry.keyNode.offset), end).replace(/\r\n/g, '\n').split('\n');
  // Trailing blank lines and shallow comments introduce the next key, not this one.
  while (body.length > 1) {
    const last = body[body.length - 1] as string;
    const m = /^( *)(#.*)?$/.exec(last);
    if (m === null || (m[2] !== undefined && (m[1]?.length ?? 0) > key.indent)) break;
    body.pop();
  }
  return body
    .map((l) => {
      const lead = /^ */.exec(l)?.[0].length ?? 0;
      return l.slice(Math.min(lead, key.indent));
    })
    .join('\n');
}

/** Flow-style detection: the identifier dumped from its parsed value (not byte-exact). */
function flowFallback(det: YMap, name: string): string {
  const value = mapGet(det, name);
  return dump({ [name]: value === undefined ? null : toPlain(value) }).replace(/\s+$/, '');
}
