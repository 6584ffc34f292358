import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addWildcards,
  base64OffsetPatterns,
  base64Pattern,
  parsePattern,
  patternDisplay,
  patternRegex,
  utf16Pattern,
  windash,
} from './pattern.js';
import type { Pattern, PatternToken } from './pattern.js';
import type { Matcher } from '../plan/plan.js';
import { literalShape } from '../plan/build-matcher.js';
import { compileDetection, fieldRule, fieldRuleErrors, matches } from '../../test/support/rules.js';

const lit = (s: string): PatternToken => ({ t: 'lit', s });
const ANY: PatternToken = { t: 'any' };
const ONE: PatternToken = { t: 'one' };
const DASH: PatternToken = { t: 'dash' };

/** Does `F: <yaml>` match an event with `F: value`? */
function eq(valueYaml: string, value: unknown, key = 'F'): boolean {
  return matches(fieldRule(key, valueYaml), { F: value });
}

/** The literal texts of every pattern a matcher stands for (wildcards shown as * and ?). */
function alternatives(m: Matcher): string[] {
  if (m.kind === 'anyOf') return m.members.flatMap(alternatives);
  if (m.kind === 'string') return [patternDisplay(m.pattern)];
  throw new Error(`not a pattern matcher: ${m.kind}`);
}

function matcherOf(key: string, valueYaml: string): Matcher {
  const rule = fieldRule(key, valueYaml);
  const m = rule.plan.items[0]?.values[0]?.matcher;
  if (m === undefined) throw new Error('no matcher');
  return m;
}

