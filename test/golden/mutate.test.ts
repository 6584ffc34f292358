/** Golden files of every mutate reporter, on a hand-built mutation report. */
import { describe, expect, it } from 'vitest';
import { MUTATION_REPORTERS } from '../../src/report/mutate/registry.js';
import type { MutationReport } from '../../src/mutate/mutation-report.js';
import { ext } from './golden.js';

function mutationReport(): MutationReport {
  return {
    rules: [
      {
        id: '9f2c4e1a-5b3d-4c7e-8a6f-0d1e2f3a4b5c',
        title: 'Whoami | recon *via* <cmd>',
        path: 'rules/windows/whoami_recon.yml',
        caseFiles: ['cases/whoami_recon.yml'],
        score: 66.7,
        killed: 2,
        survived: 1,
        equivalent: 1,
        ok: false,
        mutants: [
          {
            operator: 'value-drop',
            path: 'detection.filter.ParentImage[0]',
            line: 12,
            description: "value 'C:\\Windows\\explorer.exe' of ParentImage dropped",
            diff: { line: 12, removed: ["      - 'C:\\Windows\\explorer.exe'"], added: [] },
            status: 'killed',
            killedBy: ['whoami from explorer is excluded'],
            killer: null,
          },
          {
            operator: 'literal-typo',
            path: 'detection.selection.Image',
            line: 8,
            description: "'\\whoami.exe' → '\\whoamj.exe'",
            diff: { line: 8, removed: ["    Image|endswith: '\\whoami.exe'"], added: ["    Image|endswith: '\\whoamj.exe'"] },
            status: 'killed',
            killedBy: ['whoami runs', 'property: any folder'],
            killer: null,
          },
          {
            operator: 'value-drop',
            path: 'detection.filter.ParentImage[1]',
            line: 13,
            description: "value 'C:\\Tools\\admin.exe' of ParentImage dropped",
            diff: { line: 13, removed: ["      - 'C:\\Tools\\admin.exe'"], added: [] },
            status: 'survived',
            killedBy: [],
            killer: { event: { Image: 'C:\\x\\whoami.exe', ParentImage: 'C:\\Tools\\admin.exe\u001b[31m' }, verdict: 'no-match' },
          },
          {
            operator: 'of-quantifier',
            path: 'detection.condition',
            line: 14,
            description: '1 of selection_* → all of selection_*',
            diff: { line: 14, removed: ['  condition: 1 of selection_* and not filter'], added: ['  condition: all of selection_* and not filter'] },
            status: 'equivalent',
            killedBy: [],
            killer: null,
          },
        ],
      },
    ],
    summary: { rules: 1, mutants: 4, killed: 2, survived: 1, equivalent: 1, score: 66.7, minScore: 90, ok: false },
    diagnostics: [],
  };
}

describe('mutate reporters', () => {
  for (const r of MUTATION_REPORTERS.textReporters()) {
    it(r.name, async () => {
      await expect(r.render(mutationReport())).toMatchFileSnapshot(`mutate/${r.name}${ext(r.name)}`);
    });
  }
});
