/**
 * An incremental splitter for streams of JSON values: JSON Lines, one JSON array of objects, one
 * object, or several (pretty-printed) objects one after the other, told apart from the content
 * alone.
 *
 * Event files can be far larger than memory, so the reader feeds text chunk by chunk and this
 * class hands back each complete top-level object as text (to `JSON.parse`) as soon as its closing
 * brace arrives, holding at most one object at a time; the elements of a top-level array are
 * handed back one by one. It checks the full JSON grammar while it scans (string escapes,
 * literals, numbers, commas, colons), so a malformed value is reported with the exact line and
 * column of the problem rather than JSON.parse's engine-dependent message.
 *
 * Recovery after an error: the rest of the broken value is skipped up to the next line whose first
 * non-blank character is `{` in the same column as the broken value's opening brace (so the next
 * line of a JSON Lines file, the next object of concatenated pretty-printed objects, the next
 * element of a one-element-per-line array); a top-level array also ends at a `]` in its own
 * column. Once the first object of a stream turned out to sit on a single line the input is taken
 * to be JSON Lines, and a line that ends inside an object is an error of its own.
 *
 * A value nested deeper than {@link MAX_EVENT_DEPTH} objects and arrays is an error (`tooDeep`)
 * with the same recovery: its text is never captured whole nor handed to a recursive walk.
 */
import { MAX_EVENT_DEPTH, tooDeepMessage, tooLargeMessage } from './event-depth.js';


/** What the splitter found: an object's text, a non-object value, or a syntax error. */
export type SplitItem =
  | { kind: 'object'; text: string; line: number; column: number; index: number }
  | { kind: 'value'; valueType: 'array' | 'string' | 'number' | 'boolean' | 'null'; line: number; column: number; index: number }
  | { kind: 'error'; message: string; line: number; column: number; tooDeep?: true; tooLarge?: true };

type Expect = 'keyOrClose' | 'key' | 'colon' | 'value' | 'valueOrClose' | 'commaOrClose';
type TopArrayState = 'firstOrClose' | 'element' | 'commaOrClose';

const C_QUOTE = 0x22;
const C_BACKSLASH = 0x5c;
const C_NL = 0x0a;
const C_LBRACE = 0x7b;
const C_RBRACE = 0x7d;
const C_LBRACKET = 0x5b;
const C_RBRACKET = 0x5d;
const C_COMMA = 0x2c;
const C_COLON = 0x3a;

const STRING_STOP = /["\\\u0000-\u001f]/g;
const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
/** Characters a literal (number, true, false, null, or a misspelling of one) is made of. */
function isLiteralChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x2b || c === 0x2e
  );
}
function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}
function show(c: number): string {
  if (c < 0x20 || c === 0x7f) return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  return `'${String.fromCharCode(c)}'`;
}

/**
 * Splits a stream of JSON text into top-level values. Call {@link JsonSplitter.feed} with each
 * chunk (any size, down to one character) and {@link JsonSplitter.end} once at the end; both return
 * what was completed meanwhile, in order.
 */
export class JsonSplitter {
  // Position of the next character: absolute offset, line, offset where the line starts.
  private base = 0;
  private line: number;
  private lineStart = 0;
  /** No non-blank character seen yet on the current line. */
  private lineBlank = true;

  // Top-level context.
  private topArray: { line: number; column: number; state: TopArrayState } | undefined;
  /** true once the first object of a stream sat on one line: JSON Lines. */
  private lineDelimited: boolean | undefined;
  private nextIndex = 0;
  /** Column of the latest top-level object (or top-array element object): where recovery resumes. */
  private lastObjectColumn = 1;

  // The value being scanned (none when `value` is undefined).
  private value: { line: number; column: number; index: number; object: boolean } | undefined;
  private stack: number[] = [];
  private expect: Expect = 'value';
  /** The object's text from earlier chunks, and where it starts in the current one (-1: not capturing). */
  private parts: string[] = [];
  private captureFrom = -1;
  /** Type of the last scalar or array completed, for non-object top-level values. */
  private lastType: 'array' | 'string' | 'number' | 'boolean' | 'null' = 'array';

  // Token in progress.
  private token: 'none' | 'string' | 'literal' = 'none';
  private stringIsKey = false;
  private stringStart = { line: 0, column: 0 };
  /** 0: none; 1: after a backslash; 2..5: that many hex digits of \uXXXX still expected. */
  private escape = 0;
  private literal = '';
  private literalStart = { line: 0, column: 0 };

  // Error recovery.
  private skipping = false;
  private skipColumn = 1;

  private out: SplitItem[] = [];

