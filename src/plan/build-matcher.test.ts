import { describe, expect, it } from 'vitest';
import { buildMatcher } from './build-matcher.js';
import type { ChainContext } from './build-matcher.js';
import { checkModifierNames, MODIFIERS, parseModifierChain } from './modifier-chain.js';
import type { ModifierChain } from './modifier-chain.js';
import { resolvePlainScalar } from '../yaml/yaml-tree.js';
import { compileDetection, errorsOf, fieldRule, fieldRuleErrors, loadDetection, matches } from '../../test/support/rules.js';

const noPlaceholders: ChainContext = { placeholders: () => undefined };

describe('§7 invalid chains are rejected at load time', () => {
  // [key, value YAML, expected code, message fragment]
  const TABLE: Array<[string, string, string, RegExp]> = [
    ['F|contains|base64', "'abc'", 'MODIFIER_INVALID', /base64.*wildcard/],
    ['F|startswith|base64offset', "'abc'", 'MODIFIER_INVALID', /wildcard/],
    ['F|contains|re', "'abc'", 'MODIFIER_INVALID', /'re' must be the first modifier/],
    ['F|contains|i', "'abc'", 'MODIFIER_INVALID', /'i' must follow 're'/],
    ['F|cidr|contains', "'10.0.0.0/8'", 'MODIFIER_INVALID', /'contains' cannot be applied to a network/],
    ['F|gt', "'5'", 'MODIFIER_INVALID', /YAML number.*remove the quotes/],
    ['F|gte', "'abc'", 'MODIFIER_INVALID', /YAML number/],
    ['F|lt', 'true', 'MODIFIER_INVALID', /YAML number/],
    ['F|lte', 'null', 'MODIFIER_INVALID', /YAML number/],
    ['F|exists', "'yes'", 'MODIFIER_INVALID', /YAML boolean/],
    ['F|exists', 'yes', 'MODIFIER_INVALID', /YAML boolean/], // YAML 1.2: plain yes is a string
    ['F|exists', "'true'", 'MODIFIER_INVALID', /YAML boolean/],
    ['F|exists', '1', 'MODIFIER_INVALID', /YAML boolean/],
    ['F|hour', "'05'", 'MODIFIER_INVALID', /'hour'.*YAML number/],
    ['F|week', "'5'", 'MODIFIER_INVALID', /'week'.*YAML number/],
    ['F|gt|hour', '5', 'MODIFIER_INVALID', /'hour' cannot be applied to a comparison/],
    ['F|re|cased', "'abc'", 'MODIFIER_INVALID', /'cased' cannot be applied to a regular expression/],
    ['F|re|windash', "'abc'", 'MODIFIER_INVALID', /'windash' cannot be applied to a regular expression/],
    ['F|re|base64', "'abc'", 'MODIFIER_INVALID', /'base64' cannot be applied to a regular expression/],
    ['F|all|re', "['a', 'b']", 'MODIFIER_INVALID', /'re' must be the first modifier.*re\|all/],
    ['F|neq|cidr', "'10.0.0.0/8'", 'MODIFIER_INVALID', /'cidr' must be the first modifier.*cidr\|neq/],
    ['F|contains|cidr', "'10.0.0.0/8'", 'MODIFIER_INVALID', /'cidr' must be the first modifier/],
    ['F|neq|exists', 'true', 'MODIFIER_INVALID', /'exists' must be the first modifier/],
    ['F|contains|exists', 'true', 'MODIFIER_INVALID', /'exists' must be the first modifier/],
    ['F|i', "'abc'", 'MODIFIER_INVALID', /must follow 're'/],
    ['F|m', "'abc'", 'MODIFIER_INVALID', /must follow 're'/],
    ['F|contains|fieldref', "'Other'", 'MODIFIER_INVALID', /'fieldref' cannot be applied to a string pattern/],
    ['F|fieldref', "'Other*'", 'MODIFIER_INVALID', /without wildcards/],
    ['F|fieldref', 'null', 'MODIFIER_INVALID', /name of another field/],
    ['F|cidr', '10', 'CIDR_INVALID', /network written as text/],
    ['F|contains', 'null', 'MODIFIER_INVALID', /not null/],
    ['F|re', 'null', 'REGEX_INVALID', /not null/],
    ['F|wide|utf16be', "'a'", 'MODIFIER_INVALID', /already encoded/],
    ['F|hour|cased', '5', 'MODIFIER_INVALID', /'cased' cannot be applied to a timestamp part/],
    ['F|gt|contains', '5', 'MODIFIER_INVALID', /'contains' cannot be applied to a comparison/],
    ['F|exists|contains', 'true', 'MODIFIER_INVALID', /'contains' cannot be applied to an existence test/],
    ['F|cidr|gt', "'10.0.0.0/8'", 'MODIFIER_INVALID', /'gt' cannot be applied to a network/],
  ];
  it.each(TABLE)('%s: %s → %s', (key, yaml, code, message) => {
    const errors = fieldRuleErrors(key, yaml);
    expect(errors.map((d) => d.code)).toEqual([code]);
    expect(errors[0]?.message).toMatch(message);
    // the message names the search identifier and the rule value
    expect(errors[0]?.message).toMatch(/in 'sel'/);
  });

  it.each([
    ['F|Contains', /unknown modifier 'Contains' \(modifier names are lowercase: 'contains'\)/],
    ['F|CONTAINS', /lowercase: 'contains'/],
    ['F|contain', /unknown modifier 'contain'/],
    ['F|contains|bogus', /unknown modifier 'bogus'/],
    ['F|', /unknown modifier ''/],
    ['F|contains|', /unknown modifier ''/],
    ['F|Re', /lowercase: 're'/],
  ])('unknown modifier %s → MODIFIER_UNKNOWN', (key, message) => {
    const errors = fieldRuleErrors(key, "'x'");
    expect(errors.map((d) => d.code)).toEqual(['MODIFIER_UNKNOWN']);
    expect(errors[0]?.message).toMatch(message);
  });

  it.each([
    ['F|contains|all', "'x'"],
    ['F|contains|all', "['x']"],
    ['F|all', '5'],
    ["'|all'", "['x']"],
  ])('all on a single value is an error (%s: %s)', (key, yaml) => {
    const errors = fieldRuleErrors(key, yaml);
    expect(errors.map((d) => d.code)).toEqual(['MODIFIER_ALL_SINGLE']);
    expect(errors[0]?.message).toMatch(/at least two values/);
  });

  it.each([
    ['exists', 'true'],
    ['cidr', "'10.0.0.0/8'"],
    ['gt', '5'],
    ['lte', '5'],
    ['fieldref', "'Other'"],
    ['hour', '5'],
  ])("a keyword with '%s' is an error", (mod, yaml) => {
    const errors = fieldRuleErrors(`'|${mod}'`, yaml);
    expect(errors.map((d) => d.code)).toEqual(['MODIFIER_INVALID']);
    expect(errors[0]?.message).toMatch(/keyword/);
  });

  it.each(['null', 'true'])('a keyword value %s is an error', (yaml) => {
    const loaded = loadDetection(`kw:\n  - ${yaml}\ncondition: kw`);
    expect(errorsOf(loaded).map((d) => d.code)).toEqual(['MODIFIER_INVALID']);
  });

  it('parseModifierChain and buildMatcher report the same errors directly', () => {
    const r = parseModifierChain(['gt', 'hour'], false);
    expect('code' in r && r.code).toBe('MODIFIER_INVALID');
    const chain = parseModifierChain(['hour', 'gt'], false) as ModifierChain;
    const ok = buildMatcher(resolvePlainScalar('5'), chain, false, noPlaceholders);
    expect('code' in ok ? ok : ok.matcher).toEqual({ kind: 'compare', op: 'gt', value: 5, part: 'hour' });
    const bad = buildMatcher(resolvePlainScalar("'5'"), chain, false, noPlaceholders);
    expect('code' in bad && bad.code).toBe('MODIFIER_INVALID');
  });

  it('checkModifierNames accepts every documented modifier and nothing else', () => {
    const documented = [
      'contains', 'startswith', 'endswith', 'all', 'neq', 'cased', 'base64', 'base64offset', 'utf16le', 'wide',
      'utf16be', 'utf16', 'windash', 're', 'i', 'm', 's', 'cidr', 'gt', 'gte', 'lt', 'lte', 'minute', 'hour',
      'day', 'week', 'month', 'year', 'exists', 'fieldref', 'expand',
    ];
    expect(checkModifierNames(documented)).toBeUndefined();
    for (const m of MODIFIERS) expect(checkModifierNames([m])).toBeUndefined();
    expect(checkModifierNames(['contains', 'x'])).toMatch(/'x'/);
  });
});

