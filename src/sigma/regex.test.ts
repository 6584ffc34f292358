import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backtrackingRisk, compileSigmaRegex, explicitCase, holdsInOrder, regexMinLength, regexRequiredLiterals, regexTest } from './regex.js';
import { Worker } from 'node:worker_threads';
import type { SigmaRule } from '../rules/load-rule.js';
import { errorsOf, fieldRule, fieldRuleErrors, loadDetection, matches } from '../../test/support/rules.js';

const NO_FLAGS = { i: false, m: false, s: false };

describe('backtrackingRisk', () => {
  const RISKY = [
    '(a+)+',
    '(a+)+$',
    '(a*)*',
    String.raw`(\w+\s?)*`,
    String.raw`(?:.*\)){1,}`,
    '(a|aa)+b(c+)*',
    '(x+x+)+y',
    '((ab)*)+',
    '(?:[a-z]+)*@',
    '(a{1,}){2,}',
    '(.*,)+',
    '^(([a-z])+.)+[A-Z]([a-z])+$',
  ];
  it.each(RISKY)('flags %s', (src) => {
    expect(backtrackingRisk(src)).toMatch(/catastrophic backtracking/);
  });

  const SAFE = [
    '(ab){2}',
    String.raw`\d{1,3}(\.\d{1,3}){3}`,
    'a+b+c*',
    '(abc)+',
    '(a|b)*',
    '(a?)+', // inner quantifier is bounded
    '(a{2,5})*',
    String.raw`(\(a+\))`,
    String.raw`\(a+\)+`, // escaped parentheses are no group
    '[(a+)+]', // inside a class nothing is a quantifier
    String.raw`(?:\s+|x)`,
    'a{1,3}(b{2})+',
    '',
  ];
  it.each(SAFE)('does not flag %j', (src) => {
    expect(backtrackingRisk(src)).toBeUndefined();
  });

  it('the message names the offending group', () => {
    expect(backtrackingRisk('x(a+)+y')).toMatch(/'\(a\+\)\+'/);
  });
});

/**
 * Runs `regex.test(input)` in a worker thread so that a regex that does hang cannot block the
 * test run: the worker is terminated after `ms`. V8 flags (the backtracking guard set by
 * test/setup.ts) are process-wide, so the worker's regex gets the same treatment.
 */
