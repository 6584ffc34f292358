/** Golden files of every gate reporter, on the hand-built gate report of data.ts. */
import { describe, expect, it } from 'vitest';
import { GATE_REPORTERS } from '../../src/report/gate/registry.js';
import { gateReport } from './data.js';
import { ext } from './golden.js';

describe('gate reporters', () => {
  const report = gateReport();
  for (const r of GATE_REPORTERS.textReporters()) {
    it(r.name, async () => {
      await expect(r.render(report)).toMatchFileSnapshot(`gate/${r.name}${ext(r.name)}`);
    });
  }

  it('text, with no rule changed and a shard', async () => {
    const empty = { ...gateReport([], []), shard: { index: 2, count: 4 } };
    await expect(GATE_REPORTERS.textReporter('text')?.render(empty)).toMatchFileSnapshot('gate/text-empty.txt');
  });
});
