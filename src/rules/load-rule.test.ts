import { describe, expect, it } from 'vitest';
import { loadRuleText } from './load-rule.js';
import { childPath } from '../diagnostics/doc-path.js';
import type { LoadedFile } from './load-rule.js';
import type { Diagnostic } from '../diagnostics/diagnostics.js';
import { errorsOf, matches, traceOf } from '../../test/support/rules.js';

const lines = (...ls: string[]): string => `${ls.join('\n')}\n`;

/** A valid rule whose parts can be replaced line by line. */
function rule(parts: { head?: string[]; logsource?: string[]; detection?: string[]; tail?: string[] } = {}): string {
  return lines(
    ...(parts.head ?? ['title: Test rule', 'id: 929a690e-bef0-4204-a928-ef5e620d6fcc', 'status: test', 'level: medium']),
    ...(parts.logsource ?? ['logsource:', '  product: windows', '  category: process_creation']),
    ...(parts.detection ?? ['detection:', '  sel:', '    Image|endswith: \\cmd.exe', '  condition: sel']),
    ...(parts.tail ?? []),
  );
}

function load(text: string): LoadedFile {
  return loadRuleText(text, 'rules/test.yml');
}

/** [code, path, line, column] of every error diagnostic. */
function where(ds: Diagnostic[]): Array<[string, string | undefined, number | undefined, number | undefined]> {
  return ds.filter((d) => d.severity === 'error').map((d) => [d.code, d.path, d.pos?.line, d.pos?.column]);
}

describe('a valid rule', () => {
  it('loads with its metadata and no diagnostics', () => {
    const loaded = load(rule({ tail: ['tags:', '  - attack.t1059', '  - 5', 'regression_tests_path: x/y', 'simulation: {}'] }));
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.invalid).toEqual([]);
    expect(loaded.others).toEqual([]);
    expect(loaded.rules).toHaveLength(1);
    const r = loaded.rules[0];
    expect(r).toMatchObject({
      kind: 'detection',
      file: 'rules/test.yml',
      document: 0,
      title: 'Test rule',
      id: '929a690e-bef0-4204-a928-ef5e620d6fcc',
      status: 'test',
      level: 'medium',
      tags: ['attack.t1059'],
      logsource: { product: 'windows', category: 'process_creation' },
      pos: { line: 1, column: 1 },
    });
    expect(r?.keyLines).toMatchObject({ title: 1, id: 2, logsource: 5, detection: 8 });
    expect(r?.plan.items.map((i) => [i.identifier, i.field, i.chain.written, i.path])).toEqual([
      ['sel', 'Image', ['endswith'], 'detection.sel["Image|endswith"]'],
    ]);
  });

  it('keeps the raw form of the document, detection included (converted when first read)', () => {
    const r = load(rule({ tail: ['tags:', '  - attack.t1059'] })).rules[0];
    expect(Object.keys(r?.raw ?? {})).toContain('detection');
    expect(r?.raw.tags).toEqual(['attack.t1059']);
    const detection = r?.raw.detection as Record<string, unknown>;
    expect(detection).toEqual({ sel: { 'Image|endswith': '\\cmd.exe' }, condition: 'sel' });
    expect(r?.raw.detection).toBe(detection); // the same value on every read
    expect(JSON.parse(JSON.stringify(r?.raw)).detection).toEqual(detection);
  });

  it.each(['informational', 'low', 'medium', 'high', 'critical'])('level %s is valid', (level) => {
    expect(load(rule({ head: ['title: t', `level: ${level}`] })).diagnostics).toEqual([]);
  });
  it.each(['stable', 'test', 'experimental', 'deprecated', 'unsupported'])('status %s is valid', (status) => {
    expect(load(rule({ head: ['title: t', `status: ${status}`] })).diagnostics).toEqual([]);
  });
  it.each([['category: a'], ['product: a'], ['service: a'], ['product: a', 'definition: free text', 'custom: x']])(
    'logsource with %s is valid',
    (...ls) => {
      expect(load(rule({ logsource: ['logsource:', ...ls.map((l) => `  ${l}`)] })).diagnostics).toEqual([]);
    },
  );
  it('a 256-character title is valid', () => {
    expect(load(rule({ head: [`title: ${'x'.repeat(256)}`] })).diagnostics).toEqual([]);
  });
});

