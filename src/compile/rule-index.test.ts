import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadRuleText } from '../rules/load-rule.js';
import type { SigmaRule } from '../rules/load-rule.js';
import { builtinMapping } from '../logsource/logsource.js';
import { RuleIndex } from './rule-index.js';
import { planMatches } from '../evaluate/evaluate.js';

function rule(name: string, logsource: string, detection: string): SigmaRule {
  const r = loadRuleText(`title: ${name}\nlogsource: ${logsource}\ndetection:\n${detection}`, `${name}.yml`).rules[0];
  if (r === undefined) throw new Error('rule did not load');
  return r;
}

const proc = rule('proc', '{product: windows, category: process_creation}', `  sel: {Image|endswith: '\\\\whoami.exe'}\n  condition: sel`);
const reg = rule('reg', '{product: windows, category: registry_set}', `  sel: {TargetObject|contains: '\\\\Run\\\\'}\n  condition: sel`);
const any = rule('any', '{product: windows}', `  sel: {EventID: 1}\n  condition: sel`);
const neg = rule('neg', '{product: windows, category: process_creation}', `  sel: {Image|endswith: '\\\\cmd.exe'}\n  f: {User: 'x'}\n  condition: not f and sel`);
const SYSMON = 'Microsoft-Windows-Sysmon/Operational';

