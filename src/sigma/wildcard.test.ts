import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addWildcards, base64OffsetPatterns, parsePattern, patternRegex, utf16Pattern, windash } from './pattern.js';
import type { Pattern, PatternToken } from './pattern.js';
import { compileWildcard } from './wildcard.js';
import { foldText } from './case-fold.js';

/**
 * Characters that stress the comparison: both ASCII cases, the two non-ASCII characters folding
 * into ASCII (ſ, Kelvin sign), Greek sigmas (three-way fold), dotted I (folds to nothing else),
 * é/É, a caseless symbol, an astral pair and its lone halves, the five windash characters, and
 * the pattern syntax characters as text.
 */
const CHARS = ['a', 'A', 'b', 'B', 's', 'S', 'k', 'K', '\u017f', '\u212a', 'σ', 'Σ', 'ς', '\u0130', 'i', 'é', 'É', '€', '\u{1F600}', '\ud83d', '\ude00', '-', '/', '\u2013', '\u2014', '\u2015', '\\', '*', '?', ' ', 'x'];

const char = fc.constantFrom(...CHARS);
const text = fc.array(char, { maxLength: 14 }).map((cs) => cs.join(''));
const token: fc.Arbitrary<PatternToken> = fc.oneof(
  { weight: 5, arbitrary: fc.array(char, { minLength: 1, maxLength: 3 }).map((cs): PatternToken => ({ t: 'lit', s: cs.join('') })) },
  { weight: 3, arbitrary: fc.constant<PatternToken>({ t: 'any' }) },
  { weight: 2, arbitrary: fc.constant<PatternToken>({ t: 'one' }) },
  { weight: 1, arbitrary: fc.constant<PatternToken>({ t: 'dash' }) },
);
const pattern: fc.Arbitrary<Pattern> = fc.record({ tokens: fc.array(token, { maxLength: 7 }), bytes: fc.boolean() });

/** A text that contains pieces of the pattern's literals, so that matches are not all rare. */
function textFor(p: Pattern): fc.Arbitrary<string> {
  const pieces = p.tokens.flatMap((t) => (t.t === 'lit' ? [t.s, t.s.toUpperCase(), t.s.toLowerCase()] : t.t === 'dash' ? ['-', '\u2015'] : []));
  const piece = pieces.length === 0 ? text : fc.oneof(text, fc.constantFrom(...pieces));
  return fc.array(piece, { maxLength: 6 }).map((ps) => ps.join(''));
}

function same(p: Pattern, cased: boolean, t: string): void {
  const expected = patternRegex(p, cased).test(t);
  const m = compileWildcard(p, cased);
  expect(m.test(t), `${m.source} /${m.flags} on ${JSON.stringify(t)}`).toBe(expected);
  expect(m.test(t, foldText(t))).toBe(expected);
}