describe('positions kept by the loader and the planner', () => {
  const text = lines(
    'title: Positions', //                        1
    'logsource: {product: windows}', //           2
    'tags:', //                                   3
    '  - attack.execution', //                    4
    '  - attack.t1059', //                        5
    '"odd key": 1', //                            6
    'detection:', //                              7
    '  sel:', //                                  8
    '    Image|endswith:', //                     9
    "      - '\\a.exe'", //                      10
    '      - \\b.exe', //                        11
    "    CommandLine|contains: ' -x '", //        12
    '  keywords:', //                             13
    '    - evil', //                              14
    '  condition: sel and not keywords', //       15
  );

  it('identifiers, items, values and the condition carry line and column', () => {
    const r = load(text).rules[0];
    const plan = r?.plan;
    expect(plan?.identifiers.map((i) => [i.name, i.pos])).toEqual([
      ['sel', { line: 8, column: 3 }],
      ['keywords', { line: 13, column: 3 }],
    ]);
    expect(plan?.items.map((i) => [i.path, i.pos, i.list, i.values.map((v) => v.pos)])).toEqual([
      ['detection.sel["Image|endswith"]', { line: 9, column: 5 }, true, [{ line: 10, column: 10 }, { line: 11, column: 9 }]],
      ['detection.sel["CommandLine|contains"]', { line: 12, column: 5 }, false, [{ line: 12, column: 28 }]],
      // A keyword list has no key: the item is where the list is.
      ['detection.keywords', { line: 14, column: 5 }, true, [{ line: 14, column: 7 }]],
    ]);
    expect(plan?.conditionPos).toEqual({ line: 15, column: 14 });
  });

  it('top-level values and list items are located by logical path', () => {
    const r = load(text).rules[0];
    expect(r?.positions.get('title')).toEqual({ line: 1, column: 8 });
    expect(r?.positions.get('tags')).toEqual({ line: 4, column: 3 });
    expect(r?.positions.get('tags[1]')).toEqual({ line: 5, column: 5 });
    expect(r?.positions.get(childPath('', 'odd key'))).toEqual({ line: 6, column: 12 });
    expect(r?.positions.get('tags[2]')).toBeUndefined();
    expect(r?.positions.get('status')).toBeUndefined();
  });
});

