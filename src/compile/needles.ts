/**
 * Necessary needles of a rule, for the prefilter of the rule index: a set of alternatives
 * `(field, needle)` such that whenever the rule matches an event, at least one alternative's
 * field has a value whose folded text contains the needle. A rule without such a set (keywords,
 * negations only, regexes, numbers...) is a candidate for every event of its logsource.
 *
 * Soundness rests on two facts: a string pattern can only match a text that contains each of its
 * literal runs (so any ASCII piece of a run is necessary), and case-insensitive matching (`iu`,
 * simple case folding) relates an ASCII needle letter only to its two ASCII cases and to U+017F
 * (ſ, folds to s) and U+212A (Kelvin sign, folds to k): {@link foldCode} maps text into that space.
 */
import type { ConditionNode } from '../condition/parse-condition.js';
import type { Matcher, MatchPlan, PlanItem, SearchNode } from '../plan/plan.js';
import { regexClassEnd, regexEscape } from '../sigma/regex.js';
import { assertNever } from '../diagnostics/diagnostics.js';

/** The pseudo-field of keyword needles: every leaf of the event (§6). */
export const KEYWORDS = '\u0000keywords';

export interface Needle {
  /** The field, or {@link KEYWORDS}. */
  field: string;
  /** Lowercase ASCII text, non-empty, or {@link NON_ASCII}. */
  text: string;
  /**
   * A number's canonical text: it occurs in the canonical text (`String(Number(v))`) of any value
   * numerically equal, which the index scans for numeric strings of such fields.
   */
  numeric?: true;
}

/** null: no necessary set known (always a candidate); []: the rule can never match. */
export type NeedleSet = Needle[] | null;

/**
 * The needle "some character outside ASCII": texts a {@link Matcher} with `nonAscii` can match
 * always contain one (after folding, which maps only ſ and the Kelvin sign into ASCII).
 */
export const NON_ASCII = '\u0080';

/** Needles longer than this are cut to their last MAX_NEEDLE characters (still necessary). */
export const MAX_NEEDLE = 8;

export { foldCode } from '../sigma/case-fold.js';

const ASCII_RUN = /[\x00-\x7f]+/g;
/** A character outside ASCII that does not fold into it. */
const BEYOND_FOLDING = /[^\x00-\x7f\u017f\u212a]/;

/** The best necessary needle text of a string matcher, or undefined. */
function patternNeedle(m: Extract<Matcher, { kind: 'string' }>): string | undefined {
  if (m.pattern.bytes) return undefined;
  // A matching text then holds a character outside ASCII that the automaton does not fold into
  // ASCII. Not so for ſ and the Kelvin sign (a cased value may hold them): they scan as s and k.
  if (m.nonAscii === true && m.pattern.tokens.some((t) => t.t === 'lit' && BEYOND_FOLDING.test(t.s))) return NON_ASCII;
  let best = '';
  for (const tok of m.pattern.tokens) {
    if (tok.t !== 'lit' || tok.s.length <= best.length) continue;
    if (ASCII_ONLY.test(tok.s)) best = tok.s;
    else for (const run of tok.s.match(ASCII_RUN) ?? []) if (run.length > best.length) best = run;
  }
  if (best === '') return undefined;
  return windowOf(best.toLowerCase());
}

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/**
 * A literal that every match of a regular expression contains, read conservatively from its
 * source: only a top-level sequence without alternation is read; groups, classes, escapes of
 * classes, anchors and optional characters break a run; a character before `+` or `{n,` (n ≥ 1)
 * still counts once. The longest run (lowercased: matching is case-folded anyway) or undefined.
 */
