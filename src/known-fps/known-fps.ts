/**
 * Known false positives: a YAML file listing matches that are understood and accepted, so that
 * `sigmatest scan` (and later `sigmatest gate`) counts them apart instead of reporting them.
 *
 * ```yaml
 * known_fps:                                   # or the list alone at the top level
 *   - rule: 5f2a3a11-9c51-4c1e-8a3d-6c0b3c9a8e21   # rule id (required)
 *     field: Image                             # field of the event as rules see it (required)
 *     value: 'C:\Program Files\Backup\\*.exe'  # Sigma-style pattern (optional: any value)
 *     reason: nightly backup agent             # why this is accepted (required)
 *     expires: 2025-12-31                      # optional; last day the entry applies
 * ```
 *
 * Semantics:
 * - `rule` is compared with the rule's `id` case-insensitively; rules without an id are never
 *   suppressed.
 * - `field` is looked up like rules look fields up (flattened event, dotted names through nested
 *   objects, arrays multi-valued); the entry applies only when the field is present.
 * - `value` is a Sigma string pattern (`*` any run, `?` one character, `\*`, `\?`, `\\` escape
 *   them, any other backslash is literal, so a backslash before a wildcard is written `\\*`),
 *   matched case-insensitively against the whole value rendered as text (numbers as JSON writes
 *   them, booleans as `true`/`false`); with several values (an array) any one may match. A YAML
 *   number is taken as written (`value: 010` is the text `010`).
 * - `expires` is a calendar date `YYYY-MM-DD`: the entry applies up to and including that day
 *   (local time) and is expired from the day after. An expired entry suppresses nothing, and
 *   callers report it with {@link expiredDiagnostics} (`KNOWN_FP_EXPIRED`, a warning).
 *
 * Every problem is a located diagnostic, never an exception: `KNOWN_FP_UNREADABLE` (the file
 * cannot be read), `KNOWN_FP_INVALID` (wrong shape, a missing or invalid key, a bad date) and the
 * YAML parser's codes (`YAML_SYNTAX`, `YAML_DUPLICATE_KEY`…). An entry with a problem is left out
 * of `entries`; the others load.
 */
import { readTextFile } from '../util/read-text-file.js';
import { diagnostic, readErrorReason } from '../diagnostics/diagnostics.js';
import { positionsIn } from '../diagnostics/line-index.js';
import type { Diagnostic, SourcePos } from '../diagnostics/diagnostics.js';
import { mapGet, parseYaml } from '../yaml/yaml-tree.js';
import type { YNode } from '../yaml/yaml-tree.js';
import { childPath } from '../diagnostics/doc-path.js';
import { renderScalar, resolveField } from '../evaluate/field-access.js';
import { parsePattern } from '../sigma/pattern.js';
import { compileWildcard } from '../sigma/wildcard.js';
import type { WildcardMatcher } from '../sigma/wildcard.js';
import { pushAll } from '../util/arrays.js';

/** One known false positive. */
export interface KnownFp {
  /** The rule id as written. */
  rule: string;
  field: string;
  /** The value pattern as written; absent means any value of the field. */
  value?: string;
  reason: string;
  /** The expiry date as written (`YYYY-MM-DD`). */
  expires?: string;
  /** The known-FP file and the position of the entry in it. */
  file: string;
  pos: SourcePos;
  /** 0-based position in the file's list. */
  index: number;
  /** The compiled `value` pattern (anchored, case-insensitive). */
  pattern?: WildcardMatcher;
}

export interface KnownFpFile {
  file: string;
  entries: KnownFp[];
  diagnostics: Diagnostic[];
}

