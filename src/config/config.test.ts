import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from './config.js';
import { DEFAULT_LIMITS } from '../util/limits.js';

const dir = mkdtempSync(join(tmpdir(), 'sigmatest-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const parse = (text: string) => parseConfig(text, join(dir, 'sigmatest.config.yml'));
const brief = (ds: ReturnType<typeof parse>['diagnostics']) => ds.map((d) => `${d.pos?.line ?? 0}:${d.pos?.column ?? 0} ${d.severity} ${d.code} ${d.path ?? ''}`);

describe('the config file', () => {
  it('reads placeholders, the logsource mapping and the gate section in one pass, paths relative to the file', () => {
    const { config, diagnostics } = parse(
      [
        'placeholders:',
        "  Admins: ['admin*', root]",
        '  Port: 010',
        'logsources: maps/extra.yml',
        'gate:',
        '  min_match: 2',
        '  min_no_match: 0',
        '  min_coverage: 80.5',
        '  fuzz_runs: 10',
        '  corpus: corpus/',
        '  known_fps: fps.yml',
        '  severities: { RULE_AUTHOR_MISSING: off, TAG_NAMESPACE_UNKNOWN: error }',
        '',
      ].join('\n'),
    );
    expect(diagnostics).toEqual([]);
    expect(config.placeholders).toEqual({ Admins: ['admin*', 'root'], Port: ['010'] });
    expect(config.logsources).toBe(join(dir, 'maps', 'extra.yml'));
    expect(config.gate).toEqual({
      minMatch: 2,
      minNoMatch: 0,
      minCoverage: 80.5,
      fuzzRuns: 10,
      corpus: [join(dir, 'corpus')],
      knownFps: join(dir, 'fps.yml'),
      severities: { RULE_AUTHOR_MISSING: 'off', TAG_NAMESPACE_UNKNOWN: 'error' },
    });
  });

  it('reads the correlation section: time fields, out-of-order tolerance, open groups; locates its problems', () => {
    const ok = parse(['correlation:', '  time_fields: [ts, "@timestamp"]', '  tolerance: 90s', '  max_groups: 5000', ''].join('\n'));
    expect(ok.diagnostics).toEqual([]);
    expect(ok.config.correlation).toEqual({ timeFields: ['ts', '@timestamp'], toleranceMs: 90_000, maxGroups: 5000 });
    expect(parse('correlation: {tolerance: 0}\n').config.correlation).toEqual({ toleranceMs: 0 });
    const bad = parse(['correlation:', '  time_fields: []', '  tolerance: 5 minutes', '  max_groups: 0', '  window: 1h', ''].join('\n'));
    expect(brief(bad.diagnostics)).toEqual([
      '5:3 warning CONFIG_KEY_UNKNOWN correlation.window',
      '2:16 error CONFIG_INVALID correlation.time_fields',
      '3:14 error CONFIG_INVALID correlation.tolerance',
      '4:15 error CONFIG_INVALID correlation.max_groups',
    ]);
    expect(brief(parse('correlation: 5m\n').diagnostics)).toEqual(['1:14 error CONFIG_INVALID correlation']);
  });

  it('locates every problem, and keys gate.severities on the code registry', () => {
    const { diagnostics, config } = parse(
      [
        'placeholders: [a]',
        'logsources: 3',
        'colour: blue',
        'gate:',
        '  min_coverage: 120',
        '  corpus: [a, {b: c}]',
        '  severities:',
        '    RULE_ID_MISSING: warning',
        '    NOT_A_CODE: off',
        '    YAML_SYNTAX: off',
        '    TAG_DUPLICATE: loud',
        '  fuzz: 3',
        '',
      ].join('\n'),
    );
    expect(brief(diagnostics)).toEqual([
      '3:1 warning CONFIG_KEY_UNKNOWN colour',
      '1:15 error CONFIG_INVALID placeholders',
      '2:13 error CONFIG_INVALID logsources',
      '12:3 warning CONFIG_KEY_UNKNOWN gate.fuzz',
      '5:17 error CONFIG_INVALID gate.min_coverage',
      '6:11 error CONFIG_INVALID gate.corpus',
      '9:5 warning CONFIG_KEY_UNKNOWN gate.severities.NOT_A_CODE',
      '10:5 error CONFIG_INVALID gate.severities.YAML_SYNTAX',
      '11:20 error CONFIG_INVALID gate.severities.TAG_DUPLICATE',
    ]);
    expect(config.gate.severities).toEqual({ RULE_ID_MISSING: 'warning' });
  });

  it('YAML problems keep their codes; an empty file or a null document is an empty config', () => {
    expect(brief(parse('a: 1\na: 2\n').diagnostics)).toEqual(['2:1 error YAML_DUPLICATE_KEY a']);
    expect(brief(parse('[1, 2\n').diagnostics)[0]).toMatch(/error YAML_SYNTAX/);
    expect(parse('')).toMatchObject({ config: { placeholders: {}, gate: {} }, diagnostics: [] });
    expect(parse('~\n').diagnostics).toEqual([]);
    expect(brief(parse('- a\n').diagnostics)).toEqual(['1:1 error CONFIG_INVALID ']);
  });

  it('finds the default file in cwd, resolves a named one against cwd, and reports a named one that is missing', () => {
    const sub = join(dir, 'project');
    mkdirSync(sub, { recursive: true });
    expect(loadConfig(undefined, sub)).toEqual({ config: { placeholders: {}, pipelines: [], limits: DEFAULT_LIMITS, correlation: {}, gate: {} }, diagnostics: [] });
    writeFileSync(join(sub, 'sigmatest.config.yml'), 'placeholders: {A: x}\n');
    expect(loadConfig(undefined, sub).config).toEqual({ placeholders: { A: ['x'] }, pipelines: [], limits: DEFAULT_LIMITS, correlation: {}, gate: {}, file: join(sub, 'sigmatest.config.yml') });
    writeFileSync(join(sub, 'other.yml'), 'placeholders: {B: y}\n');
    expect(loadConfig('other.yml', sub).config.placeholders).toEqual({ B: ['y'] });
    expect(brief(loadConfig('missing.yml', sub).diagnostics)).toEqual(['0:0 error CONFIG_UNREADABLE ']);
  });

  it("takes 'root' (the folder case files read from) only inside its own repository: a config cannot widen it", () => {
    const repo = join(dir, 'root-repo');
    mkdirSync(join(repo, '.git'), { recursive: true });
    mkdirSync(join(repo, 'sub'), { recursive: true });
    symlinkSync(tmpdir(), join(repo, 'sub', 'out-link'));
    const at = (text: string) => parseConfig(text, join(repo, 'sub', 'sigmatest.config.yml'));
    expect(at('root: ..\n')).toMatchObject({ config: { root: repo }, diagnostics: [] });
    expect(at('root: data\n')).toMatchObject({ config: { root: join(repo, 'sub', 'data') }, diagnostics: [] });
    for (const bad of ['root: ../..\n', 'root: /\n', 'root: out-link\n']) {
      const { config, diagnostics } = at(bad);
      expect(config.root, bad).toBeUndefined();
      expect(brief(diagnostics), bad).toEqual(['1:7 error CONFIG_INVALID root']);
      expect(diagnostics[0]?.message, bad).toMatch(/inside .*root-repo, the config file's repository/);
    }
    expect(brief(at('root: [a]\n').diagnostics)).toEqual(['1:7 error CONFIG_INVALID root']);
  });

  it('reads no path outside its repository: logsources, gate.corpus and gate.known_fps leading out are errors (a pull request could make gate print them)', () => {
    const repo = join(dir, 'paths-repo');
    mkdirSync(join(repo, '.git'), { recursive: true });
    const at = (text: string) => parseConfig(text, join(repo, 'sigmatest.config.yml'));
    const { config, diagnostics } = at('logsources: /etc/passwd\ngate:\n  corpus: [corpus, /home, ../elsewhere]\n  known_fps: ../../fps.yml\n');
    expect(brief(diagnostics)).toEqual(['1:13 error CONFIG_INVALID logsources', '3:20 error CONFIG_INVALID gate.corpus', '3:27 error CONFIG_INVALID gate.corpus', '4:14 error CONFIG_INVALID gate.known_fps']);
    expect(config.logsources).toBeUndefined();
    expect(config.gate).toEqual({});
    expect(at('logsources: maps/x.yml\ngate: {corpus: corpus, known_fps: fps.yml}\n')).toMatchObject({
      config: { logsources: join(repo, 'maps', 'x.yml'), gate: { corpus: [join(repo, 'corpus')], knownFps: join(repo, 'fps.yml') } },
      diagnostics: [],
    });
  });

  it('reads limits: each a whole number within its range, unknown names and bad values located', () => {
    const { config, diagnostics } = parse(['limits:', '  yaml_nodes: 5000', '  condition_depth: 0', '  value_alternatives: many', '  event_bytes: 1048576', '  yaml_bytes: 1', ''].join('\n'));
    expect(config.limits).toEqual({ ...DEFAULT_LIMITS, yamlNodes: 5000, eventBytes: 1048576 });
    expect(brief(diagnostics)).toEqual(['3:20 error CONFIG_INVALID limits.condition_depth', '4:23 error CONFIG_INVALID limits.value_alternatives', '6:3 warning CONFIG_KEY_UNKNOWN limits.yaml_bytes']);
    expect(diagnostics[0]?.message).toBe('limits.condition_depth must be a whole number from 1 to 1,000');
    expect(brief(parse('limits: 5\n').diagnostics)).toEqual(['1:9 error CONFIG_INVALID limits']);
  });

  it('placeholder names are ordinary keys: __proto__ and constructor are placeholders like any other', () => {
    const { config } = parse('placeholders:\n  __proto__: [a]\n  constructor: [b]\n');
    expect(Object.keys(config.placeholders)).toEqual(['__proto__', 'constructor']);
    expect(config.placeholders['__proto__']).toEqual(['a']);
    expect(parse('placeholders: {x: y}\n').config.placeholders['constructor']).toBeUndefined();
  });
});
