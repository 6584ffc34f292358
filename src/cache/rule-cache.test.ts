import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { collectRules } from '../rules/collect-rules.js';
import type { LoadOptions, SigmaRule } from '../rules/load-rule.js';
import { collectRuleSet } from '../correlation/rule-set.js';
import { planMatches } from '../evaluate/evaluate.js';
import { forgetRuleFacts, knownRuleFacts } from '../compile/rule-facts.js';
import { clausesOf } from '../compile/rule-index.js';
import { RuleCache } from './rule-cache.js';
import { DIST, prepareDist } from '../../test/support/dist.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SIGMAHQ = join(REPO, '../shared/corpus/sigmahq/rules/windows/process_creation');

const temps: string[] = [];
function temp(): string {
  const d = mkdtempSync(join(tmpdir(), 'sigmatest-cache-'));
  temps.push(d);
  return d;
}
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Everything a loaded rule is, as text: classes by name with their own fields, RegExps, bigints, positions. */
function describeRule(rule: SigmaRule): string {
  const seen = new Set<unknown>();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'function') return 'function';
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    if (typeof v !== 'object' || v === null) return v;
    if (v instanceof RegExp) return String(v);
    if (seen.has(v)) return '(seen)';
    seen.add(v);
    if (v instanceof Map) return { map: [...v].map(([k, x]) => [walk(k), walk(x)]) };
    if (ArrayBuffer.isView(v)) return Array.from(v as Uint8Array);
    if (Array.isArray(v)) return v.map(walk);
    const proto = Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null;
    const out: Record<string, unknown> = { '@class': proto === null ? 'null' : proto.constructor?.name };
    for (const k of Object.keys(v)) out[k] = walk((v as Record<string, unknown>)[k]);
    seen.delete(v);
    return out;
  };
  const positions = Object.keys(rule.raw).flatMap((k) => [k, ...(Array.isArray(rule.raw[k]) ? (rule.raw[k] as unknown[]).map((_, i) => `${k}[${i}]`) : [])]).map((p) => [p, rule.positions.get(p)]);
  return JSON.stringify({ rule: walk({ ...rule, positions: undefined }), keys: Object.keys(rule), positions });
}

function loadAll(paths: string[], options: LoadOptions): { rules: string[]; files: string[] } {
  const set = collectRules(paths, options);
  return {
    rules: set.rules.map(describeRule),
    files: set.files.map((f) => JSON.stringify({ file: f.file, diagnostics: f.diagnostics, rules: f.rules.length, invalid: f.invalid.length, others: f.others.length })),
  };
}

const packs = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.cache')) : []);

const TEMPLATE = (value: string): string => `title: Cache probe
id: 0e0b1f1e-7d6e-4d8e-9a57-5a2d6c7b1a10
status: test
level: high
logsource: {product: windows, category: process_creation}
detection:
  selection:
    CommandLine|contains: '${value}'
    Image|endswith: '\\\\cmd.exe'
  filter:
    User|re: '^(?:SYSTEM|LOCAL SERVICE)$'
    CommandLine|re: '(a+)+x'
  condition: selection and not filter
tags: [attack.execution]
unknown_key: yes
`;

