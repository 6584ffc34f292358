import { describe, expect, it } from 'vitest';
import { evaluatePlan, planMatches, planMatchesSurely, planReadsUnknown } from './evaluate.js';
import type { Event } from './evaluate.js';
import { eventLeaves, renderScalar, resolveField } from './field-access.js';
import { compileDetection, fieldRule, matches, traceOf } from '../../test/support/rules.js';

describe('§2 field access', () => {
  const TABLE: Array<[string, Event, unknown[] | undefined]> = [
    ['F', { F: 'x' }, ['x']],
    ['F', {}, undefined],
    ['F', { f: 'x' }, undefined], // case-sensitive
    ['F', { F: null }, [null]], // present with value null
    ['F', { F: '' }, ['']],
    ['F', { F: [1, 2] }, [1, 2]], // multi-valued
    ['F', { F: [[1], [2, [3]]] }, [1, 2, 3]], // arrays are flattened
    ['F', { F: [] }, []],
    ['F', { F: { a: 1 } }, [{ a: 1 }]],
    // exact dotted key first
    ['a.b', { 'a.b': 'exact', a: { b: 'nested' } }, ['exact']],
    ['a.b', { a: { b: 'nested' } }, ['nested']],
    ['a.b.c', { a: { b: { c: 3 } } }, [3]],
    ['a.b.c', { 'a.b': { c: 'mixed' } }, ['mixed']],
    ['a.b.c', { a: { 'b.c': 'mixed2' } }, ['mixed2']],
    // first prefix that resolves wins
    ['a.b.c', { a: { x: 1 }, 'a.b': { c: 'second' } }, ['second']],
    ['a.b.c', { a: { b: { c: 'first' } }, 'a.b': { c: 'second' } }, ['first']],
    // arrays of objects: every element, results collected
    ['a.b', { a: [{ b: 1 }, { c: 2 }, { b: [3, 4] }, 'x', null] }, [1, 3, 4]],
    ['a.b', { a: [{ c: 1 }] }, undefined],
    ['a.b.c', { a: [{ b: [{ c: 1 }, { c: 2 }] }, { b: { c: 3 } }] }, [1, 2, 3]],
    ['a.b', { a: 'text' }, undefined],
    ['a.b', { a: null }, undefined],
    ['a.b', { a: { b: null } }, [null]],
    ['Event.EventData.Image', { Event: { EventData: { Image: 'C:\\x.exe' } } }, ['C:\\x.exe']],
    // no prototype lookups
    ['toString', {}, undefined],
    ['constructor', {}, undefined],
    ['a.length', { a: 'abc' }, undefined],
    ['a.length', { a: [1, 2] }, undefined],
    ['', { '': 'empty key' }, ['empty key']],
    ['a.', { a: { '': 1 } }, [1]],
  ];
  it.each(TABLE)('%s in %j', (field, event, expected) => {
    expect(resolveField(event, field)).toEqual(expected);
  });

  it('rule matching follows field access', () => {
    const rule = fieldRule('a.b', "'x'");
    expect(matches(rule, { a: { b: 'X' } })).toBe(true);
    expect(matches(rule, { 'a.b': 'x', a: { b: 'y' } })).toBe(true);
    expect(matches(rule, { 'a.b': 'y', a: { b: 'x' } })).toBe(false); // exact key wins, no fallback
    expect(matches(rule, { a: [{ b: 'y' }, { b: 'x' }] })).toBe(true); // any element
    expect(matches(rule, { a: [{ b: 'y' }] })).toBe(false);
  });

  it('multi-valued fields: any element satisfies a value test', () => {
    const rule = fieldRule('F', "'b'");
    expect(matches(rule, { F: ['a', 'b'] })).toBe(true);
    expect(matches(rule, { F: ['a', 'c'] })).toBe(false);
    expect(matches(rule, { F: [] })).toBe(false);
  });

  it('renders scalars as text (§2)', () => {
    const TABLE: Array<[unknown, string | undefined]> = [
      ['x', 'x'],
      ['', ''],
      [true, 'true'],
      [false, 'false'],
      [4688, '4688'],
      [-1, '-1'],
      [0, '0'],
      [1e20, '100000000000000000000'], // no exponent for integral numbers
      [1.5, '1.5'],
      [0.1, '0.1'],
      [1e-7, '1e-7'],
      [null, undefined],
      [{ a: 1 }, undefined],
      [[1], undefined],
      [undefined, undefined],
    ];
    for (const [v, t] of TABLE) expect(renderScalar(v), JSON.stringify(v)).toBe(t);
  });
});

