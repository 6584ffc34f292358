import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadRuleText } from '../rules/load-rule.js';
import { KEYWORDS, MAX_NEEDLE, NON_ASCII, foldCode, planNeedles } from './needles.js';
import { NeedleAutomaton } from './needle-automaton.js';
import { TargetList } from './target-list.js';

function needles(detection: string) {
  const r = loadRuleText(`title: t\nlogsource: {product: windows}\ndetection:\n${detection}`, 't.yml').rules[0];
  if (r === undefined) throw new Error(`rule did not load: ${detection}`);
  return planNeedles(r.plan);
}

describe('planNeedles', () => {
  it('takes the most selective conjunct and the union of alternatives', () => {
    expect(needles(`  sel:\n    Image|endswith: ['\\\\a.exe', '\\\\bb.exe']\n    CommandLine|contains: ' -e'\n  condition: sel`)).toEqual([
      { field: 'Image', text: '\\a.exe' },
      { field: 'Image', text: '\\bb.exe' },
    ]);
    expect(needles(`  a: {x: 'foo'}\n  b: {y: 'barbaz'}\n  condition: a or b`)).toEqual([
      { field: 'x', text: 'foo' },
      { field: 'y', text: 'barbaz' },
    ]);
  });

  it('knows nothing of negations, regexes and numbers, and that a missing identifier never matches', () => {
    expect(needles(`  a: {x: 'foo'}\n  condition: not a`)).toBeNull();
    expect(needles(`  a: {x|re: 'f.o'}\n  condition: a`)).toBeNull();
    expect(needles(`  a: {x|re: 'fo+bar'}\n  condition: a`)).toEqual([{ field: 'x', text: 'bar' }]);
    expect(needles(`  a: {x: 5}\n  b: {y: 'zzz'}\n  condition: a or b`)).toEqual([{ field: 'x', text: '5', numeric: true }, { field: 'y', text: 'zzz' }]);
    expect(needles(`  a: {x: 1.5}\n  condition: a`)).toBeNull();
    expect(needles(`  a: {x: 5}\n  condition: a and 1 of nope_*`)).toEqual([]);
  });

  it('uses the longest ASCII run of a pattern, cut to its end, lowercased', () => {
    expect(needles(`  a: {x: 'AB*\\\\Software\\\\Microsoft\\\\Windows\\\\Run*'}\n  condition: a`)).toEqual([{ field: 'x', text: 'dows\\run' }]);
    expect('dows\\run'.length).toBe(MAX_NEEDLE);
    // The window keeps the name, not the extension every other host process shares.
    expect(needles(`  a: {Image|endswith: '\\\\svchost.exe'}\n  condition: a`)).toEqual([{ field: 'Image', text: '\\svchost' }]);
    expect(needles(`  a: {TargetObject|contains: 'SOFTWARE\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\UMe'}\n  condition: a`)).toEqual([{ field: 'TargetObject', text: 'sion\\ume' }]);
    expect(needles(`  a: {x|contains: '😀'}\n  condition: a`)).toEqual([{ field: 'x', text: NON_ASCII }]);
    expect(needles(`  keywords: ['Mimikatz']\n  condition: keywords`)).toEqual([{ field: KEYWORDS, text: 'mimikatz' }]);
    // windash alternatives split runs at the dash.
    expect(needles(`  a: {x|windash|contains: ' -decode '}\n  condition: a`)).toEqual([{ field: 'x', text: 'decode ' }]);
  });
});

describe('NeedleAutomaton', () => {
  it('reports every target whose needle occurs, once, with case and the ASCII-folding characters', () => {
    const a = new NeedleAutomaton(['he', 'she', 'his', 'hers', 'sk', NON_ASCII], [0, 1, 2, 3, 4, 5]);
    const mark = new Int32Array(6);
    const found = new TargetList();
    const got = (): number[] => Array.from(found.toArray()).sort();
    a.scan('uSHErs', mark, 1, found);
    expect(got()).toEqual([0, 1, 3]);
    found.clear();
    a.scan('ſ\u212a', mark, 2, found); // ſ + Kelvin sign fold to "sk"
    expect(got()).toEqual([4]);
    found.clear();
    a.scan('é', mark, 3, found);
    expect(got()).toEqual([5]);
    expect(foldCode('Q'.charCodeAt(0))).toBe('q'.charCodeAt(0));
  });

  it('agrees with includes() on random texts', () => {
    const needlesList = ['abc', 'bca', 'cab', 'aa', 'b', 'abcabc'];
    const a = new NeedleAutomaton(needlesList, needlesList.map((_, i) => i));
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let k = 1; k < 500; k++) {
      const text = Array.from({ length: Math.floor(rnd() * 12) }, () => 'abcAB'[Math.floor(rnd() * 5)]).join('');
      const found = new TargetList();
      a.scan(text, new Int32Array(needlesList.length), 1, found);
      const want = needlesList.flatMap((n, i) => (text.toLowerCase().includes(n) ? [i] : []));
      expect(Array.from(found.toArray()).sort(), text).toEqual(want);
    }
  });
});