const ENTRY_KEYS = ['rule', 'field', 'value', 'reason', 'expires'] as const;
const ENTRY_KEY_SET = new Set<string>(ENTRY_KEYS);
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True when `text` is a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(text: string): boolean {
  const m = DATE.exec(text);
  if (m === null) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** The local calendar date of `d` as `YYYY-MM-DD`. */
export function localDate(d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(d.getFullYear(), 4)}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** Compiles a known-FP value pattern: Sigma wildcards, whole value, case-insensitive (linear time in the value). */
export function compileValuePattern(value: string): WildcardMatcher {
  return compileWildcard(parsePattern(value), false);
}

/** Loads a known-FP file from disk; an unreadable file is one `KNOWN_FP_UNREADABLE` diagnostic. */
export function loadKnownFps(file: string): KnownFpFile {
  let text: string;
  try {
    text = readTextFile(file);
  } catch (e) {
    const why = readErrorReason(e);
    return { file, entries: [], diagnostics: [diagnostic('KNOWN_FP_UNREADABLE', `cannot read the known false-positive file: ${why}`, { file })] };
  }
  return parseKnownFps(text, file);
}

/** Parses and validates known-FP text (see {@link loadKnownFps}). */
export function parseKnownFps(text: string, file: string): KnownFpFile {
  const diagnostics: Diagnostic[] = [];
  const entries: KnownFp[] = [];
  const parsed = parseYaml(text, file);
  pushAll(diagnostics, parsed.diagnostics);
  if (diagnostics.some((d) => d.severity === 'error')) return { file, entries, diagnostics };
  const posOf = positionsIn(text);
  const at = (n: YNode, path: string): { file: string; path: string; pos: SourcePos } => ({ file, path, pos: posOf(n.offset) });
  const invalid = (message: string, n: YNode, path: string): void => {
    diagnostics.push(diagnostic('KNOWN_FP_INVALID', message, at(n, path)));
  };
  const docs = parsed.documents.filter((d) => d.root !== null);
  if (docs.length === 0) return { file, entries, diagnostics };
  if (docs.length > 1) {
    const second = docs[1]?.root as YNode;
    invalid('a known false-positive file holds one YAML document', second, '');
    return { file, entries, diagnostics };
  }
  const root = docs[0]?.root as YNode;
  let list: YNode | undefined;
  let listPath = '';
  if (root.kind === 'seq') list = root;
  else if (root.kind === 'map') {
    for (const e of root.entries) {
      if (e.key !== 'known_fps') invalid(`unknown key '${e.key}' (expected known_fps)`, e.keyNode, childPath('', e.key));
    }
    list = mapGet(root, 'known_fps');
    listPath = 'known_fps';
    if (list === undefined) {
      invalid("the file has no 'known_fps' list", root, '');
      return { file, entries, diagnostics };
    }
    // `known_fps:` with nothing after it: no entries.
    if (list.kind === 'scalar' && list.value.type === 'null') return { file, entries, diagnostics };
  }
  if (list === undefined || list.kind !== 'seq') {
    invalid("a known false-positive file is a list of entries, or a mapping with a 'known_fps' list", list ?? root, listPath);
    return { file, entries, diagnostics };
  }

  list.items.forEach((n, index) => {
    const path = childPath(listPath, index);
    if (n.kind !== 'map') {
      invalid('an entry must be a mapping with rule, field, reason and optionally value and expires', n, path);
      return;
    }
    let ok = true;
    const bad = (message: string, node: YNode, p: string): void => {
      invalid(message, node, p);
      ok = false;
    };
    for (const e of n.entries) {
      if (!ENTRY_KEY_SET.has(e.key)) bad(`unknown key '${e.key}' (expected ${ENTRY_KEYS.join(', ')})`, e.keyNode, childPath(path, e.key));
    }
    /** The text of a scalar key: strings as written, numbers and booleans by their source text. */
    const scalarText = (key: string, required: boolean, what: string): string | undefined => {
      const v = mapGet(n, key);
      if (v === undefined) {
        if (required) bad(`the entry has no '${key}' (${what})`, n, childPath(path, key));
        return undefined;
      }
      if (v.kind !== 'scalar' || v.value.type === 'null') {
        bad(`'${key}' must be ${what}`, v, childPath(path, key));
        return undefined;
      }
      return v.value.text;
    };
    const rule = scalarText('rule', true, 'the id of the rule');
    const field = scalarText('field', true, 'the name of an event field');
    const value = scalarText('value', false, 'a value pattern (leave it out to accept any value)');
    const reason = scalarText('reason', true, 'why the match is a known false positive');
    const expires = scalarText('expires', false, 'a date YYYY-MM-DD');
    if (rule !== undefined && rule.trim() === '') bad("'rule' must not be empty", mapGet(n, 'rule') ?? n, childPath(path, 'rule'));
    if (field !== undefined && field.trim() === '') bad("'field' must not be empty", mapGet(n, 'field') ?? n, childPath(path, 'field'));
    if (reason !== undefined && reason.trim() === '') bad("'reason' must not be empty: say why the match is accepted", mapGet(n, 'reason') ?? n, childPath(path, 'reason'));
    if (expires !== undefined && !isIsoDate(expires)) {
      bad(`'expires' must be a date YYYY-MM-DD, not '${expires}'`, mapGet(n, 'expires') ?? n, childPath(path, 'expires'));
    }
    if (!ok || rule === undefined || field === undefined || reason === undefined) return;
    const entry: KnownFp = { rule, field, reason, file, pos: posOf(n.offset), index };
    if (value !== undefined) {
      entry.value = value;
      entry.pattern = compileValuePattern(value);
    }
    if (expires !== undefined) entry.expires = expires;
    entries.push(entry);
  });
  return { file, entries, diagnostics };
}

/** True when the entry has an expiry date before `today` (local calendar date). */
export function isExpired(entry: KnownFp, today: Date): boolean {
  return entry.expires !== undefined && entry.expires < localDate(today);
}

/** The entries that have expired by `today`, in file order. */
export function expiredEntries(entries: readonly KnownFp[], today: Date): KnownFp[] {
  return entries.filter((e) => isExpired(e, today));
}

/** A `KNOWN_FP_EXPIRED` warning for every expired entry, naming its file and line. */
export function expiredDiagnostics(entries: readonly KnownFp[], today: Date): Diagnostic[] {
  return expiredEntries(entries, today).map((e) =>
    diagnostic(
      'KNOWN_FP_EXPIRED',
      `known false positive for rule ${e.rule} (${e.field}${e.value === undefined ? '' : ` = ${e.value}`}) expired on ${e.expires ?? ''}: its matches are reported again; renew or remove the entry (reason was: ${e.reason})`,
      { file: e.file, pos: e.pos },
      'warning',
    ),
  );
}

/** Does the entry's field/value test hold for the (flattened) event? Ignores rule and expiry. */
export function entryMatchesEvent(entry: KnownFp, event: Record<string, unknown>): boolean {
  const values = resolveField(event, entry.field);
  if (values === undefined) return false;
  const pattern = entry.pattern;
  if (pattern === undefined) return true;
  for (const v of values) {
    const t = renderScalar(v);
    if (t !== undefined && pattern.test(t)) return true;
  }
  return false;
}

/**
 * The first unexpired entry that covers a match of rule `ruleId` on `event` (the flattened event,
 * as rules see it), or undefined when the match is not a known false positive.
 */
export function knownFpFor(
  entries: readonly KnownFp[],
  ruleId: string | undefined,
  event: Record<string, unknown>,
  today: Date,
): KnownFp | undefined {
  if (ruleId === undefined || entries.length === 0) return undefined;
  const id = ruleId.toLowerCase();
  for (const e of entries) {
    if (e.rule.toLowerCase() !== id) continue;
    if (isExpired(e, today)) continue;
    if (entryMatchesEvent(e, event)) return e;
  }
  return undefined;
}
