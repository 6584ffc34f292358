/**
 * Python `re` patterns and `re.sub` templates in JavaScript: what is translated, what is refused,
 * and that translated patterns match as Python's do on the cases where the dialects differ (the
 * expected values are CPython 3's results for the same calls).
 */
import { describe, expect, it } from 'vitest';
import { pythonRegex, pythonReplacement, pythonSub } from './python-regex.js';

function sub(pattern: string, template: string, text: string): string {
  const re = pythonRegex(pattern, { global: true });
  const rep = pythonReplacement(template);
  if ('error' in re || 'error' in rep) throw new Error('unusable');
  return pythonSub(re.regex, rep.replace, text);
}

describe('pythonRegex', () => {
  it('translates named groups, back-references, \\A, \\Z, {,n}, comments and leading flags', () => {
    expect(sub('(?P<w>ab)(?P=w)', 'X', 'ababab')).toBe('Xab');
    expect(sub('\\Aa', 'X', 'aa')).toBe('Xa');
    expect(sub('a\\Z', 'X', 'aa')).toBe('aX');
    // Python 3: re.sub('a{,2}', 'X', 'aaa') == 'XXX' (an empty match right after a match counts).
    expect(sub('a{,2}', 'X', 'aaa')).toBe('XXX');
    expect(sub('a(?#comment)b', 'X', 'ab')).toBe('X');
    expect(sub('(?i)ABC', 'X', 'abc')).toBe('X');
  });
  it("Python's $ also matches before a final newline", () => {
    expect(sub('a$', 'X', 'a\n')).toBe('X\n');
  });
  it('refuses what JavaScript cannot do, with the reason', () => {
    expect(pythonRegex('(?x) a b')).toEqual({ error: 'verbose patterns ((?x)) are not supported' });
    expect(pythonRegex('a(?i:b)')).toEqual({ error: 'inline flags inside the pattern ((?i:...), or (?i) not at the start) are not supported' });
    expect(pythonRegex('(?>a)')).toEqual({ error: 'atomic groups ((?>...)) are not supported' });
    expect(pythonRegex('a*+')).toEqual({ error: 'possessive quantifiers (*+, ++, ?+) are not supported' });
    expect('error' in pythonRegex('(')).toBe(true);
  });
  it('match (sticky) anchors at the start only, as re.match', () => {
    const r = pythonRegex('b', { sticky: true });
    if ('error' in r) throw new Error(r.error);
    expect(r.regex.test('ab')).toBe(false);
    r.regex.lastIndex = 0;
    expect(r.regex.test('ba')).toBe(true);
  });
});

describe('pythonReplacement', () => {
  it('groups by number and name, escapes, octal; an unmatched group is empty; other escapes of letters are errors', () => {
    expect(sub('(a)(b)?', '[\\1|\\2]', 'a')).toBe('[a|]');
    expect(sub('(?P<x>a)', '\\g<x>\\g<1>\\n\\t\\\\', 'a')).toBe('aa\n\t\\');
    expect(sub('a', '\\101', 'a')).toBe('A');
    expect(sub('a', '\\*', 'a')).toBe('\\*');
    expect(pythonReplacement('\\q')).toEqual({ error: 'bad escape \\q in the replacement' });
  });
});
