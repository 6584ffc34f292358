import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isConditionError, parseCondition, printCondition, resolveTarget } from './parse-condition.js';
import type { ConditionError, ConditionNode } from './parse-condition.js';

/** Offset-free tree shapes, so tables stay readable; offsets are tested separately. */
type Shape =
  | string // identifier
  | { not: Shape }
  | { and: Shape[] }
  | { or: Shape[] }
  | { one: string }
  | { all: string };

function shape(n: ConditionNode): Shape {
  switch (n.kind) {
    case 'id':
      return n.name;
    case 'not':
      return { not: shape(n.arg) };
    case 'and':
      return { and: n.args.map(shape) };
    case 'or':
      return { or: n.args.map(shape) };
    case 'of':
      return n.quant === 'one' ? { one: n.target } : { all: n.target };
  }
}

function parseOk(text: string): ConditionNode {
  const r = parseCondition(text);
  if (isConditionError(r)) throw new Error(`unexpected error for '${text}': ${r.code} at ${r.offset}: ${r.message}`);
  return r;
}

function parseErr(text: string): ConditionError {
  const r = parseCondition(text);
  if (!isConditionError(r)) throw new Error(`expected an error for '${text}', got ${JSON.stringify(shape(r))}`);
  return r;
}

const VALID: Array<[string, Shape]> = [
  // single identifiers, including ones that start with keywords
  ['selection', 'selection'],
  ['  selection  ', 'selection'],
  ['notepad', 'notepad'],
  ['order', 'order'],
  ['android', 'android'],
  ['ofile', 'ofile'],
  ['allow', 'allow'],
  ['themes', 'themes'],
  ['sel-1', 'sel-1'],
  ['_private', '_private'],
  ['1', '1'],
  ['Selection_A', 'Selection_A'],
  // precedence: or < and < not < x of < parens
  ['a or b and c', { or: ['a', { and: ['b', 'c'] }] }],
  ['a and b or c', { or: [{ and: ['a', 'b'] }, 'c'] }],
  ['not a and b', { and: [{ not: 'a' }, 'b'] }],
  ['not a or b', { or: [{ not: 'a' }, 'b'] }],
  ['a and not b', { and: ['a', { not: 'b' }] }],
  ['not not a', { not: { not: 'a' } }],
  ['not (a or b)', { not: { or: ['a', 'b'] } }],
  ['(a or b) and c', { and: [{ or: ['a', 'b'] }, 'c'] }],
  ['a and (b or c)', { and: ['a', { or: ['b', 'c'] }] }],
  ['((a))', 'a'],
  ['not 1 of filter_*', { not: { one: 'filter_*' } }],
  ['1 of sel_* and not 1 of filter_*', { and: [{ one: 'sel_*' }, { not: { one: 'filter_*' } }] }],
  ['all of sel_* or x', { or: [{ all: 'sel_*' }, 'x'] }],
  // associativity: flat n-ary nodes
  ['a and b and c', { and: ['a', 'b', 'c'] }],
  ['a or b or c or d', { or: ['a', 'b', 'c', 'd'] }],
  // a parenthesised operand of the same kind is flattened (associativity)
  ['(a and b) and c', { and: ['a', 'b', 'c'] }],
  ['a or (b or c)', { or: ['a', 'b', 'c'] }],
  ['(a or b) or (c or d)', { or: ['a', 'b', 'c', 'd'] }],
  ['(a and b) or c', { or: [{ and: ['a', 'b'] }, 'c'] }],
  ['a and (b and not c) and d', { and: ['a', 'b', { not: 'c' }, 'd'] }],
  ['not (a and b) and c', { and: [{ not: { and: ['a', 'b'] } }, 'c'] }],
  // quantifiers and targets
  ['1 of them', { one: 'them' }],
  ['all of them', { all: 'them' }],
  ['1 of selection', { one: 'selection' }],
  ['all of selection_*', { all: 'selection_*' }],
  ['1 of *', { one: '*' }],
  ['1 of *_a', { one: '*_a' }],
  ['1 of sel*x*', { one: 'sel*x*' }],
  ['1 of _*', { one: '_*' }],
  ['1 of sel-*', { one: 'sel-*' }],
  ['1 of notepad*', { one: 'notepad*' }],
  ['(1 of a*)', { one: 'a*' }],
  // whitespace and line breaks of folded YAML; parentheses as separators
  ['a\nand\tb', { and: ['a', 'b'] }],
  ['(a)and(b)', { and: ['a', 'b'] }],
  ['not(a)', { not: 'a' }],
  [
    'selection and not 1 of filter_main_* and not 1 of filter_optional_*',
    { and: ['selection', { not: { one: 'filter_main_*' } }, { not: { one: 'filter_optional_*' } }] },
  ],
  [
    '(sel_a or sel_b)\nand not (filter_1 or\n  filter_2)',
    { and: [{ or: ['sel_a', 'sel_b'] }, { not: { or: ['filter_1', 'filter_2'] } }] },
  ],
];

