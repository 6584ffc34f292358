import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../diagnostics/diagnostics.js';
import { offsetToPos } from '../diagnostics/diagnostics.js';
import { parseYaml } from '../yaml/yaml-tree.js';
import type { YMapEntry, YNode } from '../yaml/yaml-tree.js';
import { planMatches } from '../evaluate/evaluate.js';
import { loadRuleText } from '../rules/load-rule.js';
import type { SigmaRule } from '../rules/load-rule.js';
import { collectRules } from '../rules/collect-rules.js';
import type { LogsourceMapping } from '../logsource/logsource.js';
import { ATTACK_TACTICS, VALIDATION_CODES, checkTagFormat, isPathLikeField, parseSigmaDate, validateRules } from './validate-rule.js';
import type { ValidateOptions } from './validate-rule.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** The top-level entries of a clean rule, in order; a patch replaces (or with null removes) entries. */
const BASE: Array<[string, string]> = [
  ['title', ' Suspicious Encoded PowerShell'],
  ['id', ' 5f1c4a52-3f53-4c2b-9a55-0f6a4e3b1d10'],
  ['status', ' test'],
  ['description', ' Detects an encoded PowerShell command line.'],
  ['references', '\n    - https://example.org/report'],
  ['author', ' Test Author'],
  ['date', ' 2024-01-15'],
  ['modified', ' 2024-02-01'],
  ['tags', '\n    - attack.execution\n    - attack.t1059.001'],
  ['logsource', '\n    category: process_creation\n    product: windows'],
  ['detection', "\n    selection:\n        Image|endswith: '\\powershell.exe'\n        CommandLine|contains: ' -enc '\n    condition: selection"],
  ['falsepositives', '\n    - Unknown'],
  ['level', ' high'],
];

function ruleText(patch: Record<string, string | null> = {}): string {
  const entries = BASE.map(([k, v]) => [k, Object.hasOwn(patch, k) ? patch[k] : v] as const);
  for (const [k, v] of Object.entries(patch)) if (!BASE.some(([b]) => b === k)) entries.push([k, v]);
  return entries.filter(([, v]) => v !== null).map(([k, v]) => `${k}:${v as string}`).join('\n') + '\n';
}

/** A rule whose detection is the given snippet (indented 4 under `detection:`, with `condition: selection`). */
function detectionText(selection: string): string {
  const body = selection
    .trim()
    .split('\n')
    .map((l) => `        ${l}`)
    .join('\n');
  return ruleText({ detection: `\n    selection:\n${body}\n    condition: selection` });
}

function load(text: string, file = 'test.yml'): SigmaRule {
  const loaded = loadRuleText(text, file);
  const rule = loaded.rules[0];
  if (rule === undefined) throw new Error(`rule did not load: ${JSON.stringify(loaded.diagnostics)}`);
  return rule;
}

function validate(text: string, options: ValidateOptions = {}): Diagnostic[] {
  return validateRules([load(text)], options);
}

const codes = (ds: Diagnostic[]): string[] => ds.map((d) => d.code);

describe('validateRules: a clean rule', () => {
  it('produces no diagnostic', () => {
    expect(validate(ruleText())).toEqual([]);
  });

  it('every code has a severity and a description', () => {
    for (const [code, c] of Object.entries(VALIDATION_CODES)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(['error', 'warning', 'off']).toContain(c.severity);
      expect(c.description.length).toBeGreaterThan(10);
    }
  });
});