export function regexNeedle(source: string): string | undefined {
  let src = source;
  const inline = /^\(\?[a-z]+\)/.exec(src);
  if (inline) src = src.slice(inline[0].length);
  let best = '';
  let run = '';
  const cut = (): void => {
    if (run.length > best.length) best = run;
    run = '';
  };
  /** A literal character followed by `rest`: optional ones break the run, repeated ones count once. */
  const addChar = (ch: string, rest: string): void => {
    const q = rest[0];
    if (q === '*' || q === '?' || /^\{0*(,\d*)?\}/.test(rest) || /[^\x00-\x7f]/.test(ch)) {
      cut();
      return;
    }
    run += ch.toLowerCase();
    if (q === '+' || q === '{') cut();
  };
  let depth = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as string;
    if (c === '\\') {
      const n = src[i + 1] ?? '';
      if (depth === 0 && /[A-Za-z0-9]/.test(n)) {
        // Letters and digits after a backslash are classes, boundaries, codes (\x41, \u0041,
        // \cA) or backreferences (\1, \k<name>): none is read as text, all of it is skipped.
        cut();
        i += regexEscape(src, i).span - 1;
        continue;
      }
      i++;
      if (depth === 0) addChar(n, src.slice(i + 1));
      continue;
    }
    if (c === '[') {
      // A class, at any depth (a parenthesis inside it is no group), read as JavaScript does.
      const end = regexClassEnd(src, i);
      if (end < 0) return undefined;
      i = end;
      cut();
      continue;
    }
    if (c === '(' || c === ')') {
      depth += c === '(' ? 1 : -1;
      cut();
      continue;
    }
    if (c === '|') {
      if (depth === 0) return undefined;
      continue;
    }
    if (depth > 0) continue;
    if (c === '{') {
      const end = src.indexOf('}', i);
      if (end < 0) return undefined;
      i = end;
      cut();
      continue;
    }
    if ('.^$*?+'.includes(c)) {
      cut();
      continue;
    }
    addChar(c, src.slice(i + 1));
  }
  cut();
  if (best.length < 3) return undefined;
  return windowOf(best);
}

/**
 * Necessary literals of a regex with top-level alternatives: one per alternative (every match
 * contains one of them), or undefined when some alternative has none.
 */
export function regexNeedles(source: string): string[] | undefined {
  const inline = /^\(\?[a-z]+\)/.exec(source);
  const src = inline ? source.slice(inline[0].length) : source;
  const branches: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') i++;
    else if (c === '[') {
      const end = regexClassEnd(src, i);
      if (end < 0) return undefined;
      i = end;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      branches.push(src.slice(start, i));
      start = i + 1;
    }
  }
  branches.push(src.slice(start));
  const out: string[] = [];
  for (const b of branches) {
    const n = regexNeedle(b);
    if (n === undefined) return undefined;
    out.push(n);
  }
  return out;
}

function matcherNeedles(m: Matcher, field: string): NeedleSet {
  switch (m.kind) {
    case 're': {
      const texts = regexNeedles(m.expanded);
      return texts === undefined ? null : texts.map((text) => ({ field, text }));
    }
    case 'string': {
      const text = patternNeedle(m);
      return text === undefined ? null : [{ field, text }];
    }
    case 'number':
      // Keyword items compare numbers with leaves as text; only fields get numeric needles.
      return field !== KEYWORDS && Number.isSafeInteger(m.value) ? [{ field, text: String(m.value), numeric: true }] : null;
    case 'anyOf':
      return union(m.members.map((mm) => matcherNeedles(mm, field)));
    default:
      return null;
  }
}

/** Needles an OR needs: all alternatives must have a set. */
function union(sets: NeedleSet[]): NeedleSet {
  if (sets.some((s) => s === null)) return null;
  if (sets.length === 1) return sets[0] as Needle[];
  const out: Needle[] = [];
  // Texts seen per field (most unions are of one field).
  const seen = new Map<string, Set<string>>();
  for (const s of sets as Needle[][]) {
    for (const n of s) {
      let texts = seen.get(n.field);
      if (texts === undefined) seen.set(n.field, (texts = new Set()));
      if (texts.has(n.text)) continue;
      texts.add(n.text);
      out.push(n);
    }
  }
  return out;
}

/**
 * How selective a set is (higher is better): its weakest needle decides, short needles being
 * common; many alternatives cost a little.
 */
function score(s: Needle[]): number {
  if (s.length === 0) return Infinity;
  let min = Infinity;
  let common = false;
  for (const n of s) {
    min = Math.min(min, n.text.length);
    if (FEW_VALUES.has(n.field) || isCommon(n.text)) common = true;
  }
  return min * 100 - Math.min(s.length, 99) - (common ? 600 : 0);
}

