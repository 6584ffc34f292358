/** The reporters of `sigmatest gate` (and of merged gate reports), by name (the first is the default). */
import type { GateReport } from '../../gate/gate-result.js';
import { gateTextReporter } from './text.js';
import { gateJsonReporter } from './json.js';
import { gateJunitReporter } from './junit.js';
import { gateSarifReporter } from './sarif.js';
import { gateGithubReporter } from './github.js';
import { gateMarkdownReporter } from './markdown.js';
import { renderHtmlReport } from '../html/render-html-report.js';
import type { HtmlReportInput } from '../html/render-html-report.js';
import { ReporterRegistry } from '../registry.js';
import type { FolderReporter, TextReporter } from '../registry.js';

/** The run's site with the gate's results in its extras (a Gate column, a section on each changed rule's page). */
export const gateHtmlReporter: FolderReporter<HtmlReportInput> = {
  name: 'html',
  help: "the run's static site in the --out folder, with a Gate column and each changed rule's checks and diff",
  output: 'folder',
  render: ({ report, extras }) => renderHtmlReport(report, extras),
};

export const GATE_REPORTERS = new ReporterRegistry<TextReporter<GateReport> | FolderReporter<HtmlReportInput>>('gate', [
  gateTextReporter,
  gateJsonReporter,
  gateJunitReporter,
  gateSarifReporter,
  gateGithubReporter,
  gateMarkdownReporter,
  gateHtmlReporter,
]);
