/**
 * The shared conformance vectors (../shared/conformance/semantics-vectors.yml): every vector's
 * rule is loaded as its own YAML 1.2 document; `error` vectors must be rejected at load, the
 * others evaluated against their event. Skipped with a message when ../shared is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { loadRuleText } from './rules/load-rule.js';
import { evaluatePlan, planMatches } from './evaluate/evaluate.js';
import { compilePlan } from './compile/compile-plan.js';
import { RuleIndex } from './compile/rule-index.js';

const file = fileURLToPath(new URL('../../shared/conformance/semantics-vectors.yml', import.meta.url));
const present = existsSync(file);

interface Vector {
  id: string;
  topic: string;
  rule: string;
  event: Record<string, unknown>;
  expect: 'match' | 'no-match' | 'error';
  why: string;
}

describe.runIf(present)('conformance vectors', () => {
  const vectors = present ? (load(readFileSync(file, 'utf8')) as Vector[]) : [];
  it('has the 131 shared vectors', () => {
    expect(vectors.length).toBe(131);
  });
  for (const v of vectors) {
    it(`${v.topic}: ${v.id}`, () => {
      const loaded = loadRuleText(v.rule, `${v.id}.yml`);
      if (v.expect === 'error') {
        expect(loaded.rules, `${v.why}`).toHaveLength(0);
        expect(loaded.diagnostics.some((d) => d.severity === 'error')).toBe(true);
        return;
      }
      expect(loaded.diagnostics.filter((d) => d.severity === 'error'), v.why).toEqual([]);
      const rule = loaded.rules[0];
      expect(rule).toBeDefined();
      if (rule === undefined) return;
      const trace = evaluatePlan(rule.plan, v.event);
      expect(trace.match ? 'match' : 'no-match', v.why).toBe(v.expect);
      expect(planMatches(rule.plan, v.event)).toBe(trace.match);
      // The fast paths: the compiled matcher and the rule index give the same verdict.
      const compiled = compilePlan(rule.plan);
      expect(compiled.ok).toBe(true);
      if (compiled.ok) expect(compiled.compiled.match(v.event), v.why).toBe(trace.match);
      expect(new RuleIndex([rule], { mapping: null }).matches(v.event).length, v.why).toBe(trace.match ? 1 : 0);
    });
  }
});

describe.skipIf(present)('conformance vectors (skipped)', () => {
  it('needs ../shared/conformance/semantics-vectors.yml', () => {
    console.warn(`conformance vectors skipped: ${file} is absent`);
    expect(present).toBe(false);
  });
});