describe('§9 rule-level diagnostics', () => {
  // [name, text, expected [code, path, line, column] of the errors]. Positions are those of the
  // offending node; for a quoted scalar that is its first character inside the quotes.
  const TABLE: Array<[string, string, Array<[string, string | undefined, number | undefined, number | undefined]>]> = [
    ['missing title', rule({ head: ['level: low'] }), [['RULE_TITLE_MISSING', 'title', 1, 1]]],
    ['title is a number', rule({ head: ['title: 5'] }), [['RULE_TITLE_INVALID', 'title', 1, 8]]],
    ['title is empty', rule({ head: ["title: ''"] }), [['RULE_TITLE_INVALID', 'title', 1, 9]]],
    ['title is a list', rule({ head: ['title:', '  - a'] }), [['RULE_TITLE_INVALID', 'title', 2, 3]]],
    ['title too long', rule({ head: [`title: ${'x'.repeat(257)}`] }), [['RULE_TITLE_INVALID', 'title', 1, 8]]],
    ['id not a UUID', rule({ head: ['title: t', 'id: 1234'] }), [['RULE_ID_INVALID', 'id', 2, 5]]],
    ['id UUID without dashes', rule({ head: ['title: t', 'id: 929a690ebef04204a928ef5e620d6fcc'] }), [['RULE_ID_INVALID', 'id', 2, 5]]],
    ['unknown level', rule({ head: ['title: t', 'level: severe'] }), [['RULE_LEVEL_INVALID', 'level', 2, 8]]],
    ['uppercase level', rule({ head: ['title: t', 'level: High'] }), [['RULE_LEVEL_INVALID', 'level', 2, 8]]],
    ['unknown status', rule({ head: ['title: t', 'status: production'] }), [['RULE_STATUS_INVALID', 'status', 2, 9]]],
    ['missing logsource', rule({ logsource: [] }), [['RULE_LOGSOURCE_MISSING', 'logsource', 1, 1]]],
    ['logsource is text', rule({ logsource: ['logsource: windows'] }), [['RULE_LOGSOURCE_INVALID', 'logsource', 5, 12]]],
    [
      'logsource without category/product/service',
      rule({ logsource: ['logsource:', '  definition: Sysmon'] }),
      [['RULE_LOGSOURCE_INVALID', 'logsource', 6, 3]],
    ],
    [
      'logsource category is a list',
      rule({ logsource: ['logsource:', '  product: windows', '  category: [a]'] }),
      [['RULE_LOGSOURCE_INVALID', 'logsource.category', 7, 13]],
    ],
    ['missing detection', rule({ detection: [] }), [['RULE_DETECTION_MISSING', 'detection', 1, 1]]],
    ['detection is a list', rule({ detection: ['detection:', '  - sel'] }), [['RULE_DETECTION_INVALID', 'detection', 9, 3]]],
    [
      'missing condition',
      rule({ detection: ['detection:', '  sel:', '    Image: x'] }),
      [['RULE_CONDITION_MISSING', 'detection.condition', 9, 3]],
    ],
    [
      'null condition',
      rule({ detection: ['detection:', '  sel:', '    Image: x', '  condition:'] }),
      [['CONDITION_EMPTY', 'detection.condition', 11, 12]], // an empty value: just after its key
    ],
    [
      'empty condition',
      rule({ detection: ['detection:', '  sel:', '    Image: x', "  condition: ''"] }),
      [['CONDITION_EMPTY', 'detection.condition', 11, 15]],
    ],
    [
      'condition syntax error',
      rule({ detection: ['detection:', '  sel:', '    Image: x', '  condition: sel and'] }),
      [['CONDITION_SYNTAX', 'detection.condition', 11, 14]],
    ],
    [
      'condition with a pipe',
      rule({ detection: ['detection:', '  sel:', '    Image: x', '  condition: sel | count() by Image > 5'] }),
      [['CONDITION_PIPE_AGGREGATION', 'detection.condition', 11, 14]],
    ],
    [
      'undefined identifier',
      rule({ detection: ['detection:', '  sel:', '    Image: x', '  condition: sel and not filter'] }),
      [['CONDITION_UNDEFINED_IDENTIFIER', 'detection.condition', 11, 14]],
    ],
    [
      'error in a condition list element',
      rule({ detection: ['detection:', '  sel:', '    Image: x', '  condition:', '    - sel', '    - sel or'] }),
      [['CONDITION_SYNTAX', 'detection.condition[1]', 13, 7]],
    ],
    [
      'no search identifier',
      rule({ detection: ['detection:', '  condition: sel'] }),
      [
        ['RULE_NO_SEARCH', 'detection', 9, 3],
        ['CONDITION_UNDEFINED_IDENTIFIER', 'detection.condition', 9, 14],
      ],
    ],
    ['empty map identifier', rule({ detection: ['detection:', '  sel: {}', '  condition: sel'] }), [['SEARCH_EMPTY', 'detection.sel', 9, 8]]],
    ['empty list identifier', rule({ detection: ['detection:', '  sel: []', '  condition: sel'] }), [['SEARCH_EMPTY', 'detection.sel', 9, 8]]],
    ['null identifier', rule({ detection: ['detection:', '  sel:', '  condition: sel'] }), [['SEARCH_EMPTY', 'detection.sel', 9, 6]]],
    [
      'map as a field value',
      rule({ detection: ['detection:', '  sel:', '    Image:', '      a: b', '  condition: sel'] }),
      [['VALUE_MAP', 'detection.sel.Image', 11, 7]],
    ],
    [
      'empty value list',
      rule({ detection: ['detection:', '  sel:', '    Image: []', '  condition: sel'] }),
      [['VALUE_LIST_EMPTY', 'detection.sel.Image', 10, 12]],
    ],
    [
      'nested value list',
      rule({ detection: ['detection:', '  sel:', '    Image:', '      - a', '      - [b]', '  condition: sel'] }),
      [['VALUE_NESTED_LIST', 'detection.sel.Image[1]', 12, 9]],
    ],
    [
      'map inside a value list',
      rule({ detection: ['detection:', '  sel:', '    Image:', '      - a', '      - b: c', '  condition: sel'] }),
      [['VALUE_MAP', 'detection.sel.Image[1]', 12, 9]],
    ],
    [
      'null in a value list',
      rule({ detection: ['detection:', '  sel:', '    Image:', '      - a', '      - null', '  condition: sel'] }),
      [['VALUE_NULL_IN_LIST', 'detection.sel.Image[1]', 12, 9]],
    ],
    [
      'unknown modifier',
      rule({ detection: ['detection:', '  sel:', '    Image|contain: x', '  condition: sel'] }),
      [['MODIFIER_UNKNOWN', 'detection.sel["Image|contain"]', 10, 5]],
    ],
    [
      'all on a single value',
      rule({ detection: ['detection:', '  sel:', '    Image|contains|all: x', '  condition: sel'] }),
      [['MODIFIER_ALL_SINGLE', 'detection.sel["Image|contains|all"]', 10, 5]],
    ],
    [
      'invalid regex',
      rule({ detection: ['detection:', '  sel:', "    Image|re: '(x'", '  condition: sel'] }),
      [['REGEX_INVALID', 'detection.sel["Image|re"]', 10, 16]],
    ],
    [
      'invalid CIDR',
      rule({ detection: ['detection:', '  sel:', '    ip|cidr: 10.0.0.1/8', '  condition: sel'] }),
      [['CIDR_INVALID', 'detection.sel["ip|cidr"]', 10, 14]],
    ],
    [
      'unresolved placeholder',
      rule({ detection: ['detection:', '  sel:', "    User|expand: '%Admins%'", '  condition: sel'] }),
      [['PLACEHOLDER_UNRESOLVED', 'detection.sel["User|expand"]', 10, 19]],
    ],
    [
      'error in the second map of a list: detection.filter[1].Image',
      rule({
        detection: ['detection:', '  sel:', '    Image: x', '  filter:', '    - Details: a', '    - Image: []', '  condition: sel and not filter'],
      }),
      [['VALUE_LIST_EMPTY', 'detection.filter[1].Image', 13, 14]],
    ],
    [
      'error in the third value: detection.sel["CommandLine|base64|contains"][2]',
      rule({
        detection: ['detection:', '  sel:', '    CommandLine|base64|contains:', '      - a', '      - b', '      - c*', '  condition: sel'],
      }),
      [['MODIFIER_INVALID', 'detection.sel["CommandLine|base64|contains"][2]', 13, 9]],
    ],
    [
      'error in the third value only: detection.sel["CommandLine|re"][2]',
      rule({
        detection: ['detection:', '  sel:', '    CommandLine|re:', '      - a', '      - b', "      - '(c'", '  condition: sel'],
      }),
      [['REGEX_INVALID', 'detection.sel["CommandLine|re"][2]', 13, 10]],
    ],
    [
      'null in third place: detection.sel["CommandLine|contains"][2]',
      rule({
        detection: ['detection:', '  sel:', '    CommandLine|contains:', '      - a', '      - b', '      - ~', '  condition: sel'],
      }),
      [['VALUE_NULL_IN_LIST', 'detection.sel["CommandLine|contains"][2]', 13, 9]],
    ],
  ];
  it.each(TABLE)('%s', (_name, text, expected) => {
    const loaded = load(text);
    expect(where(loaded.diagnostics)).toEqual(expected);
    expect(loaded.rules).toEqual([]);
    expect(loaded.invalid).toHaveLength(1);
    for (const d of loaded.diagnostics) expect(d.file).toBe('rules/test.yml');
  });

  it('several problems of one rule are all reported', () => {
    const text = rule({
      head: ['title: t', 'id: nope', 'level: severe'],
      detection: ['detection:', '  sel:', '    Image|Contains: x', '    User: []', '  condition: sel'],
    });
    const codes = where(load(text).diagnostics).map((d) => d[0]);
    expect(codes).toEqual(['RULE_ID_INVALID', 'RULE_LEVEL_INVALID', 'MODIFIER_UNKNOWN', 'VALUE_LIST_EMPTY']);
  });

  it('messages name the search identifier, the key and the rule value', () => {
    const loaded = load(rule({ detection: ['detection:', '  sel:', "    Image|re: '(x'", '  condition: sel'] }));
    expect(loaded.diagnostics[0]?.message).toMatch(/'sel'/);
    expect(loaded.diagnostics[0]?.message).toMatch(/'\(x'/);
    const cond = load(rule({ detection: ['detection:', '  sel:', '    Image: x', '  condition: sel and'] }));
    expect(cond.diagnostics[0]?.message).toMatch(/at character 8 of 'sel and'/);
    const undef = load(rule({ detection: ['detection:', '  sel:', '    Image: x', '  condition: sel or other'] }));
    expect(undef.diagnostics[0]?.message).toMatch(/'other'.*defined: sel/);
  });

  it('a YAML error is reported with its position and the rule is not loaded', () => {
    const loaded = load(lines('title: t', 'logsource:', '  product: x', 'detection:', '  sel: [a', '  condition: sel'));
    expect(loaded.rules).toEqual([]);
    expect(loaded.diagnostics.map((d) => d.code)).toEqual(['YAML_SYNTAX']);
    expect(loaded.diagnostics[0]?.pos?.line).toBeGreaterThanOrEqual(5);
  });

  it('a duplicate key is YAML_DUPLICATE_KEY with its position and the rule is not loaded', () => {
    const loaded = load(rule({ detection: ['detection:', '  sel:', '    Image: a', '    Image: b', '  condition: sel'] }));
    expect(loaded.rules).toEqual([]);
    expect(where(loaded.diagnostics)).toEqual([['YAML_DUPLICATE_KEY', 'detection.sel.Image', 11, 5]]);
  });

  it('a duplicate key with modifiers has the same bracketed path as other diagnostics', () => {
    const loaded = load(
      rule({ detection: ['detection:', '  sel:', '    CommandLine|contains: a', '    CommandLine|contains: b', '  condition: sel'] }),
    );
    expect(where(loaded.diagnostics)).toEqual([['YAML_DUPLICATE_KEY', 'detection.sel["CommandLine|contains"]', 11, 5]]);
  });

  it('an empty file and a non-mapping document are errors', () => {
    expect(load('').diagnostics.map((d) => d.code)).toEqual(['RULE_EMPTY']);
    expect(load('# only a comment\n').diagnostics.map((d) => d.code)).toEqual(['RULE_EMPTY']);
    expect(load('- a\n- b\n').diagnostics.map((d) => d.code)).toEqual(['RULE_NOT_MAPPING']);
    expect(load('just text\n').diagnostics.map((d) => d.code)).toEqual(['RULE_NOT_MAPPING']);
  });

  it('an identifier a condition cannot name is a warning', () => {
    const loaded = load(rule({ detection: ['detection:', '  sel:', '    Image: x', '  sel.x:', '    Image: y', '  condition: sel'] }));
    expect(loaded.rules).toHaveLength(1);
    expect(loaded.diagnostics.map((d) => [d.code, d.severity, d.path])).toEqual([['IDENTIFIER_NAME', 'warning', 'detection["sel.x"]']]);
  });

  it('a quantifier pattern matching nothing is a warning; 1 of → false, all of → true', () => {
    const loaded = load(rule({ detection: ['detection:', '  sel:', '    Image: x', '  condition: sel and not 1 of filter_*'] }));
    expect(loaded.rules).toHaveLength(1);
    expect(loaded.diagnostics.map((d) => [d.code, d.severity])).toEqual([['CONDITION_PATTERN_EMPTY', 'warning']]);
    const r = loaded.rules[0];
    if (r === undefined) throw new Error('rule');
    expect(matches(r, { Image: 'x' })).toBe(true);
    const all = load(rule({ detection: ['detection:', '  sel:', '    Image: x', '  condition: sel and all of filter_*'] })).rules[0];
    if (all === undefined) throw new Error('rule');
    expect(matches(all, { Image: 'x' })).toBe(true);
  });
});

