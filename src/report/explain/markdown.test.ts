/**
 * The explain Markdown reporter: the sections of a page, values in table cells, fences that the
 * content cannot close (the escapers themselves: ../escape.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { loadRuleText } from '../../rules/load-rule.js';
import type { SigmaRule } from '../../rules/load-rule.js';
import { renderRulePageMarkdown } from './markdown.js';
import { buildRulePage } from '../../explain/rule-page.js';
import { ruleFromDetection } from '../../../test/support/rules.js';

describe('renderRulePageMarkdown', () => {
  it('renders every section', () => {
    const text = ruleFromDetection(
      `
      sel:
        CommandLine|contains: '\`\`\`'
        EventID: 1
      kw:
        - 'evil'
      filter:
        User|neq: 'SYSTEM'
      condition: (sel or kw) and not filter
      `,
      'A | B',
    );
    const rule = loadRuleText(text, 't.yml').rules[0] as SigmaRule;
    const md = renderRulePageMarkdown(buildRulePage(rule, { source: text }));
    expect(md).toContain('# A \\| B\n');
    expect(md).toContain('## MITRE ATT&CK coverage\n\nNo ATT&CK tactic or technique tags.');
    expect(md).toContain('No mapped events for this logsource (category: test); the rule is run against every event.');
    expect(md).toContain("### Stage 1: sel\n\n```yaml\nsel:\n  CommandLine|contains: '```'\n  EventID: 1\n```");
    expect(md).toContain('### Stage 3: not filter');
    expect(md).toContain('| Field | Kind | Excluded values |\n|---|---|---|\n| User | not eq | `SYSTEM` |');
    expect(md).toContain(
      '| Field | Kind | Values | Corpus |\n|---|---|---|---|\n| CommandLine | match (contains) | ```` ``` ```` |  |\n| EventID | eq | `1` |  |\n| *(keyword)* | keyword | `evil` |  |\n',
    );
  });

  it('makes fences longer than a fence line in the content', () => {
    const text = "title: T\ndescription: |\n  ```\n  code\n  ```\nlogsource: {category: test}\ndetection:\n  sel: {a: 1}\n  condition: sel\n";
    const rule = loadRuleText(text, 't.yml').rules[0] as SigmaRule;
    const md = renderRulePageMarkdown(buildRulePage(rule, { source: text }));
    expect(md).toContain('## Rule body\n\n````yaml\ntitle: T\n');
    expect(md).toContain('  condition: sel\n````\n');
  });
});