describe('the rule cache', () => {
  it('loads the bundled rules and a slice of SigmaHQ the same warm as without it: metadata, plans, positions, diagnostics', () => {
    const paths = [join(REPO, 'rules'), ...(existsSync(SIGMAHQ) ? [SIGMAHQ] : [])];
    if (!existsSync(SIGMAHQ)) console.warn(`SigmaHQ rules absent (${SIGMAHQ}): the bundled rules only`);
    const dir = temp();
    const cache = new RuleCache({ dir });
    const without = loadAll(paths, {});
    const cold = loadAll(paths, { cache });
    expect(cache.last?.hits).toBe(0);
    expect(cache.last?.written).toBe(true);
    const warm = loadAll(paths, { cache });
    expect(cache.last?.hits).toBeGreaterThan(existsSync(SIGMAHQ) ? 1000 : 10);
    expect(cache.last?.misses).toBe(cache.last?.uncacheable);
    expect(cache.last?.written).toBe(false);
    expect(cold).toEqual(without);
    expect(warm.files).toEqual(without.files);
    expect(warm.rules.length).toBe(without.rules.length);
    for (let i = 0; i < warm.rules.length; i++) expect(warm.rules[i]).toBe(without.rules[i]);
  });

  it('gives the same warnings warm and cold, each rule its own and the file all of them', () => {
    const dir = temp();
    const rules = join(dir, 'rules');
    cpSync(join(REPO, 'rules'), rules, { recursive: true });
    writeFileSync(join(rules, 'probe.yml'), TEMPLATE('whoami'));
    const cache = new RuleCache({ dir: join(dir, 'cache') });
    const cold = collectRules([rules], { cache });
    const warm = collectRules([rules], { cache });
    expect(cache.last?.hits).toBe(cold.files.length);
    const probe = (s: typeof cold): SigmaRule => s.rules.find((r) => r.file.endsWith('probe.yml')) as SigmaRule;
    expect(probe(cold).diagnostics.map((d) => d.code)).toContain('REGEX_BACKTRACKING_RISK');
    expect(probe(warm).diagnostics).toEqual(probe(cold).diagnostics);
    expect(warm.diagnostics).toEqual(cold.diagnostics);
    const file = warm.files.find((f) => f.file.endsWith('probe.yml'));
    for (const d of probe(warm).diagnostics) expect(file?.diagnostics).toContain(d);
  });

  it('gives a changed rule file its new verdict (one byte of a detection value flipped)', () => {
    const dir = temp();
    const file = join(dir, 'rules', 'probe.yml');
    cpSync(join(REPO, 'rules', 'windows'), join(dir, 'rules', 'windows'), { recursive: true });
    writeFileSync(file, TEMPLATE('whoami'));
    const cache = new RuleCache({ dir: join(dir, 'cache') });
    const event = { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd /c whoami /all', User: 'alice' };
    const verdict = (): boolean => {
      const r = collectRules([join(dir, 'rules')], { cache }).rules.find((x) => x.file === file) as SigmaRule;
      return planMatches(r.plan, event);
    };
    expect(verdict()).toBe(true);
    expect(verdict()).toBe(true);
    expect(cache.last?.hits).toBe(cache.last?.files);
    // whoami → whoamj: same length, one byte.
    const text = readFileSync(file);
    const at = text.indexOf('whoami') + 5;
    text[at] = 'j'.charCodeAt(0);
    writeFileSync(file, text);
    expect(verdict()).toBe(false);
    expect(cache.last?.misses).toBe(1);
    expect(cache.last?.written).toBe(true);
    expect(verdict()).toBe(false);
    expect(cache.last?.hits).toBe(cache.last?.files);
  });

  it('answers an unchanged file from its stat, unread; a file changed in place, its times put back, is read again', async () => {
    const dir = temp();
    const file = join(dir, 'rules', 'probe.yml');
    cpSync(join(REPO, 'rules', 'windows'), join(dir, 'rules', 'windows'), { recursive: true });
    writeFileSync(file, TEMPLATE('whoami'));
    const then = 1_700_000_000; // whole seconds: put back exactly below
    utimesSync(file, then, then);
    const pause = (): Promise<void> => new Promise((done) => setTimeout(done, 40));
    await pause(); // past a clock tick: with settleMs 0 the stats taken next may vouch for the files
    const cache = new RuleCache({ dir: join(dir, 'cache'), settleMs: 0 });
    const event = { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd /c whoami /all', User: 'alice' };
    const load = (): SigmaRule => collectRules([join(dir, 'rules')], { cache }).rules.find((x) => x.file === file) as SigmaRule;
    load();
    expect(cache.last?.trusted).toBe(0);
    const warm = load();
    expect(cache.last?.hits).toBe(cache.last?.files);
    expect(cache.last?.trusted).toBe(cache.last?.files);
    expect(planMatches(warm.plan, event)).toBe(true);
    // One byte flipped (same size), its access and modification times put back: the change time
    // moved, which no user can set, so the stat no longer vouches and the bytes are read.
    const before = statSync(file);
    expect(before.mtimeMs).toBe(then * 1000);
    await pause();
    const text = readFileSync(file);
    text[text.indexOf('whoami') + 5] = 'j'.charCodeAt(0);
    writeFileSync(file, text);
    utimesSync(file, then, then);
    expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
    const changed = load();
    expect(cache.last?.misses).toBe(1);
    expect(cache.last?.trusted).toBe((cache.last?.files ?? 0) - 1);
    expect(planMatches(changed.plan, event)).toBe(false);
  });

  it('lists the rule files from the pack while no folder changed; a file or folder added, removed or renamed anywhere is seen', async () => {
    const dir = temp();
    const rules = join(dir, 'rules');
    cpSync(join(REPO, 'rules'), rules, { recursive: true });
    // Files before, between and after a subfolder's: the listing's order interleaves folders.
    writeFileSync(join(rules, 'a.yml'), TEMPLATE('alpha'));
    writeFileSync(join(rules, 'zz.yml'), TEMPLATE('omega'));
    const pause = (): Promise<void> => new Promise((done) => setTimeout(done, 40));
    await pause();
    const cache = new RuleCache({ dir: join(dir, 'cache'), settleMs: 0 });
    const files = (): string[] => collectRules([rules], { cache }).files.map((f) => f.file);
    const walked = (): string[] => collectRules([rules], {}).files.map((f) => f.file);
    expect(files()).toEqual(walked());
    expect(cache.last?.listingKept).toBe(false);
    expect(files()).toEqual(walked());
    expect(cache.last?.listingKept).toBe(true);
    expect(cache.last?.written).toBe(false);
    const changes: Array<() => void> = [
      () => writeFileSync(join(rules, 'windows', 'new.yml'), TEMPLATE('added')),
      () => rmSync(join(rules, 'a.yml')),
      () => execFileSync('mv', [join(rules, 'windows', 'new.yml'), join(rules, 'windows', 'renamed.yml')]),
      () => cpSync(join(REPO, 'rules', 'windows'), join(rules, 'windows', 'nested'), { recursive: true }),
      () => writeFileSync(join(rules, 'windows', 'nested', 'deeper.yml'), TEMPLATE('deeper')),
      () => rmSync(join(rules, 'windows', 'nested'), { recursive: true }),
    ];
    for (const change of changes) {
      await pause();
      change();
      await pause();
      expect(files()).toEqual(walked());
      expect(cache.last?.listingKept).toBe(false);
      expect(files()).toEqual(walked());
      expect(cache.last?.listingKept).toBe(true);
    }
  });

  it('walks the rule folders every time when the walk followed a symbolic link or met a problem', async () => {
    const dir = temp();
    const rules = join(dir, 'rules');
    cpSync(join(REPO, 'rules', 'windows'), rules, { recursive: true });
    const elsewhere = join(dir, 'elsewhere');
    cpSync(join(REPO, 'rules', 'windows'), elsewhere, { recursive: true });
    symlinkSync(elsewhere, join(rules, 'linked'));
    await new Promise((done) => setTimeout(done, 40));
    const cache = new RuleCache({ dir: join(dir, 'cache'), settleMs: 0 });
    const files = (paths: string[]): string[] => collectRules(paths, { cache }).files.map((f) => f.file);
    files([rules]);
    expect(files([rules])).toEqual(collectRules([rules], {}).files.map((f) => f.file));
    expect(cache.last?.listingKept).toBe(false);
    // The link's target changes without the link's folder: seen.
    writeFileSync(join(elsewhere, 'behind-the-link.yml'), TEMPLATE('linked'));
    expect(files([rules]).some((f) => f.endsWith('behind-the-link.yml'))).toBe(true);
    // A missing path: reported every time, never a kept listing.
    const missing = join(dir, 'missing');
    files([elsewhere, missing]);
    expect(collectRules([elsewhere, missing], { cache }).diagnostics.some((d) => d.file === missing)).toBe(true);
    expect(cache.last?.listingKept).toBe(false);
  });

  it('keeps files with documents that do not load: the same diagnostics, ids, titles and partial rules warm as without the cache', () => {
    const dir = temp();
    const rules = join(dir, 'rules');
    cpSync(join(REPO, 'rules', 'windows'), rules, { recursive: true });
    // A rule with an unresolved placeholder (a partial rule is built), a valid rule, and a
    // document that does not parse as a rule at all, in one file; and a file that is not YAML.
    writeFileSync(
      join(rules, 'mixed.yml'),
      TEMPLATE('%tools%').replace('CommandLine|contains:', 'CommandLine|contains|expand:') + '---\n' + TEMPLATE('whoami').replace('0e0b1f1e-7d6e-4d8e-9a57-5a2d6c7b1a10', '0e0b1f1e-7d6e-4d8e-9a57-5a2d6c7b1a11') + '---\ntitle: [not, a, title]\ndetection: 3\n',
    );
    writeFileSync(join(rules, 'broken.yml'), 'title: x\n  detection: : :\n\t- [\n');
    const describeFile = (f: ReturnType<typeof collectRules>['files'][number]): string =>
      JSON.stringify({ invalid: f.invalid.map((x) => ({ ...x, partial: x.partial === undefined ? undefined : describeRule(x.partial) })), keys: f.invalid.map((x) => Object.keys(x)) });
    const without = collectRules([rules], {});
    const cache = new RuleCache({ dir: join(dir, 'cache'), settleMs: 0 });
    const cold = collectRules([rules], { cache });
    const warm = collectRules([rules], { cache });
    expect(cache.last?.hits).toBe(cache.last?.files);
    expect(cache.last?.uncacheable).toBe(0);
    const mixed = (set: typeof without): ReturnType<typeof collectRules>['files'][number] => set.files.find((f) => f.file.endsWith('mixed.yml')) as ReturnType<typeof collectRules>['files'][number];
    expect(mixed(without).invalid.length).toBe(2);
    expect(mixed(without).invalid[0]?.partial).toBeDefined();
    expect(mixed(without).rules.length).toBe(1);
    for (const set of [cold, warm]) {
      expect(set.files.map(describeFile)).toEqual(without.files.map(describeFile));
      expect(set.diagnostics).toEqual(without.diagnostics);
      expect(set.rules.map(describeRule)).toEqual(without.rules.map(describeRule));
    }
  });

  it('keeps text beyond ASCII exactly (the pack is written in ASCII escapes and read as Latin-1)', () => {
    const dir = temp();
    const rules = join(dir, 'rules');
    const odd = 'Café ſ \u212a Σ \u2028 \u{1F600}';
    cpSync(join(REPO, 'rules', 'windows'), rules, { recursive: true });
    writeFileSync(join(rules, 'probe.yml'), TEMPLATE('whoami').replace('title: Cache probe', `title: "Cache probe ${odd}"`).replace('tags: [attack.execution]', `description: "${odd}"\ntags: [attack.execution]`));
    const cache = new RuleCache({ dir: join(dir, 'cache') });
    const without = loadAll([rules], {});
    loadAll([rules], { cache });
    const [name] = packs(join(dir, 'cache'));
    expect(readFileSync(join(dir, 'cache', name as string)).every((b) => b < 128)).toBe(true);
    expect(loadAll([rules], { cache })).toEqual(without);
    expect(cache.last?.hits).toBe(cache.last?.files);
    const probe = collectRules([rules], { cache }).rules.find((r) => r.file.endsWith('probe.yml')) as SigmaRule;
    expect(probe.title).toBe('Cache probe Café ſ \u212a Σ \u2028 \u{1F600}');
  });

  it('reads nothing by stat within the settle time (a write in the same clock tick leaves a stat unchanged)', () => {
    const dir = temp();
    const rules = join(dir, 'rules');
    cpSync(join(REPO, 'rules', 'windows'), rules, { recursive: true });
    const cache = new RuleCache({ dir: join(dir, 'cache'), settleMs: 60_000 });
    collectRules([rules], { cache });
    collectRules([rules], { cache });
    expect(cache.last?.hits).toBe(cache.last?.files);
    expect(cache.last?.trusted).toBe(0);
    expect(cache.last?.written).toBe(false); // no stat to record yet: the pack is not rewritten for it
    // Nor is a listing kept while its folders are that recent: they are walked every time.
    expect(cache.last?.listingKept).toBe(false);
  });

  it('fails a rule whose file changed after it was loaded from its stat, when its plan is first needed', async () => {
    const dir = temp();
    const file = join(dir, 'rules', 'probe.yml');
    cpSync(join(REPO, 'rules', 'windows'), join(dir, 'rules', 'windows'), { recursive: true });
    writeFileSync(file, TEMPLATE('whoami'));
    await new Promise((done) => setTimeout(done, 40));
    const cache = new RuleCache({ dir: join(dir, 'cache'), settleMs: 0 });
    collectRules([join(dir, 'rules')], { cache });
    const rule = collectRules([join(dir, 'rules')], { cache }).rules.find((x) => x.file === file) as SigmaRule;
    expect(cache.last?.trusted).toBe(cache.last?.files);
    writeFileSync(file, TEMPLATE('whoamj'));
    expect(() => rule.plan).toThrow(/probe\.yml changed or went away after its rules were loaded/);
    expect(() => rule.raw).toThrow(/changed or went away/); // every lazy field, every time
    expect(() => rule.plan).toThrow(/changed or went away/);
  });

  it('ignores a pack with any byte flipped, truncated, or foreign, and still gives the right verdicts', () => {
    const dir = temp();
    const rules = join(dir, 'rules');
    cpSync(join(REPO, 'rules'), rules, { recursive: true });
    writeFileSync(join(rules, 'probe.yml'), TEMPLATE('whoami'));
    const cacheDir = join(dir, 'cache');
    const cache = new RuleCache({ dir: cacheDir });
    const expected = loadAll([rules], {});
    loadAll([rules], { cache });
    const [name] = packs(cacheDir);
    const pack = join(cacheDir, name as string);
    const good = readFileSync(pack);
    const event = { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd /c whoami /all', User: 'alice' };
    // Flip a byte in the header, at the start of the body, inside the probe's entry and at the end.
    const inProbe = good.indexOf('Cache probe');
    for (const at of [3, good.indexOf(10) + 1, inProbe, inProbe + 2, good.length - 2]) {
      const bad = Buffer.from(good);
      bad[at] = (bad[at] as number) ^ 0x01;
      writeFileSync(pack, bad);
      const set = collectRules([rules], { cache });
      expect(cache.last?.ignored, `byte ${at}`).toBeDefined();
      expect(cache.last?.hits).toBe(0);
      const probe = set.rules.find((r) => r.title === 'Cache probe') as SigmaRule;
      expect(planMatches(probe.plan, event)).toBe(true);
      expect(loadAll([rules], { cache })).toEqual(expected); // rewritten, then read back
      expect(cache.last?.hits).toBe(cache.last?.files);
    }
    writeFileSync(pack, good.subarray(0, good.length - 100));
    loadAll([rules], { cache });
    expect(cache.last?.ignored).toMatch(/truncated/);
    // A pack of other rules (another path set) put in this one's place.
    const other = new RuleCache({ dir: join(dir, 'other') });
    collectRules([join(rules, 'windows')], { cache: other });
    const [otherName] = packs(join(dir, 'other'));
    writeFileSync(pack, readFileSync(join(dir, 'other', otherName as string)));
    expect(loadAll([rules], { cache })).toEqual(expected);
    expect(cache.last?.ignored).toMatch(/other rules/);
  });

  it('neither reads nor writes through a link or a named pipe in the place of its pack', () => {
    const dir = temp();
    const cache = new RuleCache({ dir });
    const rules = join(REPO, 'rules', 'windows');
    collectRules([rules], { cache });
    const [name] = packs(dir);
    const pack = join(dir, name as string);
    const elsewhere = join(dir, 'elsewhere.txt');
    writeFileSync(elsewhere, 'keep me');
    rmSync(pack);
    symlinkSync(elsewhere, pack);
    const expected = loadAll([rules], {});
    expect(loadAll([rules], { cache })).toEqual(expected);
    expect(cache.last?.ignored).toBe('not a regular file');
    expect(cache.last?.written).toBe(false);
    expect(readFileSync(elsewhere, 'utf8')).toBe('keep me');
    rmSync(pack);
    execFileSync('mkfifo', [pack]);
    expect(loadAll([rules], { cache })).toEqual(expected); // would hang reading or writing the pipe
    expect(cache.last?.ignored).toBe('not a regular file');
  });

  it('keys packs by the load options: other placeholders are another pack', () => {
    const dir = temp();
    const cache = new RuleCache({ dir });
    const rules = join(REPO, 'rules');
    collectRules([rules], { cache });
    collectRules([rules], { cache, placeholders: { Admins: ['root'] } });
    expect(cache.last?.hits).toBe(0);
    expect(packs(dir)).toHaveLength(2);
    collectRules([rules], { cache, placeholders: { Admins: ['root'] } });
    expect(cache.last?.hits).toBe(cache.last?.files);
  });

  it('keeps at most maxPacks packs, the least recently used deleted', () => {
    const dir = temp();
    const cache = new RuleCache({ dir, maxPacks: 2 });
    const base = join(REPO, 'rules');
    for (const sub of ['windows', 'linux', 'cloud']) collectRules([join(base, sub)], { cache });
    expect(packs(dir)).toHaveLength(2);
    collectRules([join(base, 'windows')], { cache }); // pruned: loaded again
    expect(cache.last?.hits).toBe(0);
    collectRules([join(base, 'cloud')], { cache });
    expect(cache.last?.hits).toBe(cache.last?.files);
  });

  it('builds no plan until one is read, and a replaced plan forgets the facts the index read', () => {
    const dir = temp();
    const rules = join(dir, 'rules');
    cpSync(join(REPO, 'rules', 'windows'), rules, { recursive: true });
    const cache = new RuleCache({ dir: join(dir, 'cache') });
    const cold = collectRules([rules], { cache }).rules;
    const warm = collectRules([rules], { cache }).rules;
    const rule = warm[0] as SigmaRule;
    const facts = knownRuleFacts(rule);
    expect(facts).toBeDefined();
    expect(Object.getOwnPropertyDescriptor(rule, 'plan')?.get).toBeDefined();
    expect(facts?.clauses).toEqual(clausesOf((cold[0] as SigmaRule).plan));
    const plan = rule.plan;
    expect(facts?.clauses).toEqual(clausesOf(plan));
    rule.plan = { ...plan };
    expect(knownRuleFacts(rule)).toBeUndefined();
    forgetRuleFacts(rule);
  });

  it('keeps the index facts of every rule exactly (needle order, numeric needles, counts, fields), the clauses read from their text on first use', () => {
    const dir = temp();
    const rules = join(dir, 'rules');
    cpSync(join(REPO, 'rules'), rules, { recursive: true });
    // Numeric needles (EventID 4688), keywords and two fields in one clause.
    writeFileSync(join(rules, 'numeric.yml'), 'title: Numeric probe\nlogsource: {product: windows, service: security}\ndetection:\n  selection: {EventID: [4688, 1], NewProcessName|endswith: [a.exe, b.exe]}\n  words: [mimikatz, sekurlsa]\n  condition: selection and words\n');
    const cache = new RuleCache({ dir: join(dir, 'cache') });
    const cold = collectRules([rules], {}).rules;
    collectRules([rules], { cache });
    const warm = collectRules([rules], { cache }).rules;
    expect(warm.length).toBe(cold.length);
    let numeric = 0;
    warm.forEach((rule, i) => {
      const facts = knownRuleFacts(rule);
      const plan = (cold[i] as SigmaRule).plan;
      const clauses = clausesOf(plan);
      expect(facts?.clauses).toEqual(clauses);
      expect(facts?.clauseCount).toBe(clauses.length);
      expect(facts?.numericFields).toEqual([...new Set(clauses.flat().filter((n) => n.numeric === true).map((n) => n.field))]);
      expect(facts?.fields).toEqual([...new Set(plan.items.flatMap((x) => (x.field === null ? [] : [x.field])))]);
      numeric += clauses.flat().filter((n) => n.numeric === true).length;
    });
    expect(numeric).toBeGreaterThan(0);
  });

  it('applies filters to cached rules as to loaded ones', () => {
    const dir = temp();
    const rules = join(dir, 'rules');
    cpSync(join(REPO, 'rules', 'windows'), join(rules, 'windows'), { recursive: true });
    writeFileSync(join(rules, 'probe.yml'), TEMPLATE('whoami'));
    writeFileSync(
      join(rules, 'filter.yml'),
      `title: Not alice\nfilter:\n  rules: [0e0b1f1e-7d6e-4d8e-9a57-5a2d6c7b1a10]\n  selection: {User: alice}\n  condition: not selection\nlogsource: {product: windows, category: process_creation}\n`,
    );
    const cache = new RuleCache({ dir: join(dir, 'cache') });
    const event = { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd /c whoami /all', User: 'alice' };
    for (let k = 0; k < 2; k++) {
      const set = collectRuleSet([rules], { cache });
      expect(set.filters).toHaveLength(1);
      const probe = set.rules.find((r) => r.title === 'Cache probe') as SigmaRule;
      expect(planMatches(probe.plan, event)).toBe(false);
      expect(planMatches(probe.plan, { ...event, User: 'bob' })).toBe(true);
      expect(knownRuleFacts(probe)).toBeUndefined();
    }
    expect(cache.last?.hits).toBeGreaterThan(0);
  });

  it('ends with a good pack when two processes write it at once, each with the right answer', async () => {
    const problem = prepareDist();
    if (problem !== undefined) {
      console.warn(`skipped: ${problem}`);
      return;
    }
    const dir = temp();
    const rules = join(dir, 'rules');
    cpSync(join(REPO, 'rules'), rules, { recursive: true });
    writeFileSync(join(rules, 'probe.yml'), TEMPLATE('whoami'));
    const script = `
      const { collectRules } = await import(${JSON.stringify(join(DIST, 'src/rules/collect-rules.js'))});
      const { RuleCache } = await import(${JSON.stringify(join(DIST, 'src/cache/rule-cache.js'))});
      const { planMatches } = await import(${JSON.stringify(join(DIST, 'src/evaluate/evaluate.js'))});
      const cache = new RuleCache({ dir: process.argv[1] });
      const set = collectRules([process.argv[2]], { cache });
      const event = { Image: 'C:\\\\Windows\\\\System32\\\\cmd.exe', CommandLine: 'cmd /c whoami /all', User: 'alice' };
      console.log(JSON.stringify({ n: set.rules.length, hit: set.rules.filter((r) => planMatches(r.plan, event)).map((r) => r.title), stats: cache.last }));
    `;
    const child = (cacheDir: string): Promise<{ n: number; hit: string[]; stats: { written: boolean } }> =>
      new Promise((done, fail) => {
        execFile(process.execPath, ['--input-type=module', '-e', script, cacheDir, rules], (e, out) => (e ? fail(e) : done(JSON.parse(out))));
      });
    for (let round = 0; round < 3; round++) {
      const cacheDir = join(dir, `cache${round}`);
      const [a, b] = await Promise.all([child(cacheDir), child(cacheDir)]);
      expect(a.hit).toContain('Cache probe');
      expect({ n: a.n, hit: a.hit }).toEqual({ n: b.n, hit: b.hit });
      expect(packs(cacheDir)).toHaveLength(1);
      expect(readdirSync(cacheDir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
      const c = await child(cacheDir);
      expect({ n: c.n, hit: c.hit }).toEqual({ n: a.n, hit: a.hit });
      expect(c.stats).toMatchObject({ hits: c.stats && (c.stats as unknown as { files: number }).files, written: false });
      expect((c.stats as unknown as { ignored?: string }).ignored).toBeUndefined();
    }
  }, 60_000);
});
