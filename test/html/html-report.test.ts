/// <reference lib="dom" />
/**
 * The HTML report in a real browser: the bundled suite (rules/ and cases/) rendered into a temp
 * folder, opened from file:// in headless Chromium (Debian's `chromium` package, driven by
 * playwright-core, which downloads no browser). Checks: no console or page errors, no request
 * other than file://, the key elements, sorting by clicking a header, the filters, following a
 * link to the seed rule's page and its sections, and that injected markup stays text.
 * Screenshots go to test-output/screenshots/ (git-ignored).
 *
 * Skipped with a warning when there is no Chromium (SIGMATEST_CHROMIUM overrides the path).
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { loadAndRunSuite } from '../../src/app/run-suite.js';
import { runRuleProperties } from '../../src/properties/run-properties.js';
import { buildHtmlExtras } from '../../src/app/html-extras.js';
import { renderHtmlReport, rulePageFiles } from '../../src/report/html/render-html-report.js';
import type { HtmlReportExtras } from '../../src/report/html/render-html-report.js';
import { writeHtmlReport } from '../../src/report/html/write-html-report.js';
import type { SuiteReport } from '../../src/report/run/suite-report.js';

/** Debian's chromium (or SIGMATEST_CHROMIUM, or a chromium on the PATH). */
function findChromium(): string | undefined {
  const env = process.env.SIGMATEST_CHROMIUM;
  if (env !== undefined) return existsSync(env) ? env : undefined;
  const onPath = (process.env.PATH ?? '').split(delimiter).filter(Boolean).flatMap((d) => [join(d, 'chromium'), join(d, 'chromium-browser')]);
  return ['/usr/bin/chromium', ...onPath].find((p) => existsSync(p));
}
const CHROMIUM = findChromium();
if (CHROMIUM === undefined) {
  console.warn(
    `test/html/html-report.test.ts: SKIPPED the browser test of the HTML report: no Chromium at ${process.env.SIGMATEST_CHROMIUM ?? '/usr/bin/chromium'} ` +
      `(install it with 'apt-get install chromium', or set SIGMATEST_CHROMIUM to a Chromium binary)`,
  );
}

const SHOTS = resolve('test-output', 'screenshots');
const SEED = 'registry_set_asep_reg_keys_modification_winsock2';

/** A page with its console errors, page errors and non-file requests recorded. */
interface Watched {
  page: Page;
  problems: string[];
}

