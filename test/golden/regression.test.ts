/** Golden files of every regression reporter, on the hand-built regression report of data.ts. */
import { describe, expect, it } from 'vitest';
import { REGRESSION_REPORTERS } from '../../src/report/regression/registry.js';
import { regressionReport } from './data.js';
import { ext } from './golden.js';

describe('regression reporters', () => {
  for (const r of REGRESSION_REPORTERS.textReporters()) {
    it(r.name, async () => {
      await expect(r.render(regressionReport())).toMatchFileSnapshot(`regression/${r.name}${ext(r.name)}`);
    });
  }
});