const INVALID: Array<[string, ConditionError['code'], number]> = [
  // empty
  ['', 'CONDITION_EMPTY', 0],
  ['   ', 'CONDITION_EMPTY', 0],
  ['\n', 'CONDITION_EMPTY', 0],
  // uppercase / mixed-case keywords are not operators
  ['a AND b', 'CONDITION_SYNTAX', 2],
  ['a Or b', 'CONDITION_SYNTAX', 2],
  ['NOT a', 'CONDITION_SYNTAX', 0],
  ['a and NOT b', 'CONDITION_SYNTAX', 6],
  ['All of sel_*', 'CONDITION_SYNTAX', 0],
  ['1 OF sel_*', 'CONDITION_SYNTAX', 2],
  // dangling operators
  ['a and', 'CONDITION_SYNTAX', 5],
  ['a or', 'CONDITION_SYNTAX', 4],
  ['and a', 'CONDITION_SYNTAX', 0],
  ['or a', 'CONDITION_SYNTAX', 0],
  ['not', 'CONDITION_SYNTAX', 3],
  ['a not', 'CONDITION_SYNTAX', 2],
  ['a not b', 'CONDITION_SYNTAX', 2],
  ['a and or b', 'CONDITION_SYNTAX', 6],
  ['a b', 'CONDITION_SYNTAX', 2],
  // unbalanced parentheses
  ['(a', 'CONDITION_SYNTAX', 2],
  ['(a and (b)', 'CONDITION_SYNTAX', 10],
  ['a)', 'CONDITION_SYNTAX', 1],
  [')', 'CONDITION_SYNTAX', 0],
  ['()', 'CONDITION_SYNTAX', 1],
  ['(a))', 'CONDITION_SYNTAX', 3],
  // quantifiers
  ['2 of x', 'CONDITION_SYNTAX', 0],
  ['any of x', 'CONDITION_SYNTAX', 0],
  ['0 of x*', 'CONDITION_SYNTAX', 0],
  ['1 of', 'CONDITION_SYNTAX', 4],
  ['all of', 'CONDITION_SYNTAX', 6],
  ['1 of (a)', 'CONDITION_SYNTAX', 5],
  ['1 of and', 'CONDITION_SYNTAX', 5],
  ['1 of not', 'CONDITION_SYNTAX', 5],
  ['1 of a b', 'CONDITION_SYNTAX', 7],
  // keywords and wildcards where an identifier is expected
  ['them', 'CONDITION_SYNTAX', 0],
  ['a and them', 'CONDITION_SYNTAX', 6],
  ['all', 'CONDITION_SYNTAX', 0],
  ['of', 'CONDITION_SYNTAX', 0],
  ['sel_*', 'CONDITION_SYNTAX', 0],
  ['a and sel*', 'CONDITION_SYNTAX', 6],
  // characters outside the grammar
  ['a & b', 'CONDITION_SYNTAX', 2],
  ['a.b', 'CONDITION_SYNTAX', 0],
  ['!a', 'CONDITION_SYNTAX', 0],
  // obsolete pipe aggregations
  ['selection | count() by src_ip > 5', 'CONDITION_PIPE_AGGREGATION', 10],
  ['sel | count(dst) by x > 5', 'CONDITION_PIPE_AGGREGATION', 4],
  ['selection | near other', 'CONDITION_PIPE_AGGREGATION', 10],
  ['|', 'CONDITION_PIPE_AGGREGATION', 0],
];

describe('parseCondition: valid conditions', () => {
  it.each(VALID)('%j', (text, expected) => {
    expect(shape(parseOk(text))).toEqual(expected);
  });
});

