/**
 * The rule page data model: the seed rule reproduces the catalog page (stages, exclusions,
 * indicators, ATT&CK, events, body), and identifier/document texts are cut exactly as written in
 * the awkward cases (several documents, comments, quoted keys, CRLF, flow style).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRuleText } from '../rules/load-rule.js';
import type { SigmaRule } from '../rules/load-rule.js';
import { parseYaml } from '../yaml/yaml-tree.js';
import { parseAttackBundle } from './attack.js';
import { buildCatalogIndex } from './indicators.js';
import { buildRulePage } from './rule-page.js';
import type { RulePage } from './rule-page.js';
import { documentText, identifierText } from './source-text.js';

const SEED_FILE = fileURLToPath(new URL('../../rules/windows/registry/registry_set_asep_reg_keys_modification_winsock2.yml', import.meta.url));
const BUNDLE = parseAttackBundle(readFileSync(fileURLToPath(new URL('./fixtures/attack-bundle.json', import.meta.url)), 'utf8'));

function only(text: string, file = 'r.yml'): SigmaRule[] {
  const loaded = loadRuleText(text, file);
  if (loaded.invalid.length > 0) throw new Error(JSON.stringify(loaded.diagnostics));
  return loaded.rules;
}

function seedPage(): RulePage {
  const source = readFileSync(SEED_FILE, 'utf8');
  const rule = only(source, SEED_FILE)[0] as SigmaRule;
  if ('error' in BUNDLE) throw new Error(BUNDLE.error);
  return buildRulePage(rule, { source, attack: BUNDLE });
}

describe('the seed rule page (rule-page-winsock2)', () => {
  const page = seedPage();

  it('has the title, description and metadata', () => {
    expect(page.title).toBe('WinSock2 Autorun Keys Modification');
    expect(page.description).toBe('Detects modification of autostart extensibility point (ASEP) in registry.');
    expect(page.id).toBe('d6c2ce7e-afb5-4337-9ca4-4b5254ed0565');
    expect(page.level).toBe('medium');
  });

  it('reproduces the ATT&CK and event coverage', () => {
    const t = { id: 'T1547.001', name: 'Boot or Logon Autostart Execution: Registry Run Keys / Startup Folder' };
    expect(page.attack.map((r) => [r.tactic?.name, r.techniques])).toEqual([
      ['Persistence', [t]],
      ['Privilege Escalation', [t]],
    ]);
    expect(page.events.map((e) => [e.provider, e.eventId, e.title])).toEqual([
      ['Sysmon', 13, 'RegistryEvent (Value Set)'],
      ['Microsoft-Windows-Security-Auditing', 4657, 'A registry value was modified.'],
    ]);
  });

  it('shows the rule body as in the file', () => {
    expect(page.body).toBe(readFileSync(SEED_FILE, 'utf8').trimEnd());
  });

  it('reproduces the stages with their YAML as written', () => {
    expect(page.stages).toEqual([
      { index: 0, name: 'condition', label: 'condition', exclusion: false, text: 'winsock_parameters_base and winsock_parameters and not filter' },
      {
        index: 1,
        name: 'winsock_parameters_base',
        label: 'winsock_parameters_base',
        exclusion: false,
        text: "winsock_parameters_base:\n    TargetObject|contains: '\\System\\CurrentControlSet\\Services\\WinSock2\\Parameters'",
      },
      {
        index: 2,
        name: 'winsock_parameters',
        label: 'winsock_parameters',
        exclusion: false,
        text: "winsock_parameters:\n    TargetObject|contains:\n        - '\\Protocol_Catalog9\\Catalog_Entries'\n        - '\\NameSpace_Catalog5\\Catalog_Entries'",
      },
      {
        index: 3,
        name: 'filter',
        label: 'not filter',
        exclusion: true,
        text: "filter:\n    - Details: '(Empty)'\n    - Image: 'C:\\Windows\\System32\\MsiExec.exe'\n    - Image: 'C:\\Windows\\syswow64\\MsiExec.exe'",
      },
    ]);
  });

  it('reproduces the three exclusion rows', () => {
    expect(page.exclusions.map((e) => [e.field, e.kind, e.values])).toEqual([
      ['Details', 'eq', ['(Empty)']],
      ['Image', 'eq', ['C:\\Windows\\System32\\MsiExec.exe']],
      ['Image', 'eq', ['C:\\Windows\\syswow64\\MsiExec.exe']],
    ]);
  });

  it('reproduces the indicators: TargetObject / match (each value a contains) with three values, no corpus counts without a catalog', () => {
    expect(page.indicators).toEqual([
      {
        field: 'TargetObject',
        kind: 'match',
        negated: false,
        identifiers: ['winsock_parameters_base', 'winsock_parameters'],
        values: [
          { value: '\\System\\CurrentControlSet\\Services\\WinSock2\\Parameters', corpus: null, identifiers: ['winsock_parameters_base'], shapes: ['contains'] },
          { value: '\\Protocol_Catalog9\\Catalog_Entries', corpus: null, identifiers: ['winsock_parameters'], shapes: ['contains'] },
          { value: '\\NameSpace_Catalog5\\Catalog_Entries', corpus: null, identifiers: ['winsock_parameters'], shapes: ['contains'] },
        ],
      },
    ]);
    expect(page.catalog).toBeNull();
  });

  it('fills corpus counts from a catalog index; a copy of the rule with the same id counts once', () => {
    const source = readFileSync(SEED_FILE, 'utf8');
    const rule = only(source, SEED_FILE)[0] as SigmaRule;
    const twin = only(source, '/elsewhere/copy.yml')[0] as SigmaRule;
    const p = buildRulePage(rule, { source, catalog: buildCatalogIndex([rule, twin]) });
    expect(p.indicators[0]?.values.map((v) => v.corpus)).toEqual([1, 1, 1]);
    expect(p.catalog).toEqual({ rules: 1, partial: 0 });
  });
});

describe('identifier and document texts', () => {
  const MULTI = [
    '# header comment',
    'title: First',
    'logsource: {category: test}',
    'detection:',
    '  sel: {a: 1}',
    '  condition: sel',
    '---',
    'title: Second',
    'logsource:',
    '  category: test',
    'detection:',
    '  condition: sel and not filter',
    '  sel:',
    '    # what we look for',
    '    CommandLine|contains:',
    '      - x   # trailing',
    "#      - 'commented out'",
    "      # - 'commented out, deeper'",
    '',
    '  # about the filter',
    '  "filter":',
    '    User: y',
    '...',
    '',
  ].join('\n');

  it('cuts the key line and body, keeping inner comments and dropping what introduces the next key', () => {
    const rules = only(MULTI);
    expect(rules.map((r) => r.document)).toEqual([0, 1]);
    const second = rules[1] as SigmaRule;
    const page = buildRulePage(second, { source: MULTI });
    expect(page.stages.map((s) => s.text)).toEqual([
      'sel and not filter',
      "sel:\n  # what we look for\n  CommandLine|contains:\n    - x   # trailing\n#      - 'commented out'\n    # - 'commented out, deeper'",
      '"filter":\n  User: y',
    ]);
    expect(page.stages[2]?.label).toBe('not filter');
  });

  it('gives the text of each document without markers', () => {
    const docs = parseYaml(MULTI).documents;
    expect(documentText(MULTI, docs[0] as (typeof docs)[number])).toBe(MULTI.split('\n---\n')[0]);
    expect(documentText(MULTI, docs[1] as (typeof docs)[number])).toMatch(/^title: Second\n[\s\S]*    User: y$/);
  });

  it('handles CRLF line ends and a file without a final line break', () => {
    const text = 'title: T\r\nlogsource:\r\n  category: test\r\ndetection:\r\n  sel:\r\n    a: 1\r\n  condition: sel';
    const rule = only(text)[0] as SigmaRule;
    const page = buildRulePage(rule, { source: text });
    expect(page.stages.map((s) => s.text)).toEqual(['sel', 'sel:\n  a: 1']);
    expect(page.body).toBe(text.replace(/\r\n/g, '\n'));
  });

  it('falls back to dumping the value for flow-style detections', () => {
    const text = 'title: T\nlogsource: {category: test}\ndetection: {sel: {a: 1, b: [x, z]}, condition: sel}\n';
    const doc = parseYaml(text).documents[0];
    expect(identifierText(text, doc as NonNullable<typeof doc>, 'sel')).toBe('sel:\n  a: 1\n  b:\n    - x\n    - z');
    expect(identifierText(text, doc as NonNullable<typeof doc>, 'nope')).toBeUndefined();
  });
});