describe('§5.1 escaping table', () => {
  // [YAML source of the value (already quoted), texts that match, texts that do not]
  const TABLE: Array<[string, string[], string[]]> = [
    // C:\Windows\x.exe — single-quoted, both spellings; double-quoted, both spellings
    [String.raw`'C:\Windows\x.exe'`, [String.raw`C:\Windows\x.exe`, String.raw`c:\windows\X.EXE`], [String.raw`C:\\Windows\\x.exe`, 'C:Windowsx.exe']],
    [String.raw`'C:\\Windows\\x.exe'`, [String.raw`C:\Windows\x.exe`], [String.raw`C:\\Windows\\x.exe`]],
    [String.raw`"C:\\Windows\\x.exe"`, [String.raw`C:\Windows\x.exe`], [String.raw`C:\\Windows\\x.exe`]],
    [String.raw`"C:\\\\Windows\\\\x.exe"`, [String.raw`C:\Windows\x.exe`], [String.raw`C:\\Windows\\x.exe`]],
    // a\*b: literal star
    [String.raw`'a\*b'`, ['a*b', 'A*B'], ['ab', 'axb', 'axxb', String.raw`a\*b`, String.raw`a\b`]],
    [String.raw`"a\\*b"`, ['a*b'], ['ab', 'axb', String.raw`a\*b`]],
    // what\?: literal question mark
    [String.raw`'what\?'`, ['what?'], ['whatx', 'what', String.raw`what\?`, String.raw`what\x`]],
    [String.raw`"what\\?"`, ['what?'], ['whatx', String.raw`what\?`]],
    // C:\Tools\\*: escaped backslash, then a real wildcard
    [String.raw`'C:\Tools\\*'`, [String.raw`C:\Tools\x.exe`, 'C:\\Tools\\', String.raw`C:\tools\a\b`], ['C:\\Tools', String.raw`C:\Toolsx`]],
    [String.raw`"C:\\Tools\\\\*"`, [String.raw`C:\Tools\x.exe`, 'C:\\Tools\\'], ['C:\\Tools', String.raw`C:\Toolsx`]],
    // C:\Users\*\AppData: the common mistake, a literal star and no wildcard
    [String.raw`'C:\Users\*\AppData'`, [String.raw`C:\Users*\AppData`], [String.raw`C:\Users\bob\AppData`, String.raw`C:\Users\*\AppData`, String.raw`C:\Users\\AppData`]],
    [String.raw`"C:\\Users\\*\\AppData"`, [String.raw`C:\Users*\AppData`], [String.raw`C:\Users\bob\AppData`, String.raw`C:\Users\*\AppData`]],
    // x\\\*: literal backslash, literal star
    [String.raw`'x\\\*'`, [String.raw`x\*`], [String.raw`x\abc`, String.raw`x\\*`, 'x*', 'x\\']],
    [String.raw`"x\\\\\\*"`, [String.raw`x\*`], [String.raw`x\abc`, 'x*']],
    // \\\\srv and \\\srv: three or four backslashes = two
    [String.raw`'\\\\srv'`, [String.raw`\\srv`, String.raw`\\SRV`], [String.raw`\\\\srv`, String.raw`\srv`, String.raw`\\\srv`]],
    [String.raw`'\\\srv'`, [String.raw`\\srv`], [String.raw`\\\srv`, String.raw`\srv`]],
    [String.raw`"\\\\\\\\srv"`, [String.raw`\\srv`], [String.raw`\\\\srv`, String.raw`\srv`]],
    // share\\\ at the end: two backslashes
    [String.raw`'share\\\'`, [String.raw`share\\`], ['share\\', 'share\\\\\\']],
    [String.raw`"share\\\\\\"`, [String.raw`share\\`], ['share\\']],
    // Temp\ at the end: one backslash
    [String.raw`'Temp\'`, ['Temp\\', 'temp\\'], ['Temp', String.raw`Temp\\`]],
    [String.raw`"Temp\\"`, ['Temp\\'], ['Temp', String.raw`Temp\\`]],
    // YAML double quotes run first: "C:\\Windows\\*" reaches Sigma as C:\Windows\* (literal star)
    [String.raw`"C:\\Windows\\*"`, [String.raw`C:\Windows*`], [String.raw`C:\Windows\x.exe`, String.raw`C:\Windows\*`]],
    // … while single-quoted C:\\Windows\\* is an escaped backslash and a wildcard
    [String.raw`'C:\\Windows\\*'`, [String.raw`C:\Windows\x.exe`, 'C:\\Windows\\'], ['C:\\Windows']],
    // and single-quoted C:\Windows\* is a literal star
    [String.raw`'C:\Windows\*'`, [String.raw`C:\Windows*`], [String.raw`C:\Windows\x.exe`]],
    // other escapes keep their backslash
    [String.raw`'\n\t\x'`, [String.raw`\n\t\x`], ['\n\t']],
    // plain (unquoted) YAML behaves like single quotes
    [String.raw`C:\Users\*\AppData`, [String.raw`C:\Users*\AppData`], [String.raw`C:\Users\bob\AppData`]],
  ];
  it.each(TABLE)('F: %s', (yaml, yes, no) => {
    const rule = fieldRule('F', yaml);
    for (const t of yes) expect(matches(rule, { F: t }), `should match ${JSON.stringify(t)}`).toBe(true);
    for (const t of no) expect(matches(rule, { F: t }), `should not match ${JSON.stringify(t)}`).toBe(false);
  });

  const PARSE: Array<[string, PatternToken[]]> = [
    [String.raw`C:\Windows\x.exe`, [lit(String.raw`C:\Windows\x.exe`)]],
    [String.raw`C:\\Windows\\x.exe`, [lit(String.raw`C:\Windows\x.exe`)]],
    [String.raw`a\*b`, [lit('a*b')]],
    [String.raw`what\?`, [lit('what?')]],
    [String.raw`C:\Tools\\*`, [lit('C:\\Tools\\'), ANY]],
    [String.raw`C:\Users\*\AppData`, [lit(String.raw`C:\Users*\AppData`)]],
    [String.raw`x\\\*`, [lit(String.raw`x\*`)]],
    [String.raw`\\\\srv`, [lit(String.raw`\\srv`)]],
    [String.raw`\\\srv`, [lit(String.raw`\\srv`)]],
    ['share\\\\\\', [lit(String.raw`share\\`)]],
    ['Temp\\', [lit('Temp\\')]],
    ['*', [ANY]],
    ['?', [ONE]],
    ['a*?b', [lit('a'), ANY, ONE, lit('b')]],
    ['', []],
    ['%x%', [lit('%x%')]],
    [String.raw`\%x%`, [lit(String.raw`\%x%`)]],
  ];
  it.each(PARSE)('parsePattern(%j)', (text, tokens) => {
    expect(parsePattern(text)).toEqual({ tokens, bytes: false });
  });
});