describe('multi-document files', () => {
  const good = (title: string): string[] => [`title: ${title}`, 'logsource:', '  product: windows', 'detection:', '  sel:', '    Image: x', '  condition: sel'];

  it('collects every diagnostic; a good document still loads', () => {
    const text = lines(
      'title: Bad one',
      'logsource:',
      '  product: windows',
      'detection:',
      '  sel:',
      '    Image|contain: x',
      '  condition: sel',
      '---',
      'title: Bad two',
      'logsource:',
      '  product: windows',
      'detection:',
      '  sel:',
      '    Image: x',
      '  condition: sel or other',
      '---',
      ...good('Good three'),
    );
    const loaded = load(text);
    expect(where(loaded.diagnostics)).toEqual([
      ['MODIFIER_UNKNOWN', 'detection.sel["Image|contain"]', 6, 5],
      ['CONDITION_UNDEFINED_IDENTIFIER', 'detection.condition', 15, 14],
    ]);
    expect(loaded.rules.map((r) => [r.title, r.document, r.pos.line])).toEqual([['Good three', 2, 17]]);
    expect(loaded.invalid.map((i) => [i.document, i.title])).toEqual([
      [0, 'Bad one'],
      [1, 'Bad two'],
    ]);
  });

  it('a duplicate key in one document does not invalidate the other documents', () => {
    const text = lines('title: Bad', 'title: Twice', 'logsource:', '  product: windows', 'detection:', '  sel:', '    Image: x', '  condition: sel', '---', ...good('Good'));
    const loaded = load(text);
    expect(where(loaded.diagnostics)).toEqual([['YAML_DUPLICATE_KEY', 'title', 2, 1]]);
    expect(loaded.rules.map((r) => r.title)).toEqual(['Good']);
    expect(loaded.invalid.map((i) => i.document)).toEqual([0]);
  });

  it('recognises correlation and filter documents (in others, not errors)', () => {
    const text = lines(
      ...good('Base rule'),
      'name: base_rule',
      '---',
      'title: Many',
      'id: 2c8b6a6c-4f4b-4d7c-9f3f-2f4f5e6a7b8c',
      'correlation:',
      '  type: event_count',
      '  rules: [base_rule]',
      '  group-by: [User]',
      '  timespan: 5m',
      '  condition:',
      '    gte: 10',
      '---',
      'title: Exclude admins',
      'logsource:',
      '  product: windows',
      'filter:',
      '  rules: [base_rule]',
      '  selection:',
      '    User: admin',
      '  condition: not selection',
    );
    const loaded = load(text);
    expect(errorsOf(loaded)).toEqual([]);
    expect(loaded.rules.map((r) => r.title)).toEqual(['Base rule']);
    expect(loaded.others.map((o) => [o.kind, o.document, o.title, o.id, o.pos.line])).toEqual([
      ['correlation', 1, 'Many', '2c8b6a6c-4f4b-4d7c-9f3f-2f4f5e6a7b8c', 10],
      ['filter', 2, 'Exclude admins', undefined, 20],
    ]);
    expect(loaded.others[0]?.raw).toMatchObject({ correlation: { type: 'event_count', timespan: '5m', condition: { gte: 10 } } });
  });

  it('empty documents are skipped', () => {
    const loaded = load(lines('---', ...good('A'), '---', '---', ...good('B'), '---'));
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.rules.map((r) => [r.title, r.document])).toEqual([
      ['A', 0],
      ['B', 2],
    ]);
  });
});

