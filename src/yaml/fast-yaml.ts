/**
 * A fast, hand-written reader for the small YAML subset that Sigma rule files use.
 *
 * Contract: `parseYamlFast(text)` returns exactly the documents `parseYamlSlow` (js-yaml's event
 * stream turned into our positioned tree) would return for `text` with no diagnostics, or
 * `undefined` whenever it is not sure. Undefined means "ask js-yaml": the caller then runs the
 * slow path, which also reports every diagnostic. So this reader never reports errors, never
 * throws and never guesses; anything outside the subset below makes it decline.
 *
 * The subset, all of it line-based:
 * - documents separated by `---` lines (nothing but a comment after the marker), comments
 *   (whole lines, or after a space at the end of a line), blank lines;
 * - block mappings and block sequences, compact `- key: value` maps and `- - x` sequences in
 *   sequences, and sequences at the same column as their parent key (`key:\n- a`);
 * - single-line scalars: plain (resolved by the YAML 1.2 core schema via `resolvePlainScalar`),
 *   single-quoted with `''`, double-quoted with the escapes YAML defines (no line folding);
 * - block scalars `|` and `>` with an optional chomping indicator `-` or `+`, no explicit
 *   indentation digit;
 * - single-line flow sequences of scalars, `[a, 'b', "c"]`, and the empty flow mapping `{}`.
 *
 * It declines on: tabs, CR, a BOM or any control or non-printable character anywhere in the
 * text; anchors, aliases, tags, directives, explicit `? ` keys, `@` and backquotes; other flow
 * mappings, nested or multi-line flow sequences; multi-line plain or quoted scalars (any line
 * more indented than its block that is not part of a nested collection); `...`; duplicate
 * keys; a root scalar; deep nesting; and every syntax error.
 *
 * Offsets are those js-yaml's events give: a scalar's first character (inside the quotes; the
 * line after the header of a block scalar), a sequence's first `-`, a mapping's first key
 * (its opening quote if quoted), a flow sequence's `[`. An empty value (`condition:` with
 * nothing after it) has no position of its own in js-yaml, so it is placed where the last
 * non-empty scalar ended or the last collection started (`lastEnd` in yaml-tree.ts), which
 * for an empty document may lie in an earlier document.
 */
import { resolvePlainScalar } from './yaml-node.js';
import type { YDocument, YMap, YMapEntry, YNode, YScalar, YScalarValue, YSeq } from './yaml-node.js';

const NL = 10;
const SP = 32;
const DQ = 34;
const HASH = 35;
const SQ = 39;
const COMMA = 44;
const DASH = 45;
const DOT = 46;
const COLON = 58;
const GT = 62;
const LBRACKET = 91;
const BACKSLASH = 92;
const RBRACKET = 93;
const LBRACE = 123;
const PIPE = 124;
const RBRACE = 125;

/** nextLine() results. */
const EOF = 0;
const LINE = 1;
const MARKER = 2;

/** js-yaml stops at 100 nested nodes; we stay far below and decline deeper texts. */
const MAX_DEPTH = 40;

/** Thrown (never out of this module) when the text leaves the subset. */
class Decline {}
const DECLINE = new Decline();
function decline(): never {
  throw DECLINE;
}

/**
 * The documents of `text`, or undefined when the text is outside the subset or would produce a
 * diagnostic. See the module comment for the contract.
 */
export function parseYamlFast(text: string): YDocument[] | undefined {
  if (NOT_PLAIN.test(text) || INDENTED_MARKER.test(text)) return undefined;
  try {
    return new FastYaml(text).stream();
  } catch {
    return undefined;
  }
}

/**
 * What the subset never holds: a tab, CR or other control character, the characters js-yaml calls
 * non-printable, a BOM, an unpaired surrogate. One native scan of the text (fast; a loop over
 * charCodeAt is twice as slow).
 */