describe('§4 type coercion', () => {
  // [rule value YAML, event value (undefined = absent), match?]
  const TABLE: Array<[string, unknown, boolean]> = [
    // string pattern
    ["'4688'", '4688', true],
    ["'4688'", 4688, true], // rendered number
    ["'4688'", '04688', false],
    ["'4688'", 4688.5, false],
    ["'1.50'", 1.5, false], // renders as 1.5
    ["'1.5'", 1.5, true],
    ["'46*'", 4688, true],
    ["'true'", true, true],
    ["'TRUE'", true, true],
    ["'false'", true, false],
    ["'t*'", true, true],
    ["'x'", null, false],
    ["'x'", undefined, false],
    ["'*'", null, false],
    ["'*'", undefined, false],
    ["'*'", { a: 1 }, false], // objects never match a scalar
    ["'*'", [{ a: 1 }], false],
    ["'*'", '', true],
    // number
    ['4688', 4688, true],
    ['4688', '4688', true],
    ['4688', '04688', true],
    ['4688', '4688.0', true],
    ['4688', '+4688', true],
    ['4688', '4.688e3', true],
    ['4688', ' 4688', false], // no trimming
    ['4688', '4688 ', false],
    ['4688', '0x1250', false],
    ['4688', '4,688', false],
    ['4688', 4689, false],
    ['4688', true, false],
    ['1', true, false],
    ['0', false, false],
    ['4688', null, false],
    ['4688', undefined, false],
    ['4688', { v: 4688 }, false],
    ['1.5', '1.50', true],
    ['1.5', '.15e1', true],
    ['0x17', 23, true], // unquoted: the number 23
    ['0x17', '23', true],
    ['0x17', '0x17', false],
    ["'0x17'", '0x17', true], // quoted: text
    ["'0x17'", 23, false],
    ['010', 10, true], // YAML 1.2: decimal ten
    ['010', '010', true],
    ['010', 8, false],
    ['-1', '-1', true],
    ['-1', -1, true],
    // boolean
    ['true', true, true],
    ['true', false, false],
    ['true', 'true', true],
    ['true', 'TRUE', true],
    ['true', 'True', true],
    ['true', 'yes', false],
    ['true', '1', false],
    ['true', 1, false],
    ['false', 'false', true],
    ['false', 0, false],
    ['false', '', false],
    ['false', null, false],
    ['false', undefined, false],
    ['yes', 'yes', true], // YAML 1.2: plain yes is text
    ['yes', true, false],
    // null
    ['null', null, true],
    ['null', undefined, true],
    ['~', undefined, true],
    ['null', '', false],
    ['null', 0, false],
    ['null', false, false],
    ['null', 'null', false],
    ["'null'", 'null', true],
    ["'null'", null, false],
    // empty string
    ["''", '', true],
    ["''", undefined, false],
    ["''", null, false],
    ["''", ' ', false],
    ["''", ['x', ''], true],
    ["''", 0, false],
  ];
  it.each(TABLE)('F: %s vs %j → %s', (yaml, value, expected) => {
    const event: Event = value === undefined ? {} : { F: value };
    expect(matches(fieldRule('F', yaml), event)).toBe(expected);
  });

  it('a value list mixes types and is OR-linked', () => {
    const rule = fieldRule('F', "[4688, 'abc', true]");
    expect(matches(rule, { F: '04688' })).toBe(true);
    expect(matches(rule, { F: 'ABC' })).toBe(true);
    expect(matches(rule, { F: 'True' })).toBe(true);
    expect(matches(rule, { F: 'x' })).toBe(false);
  });

  it('the same field twice with different chains: all entries must hold', () => {
    const rule = compileDetection("sel:\n  F|startswith: 'a'\n  F|endswith: 'z'\ncondition: sel");
    expect(matches(rule, { F: 'abcz' })).toBe(true);
    expect(matches(rule, { F: 'abc' })).toBe(false);
  });
});