describe('the linear wildcard matcher gives the reference regex answer', () => {
  it('on random patterns and texts (case-insensitive and cased)', () => {
    fc.assert(
      fc.property(
        pattern.chain((p) => fc.tuple(fc.constant(p), fc.boolean(), textFor(p))),
        ([p, cased, t]) => same(p, cased, t),
      ),
      { numRuns: 20000 },
    );
  });

  it('on parsed Sigma values with escapes, modifiers and windash', () => {
    const value = fc.array(fc.constantFrom(...CHARS, '\\*', '\\?', '\\\\', '*', '?'), { maxLength: 8 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(value, fc.constantFrom('plain', 'contains', 'startswith', 'endswith', 'windash'), fc.boolean(), text, (v, mod, cased, t) => {
        let p = parsePattern(v);
        if (mod === 'windash') p = addWildcards(windash(p), true, true);
        else if (mod !== 'plain') p = addWildcards(p, mod !== 'startswith', mod !== 'endswith');
        same(p, cased, t);
        same(p, cased, `${t}${v}${t}`);
      }),
      { numRuns: 5000 },
    );
  });

  it('on byte patterns (utf16, base64offset)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 6 }), fc.constantFrom('utf16le', 'utf16be', 'utf16') as fc.Arbitrary<'utf16le' | 'utf16be' | 'utf16'>, fc.boolean(), text, (v, kind, cased, t) => {
        const p = addWildcards(utf16Pattern(parsePattern(v), kind), true, true);
        same(p, cased, t);
        same(p, cased, `${t}${Buffer.from(v, kind === 'utf16be' ? 'utf16le' : 'utf16le').toString('latin1')}`);
        for (const b of base64OffsetPatterns(parsePattern(v))) same(addWildcards(b, true, true), cased, `${t}${Buffer.from(v).toString('base64')}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('an unresolved placeholder matches nothing', () => {
    const p: Pattern = { tokens: [{ t: 'any' }, { t: 'ph', name: 'x' }, { t: 'any' }], bytes: false };
    expect(compileWildcard(p, false).test('anything')).toBe(false);
  });
});

describe('matching time is linear in the text', () => {
  /** Milliseconds for one test of the pattern on the text. */
  function time(value: string, t: string): number {
    const m = compileWildcard(parsePattern(value), false);
    const start = process.hrtime.bigint();
    m.test(t);
    return Number(process.hrtime.bigint() - start) / 1e6;
  }

  it("'*a*a*a*a*a*b' against 200 and 200,000 a's ends at once (the regex ran for minutes on 200)", () => {
    const m = compileWildcard(parsePattern('*a*a*a*a*a*b'), false);
    expect(m.test('a'.repeat(200))).toBe(false);
    expect(m.test(`${'a'.repeat(200_000)}b`)).toBe(true);
    // Not a timing test: 200,000 characters against 6 pieces is ~1.2 M comparisons at most.
    expect(time('*a*a*a*a*a*b', 'a'.repeat(200_000))).toBeLessThan(5000);
  });

  it('the crackmapexec shape: a 33 KB command line of repeated needles', () => {
    const cmd = `cmd.exe /C ${' > \\Temp\\'.repeat(3000)}`;
    const m = compileWildcard(addWildcards(parsePattern(String.raw`cmd.exe /Q /c * 1> \\*\\*\\* 2>&1`), true, true), false);
    expect(m.test(cmd)).toBe(false);
    const m2 = compileWildcard(addWildcards(parsePattern(String.raw` > \Temp\\*2>&1`), true, true), false);
    expect(m2.test(`${cmd} 2>&1`)).toBe(true);
  });
});

describe('long values that the regex path compares', () => {
  it('a segment longer than one regex is matched in parts, with the reference answers', () => {
    // 2,500 cased letters outside ASCII (the regex path) with a ? and a dash class in between.
    const tokens: PatternToken[] = [{ t: 'any' }, { t: 'lit', s: 'É'.repeat(1200) }, { t: 'one' }, { t: 'lit', s: 'ß'.repeat(800) }, { t: 'dash' }, { t: 'lit', s: 'Σ'.repeat(500) }, { t: 'any' }];
    const p: Pattern = { tokens, bytes: false };
    const hit = `x${'é'.repeat(1200)}?${'ß'.repeat(800)}—${'ς'.repeat(500)}y`;
    for (const t of [hit, hit.replace('—', 'x'), hit.slice(1, -1), `É${hit}`, hit.slice(0, 1500)]) same(p, false, t);
  });

  it('a literal of 200,000 characters outside ASCII neither overflows the stack nor answers wrong', () => {
    const lit = 'é'.repeat(200_000);
    const m = compileWildcard({ tokens: [{ t: 'any' }, { t: 'lit', s: lit }, { t: 'any' }], bytes: false }, false);
    expect(m.test(`a${lit.toUpperCase()}b`)).toBe(true);
    expect(m.test(lit.slice(1))).toBe(false);
  });
});
