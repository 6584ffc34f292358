import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldText, isAscii } from './case-fold.js';

describe('foldText', () => {
  it('no character outside ASCII but ſ and the Kelvin sign equals an ASCII character under iu', () => {
    const ascii = /^[\x00-\x7f]$/iu;
    const found: number[] = [];
    for (let c = 0x80; c <= 0x10ffff; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      if (ascii.test(String.fromCodePoint(c))) found.push(c);
    }
    expect(found).toEqual([0x17f, 0x212a]);
  });

  it('gives the iu regex answer for ASCII literals on any text', () => {
    const unit = fc.constantFrom('a', 'B', 's', 'S', 'k', 'K', 'ſ', '\u212a', 'é', 'İ', 'ß', '😀', '\\', '.', ' ');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 12 }), fc.string({ unit: fc.constantFrom('a', 'b', 's', 'k', '\\', '.', ' '), minLength: 1, maxLength: 4 }), (text, lit) => {
        const esc = lit.replace(/[\\.]/g, '\\$&');
        const l = foldText(text);
        expect(l.includes(lit), `${text} ∋ ${lit}`).toBe(new RegExp(`^[\\s\\S]*${esc}[\\s\\S]*$`, 'iu').test(text));
        expect(l.startsWith(lit)).toBe(new RegExp(`^${esc}[\\s\\S]*$`, 'iu').test(text));
        expect(l.endsWith(lit)).toBe(new RegExp(`^[\\s\\S]*${esc}$`, 'iu').test(text));
        expect(l === lit).toBe(new RegExp(`^${esc}$`, 'iu').test(text));
      }),
      { numRuns: 3000 },
    );
    expect(foldText('C:\\Windows\\ſystem32\\\u212aERNEL32.DLL')).toBe('c:\\windows\\system32\\kernel32.dll');
    expect(foldText('Microsoft® Windows®')).toBe('microsoft® windows®');
    expect(isAscii('abc')).toBe(true);
    expect(isAscii('é')).toBe(false);
  });
});

describe('caseless characters', () => {
  it('a character outside \\p{Cased} equals only itself under simple case folding', () => {
    const cased = /^\p{Cased}$/u;
    const foldsToCaseless = /^\P{Cased}$/iu;
    const changesWhenFolded = /^\p{CWCF}$/u;
    const bad: number[] = [];
    for (let c = 0; c <= 0x10ffff; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const s = String.fromCodePoint(c);
      // A cased character never folds together with a caseless one, and no caseless one changes.
      if (cased.test(s) ? foldsToCaseless.test(s) : changesWhenFolded.test(s)) bad.push(c);
    }
    expect(bad).toEqual([]);
  });

  it('compares emoji literals as the iu regex does', () => {
    for (const [text, lit, want] of [
      ['run 😀 NOW', ' 😀 now', true],
      ['run 😀 NOW', '😁', false],
      ['ſ😀K', 's😀k', true],
      ['É😀x', '😀X', true],
      ['é', '😀', false],
    ] as const) {
      expect(foldText(text).includes(foldText(lit)), `${text} ∋ ${lit}`).toBe(want);
      expect(new RegExp(`^[\\s\\S]*${lit}[\\s\\S]*$`, 'iu').test(text)).toBe(want);
    }
  });
});
