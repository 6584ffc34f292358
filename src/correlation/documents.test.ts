import { describe, expect, it } from 'vitest';
import { ruleSetOf } from '../../test/support/correlation.js';

const BASE = `title: Failed login
id: 53ba33fd-3a50-4468-a5ef-c583635cfa92
name: failed_login
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4625}
  condition: selection
---
`;
/** Line of the first correlation line after BASE (8 lines). */
const L = 9;

/** [code, path, line, column] of every diagnostic of a file BASE + text. */
function problems(text: string, more: Record<string, string> = {}): Array<[string, string | undefined, number | undefined, number | undefined]> {
  const set = ruleSetOf({ 'c.yml': BASE + text, ...more });
  return set.diagnostics.map((d) => [d.code, d.path, d.pos?.line, d.pos?.column]);
}

const corr = (body: string, head = 'title: C\n'): string => `${head}correlation:\n${body}`;

describe('correlation documents: located diagnostics', () => {
  const TABLE: Array<[string, string, Array<[string, string | undefined, number | undefined, number | undefined]>]> = [
    ['no title', corr('  type: event_count\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 1h\n  condition: {gte: 2}\n', ''), [['CORRELATION_INVALID', 'title', L, 1]]],
    ['correlation is a list', 'title: C\ncorrelation: [a]\n', [['CORRELATION_INVALID', 'correlation', L + 1, 14]]],
    ['unknown type', corr('  type: event_counter\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 1h\n  condition: {gte: 2}\n'), [['CORRELATION_TYPE_UNKNOWN', 'correlation.type', L + 2, 9]]],
    ['no type', corr('  rules: [failed_login]\n  group-by: [User]\n  timespan: 1h\n  condition: {gte: 2}\n'), [['CORRELATION_TYPE_UNKNOWN', 'correlation.type', L + 2, 3]]],
    ['unknown key', corr('  type: event_count\n  rules: [failed_login]\n  groupby: [User]\n  group-by: [User]\n  timespan: 1h\n  condition: {gte: 2}\n'), [['CORRELATION_INVALID', 'correlation.groupby', L + 4, 3]]],
    ['no rules', corr('  type: event_count\n  group-by: [User]\n  timespan: 1h\n  condition: {gte: 2}\n'), [['CORRELATION_RULES_INVALID', 'correlation.rules', L + 2, 3]]],
    ['a rule twice', corr('  type: event_count\n  rules: [failed_login, failed_login]\n  group-by: [User]\n  timespan: 1h\n  condition: {gte: 2}\n'), [['CORRELATION_RULES_INVALID', 'correlation.rules[1]', L + 3, 25]]],
    ['unknown rule', corr('  type: event_count\n  rules: [failed_login, no_such_rule]\n  group-by: [User]\n  timespan: 1h\n  condition: {gte: 2}\n'), [['CORRELATION_RULE_UNKNOWN', 'correlation.rules[1]', L + 3, 25]]],
    [
      'unknown rule id',
      corr('  type: event_count\n  rules:\n    - 11111111-2222-4333-8444-555555555555\n  group-by: [User]\n  timespan: 1h\n  condition: {gte: 2}\n'),
      [['CORRELATION_RULE_UNKNOWN', 'correlation.rules[0]', L + 4, 7]],
    ],
    ['bad timespan', corr('  type: event_count\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 1H\n  condition: {gte: 2}\n'), [['CORRELATION_TIMESPAN_INVALID', 'correlation.timespan', L + 5, 13]]],
    ['zero timespan', corr('  type: event_count\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 0m\n  condition: {gte: 2}\n'), [['CORRELATION_TIMESPAN_INVALID', 'correlation.timespan', L + 5, 13]]],
    ['no timespan', corr('  type: event_count\n  rules: [failed_login]\n  group-by: [User]\n  condition: {gte: 2}\n'), [['CORRELATION_TIMESPAN_INVALID', 'correlation.timespan', L + 2, 3]]],
    ['no condition', corr('  type: event_count\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 1h\n'), [['CORRELATION_CONDITION_INVALID', 'correlation.condition', L + 2, 3]]],
    ['unknown operator', corr('  type: event_count\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 1h\n  condition: {ge: 2}\n'), [['CORRELATION_CONDITION_INVALID', 'correlation.condition.ge', L + 6, 15]]],
    ['threshold not a number', corr('  type: event_count\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 1h\n  condition: {gte: many}\n'), [['CORRELATION_CONDITION_INVALID', 'correlation.condition.gte', L + 6, 20]]],
    ['value type without field', corr('  type: value_count\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 1h\n  condition: {gte: 2}\n'), [['CORRELATION_CONDITION_INVALID', 'correlation.condition', L + 6, 14]]],
    ['field on event_count', corr('  type: event_count\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 1h\n  condition: {gte: 2, field: User}\n'), [['CORRELATION_CONDITION_INVALID', 'correlation.condition.field', L + 6, 14]]],
    ['percentile out of range', corr('  type: value_percentile\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 1h\n  condition: {lte: 2, field: x, percentile: 101}\n'), [['CORRELATION_CONDITION_INVALID', 'correlation.condition.percentile', L + 6, 45]]],
    ['empty range', corr('  type: event_count\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 1h\n  condition: {gt: 5, lt: 6}\n'), []],
    ['empty range (none)', corr('  type: event_count\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 1h\n  condition: {gt: 5, lte: 5}\n'), [['CORRELATION_CONDITION_INVALID', 'correlation.condition', L + 6, 14]]],
    ['group-by twice', corr('  type: event_count\n  rules: [failed_login]\n  group-by: [User, User]\n  timespan: 1h\n  condition: {gte: 2}\n'), [['CORRELATION_GROUP_BY_INVALID', 'correlation.group-by[1]', L + 4, 20]]],
    ['group-by of maps', corr('  type: event_count\n  rules: [failed_login]\n  group-by: [{User: x}]\n  timespan: 1h\n  condition: {gte: 2}\n'), [['CORRELATION_GROUP_BY_INVALID', 'correlation.group-by[0]', L + 4, 14]]],
    ['no group-by (a warning)', corr('  type: event_count\n  rules: [failed_login]\n  timespan: 1h\n  condition: {gte: 2}\n'), [['CORRELATION_GROUP_BY_MISSING', 'correlation.group-by', L + 2, 3]]],
    ['generate not a boolean', corr('  type: event_count\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 1h\n  condition: {gte: 2}\n  generate: yes\n'), [['CORRELATION_INVALID', 'correlation.generate', L + 7, 13]]],
    [
      'alias for a rule not referred to',
      corr('  type: event_count\n  rules: [failed_login]\n  group-by: [ip]\n  timespan: 1h\n  condition: {gte: 2}\n  aliases:\n    ip:\n      other_rule: IpAddress\n'),
      [['CORRELATION_ALIAS_INVALID', 'correlation.aliases.ip.other_rule', L + 9, 7]],
    ],
    [
      'alias unused (a warning)',
      corr('  type: event_count\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 1h\n  condition: {gte: 2}\n  aliases:\n    ip:\n      failed_login: IpAddress\n'),
      [['CORRELATION_ALIAS_UNUSED', 'correlation.aliases.ip', L + 8, 5]],
    ],
    [
      'alias not mapping every rule',
      `title: Success\nname: ok\nlogsource: {product: windows}\ndetection:\n  s: {EventID: 4624}\n  condition: s\n---\n${corr('  type: temporal\n  rules: [failed_login, ok]\n  group-by: [ip]\n  timespan: 1h\n  aliases:\n    ip:\n      failed_login: IpAddress\n')}`,
      [['CORRELATION_ALIAS_INVALID', 'correlation.aliases.ip', L + 14, 5]],
    ],
    ['extended condition', corr('  type: temporal\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 1h\n  condition: failed_login and not x\n'), [['CORRELATION_CONDITION_INVALID', 'correlation.condition', L + 6, 14]]],
  ];
  it.each(TABLE)('%s', (_name, text, expected) => {
    expect(problems(text)).toEqual(expected);
  });

  it('a correlation that refers to itself, and chains in a cycle', () => {
    const self = corr('  type: event_count\n  rules: [me]\n  group-by: [User]\n  timespan: 1h\n  condition: {gte: 2}\n', 'title: C\nname: me\n');
    expect(problems(self)).toEqual([['CORRELATION_CYCLE', 'correlation.rules[0]', L + 4, 11]]);
    const a = corr('  type: event_count\n  rules: [b]\n  group-by: [User]\n  timespan: 1h\n  condition: {gte: 2}\n', 'title: A\nname: a\n');
    const b = corr('  type: event_count\n  rules: [a]\n  group-by: [User]\n  timespan: 1h\n  condition: {gte: 2}\n', 'title: B\nname: b\n');
    const c = corr('  type: temporal\n  rules: [a, failed_login]\n  group-by: [User]\n  timespan: 1h\n', 'title: C\nname: c\n');
    const set = ruleSetOf({ 'c.yml': `${BASE}${a}---\n${b}---\n${c}` });
    expect(set.diagnostics.map((d) => [d.code, d.path, d.pos?.line])).toEqual([
      ['CORRELATION_CYCLE', 'correlation.rules', L + 4],
      ['CORRELATION_CYCLE', 'correlation.rules', L + 13],
      ['CORRELATION_RULE_UNKNOWN', 'correlation.rules[0]', L + 22],
    ]);
    expect(set.diagnostics[0]?.message).toMatch(/'a' → 'b' → 'a'/);
    expect(set.graph.correlations).toEqual([]);
  });

  it('an ambiguous name is resolved to the one in the correlation’s own file, else reported', () => {
    const other = `title: Failed login copy\nname: failed_login\nlogsource: {product: windows}\ndetection:\n  s: {EventID: 4625}\n  condition: s\n`;
    const c = corr('  type: event_count\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 1h\n  condition: {gte: 2}\n');
    const local = ruleSetOf({ 'c.yml': BASE + c, 'other.yml': other });
    expect(local.diagnostics).toEqual([]);
    expect((local.graph.correlations[0]?.inputs[0]?.target.rule as { file: string }).file).toBe('c.yml');
    const elsewhere = ruleSetOf({ 'c.yml': c, 'a.yml': BASE.replace('---\n', ''), 'other.yml': other });
    expect(elsewhere.diagnostics.map((d) => d.code)).toEqual(['CORRELATION_RULE_AMBIGUOUS']);
  });

  it('reads the metadata and the correlation section', () => {
    const set = ruleSetOf({
      'c.yml': `${BASE}title: C\nid: 0e95725d-7320-415d-80f7-004da920fc11\nname: c\nlevel: high\nstatus: test\ncorrelation:\n  type: value_count\n  rules: failed_login\n  group-by: User\n  timespan: 2d\n  condition:\n    field: [A, B]\n    gt: 1\n    lte: 10.5\n  generate: true\n`,
    });
    expect(set.diagnostics).toEqual([]);
    const c = set.correlationDocs[0];
    expect(c).toMatchObject({
      kind: 'correlation',
      id: '0e95725d-7320-415d-80f7-004da920fc11',
      name: 'c',
      level: 'high',
      status: 'test',
      type: 'value_count',
      groupBy: ['User'],
      timespan: { text: '2d', ms: 172_800_000 },
      condition: { ops: [{ op: 'gt', value: 1 }, { op: 'lte', value: 10.5 }], field: ['A', 'B'], defaulted: false },
      generate: true,
    });
    expect(c?.rules.map((r) => r.ref)).toEqual(['failed_login']);
  });

  it('temporal types default to every referred rule', () => {
    const set = ruleSetOf({ 'c.yml': `${BASE}${corr('  type: temporal_ordered\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 1h\n')}` });
    expect(set.correlationDocs[0]?.condition).toEqual({ ops: [{ op: 'gte', value: 1 }], defaulted: true });
  });
});

