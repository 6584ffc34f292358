/** The mutation section of the HTML report: score card, each mutant with its diff, killers of survivors, escaped. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAndRunSuite } from '../../src/app/run-suite.js';
import { mutateSuite } from '../../src/app/mutate-suite.js';
import { renderHtmlReport } from '../../src/report/html/render-html-report.js';

const dir = mkdtempSync(join(tmpdir(), 'sigmatest-html-mutation-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'rules'));
mkdirSync(join(dir, 'cases'));
writeFileSync(join(dir, '.git'), '');
writeFileSync(
  join(dir, 'rules', 'r.yml'),
  `title: Tool <b>run</b>
id: 7e3c1a9b-2d4f-4e6a-8b0c-1d2e3f4a5b6c
logsource: {category: process_creation, product: windows}
detection:
  selection:
    Image|endswith: '\\tool.exe'
  filter:
    ParentImage:
      - 'C:\\Windows\\explorer.exe'
      - 'C:\\<i>\\admin.exe'
  condition: selection and not filter
`,
);
writeFileSync(
  join(dir, 'cases', 'r.yml'),
  `rule: 7e3c1a9b-2d4f-4e6a-8b0c-1d2e3f4a5b6c
cases:
  - name: the tool runs
    expect: match
    event: {Image: 'C:\\x\\tool.exe', ParentImage: 'C:\\x\\cmd.exe'}
  - name: from explorer it is excluded
    expect: no-match
    event: {Image: 'C:\\x\\tool.exe', ParentImage: 'C:\\Windows\\explorer.exe'}
`,
);

describe('HTML report: mutation section', () => {
  it('shows the score, each mutant with its diff and what killed it or the killer event', () => {
    const run = loadAndRunSuite(['rules'], ['cases'], { cwd: dir });
    const m = mutateSuite(['rules'], ['cases'], { cwd: dir }).report.rules[0];
    expect(m).toBeDefined();
    if (m === undefined) return;
    const page = [...renderHtmlReport(run.report, { mutation: new Map([[m.path, m]]) }).entries()].find(([k]) => k !== 'index.html')?.[1] ?? '';
    expect(page).toContain('id="mutation"');
    expect(page).toContain(`<div class="k">Mutation score</div><div class="v">${m.score}%</div>`);
    expect(page).toContain('from explorer it is excluded');
    // The value no case exercises: its drop survives, with the killer event shown (escaped).
    expect(page).toMatch(/value &#39;C:\\&lt;i&gt;\\admin\.exe&#39; of ParentImage dropped|value &#x27;C:\\&lt;i&gt;\\admin\.exe&#x27; of ParentImage dropped/);
    expect(page).toContain('killer: the rule says no-match');
    expect(page).not.toContain('<i>');
    const survived = m.mutants.filter((x) => x.status === 'survived').length;
    expect((page.match(/class="badge s-fail">survived/g) ?? []).length).toBe(survived);
  });
});
