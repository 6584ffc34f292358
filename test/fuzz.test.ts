/**
 * The bundled rules fuzzed as property tests (a modest run count): every rule gets witnesses
 * that match, no error-severity finding, and no warning except the ones each rule documents;
 * every finding names its file, line and column.
 * With ../shared present, witness synthesis over the SigmaHQ windows, emerging-threats and
 * threat-hunting rules must succeed for at least 95% of them (the rest listed with reasons).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { collectRules } from '../src/rules/collect-rules.js';
import { builtinMapping } from '../src/logsource/logsource.js';
import { evaluatePlan } from '../src/evaluate/evaluate.js';
import { fuzzRule } from '../src/fuzz/fuzz-rule.js';
import { synthesizeWitness } from '../src/fuzz/witness.js';

const bundled = collectRules([fileURLToPath(new URL('../rules', import.meta.url))]).rules;

describe('fuzzing the bundled rules', () => {
  for (const rule of bundled) {
    it(rule.file.replace(/.*\/rules\//, 'rules/'), () => {
      const res = fuzzRule(rule, { runs: 40, seed: 20261127, mapping: builtinMapping });
      expect(res.findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(res.witnesses.length).toBeGreaterThan(5);
      for (const w of res.witnesses) expect(evaluatePlan(rule.plan, w).match).toBe(true);
    });
  }
});

describe('fuzz findings on the bundled rules', () => {
  it('name file, line and column (as `sigmatest fuzz rules --seed 1` reports them)', () => {
    const findings = bundled.flatMap((rule) => fuzzRule(rule, { runs: 100, seed: 1, mapping: builtinMapping }).findings.map((f) => ({ rule, f })));
    expect(findings.length).toBeGreaterThan(0);
    for (const { rule, f } of findings) {
      expect(f.file).toBe(rule.file);
      expect(f.pos?.line, `${f.code} ${f.message}`).toBeGreaterThan(0);
      expect(f.pos?.column).toBeGreaterThan(0);
    }
  }, 60_000);
});

const corpus = fileURLToPath(new URL('../../shared/corpus/sigmahq', import.meta.url));
describe.runIf(existsSync(corpus))('witness synthesis on the SigmaHQ corpus', () => {
  it('succeeds for at least 95% of rules/windows, rules-emerging-threats and rules-threat-hunting', () => {
    const rules = collectRules(['rules/windows', 'rules-emerging-threats', 'rules-threat-hunting'].map((d) => `${corpus}/${d}`)).rules;
    const failed: string[] = [];
    for (const r of rules) {
      const w = synthesizeWitness(r, 1, builtinMapping);
      if (!w.ok || !evaluatePlan(r.plan, w.event).match) failed.push(`${r.file}: ${w.ok ? 'witness does not match' : w.reason}`);
    }
    const rate = (rules.length - failed.length) / rules.length;
    console.info(`witness synthesis: ${rules.length - failed.length}/${rules.length} (${(100 * rate).toFixed(1)}%)\n${failed.join('\n')}`);
    expect(rules.length).toBeGreaterThan(2500);
    expect(rate).toBeGreaterThanOrEqual(0.95);
  });
});