describe('§6 keywords', () => {
  const kw = (yaml: string): ReturnType<typeof compileDetection> => compileDetection(`kw:\n${yaml}\ncondition: kw`);

  it('searches every scalar leaf as a substring, case-insensitively', () => {
    const rule = kw("  - 'enc='");
    expect(matches(rule, { CommandLine: 'powershell -ENC=abc' })).toBe(true);
    expect(matches(rule, { a: { b: [{ c: 'x enc= y' }] } })).toBe(true); // nested objects and arrays
    expect(matches(rule, { CommandLine: 'powershell -enc abc' })).toBe(false);
  });

  it('never searches keys', () => {
    const rule = kw("  - 'secret'");
    expect(matches(rule, { secret: 'x' })).toBe(false);
    expect(matches(rule, { a: { secret: 1 } })).toBe(false);
    expect(matches(rule, { a: 'secret' })).toBe(true);
  });

  it('renders numbers and booleans; skips null', () => {
    expect(matches(kw('  - 468'), { EventID: 4688 })).toBe(true);
    expect(matches(kw("  - 'tru'"), { flag: true })).toBe(true);
    expect(matches(kw("  - 'null'"), { v: null })).toBe(false);
    expect(eventLeaves({ a: 1, b: [true, null, { c: 'x' }], d: { e: 1.5 } })).toEqual(['1', 'true', 'x', '1.5']);
  });

  it('a number keyword is searched as its source text', () => {
    expect(matches(kw('  - 00000429'), { Details: 'DWORD (0x00000429)' })).toBe(true);
    expect(matches(kw('  - 00000429'), { Details: 429 })).toBe(false);
  });

  it('values are OR-linked; a scalar identifier is one keyword', () => {
    const rule = kw("  - 'alpha'\n  - 'beta'");
    expect(matches(rule, { x: 'beta' })).toBe(true);
    expect(matches(rule, { x: 'gamma' })).toBe(false);
    const scalar = compileDetection("kw: 'alpha'\ncondition: kw");
    expect(matches(scalar, { x: 'xalphax' })).toBe(true);
  });

  it('keyword wildcards apply inside a leaf, never across leaves', () => {
    const rule = kw("  - 'a*z'");
    expect(matches(rule, { x: '..a..z..' })).toBe(true);
    expect(matches(rule, { x: 'a', y: 'z' })).toBe(false);
    expect(matches(kw("  - 'a?c'"), { x: 'xabcx' })).toBe(true);
  });

  it("'|all' needs every value, possibly in different leaves", () => {
    const rule = compileDetection("kw:\n  '|all':\n    - 'alpha'\n    - 'beta'\ncondition: kw");
    expect(matches(rule, { x: 'alpha', y: { z: ['beta'] } })).toBe(true);
    expect(matches(rule, { x: 'alphabeta' })).toBe(true);
    expect(matches(rule, { x: 'alpha' })).toBe(false);
  });

  it("'|re' searches each leaf; '|contains' is redundant", () => {
    const re = compileDetection("kw:\n  '|re': 'ab\\d+'\ncondition: kw");
    expect(matches(re, { x: 'zzab12' })).toBe(true);
    expect(matches(re, { x: 'ab' })).toBe(false);
    const c = compileDetection("kw:\n  '|contains': 'x'\ncondition: kw");
    expect(matches(c, { v: 'axb' })).toBe(true);
  });

  it('a list with maps and scalars: OR of maps and keywords', () => {
    const rule = compileDetection("sel:\n  - F: a\n  - 'kw1'\ncondition: sel");
    expect(matches(rule, { F: 'a' })).toBe(true);
    expect(matches(rule, { G: 'xkw1x' })).toBe(true);
    expect(matches(rule, { F: 'b' })).toBe(false);
  });

  it('keyword escapes and a trailing backslash', () => {
    expect(matches(kw("  - 'C:\\Temp\\'"), { x: 'C:\\Temp\\a.exe' })).toBe(true);
    expect(matches(kw("  - 'a\\*b'"), { x: 'xa*bx' })).toBe(true);
    expect(matches(kw("  - 'a\\*b'"), { x: 'xaqqbx' })).toBe(false);
  });
});

