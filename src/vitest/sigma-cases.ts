/**
 * The vitest route for case files: `sigmaCases()` registers one `describe` per rule and one
 * `it` per case, so `npm test`, watch mode and editors show rule cases like any other test.
 * The suite runs once when the test file is collected; each `it` then asserts its case's
 * result and fails with the runner's explanation.
 *
 * ```ts
 * // test/cases.test.ts
 * import { sigmaCases } from 'sigmatest/vitest';
 * sigmaCases({ rules: ['rules'], cases: ['cases'], minCoverage: 100 });
 * ```
 */
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../diagnostics/diagnostics.js';
import { loadAndRunSuite } from '../app/run-suite.js';

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
  /** Fail when a rule has no cases (default true). */
  requireCases?: boolean;
  /** The folder case files may read events_file from; default: the config's `root`, else each case file's repository. */
  root?: string;
}

/**
 * Registers the case files of the rules as vitest tests: one `describe` per rule, one `it` per
 * case (and a coverage test per rule with `minCoverage`), plus two input checks.
 */
export function sigmaCases(options: SigmaCasesOptions): void {
  const { report, input } = loadAndRunSuite(options.rules, options.cases, { config: options.config, minCoverage: options.minCoverage, cwd: options.cwd, root: options.root, pipelines: options.pipelines });
  const errors = input.filter((d) => d.severity === 'error');
  describe('sigmatest inputs', () => {
    it('every rule and case file loads', () => {
      expect(errors.map(formatDiagnostic)).toEqual([]);
    });
    it('the suite checks something', () => {
      expect(report.summary.rules, 'no rules found').toBeGreaterThan(0);
      expect(report.summary.cases, 'no cases found').toBeGreaterThan(0);
    });
  });
  for (const rule of report.rules) {
    describe(`${rule.title} (${rule.path})`, () => {
      if (rule.status === 'untested') {
        it('has cases', () => {
          expect(options.requireCases === false, `${rule.path} has no case file`).toBe(true);
        });
        return;
      }
      for (const c of rule.cases.results) {
        it(c.name, () => {
          expect(c.status, `${c.file}${c.line ? `:${c.line}` : ''}\n${c.messages.join('\n')}`).toBe('pass');
        });
      }
      if (options.minCoverage !== undefined) {
        const min = options.minCoverage;
        it(`coverage ≥ ${min}%`, () => {
          const missed = [
            ...rule.coverage.stages.filter((s) => !s.covered).map((s) => `stage ${s.name} seen true ${s.true}×, false ${s.false}×`),
            ...rule.coverage.values.missed.map((v) => `value never matched: ${v.identifier}.${v.field ?? 'keyword'} '${v.source}'`),
            ...rule.coverage.exclusions.missed.map((v) => `exclusion never decisive: ${v.identifier}.${v.field ?? 'keyword'} '${v.source}'`),
          ];
          expect(rule.coverage.percent, missed.join('\n')).toBeGreaterThanOrEqual(min);
        });
      }
    });
  }
}
