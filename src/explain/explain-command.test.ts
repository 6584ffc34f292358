/**
 * `sigmatest explain` end to end through runCli with captured output: the seed page in Markdown
 * and JSON, the ATT&CK bundle option, a catalog, and the exit-2 paths (bad rule, bad bundle,
 * missing catalog, usage).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/main.js';
import { captureIo } from '../../test/capture-io.js';
const SEED_FILE = fileURLToPath(new URL('../../rules/windows/registry/registry_set_asep_reg_keys_modification_winsock2.yml', import.meta.url));
const BUNDLE = fileURLToPath(new URL('./fixtures/attack-bundle.json', import.meta.url));

const capture = () => captureIo();

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = capture();
  const code = await runCli(['explain', ...argv], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'sigmatest-explain-cli-'));
}

describe('sigmatest explain', () => {
  it('renders the seed page as Markdown by default', async () => {
    const r = await run(SEED_FILE);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const sections = r.out.split('\n').filter((l) => l.startsWith('#'));
    expect(sections).toEqual([
      '# WinSock2 Autorun Keys Modification',
      '## MITRE ATT&CK coverage',
      '## Event coverage',
      '## Rule body',
      '## Stages and Predicates',
      '### Stage 0: condition',
      '### Stage 1: winsock_parameters_base',
      '### Stage 2: winsock_parameters',
      '### Stage 3: not filter',
      '## Exclusions',
      '## Indicators',
    ]);
    expect(r.out).toContain('| Tactic | Techniques |\n|---|---|\n| Persistence | T1547.001 |\n| Privilege Escalation | T1547.001 |\n');
    expect(r.out).toContain('| Provider | Event | Title |\n|---|---|---|\n| Sysmon | Event ID 13 | RegistryEvent (Value Set) |\n');
    expect(r.out).toContain(
      '| Field | Kind | Excluded values |\n|---|---|---|\n| Details | eq | `(Empty)` |\n| Image | eq | `C:\\Windows\\System32\\MsiExec.exe` |\n| Image | eq | `C:\\Windows\\syswow64\\MsiExec.exe` |\n',
    );
    expect(r.out).toContain('| TargetObject | match (contains) | `\\Protocol_Catalog9\\Catalog_Entries` |  |\n');
  });

  it('names techniques from an ATT&CK bundle', async () => {
    const r = await run(SEED_FILE, '--attack', BUNDLE);
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      '| Persistence | T1547.001 Boot or Logon Autostart Execution: Registry Run Keys / Startup Folder |\n' +
        '| Privilege Escalation | T1547.001 Boot or Logon Autostart Execution: Registry Run Keys / Startup Folder |\n',
    );
  });

  it('prints the page as JSON', async () => {
    const r = await run(SEED_FILE, '--format', 'json', '--attack', BUNDLE);
    expect(r.code).toBe(0);
    const page = JSON.parse(r.out) as Record<string, unknown>;
    expect(Object.keys(page)).toEqual(
      expect.arrayContaining(['id', 'title', 'stages', 'exclusions', 'indicators', 'attack', 'events', 'body', 'notes', 'catalog']) as unknown,
    );
    expect(page.id).toBe('d6c2ce7e-afb5-4337-9ca4-4b5254ed0565');
    expect(page.title).toBe('WinSock2 Autorun Keys Modification');
    expect((page.stages as Array<Record<string, unknown>>).map((s) => [s.index, s.name, s.label])).toEqual([
      [0, 'condition', 'condition'],
      [1, 'winsock_parameters_base', 'winsock_parameters_base'],
      [2, 'winsock_parameters', 'winsock_parameters'],
      [3, 'filter', 'not filter'],
    ]);
    expect((page.exclusions as Array<Record<string, unknown>>).map((e) => [e.field, e.kind, e.values])).toEqual([
      ['Details', 'eq', ['(Empty)']],
      ['Image', 'eq', ['C:\\Windows\\System32\\MsiExec.exe']],
      ['Image', 'eq', ['C:\\Windows\\syswow64\\MsiExec.exe']],
    ]);
    expect((page.indicators as Array<Record<string, unknown>>).map((i) => [i.field, i.kind, i.values])).toEqual([
      [
        'TargetObject',
        'match',
        [
          { value: '\\System\\CurrentControlSet\\Services\\WinSock2\\Parameters', corpus: null, identifiers: ['winsock_parameters_base'], shapes: ['contains'] },
          { value: '\\Protocol_Catalog9\\Catalog_Entries', corpus: null, identifiers: ['winsock_parameters'], shapes: ['contains'] },
          { value: '\\NameSpace_Catalog5\\Catalog_Entries', corpus: null, identifiers: ['winsock_parameters'], shapes: ['contains'] },
        ],
      ],
    ]);
    expect(page.attack).toEqual([
      {
        tactic: { slug: 'persistence', id: 'TA0003', name: 'Persistence' },
        tagged: true,
        techniques: [{ id: 'T1547.001', name: 'Boot or Logon Autostart Execution: Registry Run Keys / Startup Folder' }],
      },
      {
        tactic: { slug: 'privilege-escalation', id: 'TA0004', name: 'Privilege Escalation' },
        tagged: true,
        techniques: [{ id: 'T1547.001', name: 'Boot or Logon Autostart Execution: Registry Run Keys / Startup Folder' }],
      },
    ]);
    expect(page.events).toEqual([
      { provider: 'Sysmon', eventId: 13, title: 'RegistryEvent (Value Set)', channel: 'Microsoft-Windows-Sysmon/Operational' },
      { provider: 'Microsoft-Windows-Security-Auditing', eventId: 4657, title: 'A registry value was modified.', channel: 'Security' },
    ]);
  });

  it('counts indicators in a catalog and reports the catalog on stderr', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'other.yml'), "title: O\nlogsource: {category: registry_set, product: windows}\ndetection:\n  s:\n    TargetObject|endswith: '\\protocol_catalog9\\catalog_entries'\n  condition: s\n");
    const r = await run(SEED_FILE, '--format', 'json', '--catalog', d, SEED_FILE);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^explain: catalog of 2 rules from 2 files \(\d+\.\d\d s\)\n$/);
    const page = JSON.parse(r.out) as { indicators: Array<{ values: Array<{ corpus: number | null }> }>; catalog: unknown };
    expect(page.indicators[0]?.values.map((v) => v.corpus)).toEqual([1, 2, 1]); // the seed itself is in the catalog
    expect(page.catalog).toEqual({ rules: 2, partial: 0 });
  });

  it('explains a rule whose only errors are unresolved placeholders, with a note', async () => {
    const d = tempDir();
    const file = join(d, 'p.yml');
    writeFileSync(file, "title: P\nlogsource: {category: process_creation, product: windows}\ndetection:\n  sel:\n    User|expand: '%Admins%'\n  condition: sel\n");
    const r = await run(file);
    expect(r.code).toBe(0);
    expect(r.err).toContain('PLACEHOLDER_UNRESOLVED');
    expect(r.out).toContain('> **Note:** the rule has placeholders without configured values');
    expect(r.out).toContain('| User | eq | `%Admins%` |  |');
  });

  it('prints an array for a file with several detection rules', async () => {
    const d = tempDir();
    const file = join(d, 'm.yml');
    const doc = (t: string): string => `title: ${t}\nlogsource: {category: test}\ndetection:\n  sel: {a: 1}\n  condition: sel\n`;
    writeFileSync(file, `${doc('One')}---\n${doc('Two')}`);
    const r = await run(file, '--format', 'json');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.out) as Array<{ title: string; document: number }>).map((p) => [p.title, p.document])).toEqual([
      ['One', 0],
      ['Two', 1],
    ]);
    const md = await run(file);
    expect(md.out).toContain('\n---\n\nDetection rules › Sigma\n\n# Two\n');
  });

  describe('bad input exits 2 with the reason', () => {
    it('an unreadable rule file', async () => {
      const r = await run(join(tempDir(), 'missing.yml'));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/missing\.yml: error FILE_UNREADABLE: cannot read the rule file/);
      expect(r.out).toBe('');
    });

    it('a rule with errors prints its diagnostics', async () => {
      const d = tempDir();
      const file = join(d, 'bad.yml');
      writeFileSync(file, "title: B\nlogsource: {category: test}\ndetection:\n  sel:\n    Image|endwith: x\n  condition: sel\n");
      const r = await run(file);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/bad\.yml:5:5: error MODIFIER_UNKNOWN at detection\.sel\["Image\|endwith"\]: unknown modifier 'endwith'/);
      expect(r.err).toContain('has errors (above)');
      expect(r.out).toBe('');
    });

    it('a correlation whose rules resolve to nothing, and a file without any rule', async () => {
      const d = tempDir();
      const file = join(d, 'c.yml');
      writeFileSync(file, 'title: C\ncorrelation:\n  type: event_count\n  rules: [x]\n  group-by: [Computer]\n  timespan: 1h\n  condition: {gte: 2}\n');
      const r = await run(file);
      // The page is still shown (references as written), with the located error and exit 2.
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/c\.yml:4:\d+: error CORRELATION_RULE_UNKNOWN at correlation\.rules\[0\]/);
      expect(r.out).toContain('| `x` | *(not found)* | unresolved |');
      const empty = join(d, 'e.yml');
      writeFileSync(empty, 'title: E\nfoo: 1\n');
      const e = await run(empty);
      expect(e.code).toBe(2);
    });

    it('a bad or unreadable ATT&CK bundle', async () => {
      const d = tempDir();
      writeFileSync(join(d, 'b.json'), '{"type": "bundle", "objects": [');
      const bad = await run(SEED_FILE, '--attack', join(d, 'b.json'));
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(/b\.json is not a usable ATT&CK STIX bundle: not valid JSON/);
      const missing = await run(SEED_FILE, '--attack', join(d, 'none.json'));
      expect(missing.code).toBe(2);
      expect(missing.err).toMatch(/cannot read the ATT&CK bundle .*none\.json/);
    });

    it('a missing catalog path', async () => {
      const r = await run(SEED_FILE, '--catalog', join(tempDir(), 'nowhere'));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/error PATH_NOT_FOUND: no such file or folder: .*nowhere/);
    });

    it('no rule file, several rule files, a bad format', async () => {
      expect((await run()).code).toBe(2);
      expect((await run(SEED_FILE, SEED_FILE)).err).toMatch(/needs exactly one rule file, not 2/);
      expect((await run(SEED_FILE, '--format', 'pdf')).err).toMatch(/--format must be one of markdown, json, html/);
    });
  });

  it('has --help', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Usage: sigmatest explain <rule file>/);
    expect(r.out).toContain('--catalog <rule folders...>');
  });
});

describe('sigmatest explain: correlations and filters', () => {
  const FIX = fileURLToPath(new URL('../../test/golden/fixtures/explain-correlation/', import.meta.url));

  it('a filter file with --rules: its page names the rule it applies to and the stage it became there; json and html too', async () => {
    const md = await run(join(FIX, 'service_accounts.yml'), '--rules', FIX);
    expect(md.code).toBe(0);
    expect(md.out).toContain('| `successful_logon` | Successful logon (');
    expect(md.out).toMatch(/\| yes \| `svc_accounts` \|/);
    expect(md.err).toMatch(/service_accounts\.yml:\d+:\d+: warning FILTER_RULE_UNKNOWN/);
    const json = JSON.parse((await run(join(FIX, 'service_accounts.yml'), '--rules', FIX, '--format', 'json')).out) as { kind: string; targets: Array<{ ref: string; applied: boolean; stages: string[] }> };
    expect(json.kind).toBe('filter');
    expect(json.targets.map((t) => [t.ref, t.applied, t.stages])).toEqual([
      ['successful_logon', true, ['svc_accounts']],
      ['no_such_rule', false, []],
    ]);
    const html = await run(join(FIX, 'service_accounts.yml'), '--rules', FIX, '--format', 'html');
    expect(html.out).toMatch(/^<!doctype html>/);
    expect(html.out).toContain('<h1>Service accounts log on by design</h1>');
  });

  it('a file of rules and correlations: one page per document in file order, and the filters found with --rules appear in the rules’ stages', async () => {
    const r = await run(join(FIX, 'logons.yml'), '--rules', FIX, '--format', 'json');
    expect(r.code).toBe(0);
    const pages = JSON.parse(r.out) as Array<{ kind?: string; title: string; stages?: Array<{ name: string }>; window?: { decided: string } }>;
    expect(pages.map((p) => [p.kind ?? 'rule', p.title])).toEqual([
      ['rule', 'Failed logon'],
      ['rule', 'Successful logon'],
      ['correlation', 'Many failed logons | <b>brute</b>'],
      ['correlation', 'Successful logon after brute force'],
    ]);
    expect(pages[1]?.stages?.map((s) => s.name)).toEqual(['condition', 'selection', 'filter_machine', 'svc_accounts']);
    expect(pages[2]?.window?.decided).toBe('sliding');
    // Without --rules the filter is not loaded: the rule is as written.
    const alone = JSON.parse((await run(join(FIX, 'logons.yml'), '--format', 'json')).out) as Array<{ stages?: Array<{ name: string }> }>;
    expect(alone[1]?.stages?.map((s) => s.name)).toEqual(['condition', 'selection', 'filter_machine']);
  });
});