describe('§5 wildcards and matching', () => {
  const TABLE: Array<[string, unknown, boolean]> = [
    ["'a?b'", 'axb', true],
    ["'a?b'", 'ab', false],
    ["'a?b'", 'axxb', false],
    ["'a?b'", 'a\u{1F600}b', true], // one astral code point = one character
    ["'a?b'", 'a\u{1F600}\u{1F600}b', false],
    ["'??'", '\u{1F600}', false],
    ["'?'", '\u{1F600}', true],
    ["'a?b'", 'a\nb', true],
    ["'a*b'", 'a\nx\r\nb', true],
    ["'a*b'", 'ab', true],
    ["'a*b'", 'abc', false], // anchored at both ends
    ["'a*b'", 'xab', false],
    ["'*'", '', true],
    ["'*'", 'anything', true],
    ["'?*'", '', false],
    ["'a.b'", 'axb', false], // regex characters are literals
    ["'a+b'", 'aab', false],
    ["'(x)'", '(X)', true],
    ["'[ab]'", 'a', false],
    ["'^a$'", '^a$', true],
    ["'a|b'", 'a', false],
    ["'a/b'", 'a/b', true],
    ["'a{2}'", 'aa', false],
    // case folding (Unicode simple folding)
    ["'Σ'", 'σ', true],
    ["'σ'", 'ς', true],
    ["'ς'", 'Σ', true],
    ["'k'", '\u212a', true], // KELVIN SIGN
    ["'ß'", 'ss', false],
    ["'ß'", 'ẞ', true],
    ["'i'", '\u0130', false], // İ equals only itself
    ["'\u0130'", '\u0130', true],
    ["'é'", 'É', true],
    ["'é'", 'e\u0301', false], // no normalisation
    ["'a'", ' a', false], // no trimming
    ["''", '', true],
  ];
  it.each(TABLE)('F: %s vs %j → %s', (yaml, value, expected) => {
    expect(eq(yaml, value)).toBe(expected);
  });

  it('cased compares code points exactly', () => {
    const rule = fieldRule('F|cased', "'Abc*'");
    expect(matches(rule, { F: 'Abcdef' })).toBe(true);
    expect(matches(rule, { F: 'abcdef' })).toBe(false);
    expect(matches(rule, { F: 'ABCDEF' })).toBe(false);
    expect(matches(fieldRule('F|cased', "'\u212a'"), { F: 'k' })).toBe(false);
  });

  it('cased position in the chain does not matter', () => {
    for (const key of ['F|cased|contains', 'F|contains|cased']) {
      const rule = fieldRule(key, "'Exe'");
      expect(matches(rule, { F: 'x.Exe.y' }), key).toBe(true);
      expect(matches(rule, { F: 'x.exe.y' }), key).toBe(false);
    }
  });

  it('patternRegex is anchored, unicode and case-insensitive unless cased', () => {
    const p = parsePattern('a*b');
    expect(patternRegex(p, false).flags).toBe('iu');
    expect(patternRegex(p, true).flags).toBe('u');
    expect(patternRegex(p, false).test('xa-b')).toBe(false);
  });

  it('a literal pattern matches exactly its own text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (s) => {
        // escape Sigma's special characters, then parse: the pattern is the literal s
        const escaped = s.replace(/[\\*?]/g, '\\$&');
        const p = parsePattern(escaped);
        expect(patternRegex(p, true).test(s)).toBe(true);
        expect(patternRegex(p, false).test(s)).toBe(true);
      }),
    );
  });
});

describe('contains / startswith / endswith never re-parse the value', () => {
  const TABLE: Array<[string, string, string, boolean]> = [
    ['F|contains', String.raw`'\Temp\'`, String.raw`C:\Temp\file.exe`, true],
    ['F|contains', String.raw`'\Temp\'`, String.raw`C:\Temp*`, false],
    ['F|contains', String.raw`'\Temp\'`, '\\Temp\\', true],
    ['F|startswith', String.raw`'C:\Temp\'`, String.raw`C:\Temp\a.exe`, true],
    ['F|startswith', String.raw`'C:\Temp\'`, String.raw`x C:\Temp\a.exe`, false],
    ['F|endswith', String.raw`'\'`, 'C:\\dir\\', true],
    ['F|endswith', String.raw`'\'`, String.raw`C:\dir`, false],
    ['F|endswith', String.raw`'\System32\cmd.exe'`, String.raw`C:\Windows\System32\CMD.EXE`, true],
    ['F|endswith', String.raw`'\System32\cmd.exe'`, String.raw`C:\Windows\System32\cmd.exe.bak`, false],
    ['F|contains', String.raw`'a\*'`, 'xa*y', true],
    ['F|contains', String.raw`'a\*'`, 'xay', false],
    ['F|contains', String.raw`'a\\'`, String.raw`xa\y`, true],
    ['F|contains', "'a*b'", 'xxaYYby', true],
    ['F|contains', "'*a'", 'za', true],
    ['F|startswith', "'ab'", 'abc', true],
    ['F|startswith', "'ab'", 'cab', false],
    ['F|endswith', "'ab'", 'cab', true],
    ['F|endswith', "'ab'", 'abc', false],
    ['F|contains', "''", '', true],
    ['F|contains', "''", 'anything', true],
    ['F|contains', '00000429', 'x00000429x', true], // plain number: source text (§1)
    ['F|contains', '00000429', '429', false],
    ['F|startswith', '010', '0105', true],
  ];
  it.each(TABLE)('%s: %s vs %j → %s', (key, yaml, value, expected) => {
    expect(matches(fieldRule(key, yaml), { F: value })).toBe(expected);
  });

  it('adds real wildcard tokens, not a * character', () => {
    const p = addWildcards(parsePattern('\\Temp\\'), true, true);
    expect(p.tokens).toEqual([ANY, lit('\\Temp\\'), ANY]);
    expect(addWildcards(parsePattern('*a*'), true, true).tokens).toEqual([ANY, lit('a'), ANY]);
    expect(addWildcards(parsePattern('a'), false, true).tokens).toEqual([lit('a'), ANY]);
    expect(addWildcards(parsePattern('a'), true, false).tokens).toEqual([ANY, lit('a')]);
  });
});

