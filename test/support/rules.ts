/**
 * Shared helpers for the unit tests: build a rule document from a detection snippet, load it,
 * and evaluate it with both the tracing evaluator and the short-circuiting one (which must
 * always agree). Kept free of vitest imports so it type-checks with the build config.
 */
import type { Diagnostic } from '../../src/diagnostics/diagnostics.js';
import { evaluatePlan, planMatches } from '../../src/evaluate/evaluate.js';
import type { Event, Trace } from '../../src/evaluate/evaluate.js';
import { loadRuleText } from '../../src/rules/load-rule.js';
import type { LoadOptions, LoadedFile, SigmaRule } from '../../src/rules/load-rule.js';

/** Removes the common leading indentation of a template literal and its blank first/last lines. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').replace(/\n[ \t]*$/, '').split('\n');
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)?.[0].length ?? 0);
  const cut = indents.length === 0 ? 0 : Math.min(...indents);
  return lines.map((l) => l.slice(cut)).join('\n');
}

/**
 * A complete rule document around a detection snippet. The snippet is written at column 0
 * (search identifiers and `condition`) and indented under `detection:`.
 */
export function ruleFromDetection(detection: string, title = 'Test rule'): string {
  const body = dedent(detection)
    .split('\n')
    .map((l) => (l === '' ? l : `  ${l}`))
    .join('\n');
  return `title: ${title}\nlogsource:\n  category: test\ndetection:\n${body}\n`;
}

/** Loads a detection snippet as a one-rule file. */
export function loadDetection(detection: string, options: LoadOptions = {}): LoadedFile {
  return loadRuleText(ruleFromDetection(detection), 'test.yml', options);
}

export function errorsOf(loaded: LoadedFile): Diagnostic[] {
  return loaded.diagnostics.filter((d) => d.severity === 'error');
}

/** Loads a detection snippet that must be valid; throws with the diagnostics otherwise. */
export function compileDetection(detection: string, options: LoadOptions = {}): SigmaRule {
  const loaded = loadDetection(detection, options);
  const rule = loaded.rules[0];
  const errors = errorsOf(loaded);
  if (rule === undefined || errors.length > 0 || loaded.rules.length !== 1) {
    throw new Error(`expected one valid rule, got diagnostics: ${JSON.stringify(loaded.diagnostics, null, 2)}`);
  }
  return rule;
}

/** Evaluates a rule; throws when the trace and `planMatches` disagree. */
export function traceOf(rule: SigmaRule, event: Event): Trace {
  const trace = evaluatePlan(rule.plan, event);
  const quick = planMatches(rule.plan, event);
  if (quick !== trace.match) {
    throw new Error(`planMatches (${quick}) disagrees with evaluatePlan (${trace.match}) on ${JSON.stringify(event)}`);
  }
  return trace;
}

export function matches(rule: SigmaRule, event: Event): boolean {
  return traceOf(rule, event).match;
}

/** A rule with one selection `sel` holding `key: <value yaml>`, condition `sel`. */
export function fieldRule(key: string, valueYaml: string, options: LoadOptions = {}): SigmaRule {
  return compileDetection(`sel:\n  ${key}: ${valueYaml}\ncondition: sel`, options);
}

/** The error diagnostics of a rule with one selection `sel` holding `key: <value yaml>`. */
export function fieldRuleErrors(key: string, valueYaml: string, options: LoadOptions = {}): Diagnostic[] {
  const loaded = loadDetection(`sel:\n  ${key}: ${valueYaml}\ncondition: sel`, options);
  return errorsOf(loaded);
}
