/**
 * Values where a fast path once disagreed with the reference evaluator (found in review): each
 * case is checked through the compiled matcher, the rule index (interpreted and compiled) and,
 * where given, against the `iu` regex semantics the evaluator implements (§5.2).
 */
import { describe, expect, it } from 'vitest';
import { loadRuleText } from '../rules/load-rule.js';
import { evaluatePlan } from '../evaluate/evaluate.js';
import { compilePlan } from './compile-plan.js';
import { RuleIndex } from './rule-index.js';

interface Edge {
  detection: string;
  event: Record<string, unknown>;
  /** The verdict the semantics give. */
  match: boolean;
  placeholders?: Record<string, string[]>;
}

const EDGES: Edge[] = [
  // Regex lengths: escapes span several source characters but one text character.
  { detection: String.raw`F|re: '\x41\x42'`, event: { F: 'AB' }, match: true },
  { detection: String.raw`F|re: '\u0041\u0042'`, event: { F: 'AB' }, match: true },
  { detection: String.raw`F|re: '\cA\cB'`, event: { F: '\u0001\u0002' }, match: true },
  { detection: String.raw`F|re: '\101'`, event: { F: 'A' }, match: true },
  { detection: String.raw`F|re: '(?<n>a)\k<n>'`, event: { F: 'aa' }, match: true },
  { detection: String.raw`F|re: 'xyz[]|b]'`, event: { F: 'b]' }, match: true },
  { detection: String.raw`F|re: 'abc[^]|x]'`, event: { F: 'x]' }, match: true },
  // Regex needles: an escape's payload is no literal text; a parenthesis in a class is no group.
  { detection: String.raw`F|re: '\x41BCD'`, event: { F: 'ABCD' }, match: true },
  { detection: String.raw`F|re: '\u0041BCD'`, event: { F: 'xABCD' }, match: true },
  { detection: String.raw`F|re: '(?<n>a)\k<n>xyz'`, event: { F: 'aaxyz' }, match: true },
  { detection: String.raw`F|re: '(a[)]b)xyz'`, event: { F: 'a)bxyz' }, match: true },
  // Expanded placeholders: the length and the needles come from the expanded regex.
  { detection: `F|re|expand: '^%Servers%$'`, event: { F: 'a' }, match: true, placeholders: { Servers: ['a'] } },
  { detection: `F|re|expand: 'x%Servers%'`, event: { F: 'xsrv1' }, match: true, placeholders: { Servers: ['srv1'] } },
  // A lone surrogate is no literal: the regex compares whole code points.
  { detection: `F|contains: "\\uD83D"`, event: { F: '😀' }, match: false },
  { detection: `F|endswith: "\\uDE00"`, event: { F: 'x😀' }, match: false },
  { detection: `F|cased|contains: "\\uD83D"`, event: { F: '😀' }, match: false },
  // Cased ſ and Kelvin sign: the index scans them as s and k.
  { detection: `F|cased|contains: "\\u017F"`, event: { F: 'xſ' }, match: true },
  { detection: `F|cased: "\\u212A"`, event: { F: '\u212A' }, match: true },
  { detection: `F|cased|contains: "a\\u017Fb"`, event: { F: 'xaſb' }, match: true },
];

describe('fast paths on edge values', () => {
  for (const edge of EDGES) {
    it(`${edge.detection} on ${JSON.stringify(edge.event)}`, () => {
      const loaded = loadRuleText(`title: t\nlogsource: {product: windows}\ndetection:\n  sel:\n    ${edge.detection}\n  condition: sel`, 't.yml', {
        placeholders: edge.placeholders ?? {},
      });
      const r = loaded.rules[0];
      if (r === undefined) throw new Error(JSON.stringify(loaded.diagnostics));
      expect(evaluatePlan(r.plan, edge.event).match, 'evaluator').toBe(edge.match);
      const c = compilePlan(r.plan);
      expect(c.ok).toBe(true);
      if (c.ok) expect(c.compiled.match(edge.event), 'compiled').toBe(edge.match);
      for (const compileAfter of [1000, 0]) {
        const index = new RuleIndex([r], { mapping: null, compileAfter });
        expect(index.matches(edge.event).length, `index, compileAfter ${compileAfter}`).toBe(edge.match ? 1 : 0);
      }
    });
  }
});
