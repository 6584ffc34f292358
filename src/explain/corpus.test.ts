/**
 * Corpus counts against the SigmaHQ corpus (../shared/corpus/sigmahq relative to the repository;
 * skipped with a message when it is absent). The counts of `explain --catalog` are checked against
 * two counts computed here without the engine: a grep-like line scan for the seed's three values,
 * and a js-yaml based count of every `match` indicator of the catalog (positive identifiers found by
 * a token-level walk of the condition).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/main.js';
import type { Io } from '../cli/io.js';
import { indicatorKey, loadCatalog } from './indicators.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CORPUS = resolve(REPO, '../shared/corpus/sigmahq');
const CATALOG = join(CORPUS, 'rules');
const SEED = resolve(REPO, 'rules/windows/registry/registry_set_asep_reg_keys_modification_winsock2.yml');
const SEED_VALUES = ['\\System\\CurrentControlSet\\Services\\WinSock2\\Parameters', '\\Protocol_Catalog9\\Catalog_Entries', '\\NameSpace_Catalog5\\Catalog_Entries'];
const present = existsSync(CATALOG);
if (!present) console.warn(`corpus.test: ${CATALOG} not found, skipping the SigmaHQ corpus checks`);

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/i.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** A YAML scalar as written on one line: quotes removed (single: '' → '), trailing comment dropped. */
function unquote(s: string): string {
  const t = s.trim();
  if (t.startsWith("'")) return t.slice(1, t.lastIndexOf("'")).replace(/''/g, "'");
  if (t.startsWith('"')) return t.slice(1, t.lastIndexOf('"')).replace(/\\\\/g, '\\').replace(/\\"/g, '"');
  return t.replace(/\s+#.*$/, '');
}

/**
 * Grep-like: files (other than `exclude`) whose detection has a `field|contains/endswith/startswith`
 * entry with the value (inline or as a list item), compared case-insensitively.
 */
function grepCount(files: string[], field: string, value: string, exclude: string): string[] {
  const entry = new RegExp(`^\\s*(?:- )?${field}\\|(?:contains|endswith|startswith)(?:\\|all)?:\\s*(.*)$`);
  const hits: string[] = [];
  for (const f of files) {
    if (resolve(f) === resolve(exclude)) continue;
    const lines = readFileSync(f, 'utf8').split(/\r?\n/);
    let inDetection = false;
    let found = false;
    for (let i = 0; i < lines.length && !found; i++) {
      const l = lines[i] as string;
      if (/^detection:/.test(l)) inDetection = true;
      else if (/^\S/.test(l)) inDetection = false;
      const m = inDetection ? entry.exec(l) : null;
      if (m === null) continue;
      const values: string[] = [];
      if ((m[1] ?? '').trim() !== '') values.push(unquote(m[1] ?? ''));
      else for (let j = i + 1; /^\s*- /.test(lines[j] ?? ''); j++) values.push(unquote((lines[j] as string).replace(/^\s*- /, '')));
      found = values.some((v) => v.toLowerCase() === value.toLowerCase());
    }
    if (found) hits.push(f);
  }
  return hits;
}

/** Identifiers a condition uses under an even number of `not`s, by a token walk with a parity stack. */
function positive(condition: string, ids: string[]): Set<string> {
  const out = new Set<string>();
  const stack = [false];
  let pendingNot = false;
  for (const t of condition.split(/([()])|\s+/).filter((x) => x !== undefined && x !== '')) {
    const top = stack[stack.length - 1] as boolean;
    if (t === '(') {
      stack.push(top !== pendingNot);
      pendingNot = false;
    } else if (t === ')') stack.pop();
    else if (t === 'not') pendingNot = !pendingNot;
    else if (['and', 'or', '1', 'all', 'of'].includes(t)) continue;
    else {
      const re = new RegExp(`^${t.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
      if (top === pendingNot) for (const id of ids) if (re.test(id) && (t.startsWith('_') || !id.startsWith('_') || t === id)) out.add(id);
      pendingNot = false;
    }
  }
  return out;
}

/** js-yaml based count of rules per (field, lowercased string value) of contains/startswith/endswith items. */
function independentMatchCounts(files: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of files) {
    const doc = load(readFileSync(f, 'utf8')) as { detection?: Record<string, unknown> } | null;
    const det = doc?.detection;
    if (det === undefined) continue;
    const ids = Object.keys(det).filter((k) => k !== 'condition');
    const pos = positive([det.condition].flat().join(' or '), ids);
    const keys = new Set<string>();
    for (const id of pos) {
      const body = det[id];
      const maps = (Array.isArray(body) ? body : [body]).filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x));
      for (const m of maps) {
        for (const [k, v] of Object.entries(m)) {
          const [field, ...mods] = k.split('|');
          if (field === undefined || field === '' || mods.includes('neq') || !mods.some((x) => ['contains', 'startswith', 'endswith'].includes(x))) continue;
          // Only text values: YAML 1.2 numbers keep their source text in Sigma (§1), which js-yaml's load forgets.
          for (const x of [v].flat()) if (typeof x === 'string') keys.add(`${field}\u0000${x.toLowerCase()}`);
        }
      }
    }
    for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

describe.skipIf(!present)('SigmaHQ corpus', () => {
  it('explain --catalog counts the seed indicators like a grep of the catalog, in a few seconds', async () => {
    let out = '';
    let err = '';
    const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), isTty: false, cwd: process.cwd() };
    const started = Date.now();
    const code = await runCli(['explain', SEED, '--format', 'json', '--catalog', relative(process.cwd(), CATALOG) || '.'], io);
    const seconds = (Date.now() - started) / 1000;
    console.log(`explain --catalog ${CATALOG}: ${seconds.toFixed(2)} s; ${err.trim()}`);
    expect(code).toBe(0);
    expect(seconds).toBeLessThan(15);
    const page = JSON.parse(out) as { indicators: Array<{ field: string; kind: string; values: Array<{ value: string; corpus: number }> }> };
    const values = page.indicators.flatMap((g) => g.values.map((v) => ({ field: g.field, kind: g.kind, ...v })));
    expect(values.map((v) => v.value)).toEqual(SEED_VALUES);
    const files = yamlFiles(CATALOG);
    for (const v of values) {
      const hits = grepCount(files, 'TargetObject', v.value, SEED);
      expect({ value: v.value, corpus: v.corpus }).toEqual({ value: v.value, corpus: hits.length });
      // The only other rule is SigmaHQ's own copy of the seed (same id, another path): it counts.
      expect(hits.map((h) => relative(CATALOG, h))).toEqual(['windows/registry/registry_set/registry_set_asep_reg_keys_modification_winsock2.yml']);
    }
  });

  it('agrees with a js-yaml based count on every match indicator of the catalog', () => {
    const files = yamlFiles(CATALOG);
    const expected = independentMatchCounts(files);
    const index = loadCatalog([CATALOG]).index;
    const diffs: Array<[string, number, number]> = [];
    for (const [k, n] of expected) {
      const [field = '', value = ''] = k.split('\u0000');
      const mine = index.counts.get(indicatorKey(field, 'match', false, value)) ?? 0;
      if (mine !== n) diffs.push([k.replace('\u0000', ' '), n, mine]);
    }
    expect(expected.size).toBeGreaterThan(20_000);
    expect(diffs).toEqual([]);
  });
});
