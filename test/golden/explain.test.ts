/**
 * Golden files of every explain format, on a fixture rule with ATT&CK tags (named from the test
 * bundle), a catalog of two rules, and values the Markdown escaping must handle (a backtick and a
 * bar in a value, an empty string, markup in the description).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRuleText } from '../../src/rules/load-rule.js';
import type { SigmaRule } from '../../src/rules/load-rule.js';
import { buildRulePage } from '../../src/explain/rule-page.js';
import { loadCatalog } from '../../src/explain/indicators.js';
import { parseAttackBundle } from '../../src/explain/attack.js';
import { loadEnvironment } from '../../src/config/environment.js';
import { EXPLAIN_REPORTERS } from '../../src/report/explain/registry.js';
import { ext, sanitise } from './golden.js';

const DIR = fileURLToPath(new URL('./fixtures/explain', import.meta.url));
const source = readFileSync(`${DIR}/run_key.yml`, 'utf8');
const rule = loadRuleText(source, 'rules/run_key.yml').rules[0] as SigmaRule;
const attack = parseAttackBundle(readFileSync(fileURLToPath(new URL('../../src/explain/fixtures/attack-bundle.json', import.meta.url)), 'utf8'));
if ('error' in attack) throw new Error(attack.error);
const page = buildRulePage(rule, { source, mapping: loadEnvironment(undefined, DIR).mapping, catalog: loadCatalog([DIR]).index, attack });

describe('explain formats', () => {
  for (const r of EXPLAIN_REPORTERS.textReporters()) {
    it(r.name, async () => {
      await expect(sanitise(r.render([page]), DIR)).toMatchFileSnapshot(`explain/${r.name}${ext(r.name)}`);
    });
  }
});