describe('validateRules: required fields and schema', () => {
  it('a missing id is an error at the document start; an invalid id (partial rule) too', () => {
    const ds = validate(ruleText({ id: null }));
    expect(ds).toEqual([expect.objectContaining({ code: 'RULE_ID_MISSING', severity: 'error', file: 'test.yml', pos: { line: 1, column: 1 } })]);
    // The loader rejects a non-UUID id; the partial rule still validates, with the loader's code.
    const text = ruleText({ id: ' not-a-uuid' });
    const loaded = loadRuleText(text, 'test.yml');
    const partial = loaded.invalid[0]?.partial;
    expect(partial).toBeDefined();
    const d2 = validateRules([partial as SigmaRule]);
    expect(d2).toEqual([expect.objectContaining({ code: 'RULE_ID_INVALID', severity: 'error', path: 'id', pos: { line: 2, column: 5 } })]);
  });

  it('invalid status and level (partial rules) are errors; missing ones warnings', () => {
    for (const [key, value, code] of [
      ['status', ' production', 'RULE_STATUS_INVALID'],
      ['level', ' severe', 'RULE_LEVEL_INVALID'],
    ] as const) {
      const text = ruleText({ [key]: value });
      const partial = loadRuleText(text, 'test.yml').invalid[0]?.partial as SigmaRule;
      expect(codes(validateRules([partial]))).toEqual([code]);
    }
    const ds = validate(ruleText({ status: null, level: null, description: null, author: null }));
    expect(ds.map((d) => [d.code, d.severity])).toEqual([
      ['RULE_STATUS_MISSING', 'warning'],
      ['RULE_LEVEL_MISSING', 'warning'],
      ['RULE_DESCRIPTION_MISSING', 'warning'],
      ['RULE_AUTHOR_MISSING', 'warning'],
    ]);
  });

  it('a title longer than 256 characters and a missing title (partial rules) are errors', () => {
    const text = ruleText({ title: ` ${'A'.repeat(257)}` });
    const partial = loadRuleText(text, 'test.yml').invalid[0]?.partial as SigmaRule;
    expect(codes(validateRules([partial]))).toEqual(['RULE_TITLE_INVALID']);
    const t2 = ruleText({ title: null });
    const p2 = loadRuleText(t2, 'test.yml').invalid[0]?.partial as SigmaRule;
    expect(codes(validateRules([p2]))).toEqual(['RULE_TITLE_MISSING']);
  });

  it('dates: YYYY-MM-DD and a real calendar day; modified not before date; missing date is a warning', () => {
    expect(codes(validate(ruleText({ date: ' 2024/01/15' })))).toEqual(['RULE_DATE_INVALID']);
    expect(codes(validate(ruleText({ date: ' 2024-02-30' })))).toEqual(['RULE_DATE_INVALID']);
    expect(codes(validate(ruleText({ modified: ' 2024-13-01' })))).toEqual(['RULE_MODIFIED_INVALID']);
    const before = validate(ruleText({ modified: ' 2023-12-31' }));
    expect(before).toEqual([expect.objectContaining({ code: 'RULE_MODIFIED_BEFORE_DATE', severity: 'error', path: 'modified', pos: { line: 9, column: 11 } })]);
    expect(validate(ruleText({ modified: ' 2024-01-15' }))).toEqual([]); // same day is fine
    expect(validate(ruleText({ modified: null }))).toEqual([]); // modified is optional
    expect(validate(ruleText({ date: null })).map((d) => [d.code, d.severity])).toEqual([['RULE_DATE_MISSING', 'warning']]);
    expect(parseSigmaDate('2024-02-29')).toBeDefined();
    expect(parseSigmaDate('2023-02-29')).toBeUndefined();
    expect(parseSigmaDate(20240101)).toBeUndefined();
  });

  it('references, falsepositives and tags must be lists of strings', () => {
    expect(codes(validate(ruleText({ references: ' https://example.org/' })))).toEqual(['RULE_REFERENCES_INVALID']);
    expect(codes(validate(ruleText({ falsepositives: ' Unknown' })))).toEqual(['RULE_FALSEPOSITIVES_INVALID']);
    expect(codes(validate(ruleText({ tags: ' attack.execution' })))).toEqual(['RULE_TAGS_INVALID']);
    expect(codes(validate(ruleText({ tags: '\n    - attack.execution\n    - 12' })))).toEqual(['RULE_TAGS_INVALID']);
  });

  it('severities can be raised, lowered or switched off per code', () => {
    const text = ruleText({ author: null, id: null });
    expect(validate(text, { severities: { RULE_AUTHOR_MISSING: 'error', RULE_ID_MISSING: 'warning' } }).map((d) => [d.code, d.severity])).toEqual([
      ['RULE_ID_MISSING', 'warning'],
      ['RULE_AUTHOR_MISSING', 'error'],
    ]);
    expect(validate(text, { severities: { RULE_AUTHOR_MISSING: 'off', RULE_ID_MISSING: 'off' } })).toEqual([]);
  });

  it('positions come from the loaded rule: exact for a rule loaded from text, whatever is on disk', () => {
    const text = ruleText({ date: ' 2024/01/15' });
    const ds = validateRules([load(text, '/nonexistent/test.yml')]);
    expect(ds).toEqual([expect.objectContaining({ code: 'RULE_DATE_INVALID', file: '/nonexistent/test.yml', path: 'date', pos: { line: 8, column: 7 } })]);
  });
});

