/** Golden files of every fuzz reporter, on the hand-built fuzz report of data.ts. */
import { describe, expect, it } from 'vitest';
import { FUZZ_REPORTERS } from '../../src/report/fuzz/registry.js';
import { fuzzReport } from './data.js';
import { ext } from './golden.js';

describe('fuzz reporters', () => {
  for (const r of FUZZ_REPORTERS.textReporters()) {
    it(r.name, async () => {
      await expect(r.render(fuzzReport())).toMatchFileSnapshot(`fuzz/${r.name}${ext(r.name)}`);
    });
  }
});
