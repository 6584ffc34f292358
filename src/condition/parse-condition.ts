/**
 * The condition language (semantics §8): a tokenizer returning an array and a small
 * precedence-climbing parser. Precedence from weakest: `or` < `and` < `not` < `x of` <
 * parentheses. Keywords are whole lowercase words; `notepad` is an identifier and `AND` is not
 * an operator. Positions are offsets into the condition text (acorn style); the caller adds the
 * scalar's own position when it knows it.
 */
import { assertNever } from '../diagnostics/diagnostics.js';

export type ConditionNode =
  | { kind: 'id'; name: string; offset: number }
  | { kind: 'not'; arg: ConditionNode }
  | { kind: 'and'; args: ConditionNode[] }
  | { kind: 'or'; args: ConditionNode[] }
  | { kind: 'of'; quant: 'one' | 'all'; target: string; offset: number };

export interface ConditionError {
  code: 'CONDITION_SYNTAX' | 'CONDITION_PIPE_AGGREGATION' | 'CONDITION_EMPTY' | 'CONDITION_LIMIT';
  message: string;
  offset: number;
}

interface Token {
  kind: 'lparen' | 'rparen' | 'word';
  text: string;
  offset: number;
}

const WORD = /^[A-Za-z0-9_*-]+$/;
const IDENT = /^[A-Za-z0-9_-]+$/;

function tokenize(text: string): Token[] | ConditionError {
  const tokens: Token[] = [];
  const re = /\s+|\(|\)|[^\s()]+/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const t = m[0];
    if (/^\s/.test(t)) continue;
    if (t === '(') tokens.push({ kind: 'lparen', text: t, offset: m.index });
    else if (t === ')') tokens.push({ kind: 'rparen', text: t, offset: m.index });
    else {
      if (!WORD.test(t)) {
        return { code: 'CONDITION_SYNTAX', message: `unexpected characters '${t}' in condition`, offset: m.index };
      }
      tokens.push({ kind: 'word', text: t, offset: m.index });
    }
  }
  return tokens;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'of', 'them', 'all']);
const UPPER_OPS = new Set(['and', 'or', 'not', 'of']);

/** How deep a condition may nest by default (`limits.condition_depth`, util/limits.ts). */
const DEFAULT_MAX_DEPTH = 100;

/**
 * Parses one condition string into a tree, or returns the first error. `maxDepth` bounds the
 * nesting (each `(` and each `not` is a level): deeper is CONDITION_LIMIT, not a stack overflow
 * here or in the walks of the tree after it.
 */
