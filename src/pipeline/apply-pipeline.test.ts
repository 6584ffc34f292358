/**
 * pySigma processing pipelines, one transformation (and condition) type at a time, held to what
 * pySigma does (its documentation and its own tests, tests/test_processing_transformations.py:
 * the expected rule after each transformation is restated here as the verdicts it gives and the
 * plan it makes): the pipeline is read from YAML, applied to a rule before planning, and the
 * verdicts on events change as the converted rule's would.
 */
import { describe, expect, it } from 'vitest';
import { combinePipelines, parsePipeline } from './pipeline.js';
import type { ResolvedPipeline } from './pipeline.js';
import { loadRuleText } from '../rules/load-rule.js';
import type { SigmaRule } from '../rules/load-rule.js';
import { evaluatePlan } from '../evaluate/evaluate.js';
import { describeStages } from '../trace/describe-trace.js';
import { planMatcher } from '../compile/compile-plan.js';
import { validateRules } from '../gate/validate-rule.js';

/** A pipeline from YAML text; its diagnostics must be empty. */
function pipeline(...texts: string[]): ResolvedPipeline {
  const loaded = texts.map((t, k) => {
    const r = parsePipeline(t, `/p/pipeline-${k}.yml`);
    expect(r.diagnostics).toEqual([]);
    if (r.pipeline === undefined) throw new Error('no pipeline');
    return r.pipeline;
  });
  return combinePipelines(loaded);
}

const RULE = (detection: string, extra = ''): string =>
  `title: t\nid: 5f2a3a11-9c51-4c1e-8a3d-6c0b3c9a8e21\nstatus: test\nlevel: high\ntags: [attack.execution, attack.t1059]\n${extra}logsource: {category: process_creation, product: windows}\ndetection:\n${detection}`;

function load(text: string, p?: ResolvedPipeline): SigmaRule {
  const r = loadRuleText(text, '/r/rule.yml', p === undefined ? {} : { pipeline: p });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || r.rules[0] === undefined) throw new Error(errors.map((d) => d.message).join('; '));
  return r.rules[0];
}

/** The verdict (the compiled matcher must agree with the reference evaluator). */
function hits(rule: SigmaRule, event: Record<string, unknown>): boolean {
  const v = evaluatePlan(rule.plan, event).match;
  expect(planMatcher(rule.plan).match(event)).toBe(v);
  return v;
}

describe('field_name_mapping', () => {
  const p = pipeline(`
transformations:
  - id: map
    type: field_name_mapping
    mapping:
      CommandLine: process.command_line
      User: [user.name, winlog.user.name]
`);
  const rule = load(RULE("  sel:\n    CommandLine|contains: whoami\n    User: admin\n  condition: sel"), p);

  it('one-to-one: the rule reads the mapped field, not its own', () => {
    expect(rule.plan.items.map((i) => [i.ruleField, i.field])).toEqual([
      ['CommandLine', 'process.command_line'],
      ['User', 'user.name'],
      ['User', 'winlog.user.name'],
    ]);
    expect(hits(rule, { 'process.command_line': 'whoami /all', 'user.name': 'admin' })).toBe(true);
    expect(hits(rule, { CommandLine: 'whoami /all', User: 'admin' })).toBe(false);
  });

  it('one-to-many: the item becomes alternatives, any of the fields may hold the value (pySigma: an OR-linked detection)', () => {
    expect(hits(rule, { process: { command_line: 'whoami' }, winlog: { user: { name: 'admin' } } })).toBe(true);
    expect(hits(rule, { 'process.command_line': 'whoami', 'user.name': 'other', 'winlog.user.name': 'admin' })).toBe(true);
    expect(hits(rule, { 'process.command_line': 'whoami', 'user.name': 'other' })).toBe(false);
  });

  it('the trace names the rule\'s field and the field it reads', () => {
    const e = { 'process.command_line': 'id', 'user.name': 'admin' };
    expect(describeStages(rule.plan, evaluatePlan(rule.plan, e), e).join('\n')).toContain("CommandLine as process.command_line does not contain whoami (case-insensitive); process.command_line is 'id'");
  });

  it('maps field names of fieldref values too (pySigma maps SigmaFieldReference)', () => {
    const r = load(RULE('  sel:\n    ParentImage|fieldref: Image\n  condition: sel'), pipeline('transformations:\n  - {type: field_name_mapping, mapping: {Image: process.executable, ParentImage: process.parent.executable}}\n'));
    expect(hits(r, { 'process.executable': 'C:\\a.exe', 'process.parent.executable': 'C:\\a.exe' })).toBe(true);
    expect(hits(r, { 'process.executable': 'C:\\a.exe', 'process.parent.executable': 'C:\\b.exe' })).toBe(false);
  });
});