describe('windash', () => {
  const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];
  it.each(DASHES)('a rule dash %j matches every one of the five dashes', (ruleDash) => {
    const rule = fieldRule('F|windash|contains', `' ${ruleDash}enc '`);
    for (const d of DASHES) expect(matches(rule, { F: `powershell ${d}enc abc` }), d).toBe(true);
    expect(matches(rule, { F: 'powershell _enc abc' })).toBe(false);
    expect(matches(rule, { F: 'powershell enc abc' })).toBe(false);
  });

  it('every position varies independently', () => {
    const rule = fieldRule('F|windash|contains', "' -a -b'");
    expect(matches(rule, { F: 'x /a \u2013b' })).toBe(true);
    expect(matches(rule, { F: 'x \u2015a -b' })).toBe(true);
    expect(matches(rule, { F: 'x -a b' })).toBe(false);
  });

  it('word-internal and unicode dashes are rewritten too (spec, not pySigma)', () => {
    expect(matches(fieldRule('F|windash', "'start/min'"), { F: 'start-min' })).toBe(true);
    expect(matches(fieldRule('F|windash', "'a\u2014b'"), { F: 'a-b' })).toBe(true);
  });

  it('without windash a dash is only itself', () => {
    expect(matches(fieldRule('F|contains', "' -enc'"), { F: 'x /enc' })).toBe(false);
  });

  it('is a character class per position, not an enumeration of 5^n strings', () => {
    const value = Array.from({ length: 30 }, (_, k) => `-a${k}`).join(' ');
    const rule = fieldRule('F|windash', `'${value}'`);
    const m = rule.plan.items[0]?.values[0]?.matcher;
    expect(m?.kind).toBe('string');
    if (m?.kind === 'string') expect(m.pattern.tokens.filter((t) => t.t === 'dash')).toHaveLength(30);
    expect(matches(rule, { F: value.replace(/-/g, '/') })).toBe(true);
    expect(windash(parsePattern('-a*/b')).tokens).toEqual([DASH, lit('a'), ANY, DASH, lit('b')]);
  });

  it('with contains|all, each value keeps its own OR of dashes', () => {
    const rule = compileDetection("sel:\n  F|windash|contains|all:\n    - ' -a'\n    - ' -b'\ncondition: sel");
    expect(matches(rule, { F: 'x /a \u2013b' })).toBe(true);
    expect(matches(rule, { F: 'x /a' })).toBe(false);
  });
});

