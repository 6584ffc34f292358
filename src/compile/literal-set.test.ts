import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LiteralSet } from './literal-set.js';
import type { LiteralMode } from './literal-set.js';

const MODES: LiteralMode[] = ['eq', 'startswith', 'endswith', 'contains'];

function naive(mode: LiteralMode, literals: readonly string[], l: string): boolean {
  return literals.some((t) => (mode === 'eq' ? l === t : mode === 'startswith' ? l.startsWith(t) : mode === 'endswith' ? l.endsWith(t) : l.includes(t)));
}

describe('LiteralSet', () => {
  it('answers as testing each literal would, in every mode', () => {
    // A small alphabet makes shared prefixes, suffixes, overlaps and hash buckets likely.
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '\\', '.', 'x', '€', '🔸', '◾'), maxLength: 10 });
    fc.assert(
      fc.property(fc.constantFrom(...MODES), fc.array(text, { minLength: 1, maxLength: 30 }), fc.array(text, { maxLength: 20 }), (mode, literals, texts) => {
        const set = new LiteralSet(mode, literals);
        for (const l of [...texts, ...literals, ...literals.map((t) => `x${t}`), ...literals.map((t) => `${t}b`)]) {
          expect(set.test(l), `${mode} ${JSON.stringify(literals)} on ${JSON.stringify(l)}`).toBe(naive(mode, literals, l));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('handles Windows paths and an empty literal', () => {
    const dlls = ['\\version.dll', '\\dbghelp.dll', '\\wer.dll', '\\x.dll', '\\cryptbase.dll', '\\uxtheme.dll'];
    const ends = new LiteralSet('endswith', dlls);
    expect(ends.test('c:\\users\\bob\\wer.dll')).toBe(true);
    expect(ends.test('c:\\users\\bob\\power.dll')).toBe(false);
    expect(ends.test('wer.dll')).toBe(false);
    expect(new LiteralSet('contains', ['abc', '']).test('zzz')).toBe(true);
    expect(new LiteralSet('startswith', ['', 'q']).test('zzz')).toBe(true);
    expect(new LiteralSet('eq', ['', 'q']).test('zzz')).toBe(false);
    expect(new LiteralSet('eq', ['', 'q']).test('')).toBe(true);
  });
});