function testBounded(regex: RegExp, input: string, ms: number): Promise<boolean | 'timeout'> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const re = new RegExp(workerData.source, workerData.flags);
    parentPort.postMessage(re.test(workerData.input));
  `;
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { source: regex.source, flags: regex.flags, input } });
    const timer = setTimeout(() => {
      void w.terminate();
      resolve('timeout');
    }, ms);
    w.once('message', (r: boolean) => {
      clearTimeout(timer);
      void w.terminate();
      resolve(r);
    });
    w.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

function reMatcher(rule: SigmaRule): RegExp {
  const m = rule.plan.items[0]?.values[0]?.matcher;
  if (m?.kind !== 're') throw new Error('not a regex matcher');
  return m.regex;
}

describe('catastrophic patterns are bounded (guard enabled by test/setup.ts)', () => {
  // [key, value, pathological input]
  const CASES: Array<[string, string, string]> = [
    ['F|re', "'(a+)+$'", `${'a'.repeat(5000)}!`],
    ['F|re', String.raw`'^(\w+\s?)*$'`, `${'word '.repeat(1000)}!`],
    ['F|re|i', "'^(a+)+$'", `${'A'.repeat(5000)}!`],
    ['F|re|m|s', "'^(.*a)+x$'", `${'a'.repeat(5000)}`],
    ['F|re', "'(?i)^(a|aa)+$'", `${'a'.repeat(5000)}!`], // overlapping alternation, i flag
    ['F|re', "'^(a+){1,100}$'", `${'a'.repeat(5000)}!`], // bounded outer repeat of an unbounded group
  ];
  it.each(CASES)('%s: %s on a 5,000-character pathological input returns', async (key, yaml, input) => {
    const loaded = loadDetection(`sel:\n  ${key}: ${yaml}\ncondition: sel`);
    const rule = loaded.rules[0];
    if (rule === undefined) {
      // rejecting the pattern at load time is an acceptable way to be safe
      expect(errorsOf(loaded).map((d) => d.code)).toEqual(['REGEX_CATASTROPHIC']);
      return;
    }
    expect(await testBounded(reMatcher(rule), input, 5000)).toBe(false);
  });

  it.each(CASES.slice(0, 4))('%s: %s is loaded with a REGEX_BACKTRACKING_RISK warning', (key, yaml) => {
    const rule = fieldRule(key, yaml);
    expect(rule.diagnostics.map((d) => [d.code, d.severity])).toEqual([['REGEX_BACKTRACKING_RISK', 'warning']]);
  });

  it('evaluating a guarded pattern through the evaluator returns too', () => {
    const rule = fieldRule('F|re', "'(a+)+$'");
    expect(matches(rule, { F: `${'a'.repeat(5000)}!` })).toBe(false);
    expect(matches(rule, { F: `!${'a'.repeat(5000)}` })).toBe(true);
  });

  it('risky patterns keep their meaning (incl. case-insensitivity) when they match', () => {
    expect(matches(fieldRule('F|re|i', "'^(a+)+$'"), { F: 'aAaA' })).toBe(true);
    expect(matches(fieldRule('F|re', "'(?i)^(ab+)+$'"), { F: 'ABbaB' })).toBe(true);
    expect(matches(fieldRule('F|re', "'^(a+)+$'"), { F: 'aAaA' })).toBe(false);
  });

  it.each([
    String.raw`'(a+)+\1'`,
    String.raw`'(?<x>a+)+\k<x>'`,
    "'(a+)+(?=b)'",
    "'(?<!c)(a+)+'",
  ])('a risky pattern with a back-reference or look-around (%s) is REGEX_CATASTROPHIC', (yaml) => {
    const errors = fieldRuleErrors('F|re', yaml);
    expect(errors.map((d) => d.code)).toEqual(['REGEX_CATASTROPHIC']);
    expect(errors[0]?.message).toMatch(/cannot be bounded/);
  });

  it('a back-reference in a safe pattern is fine', () => {
    expect(matches(fieldRule('F|re', String.raw`'(ab)\1'`), { F: 'xabab' })).toBe(true);
  });
});

describe('compileSigmaRegex', () => {
  it('strips a leading inline flag group into flags', () => {
    const r = compileSigmaRegex('(?is)a.b', NO_FLAGS);
    if ('code' in r) throw new Error(r.message);
    // `i` is spelled out as two-case classes so V8's linear-time fallback can bound the regex.
    expect(r.regex.flags).toBe('s');
    expect(r.regex.test('xA\nBy')).toBe(true);
    expect(r.regex.test('xA\nCy')).toBe(false);
    expect(r.source).toBe('(?is)a.b');
  });
  it('combines modifier flags', () => {
    const r = compileSigmaRegex('ab', { i: true, m: true, s: false });
    if ('code' in r) throw new Error(r.message);
    expect(r.regex.flags).toBe('m');
    expect(r.regex.test('x\nAB')).toBe(true);
  });
  it('never uses the u flag (corpus regexes with identity escapes compile)', () => {
    const r = compileSigmaRegex(String.raw`\"a\-b]`, NO_FLAGS);
    if ('code' in r) throw new Error(r.message);
    expect(r.regex.unicode).toBe(false);
    expect(r.regex.test('"a-b]')).toBe(true);
  });
  it('reports the risk on the result', () => {
    const r = compileSigmaRegex('(a+)+', NO_FLAGS);
    expect('code' in r ? r.message : r.risk).toMatch(/catastrophic/);
  });
});