describe('parseCondition: errors', () => {
  it.each(INVALID)('%j → %s at %i', (text, code, offset) => {
    const e = parseErr(text);
    expect(e.code).toBe(code);
    expect(e.offset).toBe(offset);
    expect(e.message.length).toBeGreaterThan(10);
  });

  it('names the lowercase spelling when an operator is written in uppercase', () => {
    expect(parseErr('a AND b').message).toMatch(/lowercase.*'and'/);
    expect(parseErr('NOT a').message).toMatch(/'not'/);
  });

  it('explains that only 1 of / all of are quantifiers', () => {
    expect(parseErr('2 of x').message).toMatch(/'1 of' and 'all of'/);
  });

  it('pipe aggregation: the message names the obsolete syntax and correlation rules', () => {
    for (const text of ['selection | count() by src_ip > 5', 'selection | near other']) {
      const e = parseErr(text);
      expect(e.message).toMatch(/obsolete/);
      expect(e.message).toMatch(/pipe/);
      expect(e.message).toMatch(/correlation rule/);
      expect(e.message).toContain(text.slice(text.indexOf('|')).trim());
    }
    expect(parseErr('sel | count() by x > 5').message).toMatch(/count\(\)/);
    expect(parseErr('sel | near x').message).toMatch(/near/);
  });
});

describe('parseCondition: offsets', () => {
  it('records identifier and quantifier offsets into the text', () => {
    const t = parseOk('  sel and not 1 of f_*');
    expect(t).toEqual({
      kind: 'and',
      args: [
        { kind: 'id', name: 'sel', offset: 2 },
        { kind: 'not', arg: { kind: 'of', quant: 'one', target: 'f_*', offset: 14 } },
      ],
    });
  });
  it('offsets count UTF-16 units across line breaks', () => {
    const t = parseOk('(a or\n  b)');
    expect(t).toEqual({
      kind: 'or',
      args: [
        { kind: 'id', name: 'a', offset: 1 },
        { kind: 'id', name: 'b', offset: 8 },
      ],
    });
  });
});

describe('printCondition round trip', () => {
  it.each(VALID)('parse(print(parse(%j))) has the same tree', (text) => {
    const ast = parseOk(text);
    const printed = printCondition(ast);
    expect(shape(parseOk(printed))).toEqual(shape(ast));
    // printing is a fixed point after one round
    expect(printCondition(parseOk(printed))).toBe(printed);
  });

  it('prints precedence-sensitive trees with the parentheses they need', () => {
    expect(printCondition(parseOk('(a or b) and c'))).toBe('(a or b) and c');
    expect(printCondition(parseOk('not (a and b)'))).toBe('not (a and b)');
    expect(printCondition(parseOk('not 1 of x*'))).toBe('not 1 of x*');
    expect(printCondition(parseOk('a or b and c'))).toBe('a or b and c');
  });
});

describe('resolveTarget', () => {
  const ids = ['selection', 'selection_extra', 'sel_a', 'sel_b', '_hidden', '_sel_c', 'filter_main_x', 'filter_optional_y', 'filter-dash', 'Sel_upper'];
  const TABLE: Array<[string, string[]]> = [
    ['them', ['selection', 'selection_extra', 'sel_a', 'sel_b', 'filter_main_x', 'filter_optional_y', 'filter-dash', 'Sel_upper']],
    ['selection', ['selection']],
    ['selection*', ['selection', 'selection_extra']],
    ['sel_*', ['sel_a', 'sel_b']],
    ['*', ['selection', 'selection_extra', 'sel_a', 'sel_b', 'filter_main_x', 'filter_optional_y', 'filter-dash', 'Sel_upper']],
    ['*_c', []],
    ['_*', ['_hidden', '_sel_c']],
    ['_sel_*', ['_sel_c']],
    ['_hidden', ['_hidden']],
    ['filter_*', ['filter_main_x', 'filter_optional_y']],
    ['filter_main_*', ['filter_main_x']],
    ['filter-*', ['filter-dash']],
    ['*_*', ['selection_extra', 'sel_a', 'sel_b', 'filter_main_x', 'filter_optional_y', 'Sel_upper']],
    ['s*', ['selection', 'selection_extra', 'sel_a', 'sel_b']],
    ['S*', ['Sel_upper']],
    ['nothing_*', []],
    ['sel', []],
  ];
  it.each(TABLE)('%s', (target, expected) => {
    expect(resolveTarget(target, ids)).toEqual(expected);
  });
  it('keeps detection order', () => {
    expect(resolveTarget('x*', ['x3', 'x1', 'x2'])).toEqual(['x3', 'x1', 'x2']);
  });
  it('does not treat regex characters in names as syntax', () => {
    // names cannot contain '.' per grammar, but the matcher must not be a loose regex either
    expect(resolveTarget('a-*', ['a-b', 'axb'])).toEqual(['a-b']);
  });
});