describe('base64 and base64offset', () => {
  it.each([
    ['http://', 'aHR0cDovLw=='],
    ['abcd', 'YWJjZA=='],
    ['a', 'YQ=='],
    ['é', 'w6k='],
  ])('base64 of %j is %s', (value, encoded) => {
    expect(alternatives(matcherOf('F|base64', `'${value}'`))).toEqual([encoded]);
    expect(base64Pattern(parsePattern(value)).tokens).toEqual([lit(encoded)]);
  });

  it('an escaped wildcard is encoded as the literal character: a\\? → YT8=', () => {
    expect(alternatives(matcherOf('F|base64', String.raw`'a\?'`))).toEqual(['YT8=']);
    expect(alternatives(matcherOf('F|base64', String.raw`'a\*'`))).toEqual([Buffer.from('a*').toString('base64')]);
  });

  it('base64 output matches case-insensitively unless cased, and whole-value unless contains', () => {
    expect(matches(fieldRule('F|base64', "'http://'"), { F: 'aHR0cDovLw==' })).toBe(true);
    expect(matches(fieldRule('F|base64', "'http://'"), { F: 'AHR0CDOVLW==' })).toBe(true);
    expect(matches(fieldRule('F|base64|cased', "'http://'"), { F: 'AHR0CDOVLW==' })).toBe(false);
    expect(matches(fieldRule('F|base64', "'http://'"), { F: 'xaHR0cDovLw==' })).toBe(false);
    expect(matches(fieldRule('F|base64|contains', "'http://'"), { F: 'xaHR0cDovLw==x' })).toBe(true);
  });

  it.each([
    ['http://', ['aHR0cDovL', 'h0dHA6Ly', 'odHRwOi8v']],
    ['abcd', ['YWJjZ', 'FiY2', 'hYmNk']],
  ])('base64offset of %j', (value, variants) => {
    expect(alternatives(matcherOf('F|base64offset', `'${value}'`))).toEqual(variants);
    expect(base64OffsetPatterns(parsePattern(value)).map(patternDisplay)).toEqual(variants);
  });

  it('base64offset uses byte lengths for non-ASCII input', () => {
    // 'é' is 2 bytes: offsets 0,1,2 → encodings of [c3 a9], [00 c3 a9], [00 00 c3 a9]
    const variants = base64OffsetPatterns(parsePattern('éé'));
    const bytes = Buffer.from('éé');
    for (let lead = 0; lead < 3; lead++) {
      const blob = Buffer.concat([Buffer.from('xyz'.slice(0, lead)), bytes, Buffer.from('tail')]).toString('base64');
      expect(variants.some((v) => blob.includes(patternDisplay(v))), `offset ${lead}`).toBe(true);
    }
  });

  it('base64offset|contains finds the value at any offset inside a base64 blob (property)', () => {
    const rule = fieldRule('F|base64offset|contains', "'http://'");
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), (before, after) => {
        const blob = Buffer.from(`${before}http://${after}`).toString('base64');
        expect(matches(rule, { F: blob })).toBe(true);
      }),
    );
    expect(matches(rule, { F: Buffer.from('https://x').toString('base64') })).toBe(false);
  });

  it('base64offset without contains must equal the whole value', () => {
    const rule = fieldRule('F|base64offset', "'abcd'");
    expect(matches(rule, { F: 'FiY2' })).toBe(true);
    expect(matches(rule, { F: 'xFiY2' })).toBe(false);
  });

  it('a 1-byte base64offset input warns about its empty variant', () => {
    const rule = fieldRule('F|base64offset|contains', "'a'");
    expect(rule.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.message).join(' ')).toMatch(/empty variant/);
  });

  it.each(["'a*'", "'a?'", "'*'"])('base64 of a value with wildcards (%s) is an error', (yaml) => {
    expect(fieldRuleErrors('F|base64', yaml).map((d) => d.code)).toEqual(['MODIFIER_INVALID']);
    expect(fieldRuleErrors('F|base64offset', yaml).map((d) => d.code)).toEqual(['MODIFIER_INVALID']);
  });
});