const NOT_PLAIN = /[\x00-\x09\x0b-\x1f\x7f-\x9f\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * A document marker (`---`, `...`) after indentation: js-yaml takes it for a marker where a
 * document starts (` --- k` is the scalar k; ` --- k: v` is an error) and for text elsewhere.
 * Rare in rules; the slow path decides.
 */
const INDENTED_MARKER = /^[ ]+(?:---|\.\.\.)/m;

function stringValue(text: string): YScalarValue {
  return { type: 'string', text };
}

/**
 * `resolvePlainScalar` without its regular expressions for the usual text: only a text starting
 * with a digit, `+`, `-`, `.`, `~` or n/N, t/T, f/F (or an empty one) can be null, a boolean or a
 * number; any other is a string.
 */
function resolvePlain(text: string): YScalarValue {
  const c = text.charCodeAt(0);
  const l = c | 0x20; // lower-cases an ASCII letter
  if ((c >= 48 && c <= 57) || c === 43 || c === DASH || c === DOT || c === 126 || l === 110 || l === 116 || l === 102 || text === '') {
    return resolvePlainScalar(text);
  }
  return { type: 'string', text };
}

function scalar(value: YScalarValue, plain: boolean, offset: number): YScalar {
  return { kind: 'scalar', value, plain, offset };
}

/** A character that never starts a plain scalar (an indicator, a quote, a space, a line end). */
function notPlainStart(c: number): boolean {
  switch (c) {
    case NL: case SP: case HASH: case 38 /* & */: case 42 /* * */: case 33 /* ! */: case PIPE: case GT:
    case SQ: case DQ: case 37 /* % */: case 64 /* @ */: case 96 /* ` */: case COMMA: case LBRACKET:
    case RBRACKET: case LBRACE: case RBRACE:
      return true;
    default:
      return false;
  }
}

function isFlowIndicator(c: number): boolean {
  return c === COMMA || c === LBRACKET || c === RBRACKET || c === LBRACE || c === RBRACE;
}

/** `\x` escapes of double-quoted scalars that stand for one fixed text. */
function simpleEscape(c: number): string | undefined {
  switch (c) {
    case 48: return '\0';
    case 97: return '\x07';
    case 98: return '\b';
    case 116: return '\t';
    case 110: return '\n';
    case 118: return '\v';
    case 102: return '\f';
    case 114: return '\r';
    case 101: return '\x1b';
    case SP: return ' ';
    case DQ: return '"';
    case 47: return '/';
    case BACKSLASH: return '\\';
    case 78: return '\x85';
    case 95: return '\xa0';
    case 76: return '\u2028';
    case 80: return '\u2029';
    default: return undefined;
  }
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

class FastYaml {
  private readonly s: string;
  private readonly n: number;
  /** Start of the line the reader stands at; between nodes always a line start. */
  private pos = 0;
  /** Indentation of the line at `pos`, set by nextLine(). */
  private indent = 0;
  /** Where an empty scalar would be placed (see the module comment). */
  private lastEnd = 0;
  private depth = 0;

  // The last scalar token read by token(), cached so that a line tried as a key and then read as
  // a value is scanned once.
  private tokAt = -1;
  private tokValue: YScalarValue = stringValue('');
  private tokPlain = false;
  /** End of the scalar's text (the closing quote for a quoted one): js-yaml's valueEnd. */
  private tokEnd = 0;
  /** Just after the token (after the closing quote; where a plain scalar stopped). */
  private tokNext = 0;

  constructor(text: string) {
    this.s = text;
    this.n = text.length;
  }

  stream(): YDocument[] {
    const docs: YDocument[] = [];
    let k = this.nextLine();
    if (k === LINE) {
      docs.push(this.document());
      k = this.nextLine();
    }
    while (k !== EOF) {
      if (k !== MARKER) decline();
      this.skipMarker();
      k = this.nextLine();
      if (k === LINE) {
        docs.push(this.document());
        k = this.nextLine();
      } else docs.push({ root: null, offset: this.lastEnd, broken: false });
    }
    return docs;
  }

  private document(): YDocument {
    const root = this.block(this.pos + this.indent, this.indent, this.indent - 1);
    if (root.kind === 'scalar') decline();
    return { root, offset: root.offset, broken: false };
  }

  /**
   * Moves `pos` over blank and comment lines to the next line with content and sets `indent`.
   * MARKER for a `---` line, EOF at the end; declines `...` and other lines that start like a
   * document marker.
   */
  private nextLine(): number {
    const s = this.s;
    const n = this.n;
    let p = this.pos;
    while (p < n) {
      let q = p;
      while (q < n && s.charCodeAt(q) === SP) q++;
      if (q >= n) break;
      const c = s.charCodeAt(q);
      if (c === NL) {
        p = q + 1;
        continue;
      }
      if (c === HASH) {
        const e = s.indexOf('\n', q);
        if (e < 0) break;
        p = e + 1;
        continue;
      }
      this.pos = p;
      this.indent = q - p;
      if (q === p && (c === DASH || c === DOT) && s.charCodeAt(q + 1) === c && s.charCodeAt(q + 2) === c) {
        if (c === DASH && this.blankAt(q + 3)) return MARKER;
        decline();
      }
      return LINE;
    }
    this.pos = n;
    return EOF;
  }

  /** Steps over a `---` line, which may only hold a comment after the marker. */
  private skipMarker(): void {
    this.endLine(this.pos + 3);
  }

  /**
   * True when a plain scalar starts at `p`: not an indicator, and `-`, `?` or `:` only when
   * followed by something else than a space or line end (or, in a flow sequence, `,[]{}`).
   */
  private plainStartAt(p: number, flow: boolean): boolean {
    const c = this.s.charCodeAt(p);
    if (p >= this.n || notPlainStart(c)) return false;
    if (c !== DASH && c !== 63 /* ? */ && c !== COLON) return true;
    return !this.blankAt(p + 1) && !(flow && isFlowIndicator(this.s.charCodeAt(p + 1)));
  }

  /** True at the end of the text, a space or a line break. */
  private blankAt(i: number): boolean {
    if (i >= this.n) return true;
    const c = this.s.charCodeAt(i);
    return c === SP || c === NL;
  }

  /**
   * After a node that ended at `q` on the current line: only spaces and a comment may follow.
   * Moves `pos` to the next line.
   */
  private endLine(q: number): void {
    const s = this.s;
    const n = this.n;
    let r = q;
    while (r < n && s.charCodeAt(r) === SP) r++;
    if (r >= n) {
      this.pos = n;
      return;
    }
    const c = s.charCodeAt(r);
    if (c === NL) {
      this.pos = r + 1;
      return;
    }
    if (c !== HASH || s.charCodeAt(r - 1) !== SP) decline();
    const e = s.indexOf('\n', r);
    this.pos = e < 0 ? n : e + 1;
  }

  /**
   * The node starting at `p` (column `col`) on the current line, inside a collection indented by
   * `parent` (-1 for a document's root). Leaves `pos` at the start of the line after the node.
   */
  private block(p: number, col: number, parent: number): YNode {
    if (++this.depth > MAX_DEPTH) decline();
    const s = this.s;
    const c = s.charCodeAt(p);
    let node: YNode;
    if (c === DASH && this.blankAt(p + 1)) node = this.sequence(p, col);
    else if ((c === SQ || c === DQ || this.plainStartAt(p, false)) && this.keyAt(p)) node = this.mapping(p, col);
    else node = this.value(p, parent);
    this.depth--;
    return node;
  }

  /** A block sequence whose first `-` is at `p`, column `col`. */
  private sequence(p: number, col: number): YSeq {
    const s = this.s;
    const n = this.n;
    const items: YNode[] = [];
    const node: YSeq = { kind: 'seq', items, offset: p };
    this.lastEnd = p;
    for (;;) {
      let q = p + 1;
      while (q < n && s.charCodeAt(q) === SP) q++;
      const c = q < n ? s.charCodeAt(q) : NL;
      if (c === NL || c === HASH) {
        // Nothing after the dash: the entry is on the next lines, or empty.
        this.endLine(q);
        if (this.nextLine() === LINE && this.indent > col) items.push(this.block(this.pos + this.indent, this.indent, col));
        else items.push(scalar({ type: 'null', text: '' }, true, this.lastEnd));
      } else items.push(this.block(q, q - this.pos, col));
      if (this.nextLine() !== LINE || this.indent < col) break;
      if (this.indent > col) decline();
      p = this.pos + col;
      if (s.charCodeAt(p) !== DASH || !this.blankAt(p + 1)) break; // a key of the parent mapping
    }
    return node;
  }

  /** A block mapping whose first key, already read by keyAt(), starts at `p`, column `col`. */
  private mapping(p: number, col: number): YMap {
    const s = this.s;
    const n = this.n;
    const entries: YMapEntry[] = [];
    const node: YMap = { kind: 'map', entries, offset: p };
    let seen: Set<string> | undefined; // the keys, once there are many
    this.lastEnd = p;
    for (;;) {
      const key = this.tokValue.text;
      const keyNode = scalar(this.tokValue, this.tokPlain, this.tokPlain ? p : p + 1);
      // A duplicate key is a diagnostic: js-yaml reports it.
      if (seen !== undefined) {
        if (seen.has(key)) decline();
        seen.add(key);
      } else {
        for (let i = 0; i < entries.length; i++) if (entries[i]?.key === key) decline();
        if (entries.length >= 16) seen = new Set(entries.map((e) => e.key)).add(key);
      }
      this.lastEnd = this.tokEnd;
      let q = this.tokNext;
      while (s.charCodeAt(q) !== COLON) q++;
      q++;
      while (q < n && s.charCodeAt(q) === SP) q++;
      const c = q < n ? s.charCodeAt(q) : NL;
      let value: YNode;
      if (c === NL || c === HASH) {
        // Nothing after the colon: the value is on the next lines, or empty.
        this.endLine(q);
        const k = this.nextLine();
        const first = this.pos + this.indent;
        if (k === LINE && this.indent > col) value = this.block(first, this.indent, col);
        else if (k === LINE && this.indent === col && s.charCodeAt(first) === DASH && this.blankAt(first + 1)) {
          value = this.block(first, col, col);
        } else value = scalar({ type: 'null', text: '' }, true, this.lastEnd);
      } else value = this.value(q, col);
      entries.push({ key, keyNode, value });
      if (this.nextLine() !== LINE || this.indent < col) break;
      if (this.indent > col) decline();
      p = this.pos + col;
      const d = s.charCodeAt(p);
      if (!(d === SQ || d === DQ || this.plainStartAt(p, false)) || !this.keyAt(p)) decline();
    }
    return node;
  }

  /**
   * True when a `key:` starts at `p` (a plain or quoted scalar, then `:` and a space or line end);
   * the key is left in the token fields.
   */
  private keyAt(p: number): boolean {
    this.token(p);
    const s = this.s;
    let q = this.tokNext;
    while (s.charCodeAt(q) === SP) q++;
    return s.charCodeAt(q) === COLON && this.blankAt(q + 1);
  }

  /**
   * A value on the current line at `p` inside a collection indented by `parent`: a scalar, a
   * flow sequence or a block scalar. Leaves `pos` at the start of the next line.
   */
  private value(p: number, parent: number): YNode {
    const s = this.s;
    const c = s.charCodeAt(p);
    if (c === LBRACKET) {
      const seq = this.flowSequence(p);
      this.endLine(this.tokNext);
      return seq;
    }
    if (c === LBRACE) {
      // Only the empty flow mapping `{}`; any other is left to js-yaml.
      let q = p + 1;
      while (s.charCodeAt(q) === SP) q++;
      if (s.charCodeAt(q) !== RBRACE) decline();
      this.lastEnd = p;
      this.endLine(q + 1);
      return { kind: 'map', entries: [], offset: p };
    }
    if (c === PIPE || c === GT) return this.blockScalar(p, parent);
    if (c !== SQ && c !== DQ && !this.plainStartAt(p, false)) decline(); // `key: - x`, `key: {`, `&a`…
    this.token(p);
    const node = scalar(this.tokValue, this.tokPlain, this.tokPlain ? p : p + 1);
    this.lastEnd = this.tokEnd;
    this.endLine(this.tokNext); // declines `a: b: c`
    return node;
  }

  /**
   * Reads the single-line scalar at `p` (quoted, or plain in block context) into the token fields.
   * The caller has checked that `p` can start one.
   */
  private token(p: number): void {
    if (this.tokAt === p) return;
    const s = this.s;
    const c = s.charCodeAt(p);
    if (c === SQ || c === DQ) {
      this.quoted(p);
    } else {
      // A plain scalar ends at a line end, at `: ` or at ` #`; trailing spaces are not part of it.
      const n = this.n;
      let q = p;
      let end = p;
      while (q < n) {
        const d = s.charCodeAt(q);
        if (d === NL) break;
        if (d === COLON && this.blankAt(q + 1)) break;
        if (d === HASH && s.charCodeAt(q - 1) === SP) break;
        q++;
        if (d !== SP) end = q;
      }
      this.tokValue = resolvePlain(s.slice(p, end));
      this.tokPlain = true;
      this.tokEnd = end;
      this.tokNext = q;
    }
    this.tokAt = p;
  }

  /** Reads the quoted scalar at `p` into the token fields; it must close on the same line. */
  private quoted(p: number): void {
    const s = this.s;
    const n = this.n;
    const quote = s.charCodeAt(p);
    let q = p + 1;
    let from = q; // start of the text not yet copied to `text`
    let text = '';
    for (;;) {
      if (q >= n) decline();
      const c = s.charCodeAt(q);
      if (c === NL) decline(); // folded over lines: left to js-yaml
      if (c === quote) {
        if (quote === SQ && s.charCodeAt(q + 1) === SQ) {
          text += s.slice(from, q + 1);
          q += 2;
          from = q;
          continue;
        }
        break;
      }
      if (c === BACKSLASH && quote === DQ) {
        text += s.slice(from, q);
        const e = s.charCodeAt(q + 1);
        const simple = simpleEscape(e);
        if (simple !== undefined) {
          text += simple;
          q += 2;
        } else {
          const digits = e === 120 /* x */ ? 2 : e === 117 /* u */ ? 4 : e === 85 /* U */ ? 8 : 0;
          if (digits === 0) decline();
          let code = 0;
          for (let i = 0; i < digits; i++) {
            const h = hexDigit(s.charCodeAt(q + 2 + i));
            if (h < 0) decline();
            code = code * 16 + h;
          }
          if (code > 0x10ffff) decline();
          text += String.fromCodePoint(code);
          q += 2 + digits;
        }
        from = q;
        continue;
      }
      q++;
    }
    this.tokValue = stringValue(text + s.slice(from, q));
    this.tokPlain = false;
    this.tokEnd = q;
    this.tokNext = q + 1;
  }

  /**
   * A flow sequence of scalars on one line, `[a, 'b', "c"]`, at `p`. Sets tokNext just after
   * its `]`.
   */
  private flowSequence(p: number): YSeq {
    const s = this.s;
    const n = this.n;
    const items: YNode[] = [];
    const node: YSeq = { kind: 'seq', items, offset: p };
    this.lastEnd = p;
    this.tokAt = -1; // quoted() below reuses the token fields
    let q = p + 1;
    while (s.charCodeAt(q) === SP) q++;
    if (s.charCodeAt(q) === RBRACKET) {
      this.tokNext = q + 1;
      return node;
    }
    for (;;) {
      const c = s.charCodeAt(q);
      if (c === SQ || c === DQ) {
        this.quoted(q);
        items.push(scalar(this.tokValue, false, q + 1));
        this.lastEnd = this.tokEnd;
        q = this.tokNext;
      } else {
        if (!this.plainStartAt(q, true)) decline();
        // A plain scalar in flow context also ends at `,[]{}` and at `:` before one of them.
        let r = q;
        let end = q;
        for (; r < n; r++) {
          const d = s.charCodeAt(r);
          if (d === NL || isFlowIndicator(d)) break;
          if (d === COLON && (this.blankAt(r + 1) || isFlowIndicator(s.charCodeAt(r + 1)))) break;
          if (d === HASH && s.charCodeAt(r - 1) === SP) break;
          if (d !== SP) end = r + 1;
        }
        items.push(scalar(resolvePlain(s.slice(q, end)), true, q));
        this.lastEnd = end;
        q = r;
      }
      while (s.charCodeAt(q) === SP) q++;
      const d = s.charCodeAt(q);
      if (d === RBRACKET) break;
      if (d !== COMMA) decline(); // a line end, `:`, `#`, `{`, `[`…
      q++;
      while (s.charCodeAt(q) === SP) q++;
      if (s.charCodeAt(q) === RBRACKET) break; // a trailing comma
    }
    this.tokNext = q + 1;
    return node;
  }

  /**
   * A block scalar whose header (`|`, `>`, optionally `-` or `+`) is at `p`, in a collection
   * indented by `parent`. Which lines belong to it follows js-yaml exactly: its content starts
   * on the next line, and its first non-empty line sets its indentation, which must exceed
   * `parent`; it ends before the first less indented non-empty line. Leaves `pos` there.
   */
  private blockScalar(p: number, parent: number): YScalar {
    const s = this.s;
    const n = this.n;
    const folded = s.charCodeAt(p) === GT;
    let q = p + 1;
    let chomp = s.charCodeAt(q);
    if (chomp === DASH || chomp === 43 /* + */) q++;
    else chomp = 0;
    const c = s.charCodeAt(q);
    if (c === DASH || c === 43 || (c >= 48 && c <= 57)) decline(); // indentation indicators, repeats
    this.endLine(q);
    const start = this.pos;
    const minIndent = parent + 1;
    let end = start;
    let indent = -1;
    let leading = 0; // the widest blank line before the first content line
    let line = start;
    while (line < n) {
      let col = 0;
      while (line + col < n && s.charCodeAt(line + col) === SP) col++;
      const at = line + col;
      if (at >= n) {
        // Trailing spaces at the very end of the text.
        if (indent >= 0 ? col > indent : col > 0) end = at;
        break;
      }
      if (s.charCodeAt(at) !== NL) {
        if (indent < 0) {
          if (col >= minIndent && col < leading) decline(); // js-yaml: bad indentation
          if (col < minIndent) break;
          indent = col;
        } else if (col < indent) break;
      } else if (indent < 0 && col > leading) leading = col;
      const e = s.indexOf('\n', at);
      line = e < 0 ? n : e + 1;
      end = line;
    }
    this.pos = line;
    this.lastEnd = end;
    return scalar(stringValue(blockText(s, start, end, indent, chomp, folded)), false, start);
  }
}

/**
 * The text of a block scalar whose lines are `s[start, end)` with content indentation `indent`
 * (-1 when it has no content line): literal lines kept, folded lines joined by spaces except
 * around empty and more-indented lines, and the final line breaks chomped (`-` strips them,
 * `+` keeps them, the default keeps one).
 */
function blockText(s: string, start: number, end: number, indent: number, chomp: number, folded: boolean): string {
  const width = indent < 0 ? 0 : indent;
  let last = end;
  if (last > start && s.charCodeAt(last - 1) === NL) last--; // the final line break ends the last line
  let out = '';
  let read = false;
  let empty = 0;
  let moreIndented = false;
  let a = start;
  while (start < end && a <= last) {
    let b = s.indexOf('\n', a);
    if (b < 0 || b > last) b = last;
    let col = 0;
    while (col < width && s.charCodeAt(a + col) === SP) col++;
    if (indent < 0 || col >= b - a) empty++;
    else {
      if (folded) {
        if (s.charCodeAt(a + width) === SP) {
          moreIndented = true;
          out += '\n'.repeat(read ? 1 + empty : empty);
        } else if (moreIndented) {
          moreIndented = false;
          out += '\n'.repeat(empty + 1);
        } else if (empty === 0) {
          if (read) out += ' ';
        } else out += '\n'.repeat(empty);
      } else out += '\n'.repeat(read ? 1 + empty : empty);
      out += s.slice(a + width, b);
      read = true;
      empty = 0;
    }
    a = b + 1;
  }
  if (chomp === 43) out += '\n'.repeat(read ? 1 + empty : empty);
  else if (chomp !== DASH && read) out += '\n';
  return out;
}