describe('field_name_prefix_mapping, field_name_prefix, field_name_suffix', () => {
  it('a prefix is replaced by the first mapping whose source prefix the field starts with', () => {
    const r = load(RULE('  sel:\n    win.Image: x\n    win.User: y\n    other: z\n  condition: sel'), pipeline('transformations:\n  - {type: field_name_prefix_mapping, mapping: {win.: windows.}}\n'));
    expect(r.plan.items.map((i) => i.field)).toEqual(['windows.Image', 'windows.User', 'other']);
  });
  it('prefix and suffix are added to field names; keyword items have none and stay keywords', () => {
    const r = load(RULE("  sel:\n    Image: x\n  kw: ['mimikatz']\n  condition: sel or kw"), pipeline('transformations:\n  - {type: field_name_prefix, prefix: winlog.event_data.}\n  - {type: field_name_suffix, suffix: .keyword}\n'));
    expect(r.plan.items.map((i) => i.field)).toEqual(['winlog.event_data.Image.keyword', null]);
    expect(hits(r, { winlog: { event_data: { 'Image.keyword': 'x' } } })).toBe(true);
  });
});

describe('drop_detection_item', () => {
  it('drops the items its conditions select (pySigma: field2 dropped, field1 and field3 kept)', () => {
    const r = load(RULE('  sel:\n    field1: value1\n    field2: value2\n    field3: value3\n  condition: sel'), pipeline('transformations:\n  - type: drop_detection_item\n    field_name_conditions: [{type: include_fields, fields: [field2]}]\n'));
    expect(r.plan.items.map((i) => i.field)).toEqual(['field1', 'field3']);
    expect(hits(r, { field1: 'value1', field3: 'value3' })).toBe(true);
  });
  it('an identifier emptied by it leaves the condition as in pySigma (not filter disappears)', () => {
    const r = load(RULE('  sel:\n    Image: x\n  filter:\n    EventID: 1\n  condition: sel and not filter'), pipeline('transformations:\n  - type: drop_detection_item\n    field_name_conditions: [{type: include_fields, fields: [EventID]}]\n'));
    expect(r.plan.conditionText).toBe('sel');
    expect(hits(r, { Image: 'x', EventID: 1 })).toBe(true);
  });
  it('dropping everything the condition uses is an error, not a rule that matches everything', () => {
    const loaded = loadRuleText(RULE('  sel:\n    EventID: 1\n  condition: sel'), '/r/rule.yml', { pipeline: pipeline('transformations:\n  - {type: drop_detection_item}\n') });
    expect(loaded.rules).toEqual([]);
    expect(loaded.diagnostics.map((d) => d.code)).toContain('PIPELINE_DETECTION_EMPTY');
  });
});