export function parseCondition(text: string, maxDepth = DEFAULT_MAX_DEPTH): ConditionNode | ConditionError {
  const pipe = text.indexOf('|');
  if (pipe >= 0) {
    return {
      code: 'CONDITION_PIPE_AGGREGATION',
      message:
        `the condition uses the obsolete pipe aggregation syntax ('${text.slice(pipe).trim()}'); ` +
        'aggregations such as count() ... by ... > N and near are no longer part of Sigma: ' +
        'express them as a correlation rule (correlation: type: event_count / value_count / temporal) ' +
        'that references this rule',
      offset: pipe,
    };
  }
  if (text.trim() === '') return { code: 'CONDITION_EMPTY', message: 'the condition is empty', offset: 0 };
  const tokenized = tokenize(text);
  if (!Array.isArray(tokenized)) return tokenized;
  const toks: Token[] = tokenized;
  let i = 0;
  let depth = 0;
  const fail = (message: string, offset: number): never => {
    throw { code: 'CONDITION_SYNTAX', message, offset } satisfies ConditionError;
  };
  const deeper = (offset: number): void => {
    if (++depth > maxDepth) {
      throw { code: 'CONDITION_LIMIT', message: `the condition nests more than ${maxDepth} levels of parentheses and 'not' (limits.condition_depth)`, offset } satisfies ConditionError;
    }
  };
  const peek = (): Token | undefined => toks[i];
  const isWord = (t: Token | undefined, w: string): boolean => t?.kind === 'word' && t.text === w;
  const describe = (t: Token | undefined): string => (t === undefined ? 'the end of the condition' : `'${t.text}'`);

  function parseOr(): ConditionNode {
    // `and`/`or` are associative: a parenthesised operand of the same kind is flattened, so
    // `(a or b) or c` is one node and printing a tree parses back to the same tree.
    const args: ConditionNode[] = [];
    const push = (n: ConditionNode): void => {
      if (n.kind === 'or') for (const a of n.args) args.push(a);
      else args.push(n);
    };
    push(parseAnd());
    while (isWord(peek(), 'or')) {
      i++;
      push(parseAnd());
    }
    return args.length === 1 ? (args[0] as ConditionNode) : { kind: 'or', args };
  }
  function parseAnd(): ConditionNode {
    const args: ConditionNode[] = [];
    const push = (n: ConditionNode): void => {
      if (n.kind === 'and') for (const a of n.args) args.push(a);
      else args.push(n);
    };
    push(parseNot());
    while (isWord(peek(), 'and')) {
      i++;
      push(parseNot());
    }
    return args.length === 1 ? (args[0] as ConditionNode) : { kind: 'and', args };
  }
  function parseNot(): ConditionNode {
    const t = peek();
    if (isWord(t, 'not')) {
      i++;
      deeper((t as Token).offset);
      const arg = parseNot();
      depth--;
      return { kind: 'not', arg };
    }
    return parsePrimary();
  }
  function parsePrimary(): ConditionNode {
    const t = peek();
    if (t === undefined) return fail('the condition ends where an identifier or ( was expected', text.length);
    if (t.kind === 'lparen') {
      i++;
      deeper(t.offset);
      const e = parseOr();
      depth--;
      const close = peek();
      if (close?.kind !== 'rparen') return fail(`expected ')' to close the '(' at ${t.offset + 1}, found ${describe(close)}`, close?.offset ?? text.length);
      i++;
      return e;
    }
    if (t.kind === 'rparen') return fail("unexpected ')'", t.offset);
    if (t.text === '1' || t.text === 'all') {
      const of = toks[i + 1];
      if (isWord(of, 'of')) {
        const target = toks[i + 2];
        if (target?.kind !== 'word' || (KEYWORDS.has(target.text) && target.text !== 'them')) {
          return fail(`expected 'them' or an identifier pattern after '${t.text} of', found ${describe(target)}`, target?.offset ?? text.length);
        }
        i += 3;
        return { kind: 'of', quant: t.text === '1' ? 'one' : 'all', target: target.text, offset: t.offset };
      }
    }
    if (isWord(toks[i + 1], 'of')) {
      return fail(`'${t.text} of' is not a quantifier: only '1 of' and 'all of' exist`, t.offset);
    }
    if (KEYWORDS.has(t.text)) return fail(`unexpected '${t.text}' where an identifier was expected`, t.offset);
    if (UPPER_OPS.has(t.text.toLowerCase())) {
      return fail(`'${t.text}' is not an operator: condition keywords are lowercase ('${t.text.toLowerCase()}')`, t.offset);
    }
    if (!IDENT.test(t.text)) return fail(`'${t.text}' is not an identifier (wildcards only after '1 of' / 'all of')`, t.offset);
    i++;
    return { kind: 'id', name: t.text, offset: t.offset };
  }

  try {
    const tree = parseOr();
    const rest = peek();
    if (rest !== undefined) {
      if (UPPER_OPS.has(rest.text.toLowerCase()) && rest.text !== rest.text.toLowerCase()) {
        return fail(`'${rest.text}' is not an operator: condition keywords are lowercase ('${rest.text.toLowerCase()}')`, rest.offset);
      }
      return fail(`unexpected ${describe(rest)}: expected 'and', 'or' or the end of the condition`, rest.offset);
    }
    return tree;
  } catch (e) {
    if (typeof e === 'object' && e !== null && 'code' in e) return e as ConditionError;
    throw e;
  }
}

export function isConditionError(x: ConditionNode | ConditionError): x is ConditionError {
  return 'code' in x;
}

/** Identifier names a `1 of` / `all of` target selects, in detection order (§8). */
export function resolveTarget(target: string, identifiers: readonly string[]): string[] {
  if (target === 'them') return identifiers.filter((n) => !n.startsWith('_'));
  if (!target.includes('*')) return identifiers.filter((n) => n === target);
  const pieces = target.split('*');
  const underscore = target.startsWith('_');
  return identifiers.filter((n) => globMatches(pieces, n) && (underscore || !n.startsWith('_')));
}

/**
 * Does `text` match the `*`-separated pieces (case-sensitive, whole text)? Each piece in the
 * middle is taken at its leftmost place, which is exact for pieces of fixed text and linear in the
 * text (a backtracking `.*` regex is polynomial in it with the number of `*`).
 */
function globMatches(pieces: readonly string[], text: string): boolean {
  const first = pieces[0] as string;
  const last = pieces[pieces.length - 1] as string;
  if (!text.startsWith(first)) return false;
  let pos = first.length;
  for (let k = 1; k < pieces.length - 1; k++) {
    const at = text.indexOf(pieces[k] as string, pos);
    if (at < 0) return false;
    pos = at + (pieces[k] as string).length;
  }
  return text.length - last.length >= pos && text.endsWith(last);
}

/** Prints a tree back as condition text (fully parenthesised where needed). */
export function printCondition(n: ConditionNode): string {
  switch (n.kind) {
    case 'id':
      return n.name;
    case 'not':
      return `not ${n.arg.kind === 'and' || n.arg.kind === 'or' ? `(${printCondition(n.arg)})` : printCondition(n.arg)}`;
    case 'and':
      return n.args.map((a) => (a.kind === 'or' ? `(${printCondition(a)})` : printCondition(a))).join(' and ');
    case 'or':
      return n.args.map(printCondition).join(' or ');
    case 'of':
      return `${n.quant === 'one' ? '1' : 'all'} of ${n.target}`;
    default:
      return assertNever(n);
  }
}