describe('printCondition round trip (property)', () => {
  const names = ['a', 'sel', 'notepad', 'order', 'android', 'ofile', 'them_x', '_p', 'x-1', '1'];
  const targets = ['them', 'sel_*', '*', '_*', 'filter', 'a*b*'];
  /** Flattens same-kind children, as the parser does (and/or are associative). */
  function normalize(n: Shape): Shape {
    if (typeof n === 'string' || 'one' in n || 'all' in n) return n;
    if ('not' in n) return { not: normalize(n.not) };
    if ('and' in n) return { and: n.and.map(normalize).flatMap((c) => (typeof c === 'object' && 'and' in c ? c.and : [c])) };
    return { or: n.or.map(normalize).flatMap((c) => (typeof c === 'object' && 'or' in c ? c.or : [c])) };
  }
  function toNode(s: Shape): ConditionNode {
    if (typeof s === 'string') return { kind: 'id', name: s, offset: 0 };
    if ('one' in s) return { kind: 'of', quant: 'one', target: s.one, offset: 0 };
    if ('all' in s) return { kind: 'of', quant: 'all', target: s.all, offset: 0 };
    if ('not' in s) return { kind: 'not', arg: toNode(s.not) };
    if ('and' in s) return { kind: 'and', args: s.and.map(toNode) };
    return { kind: 'or', args: s.or.map(toNode) };
  }
  const tree = fc.letrec<{ node: Shape }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(...names),
      fc.constantFrom(...targets).map((t): Shape => ({ one: t })),
      fc.constantFrom(...targets).map((t): Shape => ({ all: t })),
      tie('node').map((n): Shape => ({ not: n })),
      fc.array(tie('node'), { minLength: 2, maxLength: 4 }).map((a): Shape => ({ and: a })),
      fc.array(tie('node'), { minLength: 2, maxLength: 4 }).map((a): Shape => ({ or: a })),
    ),
  })).node;

  it('parse(print(t)) == t for normalized random trees', () => {
    fc.assert(
      fc.property(tree, (t) => {
        const n = normalize(t);
        const printed = printCondition(toNode(n));
        expect(shape(parseOk(printed))).toEqual(n);
      }),
      { numRuns: 500 },
    );
  });
});

describe('limits: condition depth', () => {
  it('3,000 nested parentheses and 5,000 nots are CONDITION_LIMIT at the first level too deep, not a stack overflow', () => {
    const parens = parseCondition(`${'('.repeat(3000)}a${')'.repeat(3000)}`);
    expect(parens).toEqual({ code: 'CONDITION_LIMIT', message: "the condition nests more than 100 levels of parentheses and 'not' (limits.condition_depth)", offset: 100 });
    const nots = parseCondition(`${'not '.repeat(5000)}a`);
    expect(isConditionError(nots) && [nots.code, nots.offset]).toEqual(['CONDITION_LIMIT', 400]);
  });

  it('counts nesting, not length: a long flat condition is fine; the limit is a parameter', () => {
    const flat = Array.from({ length: 5000 }, (_, k) => `(not a${k})`).join(' or ');
    expect(isConditionError(parseCondition(flat))).toBe(false);
    expect(isConditionError(parseCondition('((a))', 2))).toBe(false);
    expect(parseCondition('(((a)))', 2)).toMatchObject({ code: 'CONDITION_LIMIT', offset: 2 });
    expect(parseCondition('not (not a)', 1)).toMatchObject({ code: 'CONDITION_LIMIT', offset: 4 });
  });
});

describe('condition targets are matched in linear time', () => {
  it('agree with the reference regex on random names and patterns (property)', () => {
    const name = fc.string({ unit: fc.constantFrom('a', 'b', '_', '1'), maxLength: 8 });
    const target = fc.array(fc.constantFrom('a', 'b', '_', '*', 'ab'), { minLength: 1, maxLength: 6 }).map((p) => p.join(''));
    fc.assert(
      fc.property(fc.array(name, { maxLength: 6 }), target, (names, t) => {
        const ids = [...new Set(names)];
        const re = new RegExp(`^${t.split('*').join('.*')}$`);
        const expected = t.includes('*') ? ids.filter((n) => re.test(n) && (t.startsWith('_') || !n.startsWith('_'))) : ids.filter((n) => n === t);
        expect(resolveTarget(t, ids)).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it("'1 of *a*a*a*a*b' against a long identifier ends at once", () => {
    expect(resolveTarget('*a*a*a*a*a*a*b', ['a'.repeat(100_000)])).toEqual([]);
  });
});
