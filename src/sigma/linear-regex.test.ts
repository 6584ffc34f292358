import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileLinearRegex, parseLinearRegex } from './linear-regex.js';
import { enableRegexBacktrackingGuard } from './regex.js';

// The oracle is V8's regex engine, run as the product runs it (backtracking bound on, which also
// enables V8's experimental linear engine): V8's backtracking engine took minutes on some random
// patterns (seed 3 met `(?:…(…){3,5}?|…)+\\sa{2,}`: >200 s; ours: 25 ms).
enableRegexBacktrackingGuard();

/** Regex sources from the subset, built from a small grammar (so that texts often match). */
const atom = fc.constantFrom('a', 'b', 'A', '.', '\\d', '\\w', '\\s', '\\W', '[ab]', '[^a]', '[a-c]', '[\\]a]', '\\.', '\\\\', '-', ' ', 'é', 'É', 'k', '\\u212a', '\\x41', '\\n', '[^]', '[]', '\\0', ']', '}', '{', '\\/');
const assertion = fc.constantFrom('^', '$', '\\b', '\\B');
const quant = fc.constantFrom('', '', '*', '+', '?', '*?', '{2}', '{1,3}', '{0,2}', '{2,}', '{0}', '{3,5}?');

function regexArb(depth: number): fc.Arbitrary<string> {
  const term: fc.Arbitrary<string> =
    depth <= 0
      ? fc.tuple(atom, quant).map(([a, q]) => a + q)
      : fc.oneof(
          { weight: 3, arbitrary: fc.tuple(atom, quant).map(([a, q]) => a + q) },
          { weight: 1, arbitrary: assertion },
          {
            weight: 1,
            arbitrary: fc
              .tuple(fc.constantFrom('(', '(?:', '(?<n>'), regexArb(depth - 1), fc.array(regexArb(depth - 1), { maxLength: 2 }), quant)
              .map(([open, first, rest, q]) => `${open}${[first, ...rest].join('|')})${q}`),
          },
        );
  return fc.array(term, { minLength: 1, maxLength: 5 }).map((ts) => ts.join(''));
}

const textChar = fc.constantFrom('a', 'b', 'A', 'B', 'c', '1', ' ', '\n', '\r', '.', '-', ']', '}', '{', '\\', '/', 'é', 'É', 'K', 'k', '\u212a', '\u2028', '_', '\0', 'x');
const text = fc.array(textChar, { maxLength: 16 }).map((cs) => cs.join(''));

/** Random patterns compared per CI run; more with LINEAR_REGEX_RUNS=N. */
const RUNS = Number(process.env.LINEAR_REGEX_RUNS ?? 10000);
/** A fixed seed keeps CI deterministic; LINEAR_REGEX_SEED=N replays another, LINEAR_REGEX_SEED=random explores (fast-check prints the seed of a failure). */
const SEED_TEXT = process.env.LINEAR_REGEX_SEED ?? '20261207';
const SEED = SEED_TEXT === 'random' ? undefined : Number(SEED_TEXT);