describe('add_condition', () => {
  it("ANDs a new identifier in front of the condition (pySigma: 'additional and (test)'); lists are any of the values", () => {
    const r = load(RULE('  sel:\n    Image: x\n  condition: sel'), pipeline('transformations:\n  - type: add_condition\n    conditions: {newfield1: test, listfield: [value1, value2]}\n    name: additional\n'));
    expect(r.plan.conditionText).toBe('additional and sel');
    expect(r.plan.stages.map((s) => s.name)).toEqual(['condition', 'additional', 'sel']);
    expect(hits(r, { Image: 'x', newfield1: 'test', listfield: 'value2' })).toBe(true);
    expect(hits(r, { Image: 'x', newfield1: 'test', listfield: 'value3' })).toBe(false);
  });
  it('negated: `not additional`; template: $category, $product and $service of the rule', () => {
    const r = load(RULE('  sel:\n    Image: x\n  condition: sel'), pipeline('transformations:\n  - {type: add_condition, conditions: {cat: $category, other: $something}, name: extra, template: true, negated: true}\n'));
    expect(r.plan.conditionText).toBe('not extra and sel');
    expect(hits(r, { Image: 'x', cat: 'process_creation', other: '$something' })).toBe(false);
    expect(hits(r, { Image: 'x', cat: 'process_creation', other: 'x' })).toBe(true);
  });
  it('its identifier is not part of `1 of them` (it starts with _, as pySigma names it)', () => {
    const r = load(RULE('  sel1:\n    Image: x\n  sel2:\n    Image: y\n  condition: 1 of them'), pipeline('transformations:\n  - id: chan\n    type: add_condition\n    conditions: {Channel: Security}\n'));
    expect(r.plan.conditionText).toBe('_cond_chan and 1 of them');
    expect(r.plan.targets['them']).toEqual(['sel1', 'sel2']);
    expect(hits(r, { Image: 'y', Channel: 'Security' })).toBe(true);
    expect(hits(r, { Image: 'y' })).toBe(false);
  });
});

describe('change_logsource', () => {
  it('replaces the logsource (unset keys become unset), keeping the one written', () => {
    const r = load(RULE('  sel:\n    Image: x\n  condition: sel'), pipeline('transformations:\n  - {type: change_logsource, product: windows, service: security}\n'));
    expect(r.logsource).toEqual({ product: 'windows', service: 'security' });
    expect(r.writtenLogsource).toEqual({ category: 'process_creation', product: 'windows' });
  });
});

