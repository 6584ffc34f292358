/** The reporters of `sigmatest run`, by name (the first is the default). */
import type { SuiteReport } from './suite-report.js';
import { runTextReporter } from './text.js';
import { runJsonReporter } from './json.js';
import { runJunitReporter } from './junit.js';
import { runMarkdownReporter } from './markdown.js';
import { renderHtmlReport } from '../html/render-html-report.js';
import type { HtmlReportInput } from '../html/render-html-report.js';
import { ReporterRegistry } from '../registry.js';
import type { FolderReporter, TextReporter } from '../registry.js';

export const runHtmlReporter: FolderReporter<HtmlReportInput> = {
  name: 'html',
  help: 'a static site in the --out folder: an index and a page per rule; every rule is also fuzzed (30 runs, seed 1)',
  output: 'folder',
  render: ({ report, extras }) => renderHtmlReport(report, extras),
};

export const RUN_REPORTERS = new ReporterRegistry<TextReporter<SuiteReport> | FolderReporter<HtmlReportInput>>('run', [
  runTextReporter,
  runJsonReporter,
  runJunitReporter,
  runMarkdownReporter,
  runHtmlReporter,
]);
