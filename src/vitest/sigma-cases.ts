/**
 * The vitest route for case files: `sigmaCases()` registers one `describe` per rule, one `it` per
 * case and one per property, so `npm test`, watch mode and editors show rule cases like any other
 * test. The suite runs once when the test file is collected; each `it` then asserts its case's or
 * property's result and fails with the runner's explanation (for a property: the shrunk
 * counterexample, the seed and path that replay it, the stages explained).
 *
 * ```ts
 * // test/cases.test.ts
 * import { sigmaCases } from 'sigmatest/vitest';
 * sigmaCases({ rules: ['rules'], cases: ['cases'], minCoverage: 100 });
 * ```
 */
import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { formatDiagnostic } from '../diagnostics/diagnostics.js';
import { loadAndRunSuite } from '../app/run-suite.js';
import { RuleCache } from '../cache/rule-cache.js';
import { cacheDir } from '../util/cache-dir.js';
import { runRuleProperties } from '../properties/run-properties.js';

/** What {@link sigmaCases} runs. Relative paths resolve against `cwd`. */
export interface SigmaCasesOptions {
  /** Rule files or folders. */
  rules: string[];
  /** Case files or folders. */
  cases: string[];
  /** The sigmatest config file; default `sigmatest.config.yml` in `cwd` when present. */
  config?: string;
  /** Processing pipelines (built-in names or files relative to `cwd`), as `--pipeline` (case files may name their own). */
  pipelines?: string[];
  /** The folder relative paths are resolved against (default: the process's working folder). */
  cwd?: string;
  /** When set, each rule also gets a coverage test against this percentage. */
  minCoverage?: number;
  /** Which coverage `minCoverage` applies to: cases and properties together (`all`, the default), or `cases` alone. */
  coverageFrom?: 'all' | 'cases';
  /** Fail when a rule has no cases (default true). */
  requireCases?: boolean;
  /** A known gap that no longer shows (gap closed) fails its test (default false: it passes with a note). */
  strict?: boolean;
  /** The seed of every property (default: derived from the rule id and the property name). */
  seed?: number;
  /** The folder case files may read events_file from; default: the config's `root`, else each case file's repository. */
  root?: string;
  /** Load rules through the rule cache (default true; see the README's Warm starts): a watch-mode re-run reads only the rule files that changed in full. */
  cache?: boolean;
}

/**
 * Registers the case files of the rules as vitest tests: one `describe` per rule, one `it` per
 * case and per property (and a coverage test per rule with `minCoverage`), plus two input checks.
 * A known gap is a passing test named `known gap: …`; it fails once the gap closes only with `strict`.
 */
export function sigmaCases(options: SigmaCasesOptions): void {
  const { report, input } = loadAndRunSuite(options.rules, options.cases, {
    config: options.config,
    minCoverage: options.minCoverage,
    coverageFrom: options.coverageFrom,
    cwd: options.cwd,
    root: options.root,
    pipelines: options.pipelines,
    strict: options.strict,
    seed: options.seed,
    properties: runRuleProperties,
    cache: options.cache === false ? undefined : new RuleCache({ dir: cacheDir(resolve(options.cwd ?? process.cwd())) }),
  });
  const errors = input.filter((d) => d.severity === 'error');
  const strict = options.strict === true;
  describe('sigmatest inputs', () => {
    it('every rule and case file loads', () => {
      expect(errors.map(formatDiagnostic)).toEqual([]);
    });
    it('the suite checks something', () => {
      expect(report.summary.rules, 'no rules found').toBeGreaterThan(0);
      expect(report.summary.cases, 'no cases found').toBeGreaterThan(0);
    });
  });
  /** Whether a status passes: known gaps do (declared), closed gaps unless strict. */
  const passes = (status: string): boolean => status === 'pass' || status === 'known-gap' || (status === 'gap-closed' && !strict);
  for (const rule of report.rules) {
    describe(`${rule.title} (${rule.path})`, () => {
      if (rule.status === 'untested') {
        it('has cases', () => {
          expect(options.requireCases === false, `${rule.path} has no case file`).toBe(true);
        });
        return;
      }
      for (const c of rule.cases.results) {
        it(c.status === 'known-gap' ? `${c.name} (known gap)` : c.name, () => {
          expect(passes(c.status), `${c.file}${c.line ? `:${c.line}` : ''}\n${c.messages.join('\n')}`).toBe(true);
        });
      }
      for (const p of rule.properties.results) {
        const label = p.status === 'known-gap' ? `property: ${p.name} (known gap: ${p.knownGap ?? ''})` : `property: ${p.name}`;
        it(label, () => {
          const event = p.counterexample === null ? [] : [`event: ${JSON.stringify(p.counterexample.event)}`];
          expect(passes(p.status), `${p.file}${p.line ? `:${p.line}` : ''}: ${p.status} after ${p.runs} runs (seed ${p.seed})\n${[...p.messages, ...event].join('\n')}`).toBe(true);
        });
      }
      if (options.minCoverage !== undefined) {
        const min = options.minCoverage;
        const cov = options.coverageFrom === 'cases' ? rule.coverage : rule.coverageWithProperties;
        it(`coverage ≥ ${min}%${options.coverageFrom === 'cases' ? ' (cases alone)' : ''}`, () => {
          const missed = [
            ...cov.stages.filter((s) => !s.covered).map((s) => `stage ${s.name} seen true ${s.true}×, false ${s.false}×`),
            ...cov.values.missed.map((v) => `value never matched: ${v.identifier}.${v.field ?? 'keyword'} '${v.source}'`),
            ...cov.exclusions.missed.map((v) => `exclusion never decisive: ${v.identifier}.${v.field ?? 'keyword'} '${v.source}'`),
          ];
          expect(cov.percent, missed.join('\n')).toBeGreaterThanOrEqual(min);
        });
      }
    });
  }
}
