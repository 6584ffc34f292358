import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadRuleText } from '../rules/load-rule.js';
import type { SigmaRule } from '../rules/load-rule.js';
import { evaluatePlan } from '../evaluate/evaluate.js';
import { compilePlan, describeCompiled, planMatcher } from './compile-plan.js';

function rule(detection: string): SigmaRule {
  const loaded = loadRuleText(`title: t\nlogsource: {product: windows}\ndetection:\n${detection}`, 't.yml');
  const r = loaded.rules[0];
  if (r === undefined) throw new Error(JSON.stringify(loaded.diagnostics));
  return r;
}

function compiled(r: SigmaRule) {
  const c = compilePlan(r.plan);
  if (!c.ok) throw new Error(c.reason);
  return c.compiled;
}

describe('compilePlan', () => {
  it('keeps rule data out of the generated source', () => {
    const r = rule('  sel:\n    "x\']; globalThis.pwned = 1; //": "*/ globalThis.pwned = 2; /*"\n    CommandLine|contains: \'`${globalThis.pwned = 3}\'\n  condition: sel');
    const c = compiled(r);
    expect(c.source).not.toContain('pwned');
    expect(c.source).not.toContain('CommandLine');
    const e = { "x']; globalThis.pwned = 1; //": '*/ globalThis.pwned = 2; /*', CommandLine: 'a`${globalThis.pwned = 3}b' };
    expect(c.match(e)).toBe(true);
    expect((globalThis as Record<string, unknown>).pwned).toBeUndefined();
    // The data travels by reference and is listed for --dump-js.
    expect(c.data).toContain('CommandLine');
    expect(describeCompiled(c)).toContain('"CommandLine"');
  });

  it('uses indexOf-style tests on precomputed lowercase needles, and the wildcard matcher only for wildcards in the middle', () => {
    const c = compiled(rule(`  sel:\n    Image|endswith: '\\\\CMD.exe'\n    CommandLine: 'a*b'\n  condition: sel`));
    // The text is folded once, on first use, and only when its length allows a match.
    expect(c.source).toContain('(v.length >= 8 && (l ??= h.lower(v)).endsWith(');
    expect(c.data).toContain('\\cmd.exe');
    // The wildcard matcher compares the folded text too.
    expect(c.source).toMatch(/d\[\d+\]\.test\(v, \(l \?\?= h\.lower\(v\)\)\)/);
    expect(describeCompiled(c)).toContain('wildcard /^(?:a[\\s\\S]*b)$/iu');
  });

  it('decides texts of the wrong length before folding them, with the verdicts of the evaluator', () => {
    const r = rule(`  sel:\n    Details: '(Empty)'\n    Image|startswith: ['C:\\WINDOWS\\', 'D:\\']\n    CommandLine|contains: ''\n  condition: sel`);
    const c = compiled(r);
    expect(c.source).toContain('v.length === 7');
    expect(c.source).toContain('v.length >= 11');
    for (const details of ['(empty)', '(EMPTY)', '(empty) ', '(empt)', '', '(ſmpty)', '(\u212Ampty)']) {
      for (const image of ['c:\\windows\\x.exe', 'C:\\WINDOWS', 'D:\\', 'd:', 'e:\\x']) {
        const e = { Details: details, Image: image, CommandLine: 'x' };
        expect(c.match(e), JSON.stringify(e)).toBe(evaluatePlan(r.plan, e).match);
      }
    }
    expect(c.match({ Details: '(EMPTY)', Image: 'c:\\windows\\x', CommandLine: '' })).toBe(true);
  });

  it('decides an absent plain field at compile time and sends other shapes to the reference item', () => {
    const r = rule(`  sel:\n    User: null\n    Image|endswith: '.exe'\n  condition: sel`);
    const c = compiled(r);
    expect(c.source).toContain('return true;'); // User absent: null matches
    for (const e of [{ Image: 'a.exe' }, { Image: 'a.exe', User: null }, { Image: ['x', 'a.EXE'] }, { Image: 'a.exe', User: 'u' }, { Image: 7 }]) {
      expect(c.match(e), JSON.stringify(e)).toBe(evaluatePlan(r.plan, e).match);
    }
  });

  it('matches non-ASCII text by the regex (Unicode case folding) and never an ASCII text for a non-ASCII needle', () => {
    const r = rule(`  sel:\n    CommandLine|contains: 'ÉCOLE'\n  k:\n    CommandLine|contains: 'sekurlsa'\n  condition: sel or k`);
    const c = compiled(r);
    expect(c.match({ CommandLine: 'x école y' })).toBe(true);
    expect(c.match({ CommandLine: 'x ecole y' })).toBe(false);
    expect(c.match({ CommandLine: 'ſekurlſa' })).toBe(true); // ſ folds to s
    expect(c.match({ CommandLine: 'SEKURLSA' })).toBe(true);
  });

  it('compiles keywords, numbers and the quantifiers', () => {
    const r = rule(`  keywords: ['mimikatz', 'sekurlsa::*']\n  sel_1: {EventID: [4624, 4625]}\n  sel_2: {EventID: 1}\n  condition: keywords or all of sel_*`);
    const c = compiled(r);
    expect(c.match({ a: { b: ['x', 'run MIMIKATZ now'] } })).toBe(true);
    expect(c.match({ EventID: 4624 })).toBe(false);
    expect(c.match({ EventID: '4624', x: 'sekurlsa::logonpasswords' })).toBe(true);
    expect(compiled(rule(`  sel_1: {EventID: 4624}\n  condition: 1 of sel_1 or 1 of nothing_*`)).match({ EventID: 4624 })).toBe(true);
  });

  it('memoises the matcher per plan and can be told to interpret', () => {
    const r = rule(`  sel: {a: 1}\n  condition: sel`);
    expect(planMatcher(r.plan)).toBe(planMatcher(r.plan));
    expect(planMatcher(r.plan).compiled).toBe(true);
    const i = planMatcher(r.plan, true);
    expect(i.compiled).toBe(false);
    expect(i.match({ a: 1 })).toBe(true);
  });

  it('tests long literal lists as one set, with the regex still deciding non-ASCII texts', () => {
    const names = Array.from({ length: 30 }, (_, i) => `'\\\\lib${i}.dll'`).join(', ');
    const cmds = Array.from({ length: 20 }, (_, i) => `'-cmd${i} '`).join(', ');
    const r = rule(`  sel:\n    ImageLoaded|endswith: [${names}, 'x*y']\n  cmd:\n    CommandLine|contains: [${cmds}]\n  eq:\n    User: [a, b, c, d, SKY]\n  condition: sel or cmd or eq`);
    const c = compiled(r);
    expect(c.source).toContain('.test((l ??= h.lower(v)))');
    expect(describeCompiled(c)).toContain('endswith any of 30');
    const events = [
      { ImageLoaded: 'C:\\Windows\\LIB7.dll' },
      { ImageLoaded: 'C:\\Windows\\lib7.dll.bak' },
      { ImageLoaded: 'C:\\x\\ſlib7.dll' },
      { ImageLoaded: 'C:\\x\\lib1ſ.dll' },
      { ImageLoaded: 'xzzy' },
      { CommandLine: 'run -CMD19 now' },
      { CommandLine: 'run -cmd19now' },
      { CommandLine: 'é -cmd3 ' },
      { User: 'ſ\u212Ay' },
      { User: 'sky' },
      { User: 'e' },
    ];
    for (const e of events) expect(c.match(e), JSON.stringify(e)).toBe(evaluatePlan(r.plan, e).match);
    expect(c.match({ User: 'ſ\u212Ay' })).toBe(true);
  });

  it('compares cidr networks as the evaluator does, parsing the address once', () => {
    const r = rule(`  sel:\n    DestinationIp|cidr: ['10.0.0.0/8', '0.0.0.0/0', '192.168.1.128/25', '::1/128', 'fe80::/10', '2001:db8::/32', '1.2.3.4/32']\n  condition: sel`);
    const narrow = rule(`  sel:\n    DestinationIp|cidr: ['10.0.0.0/8', '192.168.1.128/25', 'fe80::/10', '1.2.3.4/32', '::/0']\n  condition: sel`);
    const c = compiled(r);
    const n = compiled(narrow);
    for (const ip of ['10.1.2.3', '11.0.0.1', '192.168.1.200', '192.168.1.127', '1.2.3.4', '1.2.3.5', '::1', 'FE80::1', 'fec0::1', '2001:db8::ffff', '2001:db9::', 'x', '255.255.255.255', '0.0.0.0', '01.2.3.4', '::ffff:10.0.0.1']) {
      expect(c.match({ DestinationIp: ip }), ip).toBe(evaluatePlan(r.plan, { DestinationIp: ip }).match);
      expect(n.match({ DestinationIp: ip }), ip).toBe(evaluatePlan(narrow.plan, { DestinationIp: ip }).match);
    }
    expect(n.match({ DestinationIp: '192.168.1.200' })).toBe(true);
    expect(n.match({ DestinationIp: '192.168.1.127' })).toBe(false);
    // Lists of four or more networks are tested as one set, listed so by --dump-js.
    expect(describeCompiled(c)).toContain('cidr any of 7: ["10.0.0.0/8","0.0.0.0/0","192.168.1.128/25"], ...');
  });

  it('tests a long cidr list as one set with the evaluator verdict on any address', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    const v4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
    const v6 = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }).map((g) => g.map((x) => x.toString(16)).join(':'));
    // A network: an address with its host bits cleared (the loader rejects host bits), any prefix.
    const net4 = fc.tuple(v4, fc.integer({ min: 0, max: 32 })).map(([a, p]) => {
      const n = a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
      const base = p === 0 ? 0 : Math.floor(n / 2 ** (32 - p)) * 2 ** (32 - p);
      return `${[24, 16, 8, 0].map((sh) => Math.floor(base / 2 ** sh) % 256).join('.')}/${p}`;
    });
    const net6 = fc.tuple(v6, fc.integer({ min: 0, max: 128 })).map(([a, p]) => {
      const n = a.split(':').reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
      const base = p === 0 ? 0n : (n >> BigInt(128 - p)) << BigInt(128 - p);
      const groups = Array.from({ length: 8 }, (_, i) => ((base >> BigInt(16 * (7 - i))) & 0xffffn).toString(16));
      return `${groups.join(':')}/${p}`;
    });
    fc.assert(
      fc.property(fc.array(fc.oneof(net4, net6), { minLength: 4, maxLength: 12 }), fc.array(fc.oneof(v4, v6, fc.constant('x'), fc.constant('::ffff:10.0.0.1')), { minLength: 1, maxLength: 8 }), (nets, ips) => {
        const r = rule(`  sel:\n    DestinationIp|cidr: ${JSON.stringify(nets)}\n  condition: sel`);
        const c = compiled(r);
        expect(describeCompiled(c)).toContain(`cidr any of ${nets.length}`);
        // Addresses inside some network too: the network's own address.
        for (const ip of [...ips, ...nets.map((x) => x.replace(/\/.*/, ''))]) expect(c.match({ DestinationIp: ip }), `${ip} in ${nets.join(' ')}`).toBe(evaluatePlan(r.plan, { DestinationIp: ip }).match);
      }),
      { numRuns: 300, seed: 20261128 },
    );
  });
});
