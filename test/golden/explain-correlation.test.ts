/**
 * Golden files of the correlation and filter pages of explain, every format: a chain (an
 * event_count correlation that a temporal_ordered one refers to through aliases, so the inner one
 * is not reported on its own), a filter naming a loaded rule and one that is not loaded, and a
 * detection rule's page with the filter's stage in it. A title with markup and a bar checks the
 * escaping.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { collectRuleSet } from '../../src/correlation/rule-set.js';
import { buildCorrelationPage, buildFilterPage } from '../../src/explain/meta-page.js';
import type { ExplainPage } from '../../src/explain/meta-page.js';
import { buildRulePage } from '../../src/explain/rule-page.js';
import { EXPLAIN_REPORTERS } from '../../src/report/explain/registry.js';
import { ext, sanitise } from './golden.js';

const DIR = fileURLToPath(new URL('./fixtures/explain-correlation', import.meta.url));
const set = collectRuleSet([DIR]);
const logons = readFileSync(`${DIR}/logons.yml`, 'utf8');
const pages: ExplainPage[] = [
  ...set.correlationDocs.map((c) => buildCorrelationPage(c, set, logons)),
  ...set.filters.map((f) => buildFilterPage(f, set)),
  buildRulePage(set.rules.find((r) => r.name === 'successful_logon') ?? (set.rules[0] as never), { source: logons }),
];

describe('explain formats: correlation and filter pages', () => {
  it('the fixture loads as expected (two correlations in a chain, one filter, one rule it does not find)', () => {
    expect(set.graph.correlations.map((c) => c.rule.title)).toEqual(['Many failed logons | <b>brute</b>', 'Successful logon after brute force']);
    expect(set.filters.map((f) => f.title)).toEqual(['Service accounts log on by design']);
    expect(set.diagnostics.map((d) => d.code)).toEqual(['FILTER_RULE_UNKNOWN']);
  });
  for (const r of EXPLAIN_REPORTERS.textReporters()) {
    it(r.name, async () => {
      await expect(sanitise(r.render(pages), DIR)).toMatchFileSnapshot(`explain/correlation-${r.name}${ext(r.name)}`);
    });
  }
});