describe('the linear regex gives V8 answers', () => {
  it('on random patterns of the subset, every flag combination (property)', () => {
    let compared = 0;
    fc.assert(
      fc.property(regexArb(2), fc.subarray(['i', 'm', 's']), fc.array(text, { minLength: 1, maxLength: 6 }), (src, fl, texts) => {
        const flags = fl.join('');
        let v8: RegExp;
        try {
          v8 = new RegExp(src, flags);
        } catch {
          return; // not a valid pattern: the loader rejects it first
        }
        try {
          // V8's own linear-time engine (the `l` flag) where it takes the pattern: same answers, never exponential.
          v8 = new RegExp(src, `${flags}l`);
        } catch {
          // not for V8's linear engine: the backtracking one, bounded by the guard
        }
        const lin = compileLinearRegex(src, flags);
        if (lin === undefined) return;
        compared++;
        for (const t of texts) expect(lin.test(t), `/${src}/${flags} on ${JSON.stringify(t)}`).toBe(v8.test(t));
      }),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
    expect(compared).toBeGreaterThan(RUNS * 0.75);
  });

  it('runs the SigmaHQ patterns V8 cannot run in linear time, with their answers', () => {
    const cases: Array<[string, string, string[]]> = [
      ['(Copy-Item|cpi) .{2,128} -Destination .{1,32}\\\\Windows\\\\(System32|SysWOW64)', '', ['cpi a.txt -Destination C:\\Windows\\System32\\x', 'cpi a.txt -Destination C:\\Windows\\Temp']],
      ['[^/]{100,}$', '', [`/${'a'.repeat(120)}`, `/${'a'.repeat(99)}`, `${'a'.repeat(150)}/`]],
      ['(?:[Pp]rogram[Dd]ata|%(?:[Ll]ocal)?[Aa]pp[Dd]ata%|\\\\[Aa]pp[Dd]ata\\\\(?:[Ll]ocal(?:[Ll]ow)?|[Rr]oaming))\\\\[^\\\\]{1,256}$', '', ['C:\\ProgramData\\x.exe', 'C:\\Users\\a\\AppData\\Local\\x\\y.exe']],
      ['\\.exe[\\"\\\']?\\s+[^\\"]{0,64}werfaultsecure\\.exe[\\"\\\']?\\s+\\d{2,10}', 'i', ['a.EXE  -x WerFaultSecure.exe 1234', 'a.exe werfaultsecure.exe 1']],
      ['-(W|R)\\s?(\\s|"|\')([0-9a-fA-F]{2}\\s?){2,20}(\\s|"|\')', '', ['-W "aa bb cc"', '-W "a"']],
      ['(.){200,}', '', ['x'.repeat(200), 'x'.repeat(199)]],
    ];
    for (const [src, flags, texts] of cases) {
      const lin = compileLinearRegex(src, flags);
      expect(lin, src).toBeDefined();
      for (const t of texts) expect(lin?.test(t), `${src} on ${t}`).toBe(new RegExp(src, flags).test(t));
    }
  });

  it('a single repeated atom (counted as runs) gives V8 answers on long texts (property)', () => {
    const q = fc.constantFrom('{3,}', '{1,}', '{0,}', '{0}', '{2,5}', '{4}', '*', '+', '?', '{12,}', '{3,}?');
    const wrap = fc.constantFrom('%', '(%)', '(?:%)', '((%))', '(?<n>%)');
    const longText = fc.array(textChar, { maxLength: 40 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(atom, q, wrap, wrap, fc.subarray(['i', 'm', 's']), fc.array(longText, { minLength: 1, maxLength: 6 }), (a, quant, inner, outer, fl, texts) => {
        const src = outer.replace('%', inner.replace('%', a) + quant);
        const flags = fl.join('');
        let v8: RegExp;
        try {
          v8 = new RegExp(src, flags);
        } catch {
          return;
        }
        const lin = compileLinearRegex(src, flags);
        expect(lin, src).toBeDefined();
        for (const t of [...texts, texts.join(''), texts.join('').repeat(3)]) expect(lin?.test(t), `/${src}/${flags} on ${JSON.stringify(t)}`).toBe(v8.test(t));
      }),
      { numRuns: 3000, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
    // SigmaHQ's abnormal command line size: a run of 1,000 characters other than line terminators.
    const size = compileLinearRegex('.{1000,}', '');
    for (const t of ['x'.repeat(1000), 'x'.repeat(999), `${'x'.repeat(600)}\n${'x'.repeat(600)}`, `${'x'.repeat(600)}\u2028${'x'.repeat(1000)}`, `\r${'é'.repeat(1000)}`]) expect(size?.test(t)).toBe(/.{1000,}/.test(t));
  });

  it('declines what it does not run: back-references, look-arounds, letter escapes', () => {
    for (const src of ['(a)\\1', '(?=a)b', '(?!a)', '(?<=a)b', '(?<!a)b', '\\p{L}', '\\k<x>', '\\8', '\\a']) expect(parseLinearRegex(src), src).toBeUndefined();
    expect(compileLinearRegex('(?:a{1000}){1000}', '')).toBeUndefined(); // a million states
  });

  it("'(a|aa){16,}b' against 48 a's, and a 25 KB pattern of (a|b) × 5,000, end at once", () => {
    const r = compileLinearRegex('(a|aa){16,}b', '');
    expect(r?.test('a'.repeat(48))).toBe(false);
    expect(r?.test(`${'a'.repeat(48)}b`)).toBe(true);
    const big = compileLinearRegex('(a|b)'.repeat(5000), '');
    expect(big?.test('ab'.repeat(3000))).toBe(true);
    expect(big?.test('ab'.repeat(2000))).toBe(false);
  });
});