describe('replace_string (pySigma test_replace_string_*)', () => {
  it('simple: a regex replaced in every string value', () => {
    const r = load(RULE('  sel:\n    field1: value1\n  condition: sel'), pipeline("transformations:\n  - {type: replace_string, regex: value, replacement: test}\n"));
    expect(r.plan.items[0]?.values.map((v) => v.source)).toEqual(['test1']);
  });
  it('specials: the value as pySigma holds it after modifiers (`*\\value`), `^.*\\\\` → `/` gives `/value`; a number becomes a string', () => {
    const r = load(RULE("  sel:\n    field1: '*\\value'\n    field2: 123\n  condition: sel"), pipeline("transformations:\n  - {type: replace_string, regex: '^.*\\\\', replacement: /}\n"));
    expect(r.plan.items.map((i) => i.values.map((v) => v.source))).toEqual([['/value'], ['123']]);
    expect(hits(r, { field1: '/value', field2: '123' })).toBe(true);
    expect(hits(r, { field1: 'C:\\value', field2: 123 })).toBe(false);
  });
  it('endswith adds its wildcard before the replacement sees the value (`*\\calc.exe` → `*/calc.exe`)', () => {
    const r = load(RULE("  sel:\n    Image|endswith: '\\calc.exe'\n  condition: sel"), pipeline("transformations:\n  - {type: replace_string, regex: '\\\\', replacement: /}\n"));
    expect(r.plan.items[0]?.values.map((v) => v.source)).toEqual(['*/calc.exe']);
    expect(r.plan.items[0]?.chain.text).toBe('');
    expect(hits(r, { Image: '/usr/bin/calc.exe' })).toBe(true);
    expect(hits(r, { Image: 'C:\\calc.exe' })).toBe(false);
  });
  it('number: 123 with 12 → 99 is the string 993', () => {
    const r = load(RULE('  sel:\n    field: 123\n  condition: sel'), pipeline('transformations:\n  - {type: replace_string, regex: "12", replacement: "99"}\n'));
    expect(r.plan.items[0]?.values.map((v) => [v.source, v.matcher.kind])).toEqual([['993', 'string']]);
  });
  it('placeholders survive (foo%var%bar → foo%var%test under expand)', () => {
    const r = loadRuleText(RULE("  sel:\n    field|expand: 'foo%var%bar'\n  condition: sel"), '/r/rule.yml', { pipeline: pipeline('transformations:\n  - {type: replace_string, regex: bar, replacement: test}\n'), placeholders: { var: ['X'] } }).rules[0] as SigmaRule;
    expect(r.plan.items[0]?.values.map((v) => v.source)).toEqual(['foo%var%test']);
    expect(hits(r, { field: 'fooXtest' })).toBe(true);
  });
  it('skip_special: only plain parts are replaced, and the result is literal unless interpret_special', () => {
    const plain = load(RULE("  sel:\n    field1: '*\\value'\n  condition: sel"), pipeline("transformations:\n  - {type: replace_string, regex: '^.*\\\\', replacement: '/?/', skip_special: true}\n"));
    expect(plain.plan.items[0]?.values.map((v) => v.source)).toEqual(['*/\\?/value']);
    const special = load(RULE("  sel:\n    field1: '*\\value'\n  condition: sel"), pipeline("transformations:\n  - {type: replace_string, regex: '^.*\\\\', replacement: '/?/', skip_special: true, interpret_special: true}\n"));
    expect(special.plan.items[0]?.values.map((v) => v.source)).toEqual(['*/?/value']);
  });
  it('backslashes and escaped wildcards keep their meaning (backslash\\\\value, plainwildcard\\*value)', () => {
    const r = load(RULE("  sel:\n    field1: 'backslash\\\\value'\n    field3: 'plainwildcard\\*value'\n  condition: sel"), pipeline('transformations:\n  - {type: replace_string, regex: value, replacement: test}\n'));
    expect(hits(r, { field1: 'backslash\\test', field3: 'plainwildcard*test' })).toBe(true);
    expect(hits(r, { field1: 'backslash\\test', field3: 'plainwildcardXtest' })).toBe(false);
  });
  it('Python replacement groups: \\1 and \\g<name>', () => {
    const r = load(RULE("  sel:\n    Image: 'C:\\Windows\\x.exe'\n  condition: sel"), pipeline("transformations:\n  - {type: replace_string, regex: '^(?P<drive>[A-Z]):', replacement: '\\g<drive>_\\1'}\n"));
    expect(r.plan.items[0]?.values.map((v) => v.source)).toEqual(['C_C\\Windows\\x.exe']);
  });
  it('expansions (windash) and regexes keep their values, as pySigma leaves SigmaExpansion and SigmaRegularExpression alone', () => {
    const r = load(RULE("  sel:\n    CommandLine|windash|contains: ' -enc '\n    Image|re: 'value'\n  condition: sel"), pipeline('transformations:\n  - {type: replace_string, regex: enc, replacement: XX}\n'));
    expect(r.plan.items.map((i) => i.values[0]?.source)).toEqual([' -enc ', 'value']);
  });
});

describe('value_placeholders and wildcard_placeholders', () => {
  const text = RULE("  sel:\n    User|expand: '%admins%'\n    Image|endswith|expand: '%tools%'\n  condition: sel");
  it('each placeholder becomes the values of its variable (any of them), with the modifiers already applied', () => {
    const r = load(text, pipeline("vars: {admins: [root, 'adm*'], tools: psexec.exe}\ntransformations:\n  - {type: value_placeholders}\n"));
    expect(r.plan.items.map((i) => i.values.map((v) => v.source))).toEqual([['root', 'adm*'], ['*psexec.exe']]);
    expect(hits(r, { User: 'administrator', Image: 'C:\\t\\psexec.exe' })).toBe(true);
    expect(hits(r, { User: 'guest', Image: 'C:\\t\\psexec.exe' })).toBe(false);
  });
  it('include/exclude choose the placeholders it handles; a missing variable is an error at the rule', () => {
    const missing = loadRuleText(text, '/r/rule.yml', { pipeline: pipeline('vars: {admins: root}\ntransformations:\n  - {type: value_placeholders}\n') });
    expect(missing.rules).toEqual([]);
    expect(missing.diagnostics.find((d) => d.code === 'PIPELINE_APPLY_FAILED')?.message).toContain('%tools%');
    const r = load(text, pipeline('vars: {admins: root}\ntransformations:\n  - {type: value_placeholders, include: [admins]}\n  - {type: wildcard_placeholders}\n'));
    expect(r.plan.items.map((i) => i.values.map((v) => v.source))).toEqual([['root'], ['**']]);
  });
});