describe.skipIf(CHROMIUM === undefined)('HTML report in Chromium', () => {
  let browser: Browser;
  let dir: string;
  let report: SuiteReport;
  let extras: HtmlReportExtras;

  async function open(url: string, options: { colorScheme?: 'light' | 'dark' } = {}): Promise<Watched> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, colorScheme: options.colorScheme ?? 'light' });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) problems.push(`network request: ${r.url()}`);
    });
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(url);
    return { page, problems };
  }

  const columnTexts = (page: Page, col: number): Promise<string[]> =>
    page.$$eval(`#rules tbody tr.rule-row:not([hidden]) td:nth-child(${col})`, (cells) => cells.map((c) => (c.textContent ?? '').trim()));
  const headerButton = (page: Page, label: string) => page.locator('#rules thead th button', { hasText: label });

  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM as string });
    const run = loadAndRunSuite(['rules'], ['cases'], { properties: runRuleProperties });
    report = run.report;
    dir = mkdtempSync(join(tmpdir(), 'sigmatest-html-browser-'));
    extras = buildHtmlExtras(report, run.rules, { mapping: run.mapping });
    writeHtmlReport(dir, renderHtmlReport(report, extras));
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('the index shows every rule with its coverage bar, with no errors and no network', async () => {
    const { page, problems } = await open(pathToFileURL(join(dir, 'index.html')).href);
    expect(await page.title()).toBe('sigmatest report');
    const rows = page.locator('#rules tbody tr.rule-row');
    expect(await rows.count()).toBe(report.rules.length);
    expect(await page.locator('#rules tbody tr.rule-row .bar[role=img]').count()).toBe(report.rules.length);
    const widths = await page.$$eval('#rules .bar > span', (spans) => spans.map((s) => (s as HTMLElement).offsetWidth));
    expect(widths.every((w) => w > 0)).toBe(true);
    expect(await page.locator('#summary .card').count()).toBeGreaterThanOrEqual(4); // rules, cases, coverage, fuzz
    expect(await page.locator('#shown-count').textContent()).toBe(`${report.rules.length} of ${report.rules.length} rules shown`);
    expect(await page.locator('#rules thead th').allTextContents()).toEqual(['Rule', 'Level', 'Status', 'Passed', 'Failed', 'Properties', 'Coverage', 'Stages', 'Fuzz findings', 'ATT&CK tactics'].map((t) => expect.stringContaining(t)));
    await page.screenshot({ path: join(SHOTS, 'index.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('sorts by a clicked column header, both ways, and filters by text and status', async () => {
    const { page, problems } = await open(pathToFileURL(join(dir, 'index.html')).href);
    const passedOf = new Map(report.rules.map((r) => [r.title, r.cases.passed]));
    const linkTexts = (): Promise<string[]> => page.$$eval('#rules tbody tr.rule-row td:first-child a', (as) => as.map((a) => a.textContent ?? ''));
    const byTitle = (a: string, b: string): number => a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' });

    await headerButton(page, 'Passed').click();
    expect(await page.locator('#rules thead th', { hasText: 'Passed' }).getAttribute('aria-sort')).toBe('ascending');
    const asc = (await columnTexts(page, 4)).map(Number);
    expect(asc).toEqual([...report.rules.map((r) => r.cases.passed)].sort((a, b) => a - b));
    await headerButton(page, 'Passed').click();
    expect(await page.locator('#rules thead th', { hasText: 'Passed' }).getAttribute('aria-sort')).toBe('descending');
    const desc = (await columnTexts(page, 4)).map(Number);
    expect(desc).toEqual([...asc].sort((a, b) => b - a));
    // Rows move whole: each title keeps its own count.
    const rowsNow = await page.$$eval('#rules tbody tr.rule-row', (trs) => trs.map((tr) => [tr.querySelector('a')?.textContent ?? '', (tr as HTMLTableRowElement).cells[3]?.textContent ?? '']));
    for (const [title, passed] of rowsNow) expect(Number(passed)).toBe(passedOf.get(title as string));

    const before = await linkTexts();
    await headerButton(page, 'Rule').click();
    const titles = await linkTexts();
    expect(titles).toEqual([...before].sort(byTitle));
    expect(titles).not.toEqual(before); // the order by passed cases is not the alphabetical one
    await headerButton(page, 'Rule').click();
    expect(await linkTexts()).toEqual([...before].sort(byTitle).reverse());
    expect(await page.locator('#rules thead th', { hasText: 'Passed' }).getAttribute('aria-sort')).toBe('none');
    await page.screenshot({ path: join(SHOTS, 'index-sorted.png'), fullPage: true });

    await page.locator('#filter').fill('winsock');
    expect(await page.locator('#rules tbody tr.rule-row:not([hidden])').count()).toBe(1);
    expect(await page.locator('#rules tbody tr.rule-row:not([hidden]) a').textContent()).toBe('WinSock2 Autorun Keys Modification');
    expect(await page.locator('#shown-count').textContent()).toBe(`1 of ${report.rules.length} rules shown`);
    await page.screenshot({ path: join(SHOTS, 'index-filtered.png'), fullPage: true });

    await page.locator('#filter').fill('persistence');
    const persistence = report.rules.filter((r) => r.tags.some((t) => t.toLowerCase() === 'attack.persistence')).length;
    expect(await page.locator('#rules tbody tr.rule-row:not([hidden])').count()).toBe(persistence);

    await page.locator('#filter').fill('');
    await page.locator('#status-filter').selectOption('fail');
    expect(await page.locator('#rules tbody tr.rule-row:not([hidden])').count()).toBe(report.rules.filter((r) => r.status === 'fail').length);
    expect(await page.locator('#no-rows').isVisible()).toBe(report.rules.every((r) => r.status !== 'fail'));
    await page.locator('#status-filter').selectOption('pass');
    expect(await page.locator('#rules tbody tr.rule-row:not([hidden])').count()).toBe(report.rules.filter((r) => r.status === 'pass').length);
    await page.locator('#status-filter').selectOption('all');
    expect(await page.locator('#rules tbody tr.rule-row:not([hidden])').count()).toBe(report.rules.length);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("the seed rule's page (reached by its link) shows ATT&CK, events, body, stages, exclusions, indicators, cases, fuzz", async () => {
    const { page, problems } = await open(pathToFileURL(join(dir, 'index.html')).href);
    await page.locator('#rules a', { hasText: 'WinSock2 Autorun Keys Modification' }).click();
    await page.waitForURL(`**/rules/${SEED}.html`);
    expect(await page.locator('h1').textContent()).toBe('WinSock2 Autorun Keys Modification');

    const cellTexts = (selector: string): Promise<string[][]> =>
      page.$$eval(selector, (trs) => trs.map((tr) => Array.from((tr as HTMLTableRowElement).cells, (c) => c.innerText.replace(/\s+/g, ' ').trim())));
    expect(await cellTexts('#attack tbody tr')).toEqual([
      ['Persistence TA0003', 'T1547.001'],
      ['Privilege Escalation TA0004', 'T1547.001'],
    ]);
    expect(await cellTexts('#events tbody tr')).toEqual([
      ['Sysmon Microsoft-Windows-Sysmon/Operational', 'Event ID 13', 'RegistryEvent (Value Set)'],
      ['Microsoft-Windows-Security-Auditing Security', 'Event ID 4657', 'A registry value was modified.'],
    ]);
    const body = (await page.locator('#body pre').textContent()) ?? '';
    expect(body).toContain("TargetObject|contains: '\\System\\CurrentControlSet\\Services\\WinSock2\\Parameters'");
    expect(body).toContain('condition: winsock_parameters_base and winsock_parameters and not filter');

    const stages = await page.$$eval('#stages tbody tr', (trs) =>
      trs.map((tr) => ({ stage: tr.getAttribute('data-stage'), t: Number(tr.querySelector('.stage-true')?.textContent), f: Number(tr.querySelector('.stage-false')?.textContent), covered: tr.textContent?.includes('covered') })),
    );
    expect(stages).toEqual([
      { stage: 'condition', t: 6, f: 7, covered: true },
      { stage: 'winsock_parameters_base', t: 12, f: 1, covered: true },
      { stage: 'winsock_parameters', t: 10, f: 3, covered: true },
      { stage: 'filter', t: 3, f: 10, covered: true },
    ]);
    expect(await page.locator('#stages tbody tr').nth(3).locator('pre').textContent()).toContain("- Image: 'C:\\Windows\\syswow64\\MsiExec.exe'");

    expect(await cellTexts('#exclusions tbody tr')).toEqual([
      ['Details', 'eq', '(Empty) exercised by an emptied value is excluded (Details (Empty))', 'filter'],
      ['Image', 'eq', 'C:\\Windows\\System32\\MsiExec.exe exercised by the 64-bit Windows Installer is excluded', 'filter'],
      ['Image', 'eq', 'C:\\Windows\\syswow64\\MsiExec.exe exercised by the 32-bit Windows Installer is excluded', 'filter'],
    ]);
    expect(await page.locator('#exclusions li.excl-exercised').count()).toBe(3);

    expect(await page.locator('#indicators tbody tr').count()).toBe(3);
    const cases = page.locator('#cases tbody tr.case-row');
    expect(await cases.count()).toBe(13);
    expect(await page.locator('#cases tbody tr.case-pass').count()).toBe(13);
    expect(await page.locator('#cases thead th').allTextContents()).toEqual(['#', 'Case', 'Result', 'Matched', 'condition', 'winsock_parameters_base', 'winsock_parameters', 'filter (exclusion)']);
    // The exclusion's counts are the identifier's own: its 'true' count is the number of cases whose filter column reads true (the cases it excluded).
    const filterTrue = await page.$$eval('#cases tbody tr.case-row', (trs) => trs.filter((tr) => tr.querySelector('td:last-child .tf.t') !== null).length);
    expect(filterTrue).toBe(stages[3]?.t);
    // The properties: each with its runs and status; the known gap with its reason and example event.
    const props = await cellTexts('#properties tbody tr.property-row');
    expect(props.map((r) => [r[1], r[2]])).toEqual(expect.arrayContaining([['pass', 'match'], ['known gap', 'match']]));
    expect(props.length).toBeGreaterThanOrEqual(4);
    const gapRow = page.locator('#properties tbody tr.property-known-gap', { hasText: 'catalog entries under every spelling of the key' });
    expect(await gapRow.locator('td').nth(5).textContent()).toMatch(/ControlSet001 is the same key/);
    const example = JSON.parse((await page.locator('#properties tr.explain pre.event').first().textContent()) ?? '') as Record<string, string>;
    expect(example['TargetObject']).toMatch(/\\ControlSet00\d\\Services\\WinSock2\\/);
    expect(await page.locator('#fuzz').textContent()).toMatch(/30 property runs, seed 1; \d+ matching events synthesised; 0 errors, 0 warnings\.[\s\S]*No findings\./);
    await page.screenshot({ path: join(SHOTS, `${SEED}.png`), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();

    const dark = await open(pathToFileURL(join(dir, 'rules', `${SEED}.html`)).href, { colorScheme: 'dark' });
    await dark.page.screenshot({ path: join(SHOTS, `${SEED}-dark.png`), fullPage: true });
    expect(dark.problems).toEqual([]);
    await dark.page.close();
  });

  it('shows fuzz findings with their example event on a rule page', async () => {
    const k = report.rules.findIndex((r) => (extras.fuzz?.get(r.path)?.findings.length ?? 0) > 0);
    if (k < 0) return; // no bundled rule has a finding at this seed
    const rule = report.rules[k]!;
    const fuzz = extras.fuzz!.get(rule.path)!;
    const { page, problems } = await open(pathToFileURL(join(dir, rulePageFiles(report)[k]!)).href);
    expect(await page.locator('h1').textContent()).toBe(rule.title);
    expect(await page.locator('#fuzz .finding').count()).toBe(fuzz.findings.length);
    expect(await page.locator('#fuzz .finding h3 code').first().textContent()).toBe(fuzz.findings[0]!.code);
    expect(JSON.parse((await page.locator('#fuzz .finding pre.event').first().textContent()) ?? '')).toEqual(fuzz.findings[0]!.event);
    await page.screenshot({ path: join(SHOTS, 'fuzz-finding.png'), fullPage: true });
    // The index counts the same findings.
    await page.goto(pathToFileURL(join(dir, 'index.html')).href);
    const warnings = fuzz.findings.filter((f) => f.severity === 'warning').length;
    if (warnings > 0) expect(await page.locator('#rules tr.rule-row', { hasText: rule.title }).locator('.fuzz-cell').textContent()).toContain(`${warnings} warning`);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('rule text with markup stays text: no script runs, no element is injected', async () => {
    const d = mkdtempSync(join(tmpdir(), 'sigmatest-html-xss-'));
    mkdirSync(join(d, 'rules'));
    mkdirSync(join(d, 'cases'));
    const id = '31111111-2222-4333-8444-555555555555';
    writeFileSync(
      join(d, 'rules', 'x.yml'),
      `title: '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'\nid: ${id}\ndescription: '</p><script>window.pwned = 3</script>'\nlogsource: {category: process_creation, product: windows}\ndetection:\n    sel:\n        Image|endswith: '</pre><img src=x onerror="window.pwned = 4">'\n    condition: sel\n`,
    );
    writeFileSync(join(d, 'cases', 'x.yml'), `rule: ${id}\ncases:\n  - name: '<b onmouseover="window.pwned = 5">case</b>'\n    expect: match\n    event: {Image: 'C:\\\\</pre><img src=x onerror="window.pwned = 4">'}\n`);
    const run = loadAndRunSuite([join(d, 'rules')], [join(d, 'cases')], { cwd: d });
    const out = join(d, 'site');
    writeHtmlReport(out, renderHtmlReport(run.report, buildHtmlExtras(run.report, run.rules, { mapping: run.mapping, fuzzRuns: 5 })));
    for (const file of ['index.html', 'rules/x.html']) {
      const { page, problems } = await open(pathToFileURL(join(out, file)).href);
      expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('b[onmouseover]').count()).toBe(0);
      if (file === 'index.html') expect(await page.locator('#rules a').first().textContent()).toBe('<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">');
      else {
        expect(await page.locator('h1').textContent()).toBe('<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">');
        expect(await page.locator('#cases tbody td').nth(1).textContent()).toContain('<b onmouseover="window.pwned = 5">case</b>');
        await page.screenshot({ path: join(SHOTS, 'escaped-rule.png'), fullPage: true });
      }
      expect(problems).toEqual([]);
      await page.close();
    }
  });
});
