/**
 * `sigmatest run --save`: every property that found a counterexample (a failure, or the example of
 * a known gap) gives it to its case file as a case: the property's expected verdict, `known_gap`
 * when the property has one, a readable name (the property's name and what varied), never an event
 * the file already has (compared after flattening) nor a name it already uses. The new cases go
 * after the file's last case, written atomically under the case file's lock, and are checked again
 * against the file as it is under the lock (another run may have saved to it meanwhile); nothing
 * else in the file changes (fuzz/case-writer.ts).
 */
import { resolve } from 'node:path';
import { flatEventKey } from '../events/event-key.js';
import { canonicalJson } from '../util/canonical-json.js';
import type { Event } from '../evaluate/evaluate.js';
import type { CaseFile } from '../cases/load-cases.js';
import type { PropertyResult } from '../cases/run-cases.js';
import type { SuiteReport } from '../report/run/suite-report.js';
import { appendNewCases } from '../fuzz/case-writer.js';
import type { NewCase } from '../fuzz/case-writer.js';


/** The fields whose values differ between two events. */
function changedFields(base: Event, event: Event): string[] {
  const keys = new Set([...Object.keys(base), ...Object.keys(event)]);
  return [...keys].filter((k) => canonicalJson(base[k]) !== canonicalJson(event[k]));
}

/** A readable case name for a counterexample: the property and what varied (with the value, when short). */
export function counterexampleName(p: PropertyResult): string {
  const ex = p.counterexample;
  if (ex === null) return p.name;
  const fields = changedFields(ex.base, ex.event);
  const only = fields.length === 1 ? fields[0] : undefined;
  if (only !== undefined) {
    const v = ex.event[only];
    if (v === undefined) return `${p.name}: without ${only}`;
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    if (text.length <= 80) return `${p.name}: ${only} ${text}`;
  }
  return fields.length === 0 ? `${p.name}: counterexample` : `${p.name}: counterexample (${fields.join(', ')} varied)`;
}

/** The new cases of one case file from its properties' counterexamples (no duplicate events or names). */
export function counterexampleCases(cf: CaseFile, properties: readonly PropertyResult[]): NewCase[] {
  const seen = new Set(cf.cases.flatMap((c) => (c.event !== undefined ? [flatEventKey(c.event)] : [])));
  const names = new Set(cf.cases.map((c) => c.name));
  const out: NewCase[] = [];
  for (const p of properties) {
    const ex = p.counterexample;
    if (ex === null || (p.status !== 'fail' && p.status !== 'known-gap')) continue;
    const key = flatEventKey(ex.event);
    if (seen.has(key)) continue;
    seen.add(key);
    const base = counterexampleName(p);
    let name = base;
    for (let k = 2; names.has(name); k++) name = `${base} (${k})`;
    names.add(name);
    const c: NewCase = { name, expect: ex.expected, event: ex.event, comment: `counterexample of property '${p.name}' (sigmatest run --seed ${p.seed}; fast-check path ${ex.path})` };
    if (p.knownGap !== null) c.knownGap = p.knownGap;
    out.push(c);
  }
  return out;
}

/** What --save did per case file: the cases written, or why nothing could be. */
export interface SaveOutcome {
  file: string;
  saved: number;
  error?: string;
}

/** Saves the counterexamples of a run's properties to their case files. */
export function saveCounterexamples(report: SuiteReport, caseFiles: readonly CaseFile[], cwd: string): SaveOutcome[] {
  const byFile = new Map<string, PropertyResult[]>();
  for (const r of report.rules) {
    for (const p of r.properties.results) {
      const file = resolve(cwd, p.file);
      byFile.set(file, [...(byFile.get(file) ?? []), p]);
    }
  }
  const out: SaveOutcome[] = [];
  for (const cf of caseFiles) {
    const props = byFile.get(resolve(cwd, cf.file));
    if (props === undefined) continue;
    const cases = counterexampleCases(cf, props);
    if (cases.length === 0) continue;
    try {
      // Checked again under the lock: the file may have changed since it was loaded.
      const written = appendNewCases(cf.file, cases, { eventKey: flatEventKey });
      if (written.length > 0) out.push({ file: cf.file, saved: written.length });
    } catch (e) {
      out.push({ file: cf.file, saved: 0, error: (e as Error).message });
    }
  }
  return out;
}