describe('filter documents: located diagnostics', () => {
  const filter = (body: string, head = 'title: F\nlogsource: {product: windows, service: security}\n'): string => `${head}filter:\n${body}`;
  const TABLE: Array<[string, string, Array<[string, string | undefined, number | undefined, number | undefined]>]> = [
    ['no logsource', filter('  rules: [failed_login]\n  selection: {User: adm}\n  condition: not selection\n', 'title: F\n'), [['FILTER_INVALID', 'logsource', L, 1]]],
    ['no rules', filter('  selection: {User: adm}\n  condition: not selection\n'), [['FILTER_INVALID', 'filter.rules', L + 3, 3]]],
    ['no selection', filter('  rules: [failed_login]\n  condition: not selection\n'), [['FILTER_INVALID', 'filter', L + 3, 3]]],
    ['no condition', filter('  rules: [failed_login]\n  selection: {User: adm}\n'), [['FILTER_INVALID', 'filter.condition', L + 3, 3]]],
    ['condition list', filter('  rules: [failed_login]\n  selection: {User: adm}\n  condition: [not selection]\n'), [['FILTER_INVALID', 'filter.condition', L + 5, 14]]],
    ['bad modifier', filter('  rules: [failed_login]\n  selection: {User|startwith: adm}\n  condition: not selection\n'), [['MODIFIER_UNKNOWN', 'filter.selection["User|startwith"]', L + 4, 15]]],
    ['undefined identifier', filter('  rules: [failed_login]\n  selection: {User: adm}\n  condition: not sel\n'), [['CONDITION_UNDEFINED_IDENTIFIER', 'filter.condition', L + 5, 14]]],
    ['no not (a warning)', filter('  rules: [failed_login]\n  selection: {User: adm}\n  condition: selection\n'), [['FILTER_CONDITION_NO_NOT', 'filter.condition', L + 5, 14]]],
    ['unknown rule (a warning)', filter('  rules: [failed_login, nope]\n  selection: {User: adm}\n  condition: not selection\n'), [['FILTER_RULE_UNKNOWN', 'filter.rules[1]', L + 3, 25]]],
    ['logsource mismatch (a warning)', filter('  rules: [failed_login]\n  selection: {User: adm}\n  condition: not selection\n', 'title: F\nlogsource: {category: process_creation}\n'), [['FILTER_LOGSOURCE_MISMATCH', 'filter.rules[0]', L + 3, 11]]],
  ];
  it.each(TABLE)('%s', (_name, text, expected) => {
    expect(problems(text)).toEqual(expected);
  });
});
