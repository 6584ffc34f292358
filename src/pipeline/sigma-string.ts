/**
 * Rule values the way pySigma's transformations see them: a string after the rule's modifiers
 * (pySigma applies modifiers when it reads a rule, before any pipeline runs), as plain parts,
 * wildcards and `%placeholders%`. `Image|endswith: '\calc.exe'` is `*\calc.exe` here, and a
 * transformation such as replace_string works on that. Afterwards the value is written back as a
 * Sigma string (the wildcards now in the text, so the item loses contains/startswith/endswith).
 */
import type { ModifierChain } from '../plan/modifier-chain.js';
import type { YScalarValue } from '../yaml/yaml-node.js';

/** One part of a string: plain text, a wildcard, or a placeholder. */
export type StringPart = string | { special: '*' | '?' } | { placeholder: string };

/** A rule value as pySigma's transformations see it. */
export type PyValue =
  | { kind: 'string'; parts: StringPart[] }
  | { kind: 'number'; value: number; text: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' }
  /** A value pySigma holds as something else (an expansion of windash or base64offset variants, an encoded string, a regex, a network, a comparison, an existence test, a field reference). */
  | { kind: 'other'; what: 'expansion' | 'encoded' | 'regex' | 'cidr' | 'compare' | 'exists' | 'fieldref'; text: string };

const STAR = { special: '*' } as const;
const QMARK = { special: '?' } as const;

/** Parses Sigma string text (`\*`, `\?`, `\\` escapes; any other backslash is literal), as pySigma does. */
export function parseSigmaString(text: string): StringPart[] {
  const parts: StringPart[] = [];
  let acc = '';
  let escaped = false;
  for (const c of text) {
    if (escaped) {
      acc += c === '*' || c === '?' || c === '\\' ? c : `\\${c}`;
      escaped = false;
    } else if (c === '\\') escaped = true;
    else if (c === '*' || c === '?') {
      if (acc !== '') parts.push(acc);
      acc = '';
      parts.push(c === '*' ? STAR : QMARK);
    } else acc += c;
  }
  if (escaped) acc += '\\';
  if (acc !== '') parts.push(acc);
  return parts;
}

/** pySigma's `str(SigmaString)`: plain parts with `*` and `?` escaped (backslashes are not), wildcards, `%name%`. */
export function toPlain(parts: readonly StringPart[]): string {
  let s = '';
  for (const p of parts) {
    if (typeof p === 'string') s += p.replace(/\*/g, '\\*').replace(/\?/g, '\\?');
    else if ('special' in p) s += p.special;
    else s += `%${p.placeholder}%`;
  }
  return s;
}

/** The parts as Sigma rule text that parses back to them (see {@link parseSigmaString}). */
export function toSigmaText(parts: readonly StringPart[]): string {
  // Flatten to a stream of literal characters and specials, then escape each literal by what follows.
  const stream: Array<{ lit: string } | { special: '*' | '?' } | { placeholder: string }> = [];
  for (const p of parts) {
    if (typeof p === 'string') for (const c of p) stream.push({ lit: c });
    else stream.push(p);
  }
  let s = '';
  stream.forEach((x, k) => {
    if ('special' in x) s += x.special;
    else if ('placeholder' in x) s += `%${x.placeholder}%`;
    else if (x.lit === '*' || x.lit === '?') s += `\\${x.lit}`;
    else if (x.lit === '\\') {
      // A backslash before a wildcard or another backslash (literal or not) must be doubled.
      const next = stream[k + 1];
      const before = next !== undefined && ('special' in next || ('lit' in next && (next.lit === '*' || next.lit === '?' || next.lit === '\\')));
      s += before ? '\\\\' : '\\';
    } else s += x.lit;
  });
  return s;
}

/** pySigma's `insert_placeholders` (the expand modifier): `%name%` in plain parts (not after a backslash) becomes a placeholder; `\%` a percent sign. */
export function insertPlaceholders(parts: readonly StringPart[]): StringPart[] {
  const out: StringPart[] = [];
  for (const p of parts) {
    if (typeof p !== 'string') {
      out.push(p);
      continue;
    }
    let last = 0;
    for (const m of p.matchAll(/(?<!\\)%([^%]+)%/g)) {
      const before = p.slice(last, m.index).replace(/\\%/g, '%');
      if (before !== '') out.push(before);
      out.push({ placeholder: m[1] as string });
      last = m.index + m[0].length;
    }
    const rest = p.slice(last).replace(/\\%/g, '%');
    if (rest !== '') out.push(rest);
  }
  return out;
}

/** Joins adjacent plain parts. */
export function normalizeParts(parts: readonly StringPart[]): StringPart[] {
  const out: StringPart[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (typeof p === 'string' && typeof last === 'string') out[out.length - 1] = last + p;
    else if (p !== '') out.push(p);
  }
  return out;
}

function startsWithStar(parts: readonly StringPart[]): boolean {
  const f = parts[0];
  return f !== undefined && typeof f !== 'string' && 'special' in f && f.special === '*';
}

function endsWithStar(parts: readonly StringPart[]): boolean {
  const l = parts[parts.length - 1];
  return l !== undefined && typeof l !== 'string' && 'special' in l && l.special === '*';
}

/** True when the chain leaves a value a pySigma string (no expansion, no encoding). */
export function isStringChain(chain: ModifierChain): boolean {
  return (chain.kind === 'plain' || chain.kind === 'pattern') && chain.encodings.length === 0 && !chain.windash;
}

/**
 * The value as pySigma holds it after the item's modifiers: contains/startswith/endswith add `*`
 * where none is, expand turns `%name%` into placeholders; windash and base64offset make
 * expansions, base64/utf16 encoded strings, and the other kinds their own types.
 */
export function pyValue(v: YScalarValue, chain: ModifierChain): PyValue {
  switch (chain.kind) {
    case 'regex':
      return { kind: 'other', what: 'regex', text: v.text };
    case 'cidr':
      return { kind: 'other', what: 'cidr', text: v.text };
    case 'compare':
      return { kind: 'other', what: 'compare', text: v.text };
    case 'exists':
      return { kind: 'other', what: 'exists', text: v.text };
    case 'fieldref':
      return { kind: 'other', what: 'fieldref', text: v.text };
    case 'plain':
    case 'pattern':
      break;
  }
  if (chain.windash || chain.encodings.includes('base64offset')) return { kind: 'other', what: 'expansion', text: v.text };
  if (chain.encodings.length > 0) return { kind: 'other', what: 'encoded', text: v.text };
  if (v.type === 'null') return { kind: 'null' };
  if (v.type === 'bool' && chain.kind === 'plain') return { kind: 'bool', value: v.value };
  if (v.type === 'number' && chain.kind === 'plain') return { kind: 'number', value: v.value, text: v.text };
  let parts = parseSigmaString(v.text);
  if (chain.match === 'contains' || chain.match === 'endswith') if (!startsWithStar(parts)) parts = [STAR, ...parts];
  if (chain.match === 'contains' || chain.match === 'startswith') if (!endsWithStar(parts)) parts = [...parts, STAR];
  if (chain.expand) parts = insertPlaceholders(parts);
  return { kind: 'string', parts };
}

/** True when the string has a wildcard (pySigma's `contains_special`). */
export function hasSpecial(parts: readonly StringPart[]): boolean {
  return parts.some((p) => typeof p !== 'string' && 'special' in p);
}

/** True when the string has a placeholder. */
export function hasPlaceholder(parts: readonly StringPart[]): boolean {
  return parts.some((p) => typeof p !== 'string' && 'placeholder' in p);
}