describe('conditions', () => {
  it('rule conditions: logsource, tag, rule_attribute (level order), negation, and an expression of named conditions', () => {
    const p = pipeline(`
transformations:
  - type: field_name_prefix
    prefix: a.
    rule_conditions: [{type: logsource, category: process_creation}, {type: tag, tag: attack.t1059}]
  - type: field_name_prefix
    prefix: b.
    rule_conditions: [{type: rule_attribute, attribute: level, value: critical, op: gte}]
  - type: field_name_prefix
    prefix: c.
    rule_cond_not: true
    rule_conditions: [{type: logsource, product: linux}]
  - type: field_name_prefix
    prefix: d.
    rule_conditions: {w: {type: logsource, product: windows}, s: {type: rule_attribute, attribute: status, value: test}}
    rule_cond_expr: w and not s
`);
    expect(load(RULE('  sel:\n    Image: x\n  condition: sel'), p).plan.items[0]?.field).toBe('c.a.Image');
  });
  it('field name conditions: include (plain, re) and exclude, and the processing_item_applied chain of an ECS-like pipeline', () => {
    const p = pipeline(`
transformations:
  - id: ecs_fields
    type: field_name_mapping
    mapping: {Image: process.executable}
  - type: field_name_prefix
    prefix: winlog.event_data.
    field_name_conditions: [{type: processing_item_applied, processing_item_id: ecs_fields}, {type: include_fields, fields: ['\\w+\\.'], mode: re}]
    field_name_cond_op: or
    field_name_cond_not: true
  - type: field_name_suffix
    suffix: _x
    field_name_conditions: [{type: exclude_fields, fields: [process.executable, already.dotted]}]
`);
    const r = load(RULE('  sel:\n    Image: x\n    Custom: y\n    already.dotted: z\n  condition: sel'), p);
    expect(r.plan.items.map((i) => i.field)).toEqual(['process.executable', 'winlog.event_data.Custom_x', 'already.dotted']);
  });
  it('detection item conditions: match_string on the value as pySigma holds it, is_null, with cond any/all and negate', () => {
    const p = pipeline(`
transformations:
  - type: field_name_prefix
    prefix: p.
    detection_item_conditions: [{type: match_string, pattern: '^\\*\\\\', cond: any}]
  - type: field_name_prefix
    prefix: n.
    detection_item_conditions: [{type: is_null, cond: all}]
`);
    const r = load(RULE("  sel:\n    Image|endswith: '\\x.exe'\n    CommandLine: 'x'\n    User: null\n  condition: sel"), p);
    expect(r.plan.items.map((i) => i.field)).toEqual(['p.Image', 'CommandLine', 'n.User']);
  });
});

describe('several pipelines', () => {
  it('run by priority, lowest first, whatever order they are given in; vars merge (later wins)', () => {
    const second = 'priority: 20\nvars: {v: second}\ntransformations:\n  - {type: field_name_prefix, prefix: second.}\n';
    const first = 'priority: 10\nvars: {v: first}\ntransformations:\n  - {type: field_name_prefix, prefix: first.}\n';
    const p = pipeline(second, first);
    expect(p.vars).toEqual({ v: 'second' });
    expect(load(RULE('  sel:\n    Image: x\n  condition: sel'), p).plan.items[0]?.field).toBe('second.first.Image');
  });
});