describe('null, empty string and absent', () => {
  const EVENTS: Array<[string, Event]> = [
    ['absent', {}],
    ['null', { F: null }],
    ['empty', { F: '' }],
    ['text', { F: 'x' }],
  ];
  // rule → expected match for absent, null, empty, text
  const RULES: Array<[string, string, [boolean, boolean, boolean, boolean]]> = [
    ['F', 'null', [true, true, false, false]],
    ['F', "''", [false, false, true, false]],
    ['F', "'*'", [false, false, true, true]],
    ['F', "'?*'", [false, false, false, true]],
    ['F|exists', 'true', [false, true, true, true]],
    ['F|exists', 'false', [true, false, false, false]],
    ['F|neq', "''", [true, true, false, true]],
    ['F|neq', 'null', [false, false, true, true]],
    ['F|contains', "''", [false, false, true, true]],
  ];
  it.each(RULES)('%s: %s', (key, yaml, expected) => {
    const rule = fieldRule(key, yaml);
    expect(EVENTS.map(([, e]) => matches(rule, e))).toEqual(expected);
  });

  it("the 'not null' idiom is a negated null selection", () => {
    const rule = compileDetection('sel:\n  Image: x\nempty:\n  F: null\ncondition: sel and not empty');
    expect(matches(rule, { Image: 'x', F: 'y' })).toBe(true);
    expect(matches(rule, { Image: 'x', F: '' })).toBe(true);
    expect(matches(rule, { Image: 'x', F: null })).toBe(false);
    expect(matches(rule, { Image: 'x' })).toBe(false);
  });
});