describe('validateRules: duplicates over the rule tree', () => {
  it('a duplicate id is an error naming the other file; a duplicate title a warning', () => {
    const a = ruleText();
    const b = ruleText({ title: ' Another Title' });
    const c = ruleText({ id: ' 0b4e1f6a-8a9d-4f8e-9c7b-2d1e3f4a5b6c' });
    const ra = load(a, 'a.yml');
    const rb = load(b, 'b.yml');
    const rc = load(c, 'c.yml');
    const ds = validateRules([ra], { allRules: [ra, rb, rc] });
    expect(ds.map((d) => [d.code, d.severity])).toEqual([
      ['RULE_ID_DUPLICATE', 'error'],
      ['RULE_TITLE_DUPLICATE', 'warning'],
    ]);
    expect(ds[0]?.message).toContain('b.yml');
    expect(ds[0]?.message).not.toContain('c.yml');
    expect(ds[0]?.pos).toEqual({ line: 2, column: 5 });
    expect(ds[1]?.message).toContain('c.yml');
    // A rule listed in both the validated rules and the tree is not its own duplicate.
    expect(validateRules([ra], { allRules: [ra] })).toEqual([]);
    expect(validateRules([ra], { allRules: [load(a, 'a.yml')] })).toEqual([]);
  });
});

describe('validateRules: tags', () => {
  it('accepts the SigmaHQ namespaces and formats', () => {
    for (const tag of [
      'attack.t1059', 'attack.t1059.001', 'attack.g0016', 'attack.s0002', 'attack.ds0005',
      'attack.initial-access', 'attack.command-and-control', 'attack.stealth', 'attack.defense-impairment',
      'cve.2021-44228', 'cve.2017-0144', 'car.2016-04-005', 'detection.threat-hunting', 'detection.emerging-threats',
      'detection.dfir', 'tlp.clear', 'tlp.amber-strict', 'stp.3k', 'stp.4',
    ]) {
      expect(checkTagFormat(tag), tag).toBeUndefined();
    }
    for (const t of ATTACK_TACTICS) expect(checkTagFormat(`attack.${t}`)).toBeUndefined();
  });

  it('rejects malformed tags with a specific code', () => {
    const cases: Array<[string, string]> = [
      ['attack.defense_evasion', 'TAG_ATTACK_UNDERSCORE'],
      ['attack.command_and_control', 'TAG_ATTACK_UNDERSCORE'],
      ['attack.t159', 'TAG_ATTACK_INVALID'],
      ['attack.t1059.1', 'TAG_ATTACK_INVALID'],
      ['attack.ta0002', 'TAG_ATTACK_INVALID'],
      ['attack.evil-stuff', 'TAG_ATTACK_TACTIC_UNKNOWN'],
      ['attack.defence-evasion', 'TAG_ATTACK_TACTIC_UNKNOWN'],
      ['attack.stealthy', 'TAG_ATTACK_TACTIC_UNKNOWN'],
      ['attack.x9', 'TAG_ATTACK_INVALID'],
      ['cve.2021.44228', 'TAG_CVE_INVALID'],
      ['cve.cve-2021-44228', 'TAG_CVE_INVALID'],
      ['car.2016-4-5', 'TAG_CAR_INVALID'],
      ['detection.hunting', 'TAG_DETECTION_INVALID'],
      ['tlp.white', 'TAG_TLP_INVALID'],
      ['stp.6', 'TAG_STP_INVALID'],
      ['mitre.t1059', 'TAG_NAMESPACE_UNKNOWN'],
      ['powershell', 'TAG_NAMESPACE_UNKNOWN'],
    ];
    for (const [tag, code] of cases) expect(checkTagFormat(tag)?.code, tag).toBe(code);
    expect(checkTagFormat('attack.defense_evasion')?.message).toContain('attack.defense-evasion');
    expect(checkTagFormat('cve.2021.44228')?.message).toContain('cve.2021-44228');
  });

  it('locates each bad tag on its list item; uppercase and duplicates are reported too', () => {
    const ds = validate(ruleText({ tags: '\n    - attack.execution\n    - attack.Privilege_Escalation\n    - attack.execution\n    - attack.t1059.001' }));
    expect(ds.map((d) => [d.code, d.severity, d.path, d.pos?.line, d.pos?.column])).toEqual([
      ['TAG_UPPERCASE', 'error', 'tags[1]', 12, 7],
      ['TAG_ATTACK_UNDERSCORE', 'error', 'tags[1]', 12, 7],
      ['TAG_DUPLICATE', 'warning', 'tags[2]', 13, 7],
    ]);
  });
});

