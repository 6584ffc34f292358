/**
 * A property whose compiled matcher disagrees with the reference evaluator is an engine error,
 * whatever the property says, known gap or not: the compiled matcher is replaced here by one that
 * always says match, so the first event the evaluator does not match shows the disagreement.
 */
import { describe, expect, it, vi } from 'vitest';
import { loadRuleText } from '../rules/load-rule.js';
import type { SigmaRule } from '../rules/load-rule.js';
import { loadCaseText } from '../cases/load-cases.js';
import type { CaseFile } from '../cases/load-cases.js';
import { runProperties } from './run-properties.js';

vi.mock('../compile/compile-plan.js', async (original) => ({
  ...(await original<typeof import('../compile/compile-plan.js')>()),
  planMatcher: () => ({ match: () => true, compiled: true }),
}));

const RULE = `title: Whoami
id: 1c2d3e4f-0000-4000-8000-000000000019
logsource: {category: process_creation, product: windows}
detection:
    selection:
        Image|endswith: '\\whoami.exe'
    condition: selection
`;

describe('engine disagreement', () => {
  it('is an error with the event, never a pass, a failure or a known gap', () => {
    const rule = loadRuleText(RULE, '/virtual/rules/w.yml').rules[0] as SigmaRule;
    const cf = loadCaseText(
      `rule: 1c2d3e4f-0000-4000-8000-000000000019
cases:
  - name: hit
    expect: match
    event: {Image: 'C:\\Windows\\System32\\whoami.exe'}
properties:
  - name: look-alikes do not match
    from: hit
    mutate: {Image: lookalike}
    expect: no-match
  - name: look-alikes match (a known gap)
    from: hit
    mutate: {Image: lookalike}
    expect: match
    known_gap: a renamed copy slips through
  - name: the genuine name always matches
    from: hit
    mutate: {Image: recase}
    expect: match
`,
      '/virtual/cases/w.yml',
    ).caseFile as CaseFile;
    const results = runProperties(cf, { plan: rule.plan, ruleKey: rule.id ?? '' }).results;
    expect(results.map((p) => p.status)).toEqual(['error', 'error', 'pass']);
    for (const p of results.slice(0, 2)) {
      expect(p.messages[0]).toMatch(/^internal error: the compiled matcher says match where the reference evaluator says no-match; please report this rule and event: \{"Image":"C:\\\\Windows\\\\System32\\\\.+"\}$/);
      expect(p.counterexample).toBeNull();
    }
  });
});
