/** Which parts of a rule's detection a diff touches (the semantic-diff check lists them). */
import { describe, expect, it } from 'vitest';
import { loadRuleText } from '../rules/load-rule.js';
import type { SigmaRule } from '../rules/load-rule.js';
import { changedItems } from './gate.js';

const TEXT = `title: t
id: 11111111-2222-4333-8444-555555555555
logsource: {category: process_creation, product: windows}
detection:
    selection:
        Image|endswith:
            - '\\a.exe'
            - '\\b.exe'
        CommandLine|contains: ' -x '
    filter:
        User: SYSTEM
    condition: selection and not filter
level: high
`;
const rule = loadRuleText(TEXT, 'r.yml').rules[0] as SigmaRule;
const paths = (lines: number[] | undefined): string[] => changedItems(rule, lines).map((x) => `${x.path}@${x.line}`);

describe('changedItems', () => {
  it('names the item a changed value line belongs to (a list value belongs to its key)', () => {
    expect(paths([8])).toEqual(['detection.selection["Image|endswith"]@6']);
    expect(paths([9])).toEqual(['detection.selection["CommandLine|contains"]@9']);
  });
  it('tells an identifier key, an item and the condition apart', () => {
    expect(paths([5])).toEqual(['detection.selection@5']);
    expect(paths([10, 11])).toEqual(['detection.filter@10', 'detection.filter.User@11']);
    expect(paths([12])).toEqual(['detection.condition@12']);
  });
  it('ignores lines outside detection and no diff at all', () => {
    expect(paths([1, 13])).toEqual([]);
    expect(paths(undefined)).toEqual([]);
    expect(paths([])).toEqual([]);
  });
});