describe('validateRules: logsource', () => {
  it('an unknown logsource is a warning; a known one or one in a custom mapping is quiet', () => {
    const text = ruleText({ logsource: '\n    product: bitbucket\n    service: audit' });
    const ds = validate(text);
    expect(ds).toEqual([expect.objectContaining({ code: 'RULE_LOGSOURCE_UNKNOWN', severity: 'warning', path: 'logsource', pos: { line: 14, column: 5 } })]);
    expect(ds[0]?.message).toContain('unknown logsource');
    const mapping: LogsourceMapping = { logsources: [{ product: 'bitbucket', service: 'audit', sources: [{}] }], events: [] };
    expect(validate(text, { mapping })).toEqual([]);
    expect(validate(ruleText())).toEqual([]);
  });
});

describe('validateRules: modifier and wildcard pitfalls', () => {
  it("'all' on a single value: the loader rejects it (MODIFIER_ALL_SINGLE); the gate check is a backstop", () => {
    const text = detectionText("CommandLine|contains|all:\n    - ' -a '\n    - ' -b '");
    expect(validate(text)).toEqual([]);
    expect(loadRuleText(detectionText("CommandLine|contains|all: ' -a '"), 'test.yml').diagnostics.map((d) => d.code)).toEqual(['MODIFIER_ALL_SINGLE']);
    // A plan whose 'all' item has one value (as a lenient loader or a hand-built plan could give).
    const rule = load(text);
    rule.plan.items[0]?.values.pop();
    const ds = validateRules([rule]);
    expect(ds).toEqual([expect.objectContaining({ code: 'MODIFIER_ALL_SINGLE_VALUE', severity: 'warning', path: 'detection.selection["CommandLine|contains|all"]', pos: { line: 18, column: 9 } })]);
  });

  it("'windash' with 'all' is a warning; 'windash' alone is quiet", () => {
    const ds = validate(detectionText("CommandLine|windash|contains|all:\n    - ' -exec '\n    - ' -nop '"));
    expect(ds).toEqual([expect.objectContaining({ code: 'MODIFIER_WINDASH_ALL', severity: 'warning', pos: { line: 18, column: 9 } })]);
    expect(validate(detectionText("CommandLine|windash|contains:\n    - ' -exec '\n    - ' -nop '"))).toEqual([]);
  });

  it('wildcards where a modifier belongs suggest contains, startswith or endswith', () => {
    const ds = validate(detectionText("CommandLine: '*invoke-mimikatz*'\nImage:\n    - '*\\mimikatz.exe'\n    - 'C:\\Tools\\\\*'\nParentImage: 'C:\\Tools\\*\\x.exe'\nUser: '*'"));
    expect(ds.map((d) => [d.code, d.path, d.pos?.line])).toEqual([
      ['WILDCARD_INSTEAD_OF_MODIFIER', 'detection.selection.CommandLine', 18],
      ['WILDCARD_INSTEAD_OF_MODIFIER', 'detection.selection.Image[0]', 20],
      ['WILDCARD_INSTEAD_OF_MODIFIER', 'detection.selection.Image[1]', 21],
      // 'C:\Tools\*\x.exe' is one literal (the star is escaped): no modifier to suggest, but see VALUE_ESCAPED_WILDCARD.
      ['VALUE_ESCAPED_WILDCARD', 'detection.selection.ParentImage', 22],
    ]);
    expect(ds[0]?.message).toContain("CommandLine|contains: 'invoke-mimikatz'");
    expect(ds[1]?.message).toContain("Image|endswith: '\\mimikatz.exe'");
    expect(ds[2]?.message).toContain("Image|startswith: 'C:\\Tools\\\\'");
    // A wildcard in the middle, a lone '*', keyword searches and a modifier already present are quiet.
    expect(validate(detectionText("CommandLine: 'cmd*/c*whoami'\nUser: '*'\nImage|endswith: '\\x.exe'"))).toEqual([]);
    expect(validate(ruleText({ detection: "\n    keywords:\n        - '*mimikatz*'\n    condition: keywords" }))).toEqual([]);
  });

  it('a wildcard a contains/startswith/endswith already adds (or that changes its meaning) is a warning', () => {
    const ds = validate(
      detectionText("CommandLine|contains: '*-enc*'\nParentCommandLine|startswith: 'cmd*'\nOriginalFileName|startswith: '*cmd'\nDescription|endswith: '*shell'\nProduct|endswith: 'shell*'"),
    );
    expect(ds.map((d) => d.code)).toEqual(Array(5).fill('WILDCARD_REDUNDANT'));
    expect(ds[0]?.message).toContain("write '-enc'");
    expect(ds[2]?.message).toContain("use 'contains'");
    expect(ds[4]?.message).toContain("use 'contains'");
    expect(validate(detectionText("CommandLine|contains: '-enc'\nParentCommandLine|startswith: 'cmd'\nDescription|endswith: 'shell'"))).toEqual([]);
  });

  it("'?' in a path-like field is a warning; in other fields, or escaped, it is quiet", () => {
    const ds = validate(detectionText("ImagePath|contains: '\\??\\C:\\Users\\'\nCommandLine|contains: 'a?b'\nTargetFilename|contains: '\\\\\\?\\?\\\\'"));
    expect(ds).toEqual([expect.objectContaining({ code: 'PATH_SINGLE_WILDCARD', severity: 'warning', path: 'detection.selection["ImagePath|contains"]', pos: { line: 18, column: 30 } })]);
    expect(isPathLikeField('Image')).toBe(true);
    expect(isPathLikeField('ParentImage')).toBe(true);
    expect(isPathLikeField('TargetFilename')).toBe(true);
    expect(isPathLikeField('OriginalFileName')).toBe(true);
    expect(isPathLikeField('CurrentDirectory')).toBe(true);
    expect(isPathLikeField('ImageLoaded')).toBe(true);
    expect(isPathLikeField('CommandLine')).toBe(false);
    expect(isPathLikeField('path')).toBe(false); // Zeek SMB share paths (`\\*\IPC$`) hold literal stars
  });

  it("'\\*' (an escaped, literal star) after a folder is a warning with the \\\\* fix", () => {
    const ds = validate(detectionText("Image: 'C:\\Temp\\*'\nTargetFilename|contains: '\\Users\\*\\AppData\\'\nCommandLine|contains: 'C:\\Windows\\Temp\\*'"));
    expect(ds.map((d) => [d.code, d.path])).toEqual([
      ['VALUE_ESCAPED_WILDCARD', 'detection.selection.Image'],
      ['VALUE_ESCAPED_WILDCARD', 'detection.selection["TargetFilename|contains"]'],
      ['VALUE_ESCAPED_WILDCARD', 'detection.selection["CommandLine|contains"]'],
    ]);
    expect(ds[0]?.message).toContain("write 'C:\\Temp\\\\*'");
    expect(ds[0]?.message).toContain("Image|startswith: 'C:\\Temp\\'");
    expect(ds[1]?.message).toContain("'\\Users\\\\*\\AppData\\'");
    // The escape really makes the star literal: the rule as written misses the file it was meant for.
    const rule = load(detectionText("Image: 'C:\\Temp\\*'"));
    expect(planMatches(rule.plan, { Image: 'C:\\Temp\\evil.exe' })).toBe(false);
    expect(planMatches(rule.plan, { Image: 'C:\\Temp*' })).toBe(true);
    // Deliberate literal stars in command lines (SigmaHQ uses them) and the correct \\* are quiet.
    expect(validate(detectionText("CommandLine|contains:\n    - ' -Filter \\*'\n    - '/text:\\*'\n    - '\\*.lnk'"))).toEqual([]);
    expect(validate(detectionText("Image|startswith: 'C:\\Temp\\\\*'"))).toEqual(expect.not.arrayContaining([expect.objectContaining({ code: 'VALUE_ESCAPED_WILDCARD' })]));
  });

  it('decision: a contains/startswith value ending in a single backslash is NOT flagged (the added wildcard is a token, never escaped)', () => {
    const text = detectionText("TargetFilename|contains: '\\Start Menu\\Programs\\Startup\\'\nImage|startswith: 'C:\\Windows\\'");
    expect(validate(text)).toEqual([]);
    const rule = load(text);
    expect(planMatches(rule.plan, { TargetFilename: 'C:\\Users\\a\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\x.lnk', Image: 'C:\\Windows\\explorer.exe' })).toBe(true);
  });
});