/**
 * A literal cut to MAX_NEEDLE characters (any piece of a necessary literal is necessary): the
 * window with the most characters outside low-information pieces (extensions, common path
 * parts), not inside common Windows text; the last of equals. `\svchost.exe` gives `\svchost`,
 * not `host.exe`, which every conhost, dllhost and taskhost event holds.
 */
function windowOf(text: string): string {
  if (text.length <= MAX_NEEDLE) return text;
  let w = windows.get(text);
  if (w === undefined) {
    w = bestWindow(text);
    if (windows.size >= 65536) windows.clear();
    windows.set(text, w);
  }
  return w;
}

/** Windows already chosen: the same values recur across rules. */
const windows = new Map<string, string>();

function bestWindow(text: string): string {
  // Informative characters (outside low-information pieces) before each position.
  if (scratch.length < text.length + 1) scratch = new Int32Array(2 * text.length + 2);
  const before = scratch;
  before.fill(1, 0, text.length);
  if (LOW_INFO_HINT.test(text)) {
    for (const piece of LOW_INFO) {
      for (let i = text.indexOf(piece); i >= 0; i = text.indexOf(piece, i + 1)) before.fill(0, i, i + piece.length);
    }
  }
  let sum = 0;
  for (let i = 0; i < text.length; i++) {
    const here = before[i] as number;
    before[i] = sum;
    sum += here;
  }
  before[text.length] = sum;
  let best: string | undefined;
  let bestScore = -1;
  for (let end = text.length; end >= MAX_NEEDLE; end--) {
    const score = (before[end] as number) - (before[end - MAX_NEEDLE] as number);
    if (score <= bestScore) continue;
    const w = text.slice(end - MAX_NEEDLE, end);
    if (isCommon(w)) continue;
    best = w;
    bestScore = score;
    if (score === MAX_NEEDLE) break;
  }
  return best ?? text.slice(text.length - MAX_NEEDLE);
}

let scratch = new Int32Array(256);
/** Every low-information piece holds one of these characters. */
const LOW_INFO_HINT = /[.\\: ]/;

/** Pieces of needles that most Windows events hold too: they say little about a window. */
const LOW_INFO = [
  '.exe', '.dll', '.sys', 'c:\\', 'windows\\', 'system32\\', 'syswow64\\', 'users\\', 'program files', 'programdata\\',
  'appdata\\', 'microsoft\\', 'software\\', 'currentversion\\', 'currentcontrolset\\', 'controlset001\\',
  'services\\', 'system\\', 'hklm\\', 'hkcu\\', 'hku\\', '\\registry\\machine\\', '\\registry\\user\\',
];

function isCommon(text: string): boolean {
  if (text.length <= MAX_NEEDLE) return commonPieces().has(text);
  return COMMON_TEXT.some((t) => t.includes(text));
}

let pieces: Set<string> | undefined;
/** Every piece of COMMON_TEXT up to MAX_NEEDLE characters long (needles and windows are that short). */
function commonPieces(): Set<string> {
  if (pieces === undefined) {
    pieces = new Set();
    for (const t of COMMON_TEXT) for (let i = 0; i < t.length; i++) for (let n = 0; n <= MAX_NEEDLE && i + n <= t.length; n++) pieces.add(t.slice(i, i + n));
  }
  return pieces;
}

/** Text found in most Windows events: a needle inside one of these is hardly selective. */
const COMMON_TEXT = [
  'c:\\windows\\system32\\',
  'c:\\windows\\syswow64\\',
  'c:\\program files (x86)\\',
  '\\appdata\\local\\temp\\',
  '\\appdata\\roaming\\microsoft\\windows\\',
  'c:\\users\\public\\',
  'c:\\programdata\\microsoft\\',
  '.exe',
  '.dll',
  'nt authority\\system',
  'microsoft corporation',
  'microsoft® windows® operating system',
];

/**
 * Fields whose values come from a small set (integrity levels, accounts, protocols...): a needle
 * there occurs in a large share of events, so a clause on another field is preferred.
 */
