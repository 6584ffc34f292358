/**
 * Helpers for correlation tests: a rule set from multi-document YAML texts (each text one file),
 * and a stream of events run through the detection rules and the correlation engine, the way
 * `scan` and correlation cases do it. Kept free of vitest imports.
 */
import type { Diagnostic } from '../../src/diagnostics/diagnostics.js';
import { planMatches } from '../../src/evaluate/evaluate.js';
import { loadRuleText } from '../../src/rules/load-rule.js';
import type { LoadedFile } from '../../src/rules/load-rule.js';
import { completeRuleSet } from '../../src/correlation/rule-set.js';
import type { FullRuleSet } from '../../src/correlation/rule-set.js';
import { CorrelationEngine } from '../../src/correlation/engine.js';
import type { CorrelationAlert, EngineOptions, WindowRecord } from '../../src/correlation/engine.js';
import { dedent } from './rules.js';

/** Loads texts as rule files (`files[name] = text`) into one rule set with correlations and filters. */
export function ruleSetOf(files: Record<string, string>): FullRuleSet {
  const loaded: LoadedFile[] = Object.entries(files).map(([name, text]) => loadRuleText(dedent(text), name));
  return completeRuleSet({ files: loaded, rules: loaded.flatMap((l) => l.rules), diagnostics: loaded.flatMap((l) => l.diagnostics) });
}

/** What a stream of events gave: every alert (reported or not), the windows (trace), the diagnostics. */
export interface Correlated {
  alerts: CorrelationAlert[];
  windows: WindowRecord[];
  diagnostics: Diagnostic[];
  engine: CorrelationEngine;
}

/** Runs events (in stream order) through the set's detection rules and its correlations. */
export function correlate(set: FullRuleSet, events: ReadonlyArray<Record<string, unknown>>, options: Partial<EngineOptions> = {}, file = 'events.jsonl'): Correlated {
  const alerts: CorrelationAlert[] = [];
  const windows: WindowRecord[] = [];
  const diagnostics: Diagnostic[] = [];
  const engine = new CorrelationEngine(set.graph, {
    trace: true,
    toleranceMs: Infinity,
    ...options,
    onAlert: (a) => alerts.push(a),
    onDiagnostic: (d) => diagnostics.push(d),
    onWindow: (w) => windows.push(w),
  });
  events.forEach((event, index) => {
    const matched = set.rules.filter((r) => planMatches(r.plan, event));
    engine.push(event, matched, { file, index, line: index + 1 });
  });
  engine.finish();
  return { alerts, windows, diagnostics, engine };
}

/** A base time (ms) and a helper for event times `t(minutes, seconds)` as ISO text. */
export const T0 = Date.UTC(2024, 0, 15, 10, 0, 0);
export function at(minutes: number, seconds = 0): string {
  return new Date(T0 + minutes * 60_000 + seconds * 1000).toISOString();
}