describe('explicitCase', () => {
  const TABLE: Array<[string, string]> = [
    ['abc', '[aA][bB][cC]'],
    ['A1', '[Aa]1'],
    [String.raw`\d\w\s\b`, String.raw`\d\w\s\b`],
    ['[a-f]', '[a-fA-F]'],
    ['[A-F0-9]', '[A-Fa-f0-9]'],
    ['[xy]', '[xXyY]'],
    ['a{2,3}', '[aA]{2,3}'],
    ['(?<name>a)', '(?<name>[aA])'],
    ['[^a]', '[^aA]'],
    ['a|B', '[aA]|[Bb]'],
  ];
  it.each(TABLE)('%s → %s', (src, out) => {
    expect(explicitCase(src)).toBe(out);
  });

  /**
   * Compiles, and is no catastrophic shape: the oracle `/src/i` runs on V8's backtracking engine
   * with no bound (the linear engine refuses `i`), so a nested repeat could hang the property.
   */
  function compiles(src: string): boolean {
    if (backtrackingRisk(src) !== undefined) return false;
    try {
      new RegExp(src, 'i');
      return true;
    } catch {
      return false;
    }
  }

  function agree(src: string, inputs: readonly string[]): void {
    const expected = new RegExp(src, 'i');
    const rewritten = explicitCase(src);
    // Declining (undefined) is allowed: the caller then keeps the `i` flag. A rewrite must be exact.
    if (rewritten === undefined) return;
    let actual: RegExp;
    try {
      actual = new RegExp(rewritten);
    } catch (e) {
      throw new Error(`explicitCase(${JSON.stringify(src)}) = ${JSON.stringify(rewritten)} does not compile: ${(e as Error).message}`);
    }
    for (const s of inputs) {
      expect(actual.test(s), `/${src}/i vs /${rewritten}/ on ${JSON.stringify(s)}`).toBe(expected.test(s));
    }
  }

  const ascii = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 12 });

  /** Regex sources from a grammar of the constructs the corpus uses. */
  const atom = fc.oneof(
    fc.constantFrom('a', 'B', 'z', 'Q', '0', '.', '-', ' ', String.raw`\d`, String.raw`\w`, String.raw`\s`, String.raw`\b`, String.raw`\.`, String.raw`\\`),
    fc.constantFrom('[a-c]', '[^x]', '[A-Z0-9]', '[xyZ]', '[_a-f-]', String.raw`[\w.]`, '[^A-F]'),
  );
  const quant = fc.constantFrom('', '', '*', '+', '?', '{2}', '{1,3}', '*?', '+?');
  const piece = fc.tuple(atom, quant).map(([a, q]) => a + q);
  const seq = fc.array(piece, { minLength: 1, maxLength: 5 }).map((p) => p.join(''));
  const source = fc.oneof(
    seq,
    fc.tuple(seq, seq).map(([a, b]) => `(${a}|${b})`),
    fc.tuple(seq, seq, quant).map(([a, b, q]) => `(?:${a})${q}${b}`),
    fc.tuple(seq, seq).map(([a, b]) => `^${a}(?<g>${b})$`),
  );

  it('keeps semantics on grammar-generated regexes and random ASCII input (property)', () => {
    fc.assert(
      fc.property(source.filter(compiles), fc.array(ascii, { maxLength: 8 }), (src, inputs) => {
        // inputs derived from the pattern's letters exercise case differences
        const derived = [src.replace(/[^A-Za-z0-9 ._-]/g, ''), src.toUpperCase(), src.toLowerCase()];
        agree(src, [...inputs, ...derived]);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps semantics for random ASCII regex sources (property)', () => {
    fc.assert(
      fc.property(ascii.filter(compiles), fc.array(ascii, { maxLength: 8 }), (src, inputs) => {
        agree(src, [...inputs, src, src.toUpperCase(), src.toLowerCase()]);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    String.raw`\x41`,
    String.raw`\u0061`,
    String.raw`[\x41]`,
    String.raw`[\cA]`,
    String.raw`\x41BC`,
    String.raw`[\u0061]`,
    String.raw`\q`,
    String.raw`\E`,
    '[!-a]',
    String.raw`[\x41-\x5a]`,
  ])('escapes and ranges: %s are rewritten exactly or declined', (src) => {
    const inputs = ['A', 'a', 'J', 'j', 'Q', 'q', 'E', 'e', '\x01', 'b', 'B', 'z', 'Z', '!', 'abc', 'ABC', 'Abc', 'aBC'];
    agree(src, inputs);
  });
});

describe('explicitCase declines what it cannot rewrite exactly', () => {
  it.each([String.raw`\x41`, String.raw`[\cA]`, String.raw`\q`, '[!-a]', 'é', String.raw`(a)\1`])('%s → undefined', (src) => {
    expect(explicitCase(src)).toBeUndefined();
  });
  it('rewrites plain letters, classes and ranges', () => {
    expect(explicitCase('[a-c]x')).toBe('[a-cA-C][xX]');
  });
});

describe('regexMinLength', () => {
  it('reads a lower bound on the match length', () => {
    const cases: Array<[string, number]> = [
      ['.{1000,}', 1000],
      ['(?i).{5}x+', 6],
      ['ab|c', 1],
      ['^a\\d{2,3}$', 3],
      ['a*b?c{0,4}', 0],
      ['(abc){3}d', 1],
      ['[a-z]{4}\\b', 4],
      ['(a)\\1', 0],
      ['x{2}?', 2],
      ['[\\]x]{3}', 3],
      ['a{', 2],
      ['\\x41\\x42', 2],
      ['\\u0041\\u0042', 2],
      ['\\cA\\cB', 2],
      ['\\101', 0],
      ['(?<n>a)\\k<n>', 0],
      ['xyz[]|b]', 2],
      ['abc[^]|x]', 2],
      ['(a)()()()()()()()()()\\10\\10', 0],
    ];
    for (const [src, n] of cases) expect(regexMinLength(src), src).toBe(n);
  });

  it('never exceeds the length of a text the regex matches', () => {
    const piece = fc.constantFrom(
      'a', 'b', '.', '\\d', '[ab]', '(a|bc)', 'x*', 'y+', 'z?', 'q{2}', 'r{1,3}', '^', '$', '\\b', '|', '(?:ab)+',
      '\\x61', '\\u0062', '\\cA', '\\1', '\\12', '\\101', '[]', '[^]', '[]a]', '(?<g>a)', '\\k<g>', '\\x', '\\u00', '{', '\\p{2}',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'x', 'y', 'z', 'q', 'r', '1', ' ', 'A', '\u0001', 'p', 'k', '<', 'g', '>', ']'), maxLength: 12 }), (parts, text) => {
        const src = parts.join('');
        let re: RegExp;
        try {
          re = new RegExp(src);
        } catch {
          return; // not a regex (e.g. a duplicate group name)
        }
        const m = re.exec(text);
        if (m !== null) expect(m[0].length, `${src} on ${text}`).toBeGreaterThanOrEqual(regexMinLength(src));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('regexRequiredLiterals', () => {
  it('reads the literal runs every match holds, in order', () => {
    expect(regexRequiredLiterals(String.raw`\w+` + '`(?:\\w+|-|.)`' + String.raw`[\w+|\s]`, '')).toEqual(['`', '`']);
    expect(regexRequiredLiterals(String.raw`\+.*\+.*\+`, '')).toEqual(['+', '+', '+']);
    expect(regexRequiredLiterals(String.raw`cmd\.exe /c .*whoami`, '')).toEqual(['cmd.exe /c ', 'whoami']);
    // A quantifier allowing none leaves the character out; one requiring some ends the run.
    expect(regexRequiredLiterals('ab?cd+ef{0,2}g{2}h', '')).toEqual(['a', 'cd', 'e', 'g', 'h']);
    // With `i`, characters with case do not count; without, they do.
    expect(regexRequiredLiterals('pow-ershell', 'i')).toEqual(['-']);
    expect(regexRequiredLiterals('pow-ershell', '')).toEqual(['pow-ershell']);
    // Alternatives, at the top or inside a group, require nothing of the group; a top-level one nothing at all.
    expect(regexRequiredLiterals('ab|cd', '')).toEqual([]);
    expect(regexRequiredLiterals('x(ab|cd)y', '')).toEqual(['x', 'y']);
    expect(regexRequiredLiterals(String.raw`^\d{3}[a-z]$`, '')).toEqual([]);
    expect(regexRequiredLiterals(String.raw`a\/b`, '')).toEqual(['a/b']);
  });

  it('never refuses a text the regex matches (random patterns and texts)', () => {
    const atom = fc.constantFrom('a', 'b', 'B', '+', '`', '-', '.', String.raw`\w`, String.raw`\+`, String.raw`\.`, '[ab]', '(?:a|b)', '(a+)', '(?=a)', String.raw`\d`, '^', '$', '(?:ab)?');
    const quant = fc.constantFrom('', '', '', '*', '+', '?', '{2}', '{0,1}', '+?', '*?');
    const pattern = fc.array(fc.tuple(atom, quant), { minLength: 1, maxLength: 8 }).map((xs) => xs.map(([a, q]) => (a === '^' || a === '$' || a.startsWith('(?=') ? a : a + q)).join(''));
    const text = fc.array(fc.constantFrom('a', 'b', 'B', 'A', '+', '`', '-', '.', '1', ' '), { maxLength: 14 }).map((xs) => xs.join(''));
    fc.assert(
      fc.property(pattern, fc.constantFrom('', 'i', 's', 'm'), text, (src, flags, t) => {
        let re: RegExp;
        try {
          re = new RegExp(src, flags);
        } catch {
          return true;
        }
        const lits = regexRequiredLiterals(re.source, re.flags);
        if (re.test(t)) expect(holdsInOrder(t, lits), `${src}/${flags} on ${t}: ${JSON.stringify(lits)}`).toBe(true);
        expect(regexTest(re, t)).toBe(re.test(t));
      }),
      { numRuns: 3000, seed: 24 },
    );
  });
});
