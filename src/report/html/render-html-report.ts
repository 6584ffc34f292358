/**
 * The HTML reporter: a static site that works from `file://` with no network resources.
 *
 * `renderHtmlReport` is pure: the run report plus optional extras (rule pages, plans, fuzz
 * results, gate results; see types.ts) become files by relative path: `index.html` and one
 * `rules/<name>.html` per rule, `<name>` being the rule file's base name (made unique with a
 * `-2`, `-3`… suffix). Styles and the index's sorting/filtering script are inline; each page
 * carries a Content-Security-Policy that forbids loading anything. All rule and event text is
 * escaped (html.ts). `writeHtmlReport` (write-html-report.ts) puts the files in a folder.
 */
import { basename } from 'node:path';
import type { SuiteReport } from '../run/suite-report.js';
import { renderIndexPage } from './index-page.js';
import { renderRulePage } from './rule-page-html.js';
import type { HtmlReportExtras } from './types.js';

export type { GateCheck, GateDiffClass, GateEntry, HtmlReportExtras } from './types.js';
export { reportEntryKey, lookupRule } from './types.js';

/** The page file of each rule (same order as `report.rules`), relative to the report folder. */
export function rulePageFiles(report: SuiteReport): string[] {
  const used = new Set<string>();
  return report.rules.map((r) => {
    const base = basename(r.path).replace(/\.ya?ml$/i, '').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '') || 'rule';
    let name = base;
    for (let k = 2; used.has(name.toLowerCase()); k++) name = `${base}-${k}`;
    used.add(name.toLowerCase());
    return `rules/${name}.html`;
  });
}

/** What the HTML reporter renders: the run report and what the pages show besides it. */
export interface HtmlReportInput {
  report: SuiteReport;
  extras: HtmlReportExtras;
}

/** Renders the report: relative path → file content. */
export function renderHtmlReport(report: SuiteReport, extras: HtmlReportExtras = {}): Map<string, string> {
  const files = rulePageFiles(report);
  const out = new Map<string, string>();
  out.set('index.html', renderIndexPage(report, files, extras));
  report.rules.forEach((rule, k) => {
    out.set(files[k] as string, renderRulePage(rule, report, extras, '../index.html'));
  });
  return out;
}