describe('NeedleAutomaton against includes()', () => {
  it('finds exactly the needles a text holds, for random needle sets (property)', () => {
    const unit = fc.constantFrom('a', 'b', 'c', 'A', '\\', '.', 'é');
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ unit: fc.constantFrom('a', 'b', 'c', '\\', '.'), minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 12 }), fc.array(fc.string({ unit, maxLength: 40 }), { maxLength: 5 }), (list, texts) => {
        const a = new NeedleAutomaton(list, list.map((_, i) => i));
        texts.forEach((text, k) => {
          const found = new TargetList();
          a.scan(text, new Int32Array(list.length), k + 1, found);
          const want = list.flatMap((n, i) => (text.toLowerCase().includes(n) ? [i] : []));
          expect(Array.from(found.toArray()).sort((x, y) => x - y), text).toEqual(want);
          expect(a.anyHit(text), text).toBe(want.length > 0);
        });
      }),
      { numRuns: 1000, seed: 20261206 },
    );
  });
});

describe('regexNeedle', () => {
  it('reads a literal every match contains, conservatively', async () => {
    const { regexNeedle } = await import('./needles.js');
    expect(regexNeedle('(?i)echo.*clip.*&&.*(Clipboard|i`?n)')).toBe('echo');
    expect(regexNeedle('\\\\Windows\\\\Temp\\\\[a-z]+\\.exe')).toBe('ws\\temp\\');
    expect(regexNeedle('abc|defgh')).toBeUndefined();
    const { regexNeedles } = await import('./needles.js');
    expect(regexNeedles('(?i)abc|de[|]fgh\\|x')).toEqual(['abc', 'fgh|x']);
    expect(regexNeedles('abc|d')).toBeUndefined();
    expect(regexNeedles('(a|b)cde')).toEqual(['cde']);
    expect(regexNeedle('ab?cdef')).toBe('cdef');
    expect(regexNeedle('x{2,}yzw')).toBe('yzw');
    expect(regexNeedle('\\bnet\\s+user\\b')).toBe('user');
    expect(regexNeedle('a\\d\\d')).toBeUndefined();
    // Every regex whose needle we take must really contain it in what it matches.
    for (const [re, text] of [
      ['(?i)echo.*clip', 'ECHO x CLIP'],
      ['\\\\Windows\\\\Temp\\\\[a-z]+\\.exe', 'C:\\Windows\\Temp\\abc.exe'],
      ['x{2,}yzw', 'xxxyzw'],
    ] as const) {
      const n = regexNeedle(re);
      expect(text.toLowerCase()).toContain(n);
    }
  });
});

describe('FieldScanner: its first texts tested needle by needle, then the automata', () => {
  it('finds what the automaton finds, on both paths (property)', async () => {
    const { FieldScanner, foldedAsNeedles } = await import('./field-scanner.js');
    expect(foldedAsNeedles('C:\\WINDOWS\\ſystem Kelvin é')).toBe('c:\\windows\\system kelvin \u0080');
    const unit = fc.constantFrom('a', 'b', 'S', 's', 'ſ', 'K', '\u212a', 'é', 'Σ', '\\', '.');
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.oneof(fc.constant(NON_ASCII), fc.string({ unit: fc.constantFrom('a', 'b', 's', 'k', '\\', '.'), minLength: 1, maxLength: 4 })), { minLength: 1, maxLength: 10 }),
        fc.array(fc.string({ unit, maxLength: 30 }), { minLength: 20, maxLength: 40 }),
        (list, texts) => {
          const targets = list.map((_, i) => i);
          const reference = new NeedleAutomaton(list, targets);
          const scanner = new FieldScanner(list, targets, { mark: new Int32Array(list.length), epoch: 0 });
          texts.forEach((text, k) => {
            const want = new TargetList();
            reference.run(text, new Int32Array(list.length), k + 1, want);
            const got = new TargetList();
            scanner.scan(text, new Int32Array(list.length), k + 1, got);
            expect(Array.from(got.toArray()).sort((x, y) => x - y), `${k}: ${text}`).toEqual(Array.from(want.toArray()).sort((x, y) => x - y));
          });
        },
      ),
      { numRuns: 500, seed: 20261207 },
    );
  });
});