describe('reading pipeline files', () => {
  const at = (text: string): string[] => parsePipeline(text, '/p/x.yml').diagnostics.map((d) => `${d.pos?.line}:${d.pos?.column} ${d.severity} ${d.code}: ${d.message}`);
  it('an unsupported transformation type is an error naming it, with its line and column; the pipeline is not used', () => {
    const r = parsePipeline('name: x\ntransformations:\n  - type: field_name_prefix\n    prefix: a.\n  - type: map_string\n    mapping: {a: b}\n', '/p/x.yml');
    expect(r.pipeline).toBeUndefined();
    expect(r.diagnostics.map((d) => `${d.file}:${d.pos?.line}:${d.pos?.column} ${d.code}: ${d.message}`)).toEqual([
      "/p/x.yml:5:11 PIPELINE_TRANSFORMATION_UNSUPPORTED: transformation type 'map_string' is a pySigma transformation sigmatest does not apply (supported: field_name_mapping, field_name_prefix_mapping, field_name_prefix, field_name_suffix, drop_detection_item, add_condition, change_logsource, replace_string, value_placeholders, wildcard_placeholders, set_state)",
    ]);
    expect(at('transformations:\n  - type: no_such_thing\n')[0]).toContain("2:11 error PIPELINE_TRANSFORMATION_UNSUPPORTED: transformation type 'no_such_thing' is not a pySigma transformation type");
  });
  it('unknown condition types, parameters and keys, bad regexes and expressions are located errors', () => {
    expect(at('transformations:\n  - type: drop_detection_item\n    rule_conditions: [{type: weekday, day: 1}]\n')).toEqual([
      expect.stringMatching(/^3:30 error PIPELINE_CONDITION_UNSUPPORTED: rule condition type 'weekday' is not supported/),
    ]);
    expect(at('transformations:\n  - {type: field_name_prefix, prefix: a., sufix: b}\n')).toEqual([expect.stringMatching(/^2:43 error PIPELINE_INVALID: transformation 'field_name_prefix' has no parameter 'sufix'/)]);
    expect(at('nmae: x\n')).toEqual([expect.stringMatching(/^1:1 error PIPELINE_INVALID: unknown key 'nmae'/)]);
    expect(at("transformations:\n  - {type: replace_string, regex: '(', replacement: x}\n")[0]).toMatch(/^2:36 error PIPELINE_INVALID: transformation 'replace_string': the regex '\(' is not a usable regular expression/);
    expect(at('transformations:\n  - type: drop_detection_item\n    rule_conditions: {a: {type: is_sigma_rule}}\n    rule_cond_expr: a and b\n')[0]).toMatch(/^4:21 error PIPELINE_INVALID: 'rule_cond_expr' refers to 'b'/);
  });
  it('postprocessing and finalizers are ignored with a warning; allowed_backends silently', () => {
    const r = parsePipeline('allowed_backends: [splunk]\ntransformations: []\npostprocessing:\n  - {type: embed, prefix: x}\nfinalizers:\n  - {type: concat}\n', '/p/x.yml');
    expect(r.pipeline).toBeDefined();
    expect(r.diagnostics.map((d) => `${d.pos?.line} ${d.severity} ${d.code}`)).toEqual(['4 warning PIPELINE_PART_IGNORED', '6 warning PIPELINE_PART_IGNORED']);
  });
});

describe('validation of a rule loaded through a pipeline', () => {
  it('judges the values and fields as the author wrote them, not as the pipeline rewrote them', () => {
    const text = RULE("  sel:\n    Image|endswith: '\\calc.exe'\n    TargetFilename|contains: 'a?b'\n  condition: sel", 'author: a\ndate: 2026-01-01\ndescription: d\n');
    const p = pipeline("transformations:\n  - {type: replace_string, regex: '\\\\', replacement: /, field_name_conditions: [{type: include_fields, fields: [Image]}]}\n  - {type: field_name_mapping, mapping: {TargetFilename: file.path}}\n");
    const rule = load(text, p);
    expect(rule.plan.items[0]?.values[0]?.source).toBe('*/calc.exe');
    const codes = validateRules([rule]).map((d) => d.code);
    // The rewritten `*/calc.exe` is the pipeline's, not a missing modifier of the author's.
    expect(codes).not.toContain('WILDCARD_INSTEAD_OF_MODIFIER');
    // file.path is TargetFilename in the rule: a path, where `?` is a single-character wildcard.
    expect(codes).toContain('PATH_SINGLE_WILDCARD');
  });
});