describe('RuleIndex', () => {
  const rules = [proc, reg, any, neg];
  it('applies the logsource mapping, and ignores it when told', () => {
    const mapped = new RuleIndex(rules, { mapping: builtinMapping });
    const ev = { Channel: SYSMON, EventID: 1, Image: 'C:\\Windows\\System32\\whoami.exe' };
    expect(mapped.matches(ev).map((r) => r.title)).toEqual(['proc', 'any']);
    // The same fields under EventID 13 are outside process_creation.
    expect(mapped.matches({ ...ev, EventID: 13 }).map((r) => r.title)).toEqual([]);
    const all = new RuleIndex(rules, { mapping: null });
    expect(all.matches({ ...ev, EventID: 13 }).map((r) => r.title)).toEqual(['proc']);
  });

  it('returns rules in rule order whichever way they were found, and tries rules without needles always', () => {
    const idx = new RuleIndex([neg, any, proc], { mapping: null });
    expect(idx.matches({ EventID: 1, Image: 'x\\CMD.EXE' }).map((r) => r.title)).toEqual(['neg', 'any']);
    expect(idx.matches({ EventID: 1, Image: 'x\\whoami.exe', User: 'x' }).map((r) => r.title)).toEqual(['any', 'proc']);
  });

  it('skips numbers only where no needle of the field could be in the text of a number', () => {
    const port = rule('port', '{product: windows}', `  sel: {DestinationPort|contains: '44'}\n  condition: sel`);
    const kw = rule('kw', '{product: windows}', `  kw: ['1e+21']\n  condition: kw`);
    const word = rule('word', '{product: windows}', `  sel: {ProcessId|contains: 'x'}\n  condition: sel`);
    const idx = new RuleIndex([port, kw, word], { mapping: null });
    expect(idx.matches({ DestinationPort: 8443 }).map((r) => r.title)).toEqual(['port']);
    expect(idx.matches({ DestinationPort: 80, Other: 1e21 }).map((r) => r.title)).toEqual(['kw']);
    expect(idx.matches({ ProcessId: 4242 }).map((r) => r.title)).toEqual([]);
    // A number that is not finite renders as text (possible for events built in code, not from JSON).
    const inf = new RuleIndex([rule('inf', '{product: windows}', `  sel: {Ratio|contains: 'inity'}\n  condition: sel`)], { mapping: null });
    expect(inf.matches({ Ratio: Number.POSITIVE_INFINITY }).map((r) => r.title)).toEqual(['inf']);
  });

  it('finds needles in arrays, numbers and nested objects', () => {
    const idx = new RuleIndex([reg, rule('n', '{product: windows}', `  sel: {a.b|contains: '42'}\n  condition: sel`)], { mapping: null });
    expect(idx.matches({ TargetObject: ['x', 'HKLM\\Software\\Run\\y'] }).map((r) => r.title)).toEqual(['reg']);
    expect(idx.matches({ a: { b: 1420 } }).map((r) => r.title)).toEqual(['n']);
    expect(idx.matches({ a: [{ b: 'x' }, { b: 'y42' }] }).map((r) => r.title)).toEqual(['n']);
    // A dotted field also resolves through a key that is itself dotted, or is one whole key.
    const deep = new RuleIndex([rule('d', '{product: windows}', `  sel: {a.b.c|contains: '42'}\n  condition: sel`)], { mapping: null });
    for (const e of [{ 'a.b': { c: 'y42' } }, { 'a.b.c': 'z42' }, { a: { 'b.c': 420 } }, { a: { b: { c: ['x', '142'] } } }]) {
      expect(deep.matches(e).map((r) => r.title), JSON.stringify(e)).toEqual(['d']);
    }
    expect(deep.matches({ 'a.b': { c: 'y' }, x: '42' })).toEqual([]);
  });

  it('finds numbers in any numeric spelling (the index scans the canonical form)', () => {
    const idx = new RuleIndex([any], { mapping: null });
    for (const v of [1, '1', '1.0', '+1', '0.1e1', '01']) expect(idx.matches({ EventID: v }).map((r) => r.title), String(v)).toEqual(['any']);
    for (const v of ['1 ', '1x', 2, true]) expect(idx.matches({ EventID: v }).map((r) => r.title), String(v)).toEqual([]);
    expect(idx.matches({ EventID: ['7', '1e0'] }).map((r) => r.title)).toEqual(['any']);
  });

  it('matches a batch as it matches each event, in event then rule order', () => {
    const idx = new RuleIndex([neg, any, proc, reg], { mapping: null, compileAfter: 1 });
    const events = [
      { EventID: 1, Image: 'x\\CMD.EXE' },
      { TargetObject: 'HKLM\\Software\\Run\\y' },
      {},
      { EventID: 1, Image: 'x\\whoami.exe', User: 'x' },
      { EventID: 1, Image: 'x\\whoami.exe', User: 'x' },
      { EventID: 2, Image: 'x\\cmd.exe', User: 'x' },
    ];
    // Twice: the rules are interpreted first, compiled from their second try on.
    for (let round = 0; round < 2; round++) {
      const want = events.flatMap((e, i) => idx.matches(e).map((r) => [i, [neg, any, proc, reg].indexOf(r)]));
      expect(Array.from(idx.matchBatch(events))).toEqual(want.flat());
    }
    expect(Array.from(idx.matchBatch(events))).toEqual([0, 0, 0, 1, 1, 3, 3, 1, 3, 2, 4, 1, 4, 2]);
    expect(Array.from(idx.matchBatch([]))).toEqual([]);
  });

  it('matchBatchOf fetches each position once, skips positions without an event, and gives matchBatch\'s pairs (mapped sources too)', () => {
    const security4688 = { Channel: 'Security', EventID: 4688, NewProcessName: 'C:\\Windows\\System32\\whoami.exe' };
    const events: Array<Record<string, unknown> | undefined> = [
      { Channel: SYSMON, EventID: 1, Image: 'x\\CMD.EXE' },
      undefined,
      security4688,
      { Channel: SYSMON, EventID: 13, TargetObject: 'HKLM\\Software\\Run\\y' },
      undefined,
      { Channel: SYSMON, EventID: 1, Image: 'x\\whoami.exe', User: 'x' },
      {},
    ];
    const present = events.flatMap((e, i) => (e === undefined ? [] : [[i, e] as const]));
    for (const mapping of [builtinMapping, null]) {
      const idx = new RuleIndex([neg, any, proc, reg], { mapping, compileAfter: 1 });
      for (let round = 0; round < 2; round++) {
        const fetched: number[] = [];
        const pairs = Array.from(
          idx.matchBatchOf(events.length, (i) => {
            fetched.push(i);
            return events[i];
          }),
        );
        expect(fetched).toEqual(events.map((_, i) => i));
        // matchBatch over the events present, its positions mapped back.
        const dense = Array.from(idx.matchBatch(present.map(([, e]) => e)));
        const want: number[] = [];
        for (let k = 0; k < dense.length; k += 2) want.push((present[dense[k] as number] as readonly [number, unknown])[0], dense[k + 1] as number);
        expect(pairs).toEqual(want);
      }
    }
    const mapped = new RuleIndex([neg, any, proc, reg], { mapping: builtinMapping });
    // The Security 4688 event is seen as a process creation (proc matches through the mapped source).
    const got = Array.from(mapped.matchBatchOf(events.length, (i) => events[i]));
    const pairsOf = got.flatMap((x, k) => (k % 2 === 0 ? [`${x}:${got[k + 1]}`] : []));
    expect(pairsOf).toContain('2:2');
  });

  it('scans each kind of event with the needles of its own rules: keywords and fields of other logsources do not leak', () => {
    const sysKw = rule('syskw', '{product: windows, service: system}', `  kw: ['mimikatz']\n  condition: kw`);
    const secKw = rule('seckw', '{product: windows, service: security}', `  kw: ['rubeus']\n  condition: kw`);
    const anyKw = rule('anykw', '{product: windows}', `  kw: ['kerberoast']\n  condition: kw`);
    const secField = rule('secfield', '{product: windows, service: security}', `  sel: {TargetUserName|contains: 'krbtgt'}\n  condition: sel`);
    const all = [sysKw, secKw, anyKw, secField, proc];
    const idx = new RuleIndex(all, { mapping: builtinMapping });
    const flat = new RuleIndex(all, { mapping: null });
    const events = [
      { Channel: 'System', EventID: 7045, ServiceName: 'MIMIKATZ svc', TargetUserName: 'krbtgt' },
      { Channel: 'Security', EventID: 4769, ServiceName: 'mimikatz', TargetUserName: 'KRBTGT', Other: 'rubeus kerberoast' },
      { Channel: 'System', EventID: 1, Nested: { deep: ['x', 'Kerberoast and Rubeus'] }, Image: 'c:\\whoami.exe' },
      { Channel: SYSMON, EventID: 1, Image: 'C:\\x\\whoami.exe', CommandLine: 'rubeus mimikatz kerberoast krbtgt' },
    ];
    const titles = (i: RuleIndex, e: Record<string, unknown>): string[] => i.matches(e).map((r) => r.title);
    // Twice over (scanners and their memos are made on first use, then reused).
    for (let round = 0; round < 2; round++) {
      expect(events.map((e) => titles(idx, e))).toEqual([['syskw'], ['seckw', 'anykw', 'secfield'], ['anykw'], ['anykw', 'proc']]);
      // Without the mapping every rule meets every event.
      expect(events.map((e) => titles(flat, e))).toEqual([
        ['syskw', 'secfield'],
        ['syskw', 'seckw', 'anykw', 'secfield'],
        ['seckw', 'anykw', 'proc'],
        ['syskw', 'seckw', 'anykw', 'proc'],
      ]);
      // And that is what evaluating every rule on every event gives.
      expect(events.map((e) => titles(flat, e))).toEqual(events.map((e) => all.filter((r) => planMatches(r.plan, e)).map((r) => r.title)));
    }
  });

  it('agrees with evaluating every rule, over event streams whose keys and values repeat (the per-key caches)', () => {
    const kw = rule('kw', '{product: windows}', `  kw: ['mimikatz', 'Rubeus']\n  condition: kw`);
    const cmd = rule('cmd', '{product: windows}', `  sel: {CommandLine|contains|all: ['-enc', 'hidden']}\n  f: {User|startswith: 'NT AUTH'}\n  condition: sel and not f`);
    const all = [proc, reg, any, neg, kw, cmd];
    const value = fc.constantFrom('C:\\Windows\\System32\\whoami.exe', 'x\\CMD.EXE', 'HKLM\\Software\\Run\\x', 'ps -enc AA -w hidden', 'mimikatz.exe', 'rubeus', 'NT AUTHORITY\\SYSTEM', 'bob', '');
    // Nulls (real events carry many) and lists too, which the index scans by another path.
    const field = fc.oneof({ weight: 4, arbitrary: value }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.array(fc.oneof(value, fc.constant(null)), { maxLength: 2 }) });
    const event = fc.record(
      { EventID: fc.constantFrom(1, 13, '1'), Image: field, CommandLine: field, User: field, TargetObject: field, Other: field },
      { requiredKeys: ['EventID'] },
    );
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 40 }), (events) => {
        const idx = new RuleIndex(all, { mapping: null, compileAfter: 2 });
        for (const e of events) expect(idx.matches(e).map((r) => r.title), JSON.stringify(e)).toEqual(all.filter((r) => planMatches(r.plan, e)).map((r) => r.title));
      }),
      { numRuns: 300, seed: 20261205 },
    );
  });

  it('reports compilation and needle indexing', () => {
    const s = new RuleIndex(rules, { mapping: null }).stats();
    expect(s).toMatchObject({ rules: 4, compiled: 4, declined: [], indexed: 4 });
  });
});