describe('the trace', () => {
  const rule = compileDetection(
    [
      'sel:',
      '  Image|endswith:',
      "    - '\\cmd.exe'",
      "    - '\\powershell.exe'",
      "  CommandLine|contains|all: ['-enc', 'bypass']",
      'kw:',
      "  - 'evil'",
      'filter:',
      '  - User: SYSTEM',
      '  - User|neq: admin',
      '    Host: srv',
      'condition: (sel or kw) and not filter',
    ].join('\n'),
  );

  it('items are numbered in document order with their paths', () => {
    expect(rule.plan.items.map((i) => [i.id, i.identifier, i.field, i.all, i.neq, i.path])).toEqual([
      [0, 'sel', 'Image', false, false, 'detection.sel["Image|endswith"]'],
      [1, 'sel', 'CommandLine', true, false, 'detection.sel["CommandLine|contains|all"]'],
      [2, 'kw', null, false, false, 'detection.kw'],
      [3, 'filter', 'User', false, false, 'detection.filter[0].User'],
      [4, 'filter', 'User', false, true, 'detection.filter[1]["User|neq"]'],
      [5, 'filter', 'Host', false, false, 'detection.filter[1].Host'],
    ]);
    expect(rule.plan.items[0]?.values.map((v) => v.source)).toEqual(['\\cmd.exe', '\\powershell.exe']);
  });

  it('records every value, every item (after neq), every identifier and stage', () => {
    const event = { Image: 'C:\\Windows\\PowerShell.exe', CommandLine: '-enc x -bypass', User: 'admin', Host: 'srv' };
    const t = traceOf(rule, event);
    expect(t.items).toEqual([
      { item: 0, result: true, values: [false, true] },
      { item: 1, result: true, values: [true, true] },
      { item: 2, result: false, values: [false] },
      { item: 3, result: false, values: [false] },
      { item: 4, result: false, values: [true] }, // the value matched; neq makes the item false
      { item: 5, result: true, values: [true] },
    ]);
    expect(t.identifiers).toEqual({ sel: true, kw: false, filter: false });
    expect(t.match).toBe(true);
    expect(t.stages).toEqual([
      { index: 0, name: 'condition', result: true, exclusion: false },
      { index: 1, name: 'sel', result: true, exclusion: false },
      { index: 2, name: 'kw', result: false, exclusion: false },
      { index: 3, name: 'filter', result: false, exclusion: true },
    ]);
  });

  it('evaluates every item even when the condition is decided early', () => {
    const t = traceOf(rule, { CommandLine: 'only -enc', User: 'SYSTEM', other: 'EVIL' });
    expect(t.items.map((i) => i.values)).toEqual([[false, false], [true, false], [true], [true], [false], [false]]);
    expect(t.items.map((i) => i.result)).toEqual([false, false, true, true, true, false]);
    expect(t.identifiers).toEqual({ sel: false, kw: true, filter: true });
    expect(t.match).toBe(false);
    expect(t.stages.map((s) => s.result)).toEqual([false, false, true, true]);
  });

  it('identifiers not used by the condition are still traced', () => {
    const r = compileDetection('a:\n  F: 1\nb:\n  F: 2\ncondition: a');
    const t = traceOf(r, { F: 2 });
    expect(t.identifiers).toEqual({ a: false, b: true });
    expect(t.stages.map((s) => s.name)).toEqual(['condition', 'a']);
    expect(t.match).toBe(false);
  });
});

describe('planMatches == evaluatePlan(...).match', () => {
  const RULES = [
    'sel:\n  F: a\ncondition: sel',
    'sel:\n  F|contains|all: [a, b]\nf:\n  G: null\ncondition: sel and not f',
    'a:\n  F: 1\nb:\n  G|exists: true\ncondition: 1 of them',
    'a_1:\n  F: 1\na_2:\n  F|gt: 0\ncondition: all of a_*',
    "kw:\n  - 'x'\nsel:\n  F|re: '^y'\ncondition: kw or not sel",
    'x:\n  F|neq: [a, b]\ncondition: not x',
    'x:\n  F: a\ncondition: all of nothing_*',
    'x:\n  F: a\ncondition: 1 of nothing_*',
    'x:\n  - F: a\n  - G|cidr: 10.0.0.0/8\ncondition: x',
  ];
  const EVENTS: Event[] = [
    {},
    { F: 'a' },
    { F: 'ab' },
    { F: ['a', 'b'] },
    { F: null, G: null },
    { F: 1, G: 'x' },
    { F: 'y', G: '10.1.1.1' },
    { F: 'b', x: 'X' },
    { F: { nested: 'a' } },
    { F: 2 },
  ];
  it('agree on every rule × event', () => {
    let checked = 0;
    for (const text of RULES) {
      const rule = compileDetection(text);
      for (const e of EVENTS) {
        expect(planMatches(rule.plan, e), `${text} on ${JSON.stringify(e)}`).toBe(evaluatePlan(rule.plan, e).match);
        checked++;
      }
    }
    expect(checked).toBe(RULES.length * EVENTS.length);
  });

  it('quantifiers: 1 of / all of over targets, patterns matching nothing', () => {
    const one = compileDetection('a_1:\n  F: 1\na_2:\n  F: 2\ncondition: 1 of a_*');
    const all = compileDetection('a_1:\n  F|gte: 1\na_2:\n  F|lte: 2\ncondition: all of a_*');
    expect([1, 2, 3].map((F) => matches(one, { F }))).toEqual([true, true, false]);
    expect([0, 1, 2, 3].map((F) => matches(all, { F }))).toEqual([false, true, true, false]);
    expect(matches(compileDetection('x:\n  F: a\ncondition: all of nothing_*'), {})).toBe(true);
    expect(matches(compileDetection('x:\n  F: a\ncondition: 1 of nothing_*'), { F: 'a' })).toBe(false);
    const them = compileDetection('a:\n  F: 1\n_b:\n  F: 2\ncondition: 1 of them');
    expect(matches(them, { F: 2 })).toBe(false); // _-prefixed identifiers are not in them
    expect(matches(them, { F: 1 })).toBe(true);
  });

  it('operator precedence: not binds tighter than and, and tighter than or', () => {
    const r = compileDetection('a:\n  A: 1\nb:\n  B: 1\nc:\n  C: 1\ncondition: not a and b or c');
    const truth = (A: number, B: number, C: number): boolean => matches(r, { A, B, C });
    expect(truth(0, 1, 0)).toBe(true);
    expect(truth(1, 1, 0)).toBe(false);
    expect(truth(1, 0, 1)).toBe(true);
    expect(truth(1, 1, 1)).toBe(true);
    expect(truth(0, 0, 0)).toBe(false);
  });
});