describe('validateRules over rule trees', () => {
  it('the bundled rules produce no error', () => {
    const set = collectRules([join(REPO, 'rules')]);
    expect(set.rules.length).toBe(17);
    const ds = validateRules(set.rules);
    expect(ds.filter((d) => d.severity === 'error')).toEqual([]);
  });

  const corpus = resolve(REPO, '../shared/corpus/sigmahq/rules/windows');
  it.skipIf(!existsSync(corpus))('SigmaHQ windows rules: no error from the tag, date, status and level checks (SigmaHQ CI enforces them)', () => {
    const set = collectRules([corpus]);
    expect(set.rules.length).toBeGreaterThan(1000);
    const ds = validateRules(set.rules);
    const enforced = /^(TAG_|RULE_DATE_|RULE_MODIFIED_|RULE_STATUS_|RULE_LEVEL_)/;
    expect(ds.filter((d) => d.severity === 'error' && enforced.test(d.code))).toEqual([]);
    // Nor any other error: ids are unique and every rule has the required fields.
    expect(ds.filter((d) => d.severity === 'error')).toEqual([]);
  }, 120_000);

  /** The node at a logical path of a document (`detection.sel["Image|endswith"][1]`), found by re-parsing (test only). */
  function nodeAt(root: YNode, path: string, key: boolean): YNode | undefined {
    let n: YNode | undefined = root;
    let keyNode: YNode | undefined;
    for (const m of path.matchAll(/(?:^|\.)([A-Za-z_][A-Za-z0-9_-]*)|\[("(?:[^"\\]|\\.)*"|\d+)\]/g)) {
      if (n === undefined) return undefined;
      const seg = m[1] ?? (m[2] as string);
      if (m[1] === undefined && !seg.startsWith('"')) {
        n = n.kind === 'seq' ? n.items[Number(seg)] : undefined;
        keyNode = undefined;
        continue;
      }
      const name = m[1] ?? (JSON.parse(seg) as string);
      const e: YMapEntry | undefined = n.kind === 'map' ? n.entries.filter((x) => x.key === name).pop() : undefined;
      n = e?.value;
      keyNode = e?.keyNode;
    }
    return key ? (keyNode ?? n) : n;
  }

  const trees = [join(REPO, 'rules'), resolve(REPO, '../shared/corpus/sigmahq/rules')].filter((d) => existsSync(d));
  it.each(trees)('every diagnostic on %s names file, line and column: where the key or value is written', (dir) => {
    const set = collectRules([dir]);
    const ds = validateRules(set.rules);
    expect(ds.length).toBeGreaterThan(0);
    const roots = new Map<string, YNode | null | undefined>();
    let checked = 0;
    for (const d of ds) {
      expect(d.file).toBeDefined();
      expect(d.pos?.line).toBeGreaterThan(0);
      expect(d.pos?.column).toBeGreaterThan(0);
      const file = d.file as string;
      if (!roots.has(file)) {
        const docs = parseYaml(readFileSync(file, 'utf8'), file).documents;
        roots.set(file, docs.length === 1 ? docs[0]?.root : undefined);
      }
      const root = roots.get(file);
      const node = root ? nodeAt(root, d.path ?? '', d.code.startsWith('MODIFIER_')) : undefined;
      if (node === undefined) continue; // a missing key: at the document start
      expect([d.code, d.path, d.pos], file).toEqual([d.code, d.path, offsetToPos(readFileSync(file, 'utf8'), node.offset)]);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  }, 120_000);
});