  /**
   * `line`: the number of the first line of the text (default 1), so that a piece of a file (one
   * line of JSON Lines) is reported at its place in the file, messages included; `lines`: the
   * text is JSON Lines from the start.
   */
  private readonly maxDepth: number;
  /** An object's text may hold at most this many characters (limits.event_bytes: never more bytes than characters). */
  private readonly maxChars: number;
  /** Characters captured in `parts`. */
  private captured = 0;

  constructor(options: { line?: number; lines?: boolean; maxDepth?: number; maxChars?: number } = {}) {
    this.line = options.line ?? 1;
    this.maxDepth = options.maxDepth ?? MAX_EVENT_DEPTH;
    this.maxChars = options.maxChars ?? Infinity;
    if (options.lines === true) this.lineDelimited = true;
  }

  /** Scans one chunk; returns the values and errors completed within it. */
  feed(chunk: string): SplitItem[] {
    this.out = [];
    let i = 0;
    if (this.base === 0 && chunk.charCodeAt(0) === 0xfeff) {
      i = 1; // byte order mark
      this.lineStart = 1;
    }
    if (this.captureFrom >= 0) this.captureFrom = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.skipping) {
        i = this.skip(chunk, i);
        continue;
      }
      if (this.token === 'string') {
        i = this.scanString(chunk, i);
        continue;
      }
      const c = chunk.charCodeAt(i);
      if (this.token === 'literal') {
        if (isLiteralChar(c)) {
          this.literal += chunk[i];
          i++;
          continue;
        }
        this.endLiteral(chunk, i);
        continue; // re-examine c in the new state
      }
      if (isBlank(c)) {
        if (c === C_NL) {
          if (this.value !== undefined && this.lineDelimited === true && this.topArray === undefined) {
            this.fail(
              `line ends before the object is complete (JSON Lines: one object per line; the object starts at column ${this.value.column})`,
              this.line,
              this.col(i),
            );
            continue; // the newline is consumed in skip mode
          }
          this.newline(i);
        }
        i++;
        continue;
      }
      if (this.value === undefined) this.top(chunk, i, c);
      else this.inValue(chunk, i, c);
      if (this.skipping) continue; // an error: skip mode looks at this character again
      this.lineBlank = false;
      i++;
    }
    if (this.captureFrom >= 0) {
      const piece = chunk.slice(this.captureFrom);
      this.captured += piece.length;
      // An object too large is never held whole: it is reported and skipped like a broken one.
      if (this.captured > this.maxChars && this.value !== undefined) {
        const v = this.value;
        this.fail(tooLargeMessage(this.maxChars), v.line, v.column, 'large');
      } else this.parts.push(piece);
    }
    this.base += n;
    return this.out;
  }

  /** Finishes the stream; returns what the end of input completes or breaks. */
  end(): SplitItem[] {
    this.out = [];
    const pos = { line: this.line, column: this.base - this.lineStart + 1 };
    if (!this.skipping) {
      if (this.token === 'literal') this.endLiteral('', 0);
      if (!this.skipping && this.value !== undefined) {
        const what = this.value.object ? 'object' : 'value';
        const detail = this.token === 'string' ? ' (inside a string)' : '';
        this.out.push({
          kind: 'error',
          message: `unexpected end of file${detail}: the ${what} starting at line ${this.value.line}, column ${this.value.column} is not complete`,
          ...pos,
        });
      } else if (!this.skipping && this.topArray !== undefined) {
        this.out.push({
          kind: 'error',
          message: `unexpected end of file: the array starting at line ${this.topArray.line}, column ${this.topArray.column} is not closed with ']'`,
          ...pos,
        });
      }
    }
    this.resetValue();
    this.topArray = undefined;
    this.skipping = false;
    return this.out;
  }

  private col(i: number): number {
    return this.base + i - this.lineStart + 1;
  }

  private newline(i: number): void {
    this.line++;
    this.lineStart = this.base + i + 1;
    this.lineBlank = true;
  }

  private resetValue(): void {
    this.value = undefined;
    this.stack = [];
    this.parts = [];
    this.captured = 0;
    this.captureFrom = -1;
    this.token = 'none';
    this.escape = 0;
    this.literal = '';
  }

  /** Reports an error and skips to the next place a value can start (see the file comment). */
  private fail(message: string, line: number, column: number, limit: 'deep' | 'large' | false = false): void {
    this.out.push(limit === 'deep' ? { kind: 'error', message, line, column, tooDeep: true } : limit === 'large' ? { kind: 'error', message, line, column, tooLarge: true } : { kind: 'error', message, line, column });
    this.skipColumn = this.value?.object === true ? this.value.column : this.lastObjectColumn;
    this.resetValue();
    this.skipping = true;
  }

  /** Skip mode: discards text until a `{` (or the top array's `]`) opens a line in the right column. */
  private skip(chunk: string, i: number): number {
    const n = chunk.length;
    while (i < n) {
      const c = chunk.charCodeAt(i);
      if (c === C_NL) {
        this.newline(i);
        i++;
        continue;
      }
      if (this.lineBlank) {
        if (isBlank(c)) {
          i++;
          continue;
        }
        this.lineBlank = false;
        const column = this.col(i);
        if (c === C_LBRACE && column === this.skipColumn) {
          this.skipping = false;
          if (this.topArray !== undefined) this.topArray.state = 'element';
          this.lineBlank = true; // lets the main loop see `{` as the line's first character
          return i;
        }
        if (c === C_RBRACKET && this.topArray !== undefined && column === this.topArray.column) {
          this.skipping = false;
          this.topArray = undefined;
          return i + 1;
        }
      }
      const nl = chunk.indexOf('\n', i);
      if (nl < 0) return n;
      i = nl;
    }
    return i;
  }

  /** A character outside any value: a value starts, or the top-level array moves on. */
  private top(chunk: string, i: number, c: number): void {
    const column = this.col(i);
    const arr = this.topArray;
    if (arr === undefined) {
      if (c === C_LBRACKET) {
        this.topArray = { line: this.line, column, state: 'firstOrClose' };
        return;
      }
      this.startValue(chunk, i, c, column);
      return;
    }
    if (arr.state === 'commaOrClose') {
      if (c === C_COMMA) arr.state = 'element';
      else if (c === C_RBRACKET) this.topArray = undefined;
      else this.fail(`expected ',' or ']' after an array element, found ${show(c)}`, this.line, column);
      return;
    }
    if (c === C_RBRACKET) {
      if (arr.state === 'element') this.fail(`expected an array element after ',', found ']'`, this.line, column);
      else this.topArray = undefined;
      return;
    }
    this.startValue(chunk, i, c, column);
  }

  private startValue(chunk: string, i: number, c: number, column: number): void {
    if (c !== C_LBRACE && c !== C_LBRACKET && c !== C_QUOTE && !isLiteralChar(c)) {
      this.fail(`expected a JSON value, found ${show(c)}`, this.line, column);
      return;
    }
    const object = c === C_LBRACE;
    if (object) this.lastObjectColumn = column;
    this.value = { line: this.line, column, index: this.nextIndex++, object };
    if (object) {
      this.captureFrom = i;
      this.parts = [];
    }
    this.expect = 'value';
    this.valueChar(chunk, i, c);
  }

  /** A character inside a value (not in a string or literal token). */
  private inValue(chunk: string, i: number, c: number): void {
    switch (this.expect) {
      case 'value':
      case 'valueOrClose':
        if (c === C_RBRACKET && this.expect === 'valueOrClose') this.close(chunk, i, c);
        else this.valueChar(chunk, i, c);
        return;
      case 'keyOrClose':
      case 'key':
        if (c === C_QUOTE) this.startString(i, true);
        else if (c === C_RBRACE && this.expect === 'keyOrClose') this.close(chunk, i, c);
        else if (c === C_RBRACE) this.error(`expected a property name after ',', found '}' (trailing comma)`, i);
        else this.error(`expected a property name in double quotes, found ${show(c)}`, i);
        return;
      case 'colon':
        if (c === C_COLON) this.expect = 'value';
        else this.error(`expected ':' after a property name, found ${show(c)}`, i);
        return;
      case 'commaOrClose': {
        const inObject = this.stack[this.stack.length - 1] === C_LBRACE;
        if (c === C_COMMA) this.expect = inObject ? 'key' : 'value';
        else if (c === (inObject ? C_RBRACE : C_RBRACKET)) this.close(chunk, i, c);
        else
          this.error(
            inObject
              ? `expected ',' or '}' after a property value, found ${show(c)}`
              : `expected ',' or ']' after an array element, found ${show(c)}`,
            i,
          );
        return;
      }
    }
  }

  /** Starts a value at `c` (the expect state allows one here). */
  private valueChar(chunk: string, i: number, c: number): void {
    if ((c === C_LBRACE || c === C_LBRACKET) && this.stack.length >= this.maxDepth) {
      this.error(tooDeepMessage(this.maxDepth), i, 0, 'deep');
      return;
    }
    if (c === C_LBRACE) {
      this.stack.push(C_LBRACE);
      this.expect = 'keyOrClose';
    } else if (c === C_LBRACKET) {
      this.stack.push(C_LBRACKET);
      this.expect = 'valueOrClose';
    } else if (c === C_QUOTE) {
      this.startString(i, false);
    } else if (isLiteralChar(c)) {
      this.token = 'literal';
      this.literal = chunk[i] ?? '';
      this.literalStart = { line: this.line, column: this.col(i) };
    } else if (c === C_RBRACKET && this.expect === 'value' && this.stack.length > 0) {
      this.error(`expected an array element after ',', found ']' (trailing comma)`, i);
    } else {
      this.error(`expected a JSON value, found ${show(c)}`, i);
    }
  }

  private close(chunk: string, i: number, c: number): void {
    this.stack.pop();
    if (c === C_RBRACKET) this.lastType = 'array';
    this.valueDone(chunk, i + 1);
  }

  /** A value inside the current top-level value ended just before chunk index `end`. */
  private valueDone(chunk: string, end: number): void {
    if (this.stack.length > 0) {
      this.expect = 'commaOrClose';
      return;
    }
    const v = this.value;
    if (v === undefined) return;
    if (v.object) {
      const text = this.parts.join('') + chunk.slice(Math.max(this.captureFrom, 0), end);
      if (text.length > this.maxChars) {
        this.out.push({ kind: 'error', message: tooLargeMessage(this.maxChars), line: v.line, column: v.column, tooLarge: true });
        if (this.topArray !== undefined) this.topArray.state = 'commaOrClose';
        this.resetValue();
        return;
      }
      this.out.push({ kind: 'object', text, line: v.line, column: v.column, index: v.index });
      if (this.lineDelimited === undefined && this.topArray === undefined) this.lineDelimited = this.line === v.line;
    } else {
      this.out.push({ kind: 'value', valueType: this.lastType, line: v.line, column: v.column, index: v.index });
    }
    if (this.topArray !== undefined) this.topArray.state = 'commaOrClose';
    this.resetValue();
  }

  private startString(i: number, key: boolean): void {
    this.token = 'string';
    this.stringIsKey = key;
    this.escape = 0;
    this.stringStart = { line: this.line, column: this.col(i) };
  }

  /** Inside a string: jumps to the next quote, backslash or control character. */
  private scanString(chunk: string, i: number): number {
    const n = chunk.length;
    while (i < n) {
      if (this.escape === 1) {
        const c = chunk.charCodeAt(i);
        if (c === 0x75) this.escape = 5; // \u: four hex digits follow
        else if ('"\\/bfnrt'.includes(chunk[i] ?? '')) this.escape = 0;
        else {
          this.error(`invalid escape sequence '\\${chunk[i]}' in a string`, i, -1);
          return i;
        }
        i++;
        continue;
      }
      if (this.escape > 1) {
        if (!isHex(chunk.charCodeAt(i))) {
          this.error(`invalid \\u escape in a string: expected four hex digits, found ${show(chunk.charCodeAt(i))}`, i);
          return i;
        }
        this.escape = this.escape === 2 ? 0 : this.escape - 1;
        i++;
        continue;
      }
      STRING_STOP.lastIndex = i;
      const m = STRING_STOP.exec(chunk);
      if (m === null) return n;
      i = m.index;
      const c = chunk.charCodeAt(i);
      if (c === C_QUOTE) {
        this.token = 'none';
        if (this.stringIsKey) this.expect = 'colon';
        else {
          this.lastType = 'string';
          this.valueDone(chunk, i + 1);
        }
        return i + 1;
      }
      if (c === C_BACKSLASH) {
        this.escape = 1;
        i++;
        continue;
      }
      if (c === C_NL || c === 0x0d) {
        this.error(
          `unterminated string: the line ends inside the string starting at line ${this.stringStart.line}, column ${this.stringStart.column}`,
          i,
        );
        return i; // the line break is consumed in skip mode
      }
      this.error(`control character ${show(c)} must be escaped inside a string`, i);
      return i;
    }
    return i;
  }

  /** A literal token ended before chunk index `i` (or at end of input): checks what it is. */
  private endLiteral(chunk: string, i: number): void {
    const text = this.literal;
    this.token = 'none';
    this.literal = '';
    if (text === 'true' || text === 'false') this.lastType = 'boolean';
    else if (text === 'null') this.lastType = 'null';
    else if (NUMBER.test(text)) this.lastType = 'number';
    else {
      const shown = text.length > 40 ? `${text.slice(0, 40)}...` : text;
      this.fail(`invalid literal '${shown}': expected a number, true, false or null`, this.literalStart.line, this.literalStart.column);
      return;
    }
    this.valueDone(chunk, i);
  }

  /** Reports an error at chunk index `i` of the current line (column offset `adjust` when given). */
  private error(message: string, i: number, adjust?: number, tooDeep: 'deep' | false = false): void {
    const column = this.col(i) + (adjust ?? 0);
    const where =
      this.value !== undefined && this.value.object
        ? ` (in the object starting at line ${this.value.line}, column ${this.value.column})`
        : '';
    this.fail(message + where, this.line, column, tooDeep);
  }
}