describe('stages and exclusions', () => {
  const SEED = lines(
    'title: WinSock2 Autorun Keys Modification',
    'id: d6c2ce7e-afb5-4337-9ca4-4b5254ed0565',
    'status: test',
    'logsource:',
    '  category: registry_set',
    '  product: windows',
    'detection:',
    '  winsock_parameters_base:',
    "    TargetObject|contains: '\\System\\CurrentControlSet\\Services\\WinSock2\\Parameters'",
    '  winsock_parameters:',
    '    TargetObject|contains:',
    "      - '\\Protocol_Catalog9\\Catalog_Entries'",
    "      - '\\NameSpace_Catalog5\\Catalog_Entries'",
    '  filter:',
    "    - Details: '(Empty)'",
    "    - Image: 'C:\\Windows\\System32\\MsiExec.exe'",
    "    - Image: 'C:\\Windows\\syswow64\\MsiExec.exe'",
    '  condition: winsock_parameters_base and winsock_parameters and not filter',
    'level: medium',
  );

  it('the seed rule: stage 0 is the condition, then identifiers in condition order; filter is an exclusion', () => {
    const loaded = load(SEED);
    expect(loaded.diagnostics).toEqual([]);
    const r = loaded.rules[0];
    if (r === undefined) throw new Error('rule');
    expect(r.plan.stages).toEqual([
      { index: 0, name: 'condition', exclusion: false },
      { index: 1, name: 'winsock_parameters_base', exclusion: false },
      { index: 2, name: 'winsock_parameters', exclusion: false },
      { index: 3, name: 'filter', exclusion: true },
    ]);
    expect(r.plan.items.map((i) => i.path)).toEqual([
      'detection.winsock_parameters_base["TargetObject|contains"]',
      'detection.winsock_parameters["TargetObject|contains"]',
      'detection.filter[0].Details',
      'detection.filter[1].Image',
      'detection.filter[2].Image',
    ]);
    const base = '\\REGISTRY\\MACHINE\\System\\CurrentControlSet\\Services\\WinSock2\\Parameters\\Protocol_Catalog9\\Catalog_Entries\\0001';
    expect(matches(r, { TargetObject: base, Details: 'x', Image: 'C:\\evil.exe' })).toBe(true);
    expect(matches(r, { TargetObject: base, Details: '(Empty)', Image: 'C:\\evil.exe' })).toBe(false);
    expect(matches(r, { TargetObject: base, Details: 'x', Image: 'c:\\windows\\system32\\msiexec.exe' })).toBe(false);
    const t = traceOf(r, { TargetObject: base, Details: '(Empty)' });
    expect(t.stages.map((s) => [s.name, s.result, s.exclusion])).toEqual([
      ['condition', false, false],
      ['winsock_parameters_base', true, false],
      ['winsock_parameters', true, false],
      ['filter', true, true],
    ]);
  });

  it('selection and not 1 of filter_*: the pattern expands in detection order, all exclusions', () => {
    const loaded = load(
      rule({
        detection: [
          'detection:',
          '  filter_main_b:',
          '    User: system',
          '  selection:',
          '    Image: x',
          '  filter_main_a:',
          '    User: admin',
          '  _filter_hidden:',
          '    User: root',
          '  condition: selection and not 1 of filter_*',
        ],
      }),
    );
    const r = loaded.rules[0];
    if (r === undefined) throw new Error(JSON.stringify(loaded.diagnostics));
    expect(r.plan.stages).toEqual([
      { index: 0, name: 'condition', exclusion: false },
      { index: 1, name: 'selection', exclusion: false },
      { index: 2, name: 'filter_main_b', exclusion: true },
      { index: 3, name: 'filter_main_a', exclusion: true },
    ]);
    expect(r.plan.targets).toEqual({ 'filter_*': ['filter_main_b', 'filter_main_a'] });
  });

  const STAGES: Array<[string, string[], Array<[string, boolean]>]> = [
    ['a', ['a', 'b'], [['a', false]]],
    ['not a', ['a'], [['a', true]]],
    ['b or a', ['a', 'b'], [['b', false], ['a', false]]],
    ['a or not b', ['a', 'b'], [['a', false], ['b', false]]], // not a top-level conjunct
    ['a and not (b or c)', ['a', 'b', 'c'], [['a', false], ['b', true], ['c', true]]],
    ['(a and not b) and c', ['a', 'b', 'c'], [['a', false], ['b', true], ['c', false]]],
    ['a and b and a', ['a', 'b'], [['a', false], ['b', false]]], // each identifier once
    ['all of x* and not 1 of y*', ['y2', 'x2', 'x1', 'y1'], [['x2', false], ['x1', false], ['y2', true], ['y1', true]]],
    ['1 of them', ['b', '_h', 'a'], [['b', false], ['a', false]]],
  ];
  it.each(STAGES)('condition %j', (condition, ids, expected) => {
    const detection = ['detection:', ...ids.flatMap((id) => [`  ${id}:`, `    F: ${id}`]), `  condition: ${condition}`];
    const loaded = load(rule({ detection }));
    const r = loaded.rules[0];
    if (r === undefined) throw new Error(JSON.stringify(loaded.diagnostics));
    expect(r.plan.stages[0]).toEqual({ index: 0, name: 'condition', exclusion: false });
    expect(r.plan.stages.slice(1).map((s) => [s.name, s.exclusion])).toEqual(expected);
    expect(r.plan.stages.map((s) => s.index)).toEqual(r.plan.stages.map((_, k) => k));
  });

  it('a condition list is the OR of its conditions', () => {
    const loaded = load(rule({ detection: ['detection:', '  a:', '    F: a', '  b:', '    F: b', '  condition:', '    - a', '    - b'] }));
    const r = loaded.rules[0];
    if (r === undefined) throw new Error(JSON.stringify(loaded.diagnostics));
    expect(r.plan.conditionText).toBe('a or b');
    expect(matches(r, { F: 'a' })).toBe(true);
    expect(matches(r, { F: 'b' })).toBe(true);
    expect(matches(r, { F: 'c' })).toBe(false);
  });
});