describe('valid chains', () => {
  it('repeating a modifier is legal and harmless', () => {
    expect(matches(fieldRule('F|contains|contains', "'-a'"), { F: 'x-ay' })).toBe(true);
    expect(matches(fieldRule('F|windash|windash', "'-a'"), { F: '/a' })).toBe(true);
    expect(matches(fieldRule('F|windash|windash', "'-a'"), { F: 'x/a' })).toBe(false);
    expect(matches(fieldRule('F|base64|base64', "'a'"), { F: Buffer.from('YQ==').toString('base64') })).toBe(true);
  });

  describe('neq', () => {
    const TABLE: Array<[string, string, Record<string, unknown>, boolean]> = [
      ['F|neq', "'a'", { F: 'b' }, true],
      ['F|neq', "'a'", { F: 'A' }, false],
      ['F|neq', "'a'", {}, true], // absent field satisfies neq (harness rule)
      ['F|neq', "'a'", { F: null }, true],
      ['F|neq', "['a', 'b']", { F: 'b' }, false],
      ['F|neq', "['a', 'b']", { F: 'c' }, true],
      ['F|neq', "['a', 'b']", { F: ['c', 'a'] }, false], // multi-valued: any element equal → not neq
      ['F|neq|contains', "'evil'", { F: 'good' }, true],
      ['F|neq|contains', "'evil'", { F: 'so evil' }, false],
      ['F|contains|neq', "'evil'", { F: 'so evil' }, false],
      ['F|neq', '5', { F: '5.0' }, false],
      ['F|neq', 'null', { F: 'x' }, true],
      ['F|neq', 'null', {}, false],
      ['F|cidr|neq', "'10.0.0.0/8'", { F: '10.1.1.1' }, false],
      ['F|cidr|neq', "'10.0.0.0/8'", { F: '11.1.1.1' }, true],
      ['F|neq|contains|all', "['a', 'b']", { F: 'ab' }, false],
      ['F|neq|contains|all', "['a', 'b']", { F: 'a' }, true],
    ];
    it.each(TABLE)('%s: %s on %j → %s', (key, yaml, event, expected) => {
      expect(matches(fieldRule(key, yaml), event)).toBe(expected);
    });
  });

  describe('fieldref', () => {
    const TABLE: Array<[string, Record<string, unknown>, boolean]> = [
      ['F|fieldref', { F: 'abc', G: 'abc' }, true],
      ['F|fieldref', { F: 'ABC', G: 'abc' }, true], // case-insensitive
      ['F|fieldref', { F: 'Σ', G: 'ς' }, true],
      ['F|fieldref', { F: 'abc', G: 'abd' }, false],
      ['F|fieldref', { F: 'abc' }, false], // referenced field absent
      ['F|fieldref', { G: 'abc' }, false],
      ['F|fieldref', { F: null, G: null }, false],
      ['F|fieldref', { F: 5, G: '5' }, true], // rendered as text
      ['F|fieldref', { F: true, G: 'TRUE' }, true],
      ['F|fieldref', { F: ['x', 'y'], G: ['z', 'y'] }, true],
      ['F|fieldref', { F: 'a.b', G: 'a.b' }, true],
      ['F|fieldref', { F: 'axb', G: 'a.b' }, false], // no regex semantics in the value
      ['F|fieldref', { F: 'a*', G: 'a*' }, true],
      ['F|fieldref', { F: 'ab', G: 'a*' }, false], // no wildcard semantics either
      ['F|fieldref|startswith', { F: 'C:\\Temp\\x.exe', G: 'c:\\temp' }, true],
      ['F|fieldref|startswith', { F: 'x C:\\Temp', G: 'c:\\temp' }, false],
      ['F|fieldref|endswith', { F: 'C:\\Temp\\x.EXE', G: 'x.exe' }, true],
      ['F|fieldref|endswith', { F: 'x.exe.bak', G: 'x.exe' }, false],
      ['F|fieldref|contains', { F: 'aXYZb', G: 'xyz' }, true],
      ['F|fieldref|contains', { F: 'ab', G: 'xyz' }, false],
      ['F|fieldref|contains', { F: 'a(b', G: '(' }, true],
      ['F|fieldref|neq', { F: 'a', G: 'b' }, true],
      ['F|fieldref|neq', { F: 'a', G: 'A' }, false],
      ['F|fieldref|cased', { F: 'ABC', G: 'abc' }, false],
      ['F|fieldref|cased', { F: 'abc', G: 'abc' }, true],
    ];
    it.each(TABLE)('%s with %j → %s', (key, event, expected) => {
      expect(matches(fieldRule(key, 'G'), event)).toBe(expected);
    });
    it('the referenced field may be dotted', () => {
      expect(matches(fieldRule('F|fieldref', 'a.b'), { F: 'x', a: { b: 'X' } })).toBe(true);
    });
  });

  describe('exists', () => {
    const TABLE: Array<[string, Record<string, unknown>, boolean]> = [
      ['true', { F: 'x' }, true],
      ['true', { F: '' }, true],
      ['true', { F: null }, true],
      ['true', { F: 0 }, true],
      ['true', { F: [] }, true],
      ['true', {}, false],
      ['true', { f: 'x' }, false], // field names are case-sensitive
      ['false', {}, true],
      ['false', { F: null }, false],
      ['false', { F: '' }, false],
      ['false', { G: 'x' }, true],
    ];
    it.each(TABLE)('F|exists: %s on %j → %s', (yaml, event, expected) => {
      expect(matches(fieldRule('F|exists', yaml), event)).toBe(expected);
    });
    it('works on dotted paths', () => {
      const rule = fieldRule('a.b|exists', 'true');
      expect(matches(rule, { a: { b: null } })).toBe(true);
      expect(matches(rule, { 'a.b': 1 })).toBe(true);
      expect(matches(rule, { a: { c: 1 } })).toBe(false);
      expect(matches(rule, { a: [{ c: 1 }, { b: 2 }] })).toBe(true);
    });
  });

  describe('gt / gte / lt / lte', () => {
    const TABLE: Array<[string, string, unknown, boolean]> = [
      ['gt', '5', 6, true],
      ['gt', '5', 5, false],
      ['gt', '5', '6', true],
      ['gt', '5', '10', true], // numeric, not lexicographic
      ['gt', '5', '5.5', true],
      ['gt', '5', '1e1', true],
      ['gt', '5', ' 6', false], // no trimming
      ['gt', '5', '6 ', false],
      ['gt', '5', 'six', false],
      ['gt', '5', '0x10', false],
      ['gt', '5', true, false],
      ['gt', '5', null, false],
      ['gt', '5', undefined, false],
      ['gte', '5', 5, true],
      ['gte', '5', '5.0', true],
      ['gte', '5', 4.99, false],
      ['lt', '5', 4, true],
      ['lt', '5', '-1', true],
      ['lt', '5', 5, false],
      ['lt', '5', '', false],
      ['lte', '5', 5, true],
      ['lte', '5', '+5', true],
      ['lte', '5', 6, false],
      ['lt', '1.5', 1.25, true],
      ['gt', '-1', 0, true],
      ['gt', '010', 11, true], // YAML 1.2: 010 is ten (not 8)
      ['gt', '010', 10, false],
      ['lt', '010', 9, true],
      ['gt', '0x10', 17, true],
      ['gt', '0x10', 16, false],
    ];
    it.each(TABLE)('F|%s: %s vs %j → %s', (op, yaml, value, expected) => {
      const event = value === undefined ? {} : { F: value };
      expect(matches(fieldRule(`F|${op}`, yaml), event)).toBe(expected);
    });
    it('multi-valued: any element', () => {
      expect(matches(fieldRule('F|gt', '5'), { F: [1, 2, 7] })).toBe(true);
      expect(matches(fieldRule('F|gt', '5'), { F: [1, 2] })).toBe(false);
    });
    it('range with two items on the same field', () => {
      const rule = compileDetection('sel:\n  F|gte: 10\n  F|lt: 20\ncondition: sel');
      expect(matches(rule, { F: 10 })).toBe(true);
      expect(matches(rule, { F: 19.9 })).toBe(true);
      expect(matches(rule, { F: 20 })).toBe(false);
      expect(matches(rule, { F: 9 })).toBe(false);
    });
  });

  describe('timestamp parts', () => {
    const TS = '2024-03-07T22:15:09.123+01:00';
    const TABLE: Array<[string, string, unknown, boolean]> = [
      ['year', '2024', TS, true],
      ['month', '3', TS, true],
      ['day', '7', TS, true],
      ['hour', '22', TS, true], // as written, no time zone conversion
      ['minute', '15', TS, true],
      ['hour', '21', TS, false],
      ['hour|gte', '22', TS, true],
      ['hour|gte', '22', '2024-03-07 08:00', false],
      ['hour|lt', '6', '2024-03-07 05:59:59Z', true],
      ['minute|gt', '14', TS, true],
      ['month|lte', '2', TS, false],
      ['hour', '22', '2024-03-07', false], // no time part
      ['day', '7', '2024-03-07', true],
      ['day', '7', '07.03.2024', false], // other formats do not match
      ['year', '2024', 1709849709, false], // epoch numbers do not match
      ['year', '2024', 'not a date', false],
      ['hour', '8', '2024-03-07T08:00:00Z', true],
      ['hour', '8', '2024-03-07T08:00', true],
      ['hour', '8', '2024-03-07T08:00:00-0500', true],
      // ISO-8601 weeks
      ['week', '10', TS, true],
      ['week', '53', '2021-01-03', true], // Sunday: still week 53 of 2020
      ['week', '1', '2021-01-04', true],
      ['week', '1', '2024-12-30', true], // Monday: week 1 of 2025
      ['week', '53', '2020-12-31', true],
      ['week', '1', '2026-01-01', true],
      ['week', '53', '2027-01-01', true],
      ['week', '52', '2023-12-31', true],
      ['week|gte', '52', '2027-01-01', true],
    ];
    it.each(TABLE)('F|%s: %s vs %j → %s', (mod, yaml, value, expected) => {
      expect(matches(fieldRule(`F|${mod}`, yaml), { F: value })).toBe(expected);
    });
  });

  describe('cidr', () => {
    const TABLE: Array<[string, unknown, boolean]> = [
      ['10.0.0.0/8', '10.1.2.3', true],
      ['10.0.0.0/8', '11.0.0.0', false],
      ['10.0.0.0/8', '10.0.0.0', true],
      ['10.0.0.0/8', '10.255.255.255', true],
      ['192.168.1.0/24', '192.168.1.77', true],
      ['192.168.1.0/24', '192.168.2.1', false],
      ['192.168.1.5', '192.168.1.5', true], // bare address = /32
      ['192.168.1.5', '192.168.1.6', false],
      ['0.0.0.0/0', '8.8.8.8', true],
      ['2001:db8::/32', '2001:0db8::1', true],
      ['2001:db8::/32', '2001:DB8:ffff::1', true],
      ['2001:db8::/32', '2001:db9::1', false],
      ['::1/128', '0:0:0:0:0:0:0:1', true],
      ['::1', '::1', true],
      ['::/0', '2001:db8::1', true],
      // cross-family never matches
      ['10.0.0.0/8', '::ffff:10.0.0.1', false],
      ['::ffff:0:0/96', '10.0.0.1', false],
      ['::/0', '10.0.0.1', false],
      ['0.0.0.0/0', '::1', false],
      // non-IP values are non-matches, not errors
      ['10.0.0.0/8', '10.0.0.1/32', false],
      ['10.0.0.0/8', 'ten', false],
      ['10.0.0.0/8', '', false],
      ['10.0.0.0/8', 10, false],
      ['10.0.0.0/8', null, false],
      ['10.0.0.0/8', ' 10.0.0.1', false],
      ['10.0.0.0/8', '10.0.0.256', false],
    ];
    it.each(TABLE)('F|cidr: %s vs %j → %s', (net, value, expected) => {
      expect(matches(fieldRule('F|cidr', `'${net}'`), { F: value })).toBe(expected);
    });

    it.each([
      ['10.0.0.1/8', /host bits.*10\.0\.0\.0\/8/],
      ['2001:db8::1/32', /host bits/],
      ['10.0.0.0/33', /prefix length/],
      ['10.0.0.0/', /prefix length/],
      ['::/129', /prefix length/],
      ['10.0.0', /not an IPv4 or IPv6 network/],
      ['example.com', /not an IPv4 or IPv6 network/],
    ])('invalid network %s → CIDR_INVALID', (net, message) => {
      const errors = fieldRuleErrors('F|cidr', `'${net}'`);
      expect(errors.map((d) => d.code)).toEqual(['CIDR_INVALID']);
      expect(errors[0]?.message).toMatch(message);
    });

    it('a list of networks is OR-linked', () => {
      const rule = fieldRule('F|cidr', "['10.0.0.0/8', '192.168.0.0/16']");
      expect(matches(rule, { F: '192.168.3.3' })).toBe(true);
      expect(matches(rule, { F: '172.16.0.1' })).toBe(false);
    });
  });

  describe('re and flags', () => {
    const TABLE: Array<[string, string, unknown, boolean]> = [
      ['F|re', "'ab+c'", 'xxabbbcxx', true], // a search, not anchored
      ['F|re', "'^ab+c$'", 'xxabbbcxx', false],
      ['F|re', "'^ab+c$'", 'abbc', true],
      ['F|re', "'abc'", 'ABC', false], // case-sensitive by default
      ['F|re|i', "'abc'", 'xABCx', true],
      ['F|re|ignorecase', "'abc'", 'ABC', true],
      ['F|re', "'(?i)abc'", 'ABC', true], // leading inline flag group
      ['F|re', "'(?i)^abc$'", 'xABC', false],
      ['F|re', "'(?s)a.c'", 'a\nc', true],
      ['F|re', "'a.c'", 'a\nc', false],
      ['F|re|s', "'a.c'", 'a\nc', true],
      ['F|re|dotall', "'a.c'", 'a\nc', true],
      ['F|re', "'^b$'", 'a\nb\nc', false],
      ['F|re|m', "'^b$'", 'a\nb\nc', true],
      ['F|re|multiline', "'^b$'", 'a\nb\nc', true],
      ['F|re', "'(?m)^b$'", 'a\nb\nc', true],
      ['F|re', "'(?im)^B$'", 'a\nb\nc', true],
      ['F|re|i|m|s', "'^B.C$'", 'x\nb\nc', true],
      ['F|re', String.raw`'\d{3}'`, 'ab123', true],
      ['F|re', String.raw`'C:\\Windows\\.*\.exe'`, 'C:\\Windows\\System32\\x.exe', true],
      ['F|re', "'a'", 5, false],
      ['F|re', "'5'", 45, true], // searched in the rendered value
      ['F|re', "'true'", true, true],
      ['F|re', "'.*'", null, false],
      ['F|re|contains', "'^ab'", 'xab', false], // contains changes nothing on a regex
      ['F|re|contains', "'ab'", 'xabx', true],
      ['F|re|startswith', "'b$'", 'ab', true],
    ];
    it.each(TABLE)('%s: %s vs %j → %s', (key, yaml, value, expected) => {
      expect(matches(fieldRule(key, yaml), { F: value })).toBe(expected);
    });

    it.each([
      [String.raw`'\Aabc'`, /\\A/],
      [String.raw`'abc\Z'`, /\\Z/],
      [String.raw`'abc\z'`, /\\z/],
      ["'(?P<name>abc)'", /\(\?P/],
      ["'(?P=name)'", /\(\?P/],
      ["'a++'", /possessive/],
      ["'a*+b'", /possessive/],
      ["'a{2}+'", /possessive/],
      ["'(?>abc)'", /atomic/],
      ["'a(?i)b'", /inline flag/],
      ["'(?#comment)a'", /comment/],
      ["'(?x)a b'", /extended/],
      [String.raw`'\Qa.b\E'`, /quoting/],
    ])('PCRE-only construct %s → REGEX_INVALID', (yaml, message) => {
      const errors = fieldRuleErrors('F|re', yaml);
      expect(errors.map((d) => d.code)).toEqual(['REGEX_INVALID']);
      expect(errors[0]?.message).toMatch(message);
    });

    it.each(["'*'", "'(abc'", "'a{2,1}'", "'[z-a]'"])('an invalid regex %s → REGEX_INVALID', (yaml) => {
      expect(fieldRuleErrors('F|re', yaml).map((d) => d.code)).toEqual(['REGEX_INVALID']);
    });

    it('PCRE-looking text inside a character class is fine', () => {
      expect(matches(fieldRule('F|re', String.raw`'[\A]+'`), { F: 'AA' })).toBe(true);
      expect(matches(fieldRule('F|re', String.raw`'[(?P]'`), { F: 'P' })).toBe(true);
    });

    it('corpus-style constructs compile: \\d \\s \\w \\b, (?:…), lazy quantifiers, identity escapes', () => {
      const rule = fieldRule('F|re', String.raw`'(?:\bcmd\b|\w+\s\d+?)\"'`);
      expect(matches(rule, { F: 'run cmd"' })).toBe(true);
    });

    it('re|all needs every regex to match', () => {
      const rule = fieldRule('F|re|all', "['^a', 'b$']");
      expect(matches(rule, { F: 'axb' })).toBe(true);
      expect(matches(rule, { F: 'axc' })).toBe(false);
    });
  });

  describe('expand', () => {
    const placeholders = { Admins: ['admin*', 'root'], Servers: ['srv1'] };
    it('resolves configured placeholders (LoadOptions.placeholders)', () => {
      const rule = fieldRule('User|expand', "'%Admins%'", { placeholders });
      expect(matches(rule, { User: 'Administrator' })).toBe(true);
      expect(matches(rule, { User: 'root' })).toBe(true);
      expect(matches(rule, { User: 'guest' })).toBe(false);
    });

    it('combines with contains and with surrounding text', () => {
      const rule = fieldRule('F|contains|expand', "'\\\\%Servers%\\\\share'", { placeholders });
      expect(matches(rule, { F: 'net use \\\\SRV1\\share' })).toBe(true);
      expect(matches(rule, { F: 'net use \\\\srv2\\share' })).toBe(false);
    });

    it('several placeholders give the cross product', () => {
      const rule = fieldRule('F|expand', "'%Admins%@%Servers%'", { placeholders });
      expect(matches(rule, { F: 'root@srv1' })).toBe(true);
      expect(matches(rule, { F: 'admin2@SRV1' })).toBe(true);
      expect(matches(rule, { F: 'root@srv2' })).toBe(false);
    });

    it('works on regex values', () => {
      const rule = fieldRule('F|re|expand', "'^%Servers%\\.corp$'", { placeholders });
      expect(matches(rule, { F: 'srv1.corp' })).toBe(true);
      expect(matches(rule, { F: 'srv1xcorp' })).toBe(false);
    });

    it('an unconfigured placeholder is PLACEHOLDER_UNRESOLVED, naming it and where to configure it', () => {
      const loaded = loadDetection("sel:\n  User|expand: '%Admins%'\ncondition: sel");
      const errors = errorsOf(loaded);
      expect(errors.map((d) => d.code)).toEqual(['PLACEHOLDER_UNRESOLVED']);
      expect(errors[0]?.message).toMatch(/%Admins%/);
      expect(errors[0]?.message).toMatch(/placeholders/);
      expect(errors[0]?.path).toBe('detection.sel["User|expand"]');
      expect(loaded.rules).toEqual([]);
      // the rule is still readable for lint/explain
      expect(loaded.invalid[0]?.partial?.plan.items).toHaveLength(1);
    });

    it('a placeholder configured with an empty list is unresolved too', () => {
      const errors = fieldRuleErrors('User|expand', "'%Admins%'", { placeholders: { Admins: [] } });
      expect(errors.map((d) => d.code)).toEqual(['PLACEHOLDER_UNRESOLVED']);
    });

    it('an unresolved placeholder in a regex is reported as well', () => {
      expect(fieldRuleErrors('F|re|expand', "'%Admins%'").map((d) => d.code)).toEqual(['PLACEHOLDER_UNRESOLVED']);
    });

    it('without expand no placeholder is looked up', () => {
      expect(fieldRuleErrors('User', "'%Admins%'")).toEqual([]);
    });
  });
});

describe('limits: the patterns one value may become', () => {
  it('|base64offset × 14 on a 200-byte value is VALUE_LIMIT at once (3^14 patterns took 4.4 GB)', () => {
    const key = `F${'|base64offset'.repeat(14)}|contains`;
    const t0 = Date.now();
    const errors = fieldRuleErrors(key, `'${'x'.repeat(200)}'`);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(errors.map((d) => [d.code, d.pos?.line])).toEqual([['VALUE_LIMIT', 6]]);
    expect(errors[0]?.message).toMatch(/becomes at least [\d,]+ patterns through 'base64offset', more than 4,096 \(limits\.value_alternatives\)/);
    // Seven fit (3^7 = 2,187), with the default limit.
    expect(fieldRule(`F${'|base64offset'.repeat(7)}|contains`, "'abc'").plan.items[0]?.values[0]?.matcher.kind).toBe('anyOf');
  });

  it('30 placeholders of 10 values under |expand are VALUE_LIMIT, counted before the cross product is built', () => {
    const placeholders = { a: Array.from({ length: 10 }, (_, k) => `v${k}`) };
    const errors = fieldRuleErrors('F|expand', `'${'%a%'.repeat(30)}'`, { placeholders });
    expect(errors.map((d) => d.code)).toEqual(['VALUE_LIMIT']);
    expect(errors[0]?.message).toMatch(/becomes 1\.0e\+30 patterns through its placeholders/);
    // Three are 1,000 patterns: fine.
    expect(matches(fieldRule('F|expand', "'%a%-%a%-%a%'", { placeholders }), { F: 'v1-v2-v3' })).toBe(true);
  });

  it('windash before an encoding counts its 5^n dash variants', () => {
    const errors = fieldRuleErrors('F|windash|base64offset|contains', "'-a-b-c-d-e-f'");
    expect(errors.map((d) => d.code)).toEqual(['VALUE_LIMIT']);
    expect(errors[0]?.message).toMatch(/5\^6 patterns through windash before 'base64offset'/);
    expect(fieldRuleErrors('F|windash|base64offset|contains', "'-a-b'")).toEqual([]);
  });

  it('the limit is a load option (limits.value_alternatives in the config)', () => {
    expect(fieldRuleErrors('F|base64offset|contains', "'abc'", { limits: { valueAlternatives: 2 } }).map((d) => d.code)).toEqual(['VALUE_LIMIT']);
    expect(fieldRuleErrors('F|base64offset|contains', "'abc'", { limits: { valueAlternatives: 3 } })).toEqual([]);
  });

  it("'%constructor%' and '%__proto__%' without config are unresolved placeholders, not a crash", () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(fieldRuleErrors('F|expand', `'x%${name}%'`).map((d) => d.code), name).toEqual(['PLACEHOLDER_UNRESOLVED']);
      expect(fieldRuleErrors('F|re|expand', `'x%${name}%'`).map((d) => d.code), name).toEqual(['PLACEHOLDER_UNRESOLVED']);
    }
    // ... and resolved like any other name when configured.
    expect(matches(fieldRule('F|expand', "'%__proto__%'", { placeholders: JSON.parse('{"__proto__": ["p"]}') as Record<string, string[]> }), { F: 'p' })).toBe(true);
  });
});
