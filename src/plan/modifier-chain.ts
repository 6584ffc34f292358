/**
 * Modifier chains (§7), parsed once: the `|m1|m2` part of a detection key becomes a closed,
 * typed {@link ModifierChain} record that every later stage reads (build-matcher applies it to
 * each value; explanations, indicators, validation, fuzzing and scaffolding describe it). No
 * other module looks at modifier names, so a new modifier means editing this file (and
 * build-matcher.ts when it has new semantics).
 *
 * The parser runs the chain left to right through the states of the §7 table, without looking at
 * any value: a plain value, a string pattern, a regular expression, a network, a timestamp part,
 * a comparison, an existence test, a field reference. Each modifier either moves the state on,
 * sets a flag (`all`, `neq`, `cased`, `expand`, the regex flags), or is rejected with the message
 * naming the modifier and the state it cannot apply to. What depends on the value (a null where
 * a pattern is needed, a quoted number after `gt`, wildcards under `base64`) is left to
 * build-matcher, which sees one value at a time.
 *
 * String transformations keep their written order in `steps`, because order matters
 * (`utf16le|base64offset` is not `base64offset|utf16le`, and `contains|base64` is an error while
 * `base64offset|contains` is the usual form); `match`, `windash` and `encodings` summarise them.
 *
 * Records are immutable and shared: a chain is parsed once per distinct spelling (and keyword-ness)
 * and the same frozen object is handed to every item that writes it, so a plan of thousands of
 * `|contains` items holds one record. Every record has every property (absent ones `undefined`),
 * so they all share one shape.
 */
import type { TimePart } from '../sigma/timestamp.js';

export type { TimePart };

/** A comparison modifier (§7.9). */
export type CompareOp = 'gt' | 'gte' | 'lt' | 'lte';

/** Every modifier name sigmatest knows (aliases included: `wide`, `ignorecase`, `multiline`, `dotall`). */
export const MODIFIERS: ReadonlySet<string> = new Set([
  'contains', 'startswith', 'endswith', 'all', 'neq', 'cased', 'base64', 'base64offset',
  'utf16le', 'wide', 'utf16be', 'utf16', 'windash', 're', 'i', 'm', 's', 'ignorecase',
  'multiline', 'dotall', 'cidr', 'gt', 'gte', 'lt', 'lte', 'minute', 'hour', 'day', 'week',
  'month', 'year', 'exists', 'fieldref', 'expand',
]);

/** How a string value is anchored: the combined effect of contains/startswith/endswith. */
export type MatchMode = 'equals' | 'contains' | 'startswith' | 'endswith';

/** A byte encoding of a string pattern (§7.4, §7.5); `wide` is written for `utf16le`. */
export type Encoding = 'base64' | 'base64offset' | 'utf16le' | 'utf16be' | 'utf16';

/** One transformation of a string pattern: adding wildcards, windash (§7.6), or an encoding. */
export type PatternOp = 'contains' | 'startswith' | 'endswith' | 'windash' | Encoding;

/** One string transformation of a chain, in written order. */
export interface PatternStep {
  readonly op: PatternOp;
  /** The modifier as written (`wide` for `utf16le`), for messages and explanations. */
  readonly name: string;
}

/**
 * What the chain makes of a value:
 * - `plain`: the value as it is (a string pattern, a number, a boolean or null),
 * - `pattern`: a string pattern after `steps` (or `cased`/`expand` alone),
 * - `regex` (§7.7), `cidr` (§7.8), `compare` (gt/gte/lt/lte and timestamp parts, §7.9, §7.14),
 *   `exists` (§7.11), `fieldref` (§7.12).
 */
export type ChainKind = 'plain' | 'pattern' | 'regex' | 'cidr' | 'compare' | 'exists' | 'fieldref';

/** The flags of a `re` chain (i/ignorecase, m/multiline, s/dotall). */
export interface RegexFlags {
  readonly i: boolean;
  readonly m: boolean;
  readonly s: boolean;
}

/** A parsed modifier chain. Immutable and shared between items (see the file comment). */
export interface ModifierChain {
  /** The modifiers as written, e.g. `['contains', 'all']`. */
  readonly written: readonly string[];
  /** `written` joined with `|` (`contains|all`), `''` for no modifier. */
  readonly text: string;
  readonly kind: ChainKind;
  /**
   * The anchoring of a `pattern` (wildcards both ends for contains, or for startswith and endswith
   * together) or the comparison of a `fieldref`; `equals` for other kinds.
   */
  readonly match: MatchMode;
  /** The string transformations in written order (`pattern` chains only; empty otherwise). */
  readonly steps: readonly PatternStep[];
  /** The encodings of `steps`, in order (a repeated one repeats: `base64|base64` encodes twice). */
  readonly encodings: readonly Encoding[];
  /** `windash` is one of `steps`. */
  readonly windash: boolean;
  /** Values are AND-linked (§7.2). */
  readonly all: boolean;
  /** The item is the negation of its value test (§7.10). */
  readonly neq: boolean;
  /** Case-sensitive comparison (§7.3). */
  readonly cased: boolean;
  /** `%name%` placeholders are expanded (§7.13). */
  readonly expand: boolean;
  /** The regex flags of a `regex` chain; undefined for other kinds. */
  readonly regex: RegexFlags | undefined;
  /** The comparison of a `compare` chain; undefined for a bare timestamp part (equality). */
  readonly compare: CompareOp | undefined;
  /** The timestamp part a `compare` chain compares. */
  readonly timePart: TimePart | undefined;
}