const FEW_VALUES = new Set([
  'IntegrityLevel',
  'User',
  'ParentUser',
  'SubjectUserName',
  'SubjectUserSid',
  'SubjectDomainName',
  'TargetDomainName',
  'LogonType',
  'EventType',
  'Protocol',
  'Initiated',
  'SourceIsIpv6',
  'DestinationIsIpv6',
  'Company',
  'Product',
  'Provider_Name',
  'Channel',
  'State',
  'Status',
  'QueryStatus',
  'SignatureStatus',
  'Signed',
  'Signature',
]);

/**
 * Necessary clauses: every clause (an OR of needles) holds on any event the rule matches.
 * `[]` knows nothing; a clause `[]` means the rule can never match. At most {@link MAX_CLAUSES}
 * are kept, the most selective; the index asks for all of them, so a rule whose selection is
 * `Image|endswith: \powershell.exe` and `CommandLine|contains: -enc` is tried only when both occur.
 */
export type Clauses = Needle[][];
export const MAX_CLAUSES = 2;

function andClauses(parts: Clauses[]): Clauses {
  const all: Array<{ clause: Needle[]; score: number }> = [];
  const seen = new Set<string>();
  for (const p of parts) {
    for (const c of p) {
      if (c.length === 0) return [[]];
      // A clause met twice is kept once. The key is cheap: a different clause taken for a
      // duplicate is only dropped, and dropping a clause never drops a match.
      const first = c[0] as Needle;
      const last = c[c.length - 1] as Needle;
      const k = `${c.length}\u0001${first.field}\u0000${first.text}\u0001${last.field}\u0000${last.text}`;
      if (seen.has(k)) continue;
      seen.add(k);
      all.push({ clause: c, score: score(c) });
    }
  }
  // Stable: equal scores keep their order.
  return all
    .sort((a, b) => b.score - a.score)
    .slice(0, MAX_CLAUSES)
    .map((x) => x.clause);
}

function orClauses(parts: Clauses[]): Clauses {
  if (parts.some((p) => p.length === 0)) return [];
  const u = union(parts.map((p) => p[0] as Needle[]));
  return u === null ? [] : [u];
}

function itemClauses(item: PlanItem): Clauses {
  if (item.neq || item.values.length === 0) return [];
  const field = item.field ?? KEYWORDS;
  const sets = item.values.map((v) => matcherNeedles(v.matcher, field));
  if (item.all) return andClauses(sets.map((s) => (s === null ? [] : [s])));
  const u = union(sets);
  return u === null ? [] : [u];
}

function searchClauses(n: SearchNode): Clauses {
  switch (n.kind) {
    case 'item':
      return itemClauses(n.item);
    case 'and':
      return andClauses(n.items.map(itemClauses));
    case 'allOf':
      return andClauses(n.children.map(searchClauses));
    case 'or':
      return orClauses(n.children.map(searchClauses));
    default:
      return assertNever(n);
  }
}

/** The necessary clauses of a plan (see {@link Clauses}). */
export function planClauses(plan: MatchPlan): Clauses {
  const bodies = new Map(plan.identifiers.map((i) => [i.name, i.body]));
  const id = (name: string): Clauses => {
    const body = bodies.get(name);
    return body === undefined ? [[]] : searchClauses(body);
  };
  const walk = (n: ConditionNode): Clauses => {
    switch (n.kind) {
      case 'id':
        return id(n.name);
      case 'not':
        return [];
      case 'and':
        return andClauses(n.args.map(walk));
      case 'or':
        return orClauses(n.args.map(walk));
      case 'of': {
        const names = plan.targets[n.target] ?? [];
        if (n.quant === 'one') return names.length === 0 ? [[]] : orClauses(names.map(id));
        return andClauses(names.map(id));
      }
      default:
        return assertNever(n);
    }
  };
  return walk(plan.condition);
}

/** The most selective necessary clause of a plan, or null when none is known. */
export function planNeedles(plan: MatchPlan): NeedleSet {
  const c = planClauses(plan);
  return c.length === 0 ? null : (c[0] as Needle[]);
}
