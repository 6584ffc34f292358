/**
 * Every escaper of the reporters, one per target, so that a format is escaped the same way
 * wherever it is written:
 *
 * - {@link terminalSafe}: text for a terminal. Control characters (ESC, CR, BEL, BS, C1 codes
 *   such as CSI) and bidirectional overrides in rule titles, case names and event values would
 *   otherwise reach the terminal raw and could recolour, move the cursor, overwrite a line or
 *   reorder what is shown; they become visible escapes (`\x1b`, `\u202e`). Newlines and tabs stay.
 *   {@link terminalLine} is the same for a value that must stay on its line (a rule title, a
 *   case name, a message): a line feed in it is shown as `\n`, so it cannot forge a line of its
 *   own (a summary line, or a `::error::` workflow command in a CI log).
 * - {@link jsonTerminalSafe}: JSON text printed on a terminal (`events`, `eval`, `scan`): what
 *   JSON.stringify leaves raw among those characters (DEL, C1 controls, bidi formatting, U+2028/9)
 *   written as `\uNNNN` escapes, which parse to the same value.
 * - {@link xmlEscape}: JUnit XML text and attribute values (characters XML 1.0 forbids made visible).
 * - {@link escapeHtml}: HTML text and quoted attribute values (the HTML report's `html` template).
 * - Markdown (GitHub flavour): {@link markdownText} for free text, {@link markdownCell} for a table
 *   cell of free text, {@link markdownCode} and {@link markdownCodeCell} for literal values in
 *   code spans, {@link markdownFence} for blocks. Markdown syntax in data is shown, never obeyed:
 *   a rule titled `*x* <img>` shows the stars and the tag.
 * - {@link githubData} and {@link githubProperty}: GitHub Actions workflow commands
 *   (`::error file=…,line=…::message`).
 */
import { maxOf } from '../util/arrays.js';

/** C0 controls except tab and line feed, DEL, C1 controls, and the bidi embeddings, overrides and isolates. */
// eslint-disable-next-line no-control-regex
const TERMINAL_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function visibleEscape(c: string): string {
  const n = c.charCodeAt(0);
  return n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

/**
 * Text made safe to print on a terminal: control characters other than newline and tab, and
 * bidirectional formatting characters, are written as `\xNN` / `\uNNNN`.
 */
export function terminalSafe(text: string): string {
  return text.replace(TERMINAL_UNSAFE, visibleEscape);
}

/** {@link terminalSafe} for a value shown within one line: line feeds too become visible (`\n`). */
export function terminalLine(text: string): string {
  return terminalSafe(text).replace(/\n/g, '\\n');
}

/** DEL, C1 controls, bidi formatting and the JavaScript line separators: left raw by JSON.stringify. */
const JSON_TERMINAL_UNSAFE = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/**
 * JSON text safe to print on a terminal: the characters JSON.stringify leaves raw that a terminal
 * would obey (see {@link terminalSafe}) become `\uNNNN` escapes; the JSON parses to the same value.
 */
export function jsonTerminalSafe(json: string): string {
  return json.replace(JSON_TERMINAL_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * XML escaping for JUnit: text and attribute values. Characters XML 1.0 does not allow (C0
 * controls other than tab, LF and CR; U+FFFE, U+FFFF) are written as visible escapes like
 * {@link terminalSafe} does, so that the document stays well-formed and a case name with an
 * escape sequence still shows where it was.
 */
export function xmlEscape(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, visibleEscape)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and for quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] as string);
}

/**
 * Free text for inline Markdown: the characters of Markdown syntax become literal (backslash
 * escapes), while words and Windows paths stay readable (`Provider_Name`, `C:\Windows\x.exe`:
 * a backslash is only doubled before punctuation, an underscore only escaped at a word edge).
 * Line breaks are kept; control characters are made visible ({@link terminalSafe}).
 */
export function markdownText(text: string): string {
  return terminalSafe(text)
    .replace(/\\(?=[!-/:-@[-`{-~])/g, '\\\\')
    .replace(/[`*[\]<>|]/g, '\\$&')
    .replace(/(^|[^A-Za-z0-9])_|_(?=[^A-Za-z0-9]|$)/g, (m) => m.replace('_', '\\_'));
}

/** Free text for a Markdown table cell (or a heading): escaped, on one line. */
export function markdownCell(text: string): string {
  return markdownText(text.replace(/\r?\n|\r/g, ' '));
}

/**
 * A literal value in a code span, outside tables: backslashes, `*` and `_` stay literal; the
 * fence is longer than any run of backticks inside; a line break is shown as ⏎.
 */
export function markdownCode(value: string): string {
  return codeSpan(value, false);
}

/**
 * A literal value in a code span inside a table cell: as {@link markdownCode}, with `|` escaped
 * (GitHub reads `\|` in a code span in a table as the bar itself), and the empty string named as
 * such (a code span cannot be empty).
 */
export function markdownCodeCell(value: string): string {
  return value === '' ? '*(empty string)*' : codeSpan(value, true);
}

function codeSpan(value: string, inTable: boolean): string {
  let v = terminalSafe(value.replace(/\r?\n|\r/g, '⏎'));
  if (inTable) v = v.replace(/\|/g, '\\|');
  const run = maxOf([...v.matchAll(/`+/g)].map((m) => m[0].length), 0);
  const fence = '`'.repeat(run + 1);
  // CommonMark strips one space on each side of a padded span; pad when the value needs it.
  const pad = run > 0 || v.startsWith(' ') || v.endsWith(' ') ? ' ' : '';
  return `${fence}${pad}${v}${pad}${fence}`;
}

/**
 * A fenced code block that the text it holds cannot close early: the fence is longer than any
 * fence line in the text. Line endings become `\n`; control characters are made visible.
 */
export function markdownFence(text: string, lang = ''): string {
  const body = terminalSafe(text.replace(/\r\n?/g, '\n'));
  const run = maxOf([...body.matchAll(/^ {0,3}(`{3,})/gm)].map((m) => m[1]?.length ?? 0), 0);
  const fence = '`'.repeat(Math.max(3, run + 1));
  return `${fence}${lang}\n${body}\n${fence}`;
}

/**
 * The message of a GitHub workflow command (`::error …::<message>`): `%`, CR and LF encoded as
 * the runner expects, other control characters made visible.
 */
export function githubData(s: string): string {
  return terminalSafe(s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A'));
}

/** A property value of a GitHub workflow command (`file=…,title=…`): also `:` and `,` encoded. */
export function githubProperty(s: string): string {
  return githubData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
