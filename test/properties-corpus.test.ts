/**
 * Properties on rules sigmatest was not written for: a deterministic sample of SigmaHQ rules
 * (registry, process creation and file events, read in place from ../shared/corpus/sigmahq), each
 * given the starter properties `scaffold` writes (respell, relocate, recase, embed) without their
 * known_gap marks. Through `sigmatest run --reporter json`, every property has a status and every
 * failure a counterexample whose seed and path replay it: the replayed event is the reported one,
 * the rule's verdict on it is the reported one, and it breaks the property.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { collectRules } from '../src/rules/collect-rules.js';
import type { SigmaRule } from '../src/rules/load-rule.js';
import { builtinMapping } from '../src/logsource/logsource.js';
import { scaffoldCases } from '../src/fuzz/scaffold.js';
import { newCaseFileText } from '../src/fuzz/case-writer.js';
import { loadCaseFile } from '../src/cases/load-cases.js';
import type { CaseFile } from '../src/cases/load-cases.js';
import { evaluatePlan } from '../src/evaluate/evaluate.js';
import { runProperty } from '../src/properties/run-properties.js';
import { runCli } from '../src/cli/main.js';
import { captureIo } from './capture-io.js';

const root = fileURLToPath(new URL('../../shared/corpus/sigmahq/rules/windows', import.meta.url));
const present = existsSync(root);
if (!present) console.warn(`properties-corpus.test skipped: ${root} is absent`);

const tmp = mkdtempSync(join(tmpdir(), 'sigmatest-props-corpus-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Every seventh rule (by file name) of a few folders, up to 20 from each: rules with registry keys, paths and command lines. */
function sample(): SigmaRule[] {
  const dirs = ['registry/registry_set', 'registry/registry_event', 'process_creation', 'file/file_event'].map((d) => join(root, d));
  return dirs
    .filter((d) => existsSync(d))
    .flatMap((d) =>
      collectRules([d])
        .rules.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
        .filter((_, k) => k % 7 === 0)
        .slice(0, 20),
    );
}

interface JsonProperty {
  name: string;
  file: string;
  status: string;
  runs: number;
  seed: number;
  known_gap: string | null;
  counterexample: { event: Record<string, unknown>; path: string; base: Record<string, unknown>; expected: string; got: string } | null;
}

describe.runIf(present)('properties on SigmaHQ rules', () => {
  it('every property has a status; every failure a counterexample its seed and path replay', async () => {
    const rules = sample();
    expect(rules.length).toBeGreaterThan(60);
    mkdirSync(join(tmp, 'cases'), { recursive: true });
    const written = new Map<string, SigmaRule>();
    rules.forEach((rule, k) => {
      const s = scaffoldCases(rule, builtinMapping, 1);
      if (s.properties.length === 0) return;
      const file = join(tmp, 'cases', `c${k}.yml`);
      // The starter properties as claims: no known_gap, so what does not hold fails.
      const props = s.properties.map(({ knownGap: _, ...p }) => p);
      // By id: a rule named by path must lie inside the case file's root (CASE_PATH_OUTSIDE), and the corpus does not.
      writeFileSync(file, newCaseFileText(file, { id: rule.id, file: rule.file }, s.cases, { properties: props }));
      written.set(file, rule);
    });
    expect(written.size).toBeGreaterThan(30);
    const io = captureIo({ cwd: tmp });
    const code = await runCli(['run', '--rules', ...new Set([...written.values()].map((r) => r.file)), '--cases', join(tmp, 'cases'), '--reporter', 'json'], io);
    const report = JSON.parse(io.stdout()) as { rules: Array<{ path: string; properties: JsonProperty[] }>; summary: { properties: Record<string, number> } };
    const props = report.rules.flatMap((r) => r.properties);
    expect(props.length).toBe(report.summary.properties['total']);
    expect(props.length).toBeGreaterThan(60);
    const statuses = new Set(props.map((p) => p.status));
    for (const s of statuses) expect(['pass', 'fail']).toContain(s);
    const failed = props.filter((p) => p.status === 'fail');
    // Real rules have real blind spots (endswith exclusions follow a name anywhere, CurrentControlSet needles...).
    expect(failed.length).toBeGreaterThan(0);
    expect(props.length - failed.length).toBeGreaterThan(0);
    expect(code).toBe(1);
    for (const p of props) {
      expect(p.runs).toBeGreaterThan(0);
      expect(Number.isInteger(p.seed)).toBe(true);
      expect(p.known_gap).toBeNull();
      if (p.status === 'pass') expect(p.counterexample).toBeNull();
    }
    // Replay each failure from its seed and path (the library's runProperty; the CLI reruns the same way).
    for (const p of failed) {
      const ex = p.counterexample;
      expect(ex).not.toBeNull();
      if (ex === null) continue;
      expect(ex.path).toMatch(/^\d+(:\d+)*$/);
      const cfFile = join(tmp, p.file);
      const rule = written.get(cfFile) as SigmaRule;
      expect(evaluatePlan(rule.plan, ex.event).match ? 'match' : 'no-match').toBe(ex.got);
      expect(ex.got).not.toBe(ex.expected);
      const cf = loadCaseFile(cfFile).caseFile as CaseFile;
      const prop = cf.properties.find((x) => x.name === p.name);
      if (prop === undefined) throw new Error(`property ${p.name} not found`);
      const caseEvents = new Map(cf.cases.map((c) => [c.name, c.event ?? {}]));
      const replay = runProperty(prop, { plan: rule.plan, file: cf.file, caseEvents, ruleKey: rule.id ?? '', seed: p.seed, path: ex.path });
      expect(replay.result.status).toBe('fail');
      expect(replay.result.counterexample?.event).toEqual(ex.event);
    }
    const kind = (name: string): string => (name.endsWith('every spelling of the key') ? 'respell' : name.endsWith('inside longer text') ? 'embed' : name.endsWith('is not excluded') ? 'relocate' : 'recase');
    const by = (list: JsonProperty[]): string => ['respell', 'relocate', 'recase', 'embed'].map((k) => `${k} ${list.filter((p) => kind(p.name) === k).length}`).join(', ');
    console.log(`properties-corpus: ${written.size} rules, ${props.length} properties (${by(props)}), ${failed.length} failed (${by(failed)})`);
  });
});