describe('childPath', () => {
  it.each([
    ['', 'title', 'title'],
    ['detection', 'sel', 'detection.sel'],
    ['detection', 'sel-1', 'detection.sel-1'],
    ['detection', '_x', 'detection._x'],
    ['detection', '1sel', 'detection["1sel"]'],
    ['detection.sel', 'CommandLine|contains', 'detection.sel["CommandLine|contains"]'],
    ['detection.sel', 'a.b', 'detection.sel["a.b"]'],
    ['detection.sel', 'say "hi"', 'detection.sel["say \\"hi\\""]'],
    ['detection.filter', 1, 'detection.filter[1]'],
  ] as Array<[string, string | number, string]>)('childPath(%j, %j) = %s', (base, key, expected) => {
    expect(childPath(base, key)).toBe(expected);
  });
});

describe('prototype keys in rule documents', () => {
  it('a top-level __proto__ mapping is a key of the rule, never its id, level or status', () => {
    const text = `title: T
__proto__: {id: not-a-uuid, level: pwned, status: pwned, tags: [x]}
logsource: {product: windows}
detection: {sel: {Image: a}, condition: sel}
`;
    const l = loadRuleText(text, 'proto.yml');
    expect(errorsOf(l)).toEqual([]);
    const r = l.rules[0];
    expect([r?.id, r?.level, r?.status, r?.tags]).toEqual([undefined, undefined, undefined, []]);
    expect(Object.getPrototypeOf(r?.raw)).toBe(Object.prototype);
    expect(Object.keys(r?.raw ?? {})).toEqual(['title', '__proto__', 'logsource', 'detection']);
    expect(r?.raw['__proto__']).toEqual({ id: 'not-a-uuid', level: 'pwned', status: 'pwned', tags: ['x'] });
  });

  it('it cannot lend another rule id next to a real one, nor hide an invalid one', () => {
    const l = loadRuleText(`title: T\nid: 929a690e-bef0-4204-a928-ef5e620d6fcc\n__proto__: {id: 11111111-1111-1111-1111-111111111111}\nlogsource: {product: windows}\ndetection: {sel: {Image: a}, condition: sel}\n`, 'p.yml');
    expect(l.rules[0]?.id).toBe('929a690e-bef0-4204-a928-ef5e620d6fcc');
    const bad = loadRuleText(`title: T\nlevel: pwned\n__proto__: {level: high}\nlogsource: {product: windows}\ndetection: {sel: {Image: a}, condition: sel}\n`, 'p.yml');
    expect(errorsOf(bad).map((d) => d.code)).toEqual(['RULE_LEVEL_INVALID']);
  });

  it('detection values under nested __proto__ keys are plain data too', () => {
    const l = loadRuleText(`title: T\nlogsource: {product: windows}\ndetection:\n  sel: {Image: a}\n  condition: sel\n  __proto__: {x: 1}\n`, 'p.yml');
    const det = l.rules[0]?.raw['detection'] as Record<string, unknown>;
    expect(Object.keys(det)).toEqual(['sel', 'condition', '__proto__']);
    expect(Object.getPrototypeOf(det)).toBe(Object.prototype);
  });
});