describe('a rule that throws while matching', () => {
  /** A copy of `proc` whose value throws on texts holding 'boom' (an engine bug, simulated). */
  function broken(): SigmaRule {
    const r = rule('broken', '{product: windows, category: process_creation}', `  sel: {Image|contains: 'a*b'}\n  condition: sel`);
    const m = r.plan.items[0]?.values[0]?.matcher;
    if (m?.kind !== 'string') throw new Error('expected a string matcher');
    Object.defineProperty(m, 'wildcard', {
      value: {
        usesFoldedText: false,
        test: (t: string): boolean => {
          if (t.includes('boom')) throw new RangeError('Maximum call stack size exceeded');
          return /a.*b/i.test(t);
        },
      },
    });
    return r;
  }

  it.each([0, 32])('does not match the events it throws on, is taken once, and the other rules go on (compileAfter %i)', (compileAfter) => {
    const b = broken();
    const idx = new RuleIndex([proc, b, any], { mapping: null, compileAfter });
    const boom = { EventID: 1, Image: 'C:\\boom\\whoami.exe' };
    expect(idx.matches(boom).map((r) => r.title)).toEqual(['proc', 'any']);
    expect(idx.takeFailures().map((f) => [f.rule.title, f.message])).toEqual([['broken', 'RangeError: Maximum call stack size exceeded']]);
    // Still tried on other events (its verdict on them is its own), and said only once.
    expect(idx.matches({ EventID: 1, Image: 'C:\\ab' }).map((r) => r.title)).toEqual(['broken', 'any']);
    expect(idx.matches(boom).map((r) => r.title)).toEqual(['proc', 'any']);
    expect(idx.takeFailures()).toEqual([]);
  });

  it('matchBatch flags each failure in its pairs as -2 - rule, in event order among the matches', () => {
    const idx = new RuleIndex([proc, broken(), any], { mapping: null, compileAfter: 0 });
    const pairs = idx.matchBatch([{ EventID: 1, Image: 'ab' }, { EventID: 2, Image: 'x\\boom\\whoami.exe' }, { EventID: 1, Image: 'a boom' }]);
    expect([...pairs]).toEqual([0, 1, 0, 2, 1, 0, 1, -3, 2, -3, 2, 2]);
  });
});