describe('utf16le / wide / utf16be / utf16', () => {
  it.each([
    ['wide', 'YwBtAGQA'],
    ['utf16le', 'YwBtAGQA'],
    ['utf16be', 'AGMAbQBk'],
    ['utf16', '//5jAG0AZAA='],
  ])('%s|base64 of cmd is %s', (mod, encoded) => {
    expect(alternatives(matcherOf(`F|${mod}|base64`, "'cmd'"))).toEqual([encoded]);
    expect(matches(fieldRule(`F|${mod}|base64`, "'cmd'"), { F: encoded })).toBe(true);
  });

  it('wide|base64offset|contains finds UTF-16LE text inside a base64 blob', () => {
    const rule = fieldRule('F|wide|base64offset|contains', "'cmd'");
    for (const before of ['', 'a', 'ab', 'abc']) {
      const blob = Buffer.from(`${before}cmd /c`, 'utf16le').toString('base64');
      expect(matches(rule, { F: blob }), JSON.stringify(before)).toBe(true);
    }
    expect(matches(rule, { F: Buffer.from('cmd', 'utf8').toString('base64') })).toBe(false);
  });

  it('without base64 the byte characters are matched against the event string', () => {
    const rule = fieldRule('F|wide|contains', "'cmd'");
    expect(matches(rule, { F: 'x c\0m\0d\0 y' })).toBe(true);
    expect(matches(rule, { F: 'cmd' })).toBe(false);
    expect(matches(fieldRule('F|utf16be', "'ab'"), { F: '\0a\0b' })).toBe(true);
    expect(matches(fieldRule('F|utf16', "'a'"), { F: '\xff\xfea\0' })).toBe(true);
  });

  it('encodes non-ASCII and astral characters (spec, not pySigma)', () => {
    expect(utf16Pattern(parsePattern('é'), 'utf16le').tokens).toEqual([lit('\xe9\x00')]);
    expect(utf16Pattern(parsePattern('\u{1F600}'), 'utf16le').tokens).toEqual([lit('\x3d\xd8\x00\xde')]);
    expect(utf16Pattern(parsePattern('é'), 'utf16be').tokens).toEqual([lit('\x00\xe9')]);
    expect(utf16Pattern(parsePattern('é'), 'utf16').tokens).toEqual([lit('\xff\xfe\xe9\x00')]);
  });

  it('wildcards pass through the encoding', () => {
    const p: Pattern = utf16Pattern(parsePattern('a*b'), 'utf16le');
    expect(p).toEqual({ tokens: [lit('a\0'), ANY, lit('b\0')], bytes: true });
  });

  it('base64 of a byte pattern encodes the bytes, not their UTF-8', () => {
    expect(base64Pattern(utf16Pattern(parsePattern('é'), 'utf16le')).tokens).toEqual([lit(Buffer.from('é', 'utf16le').toString('base64'))]);
  });
});

describe('placeholders (expand)', () => {
  it('without expand, %name% is literal text and \\% keeps its backslash', () => {
    expect(matches(fieldRule('F', "'%Servers%'"), { F: '%servers%' })).toBe(true);
    expect(matches(fieldRule('F', String.raw`'\%x'`), { F: String.raw`\%x` })).toBe(true);
  });

  it('with expand, %name% is a placeholder and \\% a literal %', () => {
    expect(parsePattern('a%Servers%b', true).tokens).toEqual([lit('a'), { t: 'ph', name: 'Servers' }, lit('b')]);
    expect(parsePattern(String.raw`\%Servers%`, true).tokens).toEqual([lit('%Servers%')]);
    expect(parsePattern('100%', true).tokens).toEqual([lit('100%')]);
    expect(parsePattern('%%', true).tokens).toEqual([lit('%%')]);
  });

  it('placeholder values are Sigma patterns, OR-linked', () => {
    const placeholders = { Servers: ['srv-*', 'db1'] };
    const rule = fieldRule('F|expand', "'%Servers%'", { placeholders });
    expect(matches(rule, { F: 'SRV-01' })).toBe(true);
    expect(matches(rule, { F: 'db1' })).toBe(true);
    expect(matches(rule, { F: 'db2' })).toBe(false);
    expect(matches(rule, { F: '%Servers%' })).toBe(false);
  });

  it('an escaped \\% stays a literal % when expanding', () => {
    const rule = fieldRule('F|expand', String.raw`'\%Servers%'`, { placeholders: { Servers: ['x'] } });
    expect(matches(rule, { F: '%Servers%' })).toBe(true);
    expect(matches(rule, { F: 'x' })).toBe(false);
  });
});

describe('patternDisplay', () => {
  it('re-escapes literal * and ? so the display parses back to the same pattern', () => {
    for (const src of ['a\\*b', 'a*b?c', 'what\\?', 'x']) {
      const p = parsePattern(src);
      expect(parsePattern(patternDisplay(p))).toEqual(p);
    }
  });
});

describe('addWildcards on short patterns', () => {
  it('gives an empty contains value one wildcard, and a lone wildcard the literal shape contains ""', () => {
    expect(addWildcards(parsePattern(''), true, true).tokens).toEqual([{ t: 'any' }]);
    expect(addWildcards(parsePattern(''), false, true).tokens).toEqual([{ t: 'any' }]);
    expect(addWildcards(parsePattern('a'), true, true).tokens).toEqual([{ t: 'any' }, { t: 'lit', s: 'a' }, { t: 'any' }]);
    expect(addWildcards(parsePattern('*a'), true, false).tokens).toEqual([{ t: 'any' }, { t: 'lit', s: 'a' }]);
    expect(literalShape(parsePattern('*'), false)).toEqual({ mode: 'contains', text: '' });
    expect(literalShape(parsePattern('*A'), false)).toEqual({ mode: 'endswith', text: 'a' });
  });
});
