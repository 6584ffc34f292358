import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PairFilter } from './pair-filter.js';
import { NON_ASCII } from './needles.js';
import { foldText } from '../sigma/case-fold.js';

/** What a needle's occurrence means (see NeedleAutomaton): in the folded text, non-ASCII as one symbol. */
function folded(text: string): string {
  return Array.from(foldText(text), (ch) => (ch.charCodeAt(0) > 127 || ch.length > 1 ? NON_ASCII : ch)).join('');
}

describe('PairFilter', () => {
  it('passes every text that holds a needle, whatever its case and folding characters', () => {
    const alphabet = fc.constantFrom('a', 'B', 'c', 'K', 's', '\\', '.', '1', 'ſ', '\u212a', 'é', '😀', ' ');
    fc.assert(
      fc.property(fc.array(fc.string({ unit: alphabet, minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 6 }), fc.string({ unit: alphabet, maxLength: 30 }), (raw, text) => {
        const needles = [...new Set(raw.map(folded))];
        const f = PairFilter.of(needles);
        const t = folded(text);
        if (needles.some((n) => t.includes(n))) expect(f.mayHold(text)).toBe(true);
      }),
      { numRuns: 3000, seed: 20261205 },
    );
  });

  it('turns away texts without any chosen pair', () => {
    const a = PairFilter.of(['\\svchost']);
    expect(a.mayHold('C:\\Windows\\System32\\SVCHOST.exe')).toBe(true);
    expect(a.mayHold('C:\\Windows\\explorer.exe')).toBe(false);
    const one = PairFilter.of(['x']);
    expect(one.mayHold('X')).toBe(true);
    expect(one.mayHold('abc')).toBe(false);
    const both = PairFilter.of(['\\svchost', 'x']);
    expect(both.mayHold('X')).toBe(true);
    expect(both.mayHold('foo\\svchost')).toBe(true);
    expect(both.mayHold('notepad')).toBe(false);
    expect(PairFilter.of([NON_ASCII]).mayHold('caf\u00e9')).toBe(true);
    expect(PairFilter.of([NON_ASCII]).mayHold('cafe\u017f')).toBe(false); // ſ folds to ASCII s
    expect(() => PairFilter.of(['\u0100x'])).toThrow(/ASCII/);
  });
});