/** Why a chain is rejected, with the diagnostic code it is reported under. */
export interface ChainError {
  code: 'MODIFIER_UNKNOWN' | 'MODIFIER_INVALID';
  message: string;
}

/** True for a parse result that is an error. */
export function isChainError(r: ModifierChain | ChainError): r is ChainError {
  return 'code' in r;
}

const TIME_PARTS: ReadonlySet<string> = new Set<TimePart>(['minute', 'hour', 'day', 'week', 'month', 'year']);
const COMPARE_OPS: ReadonlySet<string> = new Set<CompareOp>(['gt', 'gte', 'lt', 'lte']);
const AFFIXES: ReadonlySet<string> = new Set(['contains', 'startswith', 'endswith']);
/** Modifiers that make no sense on a keyword (field-less) search (§6). */
const NOT_FOR_KEYWORDS: ReadonlySet<string> = new Set(['exists', 'cidr', 'fieldref', ...COMPARE_OPS, ...TIME_PARTS]);
/** Written names of the pattern transformations other than the affixes. */
const PATTERN_OPS: Readonly<Record<string, PatternOp>> = {
  base64: 'base64',
  base64offset: 'base64offset',
  utf16le: 'utf16le',
  wide: 'utf16le',
  utf16be: 'utf16be',
  utf16: 'utf16',
  windash: 'windash',
};
const REGEX_FLAGS: Readonly<Record<string, keyof RegexFlags>> = { i: 'i', ignorecase: 'i', m: 'm', multiline: 'm', s: 's', dotall: 's' };

type State = 'raw' | 'pat' | 're' | 'cidr' | 'part' | 'cmp' | 'exists' | 'fieldref';

const STATE_NAME: Record<State, string> = {
  raw: 'a plain value',
  pat: 'a string pattern',
  re: 'a regular expression',
  cidr: 'a network (cidr)',
  part: 'a timestamp part',
  cmp: 'a comparison',
  exists: 'an existence test',
  fieldref: 'a field reference',
};

const KIND_OF: Record<State, ChainKind> = {
  raw: 'plain',
  pat: 'pattern',
  re: 'regex',
  cidr: 'cidr',
  part: 'compare',
  cmp: 'compare',
  exists: 'exists',
  fieldref: 'fieldref',
};

/** Checks the names of a chain; returns the first unknown modifier's message. */
export function checkModifierNames(names: readonly string[]): string | undefined {
  for (const m of names) {
    if (!MODIFIERS.has(m)) {
      const lower = m.toLowerCase();
      const hint = MODIFIERS.has(lower) ? ` (modifier names are lowercase: '${lower}')` : '';
      return `unknown modifier '${m}'${hint}`;
    }
  }
  return undefined;
}

/** Splits a detection key `field|m1|m2` into the field (null for a keyword key `|m1`) and the modifier names. */
export function splitItemKey(key: string): { field: string | null; names: string[] } {
  const [field = '', ...names] = key.split('|');
  return { field: field === '' ? null : field, names };
}

const cache = new Map<string, ModifierChain>();
/** Distinct spellings kept; far more than any rule set writes (the cache is dropped when full). */
const CACHE_LIMIT = 4096;

/**
 * Parses the modifier names of an item (`['contains', 'all']`); `keyword` is true for a field-less
 * item, on which field tests (exists, cidr, comparisons, fieldref) are rejected. Returns the
 * shared record of the chain, or the first problem: an unknown name (MODIFIER_UNKNOWN) or a
 * modifier the chain cannot take where it stands (MODIFIER_INVALID).
 */