describe('fieldref on long event values', () => {
  it('compares two values of 200,000 characters case-insensitively (a regex of that length overflowed the stack)', () => {
    const rule = fieldRule('F|fieldref', 'G');
    const v = 'é'.repeat(200_000);
    expect(matches(rule, { F: v, G: v.toUpperCase() })).toBe(true);
    expect(matches(rule, { F: v, G: `${v}x` })).toBe(false);
    const contains = fieldRule('F|fieldref|contains', 'G');
    expect(matches(contains, { F: `x${v}y`, G: v })).toBe(true);
  });
});

describe('planReadsUnknown: when a match on a view needs no second, three-valued evaluation', () => {
  const unknown = new Set(['OriginalFileName', 'Hashes']);
  it('is true only for rules reading an unknown field (field references too) or holding keywords', () => {
    expect(planReadsUnknown(fieldRule('Image|endswith', "'\\\\whoami.exe'").plan, unknown)).toBe(false);
    expect(planReadsUnknown(fieldRule('OriginalFileName', "'whoami.exe'").plan, unknown)).toBe(true);
    expect(planReadsUnknown(fieldRule('Image|fieldref', 'Hashes').plan, unknown)).toBe(true);
    expect(planReadsUnknown(compileDetection("kw: ['whoami']\ncondition: kw").plan, unknown)).toBe(true);
    expect(planReadsUnknown(compileDetection("kw: ['whoami']\ncondition: kw").plan, new Set())).toBe(false);
    const filtered = compileDetection("sel: {Image|endswith: '\\\\whoami.exe'}\nfilter: {OriginalFileName: 'x'}\ncondition: sel and not filter");
    expect(planReadsUnknown(filtered.plan, unknown)).toBe(true);
  });

  it('when false, planMatchesSurely is planMatches', () => {
    const plans = [fieldRule('Image|endswith', "'\\\\whoami.exe'").plan, compileDetection("a: {Image|contains: 'who'}\nb: {CommandLine|contains: '/all'}\ncondition: a and not b").plan];
    const events: Event[] = [{ Image: 'C:\\x\\whoami.exe' }, { Image: 'C:\\x\\whoami.exe', CommandLine: 'whoami /all' }, { Image: 'cmd.exe' }, {}];
    for (const plan of plans) {
      expect(planReadsUnknown(plan, unknown)).toBe(false);
      for (const e of events) expect(planMatchesSurely(plan, e, unknown)).toBe(planMatches(plan, e));
    }
  });
});