export function parseModifierChain(names: readonly string[], keyword: boolean): ModifierChain | ChainError {
  // One `|` before each name: `[]` and `['']` (a key ending in `|`) differ.
  let key = keyword ? 'k' : 'f';
  for (const n of names) key += `|${n}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const r = parseUncached(names, keyword);
  if (!isChainError(r)) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, r);
  }
  return r;
}

function parseUncached(names: readonly string[], keyword: boolean): ModifierChain | ChainError {
  const unknown = checkModifierNames(names);
  if (unknown !== undefined) return { code: 'MODIFIER_UNKNOWN', message: unknown };
  const text = names.join('|');
  const invalid = (message: string): ChainError => ({ code: 'MODIFIER_INVALID', message });
  let st: State = 'raw';
  const steps: PatternStep[] = [];
  let all = false;
  let neq = false;
  let cased = false;
  let expand = false;
  const flags = { i: false, m: false, s: false };
  let fieldMode: MatchMode = 'equals';
  let compare: CompareOp | undefined;
  let timePart: TimePart | undefined;
  const misuse = (m: string): ChainError => invalid(`the modifier '${m}' cannot be applied to ${STATE_NAME[st]} (chain '${text}')`);

  for (let idx = 0; idx < names.length; idx++) {
    const m = names[idx] as string;
    // Repeating a modifier is legal (§7); a repeated re/cidr/exists changes nothing.
    if ((m === 're' || m === 'cidr' || m === 'exists') && names.indexOf(m) < idx) continue;
    if (keyword && NOT_FOR_KEYWORDS.has(m)) return invalid(`the modifier '${m}' cannot be used on a keyword search (no field)`);
    // re, cidr and exists replace the value's meaning: nothing may come before them.
    const first = (): ChainError | undefined =>
      idx === 0 ? undefined : invalid(`'${m}' must be the first modifier of the chain (write '${[m, ...names.filter((x) => x !== m)].join('|')}')`);
    if (m === 'all') all = true;
    else if (m === 'neq') neq = true;
    // Flags wherever they stand (§7.3, §7.13); checked against the final kind below.
    else if (m === 'cased') cased = true;
    else if (m === 'expand') expand = true;
    else if (AFFIXES.has(m)) {
      const op = m as 'contains' | 'startswith' | 'endswith';
      if (st === 'raw' || st === 'pat') {
        st = 'pat';
        steps.push({ op, name: m });
      } else if (st === 'fieldref') {
        if (fieldMode !== 'equals') return invalid(`a field reference takes only one of contains/startswith/endswith`);
        fieldMode = op;
      } else if (st !== 're') return misuse(m);
      // Under `re` the regex decides its own anchoring: contains/startswith/endswith change nothing.
    } else if (Object.hasOwn(PATTERN_OPS, m)) {
      if (st !== 'raw' && st !== 'pat') return misuse(m);
      st = 'pat';
      steps.push({ op: PATTERN_OPS[m] as PatternOp, name: m });
    } else if (m === 're' || m === 'cidr' || m === 'exists') {
      const f = first();
      if (f) return f;
      st = m;
    } else if (Object.hasOwn(REGEX_FLAGS, m)) {
      if (st !== 're') return invalid(`the regex flag '${m}' must follow 're' (chain '${text}')`);
      flags[REGEX_FLAGS[m] as keyof RegexFlags] = true;
    } else if (COMPARE_OPS.has(m)) {
      if (st !== 'part' && st !== 'raw') return misuse(m);
      st = 'cmp';
      compare = m as CompareOp;
    } else if (TIME_PARTS.has(m)) {
      if (st !== 'raw') return misuse(m);
      st = 'part';
      timePart = m as TimePart;
    } else if (m === 'fieldref') {
      if (st !== 'raw') return misuse(m);
      st = 'fieldref';
    } else return { code: 'MODIFIER_UNKNOWN', message: `unknown modifier '${m}'` };
  }

  // `cased` and `expand` act on whatever the chain produced; only some kinds take them.
  if ((cased || expand) && st === 'raw') st = 'pat';
  if (cased && st !== 'pat' && st !== 'fieldref') return invalid(`the modifier 'cased' cannot be applied to ${STATE_NAME[st]} (chain '${text}')`);
  if (expand && st !== 'pat' && st !== 're') return invalid(`the modifier 'expand' cannot be applied to ${STATE_NAME[st]} (chain '${text}')`);

  let start = false;
  let end = false;
  const encodings: Encoding[] = [];
  let windash = false;
  for (const s of steps) {
    if (s.op === 'contains' || s.op === 'endswith') start = true;
    if (s.op === 'contains' || s.op === 'startswith') end = true;
    if (s.op === 'windash') windash = true;
    else if (s.op !== 'contains' && s.op !== 'startswith' && s.op !== 'endswith') encodings.push(s.op);
  }
  const match: MatchMode = st === 'fieldref' ? fieldMode : start && end ? 'contains' : start ? 'endswith' : end ? 'startswith' : 'equals';
  return Object.freeze({
    written: Object.freeze(names.slice()),
    text,
    kind: KIND_OF[st],
    match,
    steps: Object.freeze(steps.map((s) => Object.freeze(s))),
    encodings: Object.freeze(encodings),
    windash,
    all,
    neq,
    cased,
    expand,
    regex: st === 're' ? Object.freeze(flags) : undefined,
    compare,
    timePart,
  });
}

/** The chain of an item without modifiers. */
export const NO_MODIFIERS: ModifierChain = parseModifierChain([], false) as ModifierChain;

/**
 * An item's key as written (`Image|endswith`, or `|re` for a keyword), optionally with its
 * contains/startswith/endswith replaced by `affix` (for suggestions: `Image|contains`).
 */
export function itemKeyText(field: string | null, chain: ModifierChain, affix?: 'contains' | 'startswith' | 'endswith'): string {
  const names = affix === undefined ? chain.written : [...chain.written.filter((m) => !AFFIXES.has(m)), affix];
  return [field ?? '', ...names].join('|');
}
