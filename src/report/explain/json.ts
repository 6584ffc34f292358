/** The explain JSON reporter: the page as data; one object, or an array for a file with several rules, correlations or filters. */
import type { ExplainPage } from '../../explain/meta-page.js';
import type { TextReporter } from '../registry.js';
import { jsonTerminalSafe } from '../escape.js';

export function formatExplainJson(pages: readonly ExplainPage[]): string {
  return `${jsonTerminalSafe(JSON.stringify(pages.length === 1 ? pages[0] : pages, null, 2))}\n`;
}

export const explainJsonReporter: TextReporter<readonly ExplainPage[]> = {
  name: 'json',
  help: 'the page as data (correlation and filter pages have a "kind"): one object, or an array for a file with several documents',
  output: 'text',
  render: formatExplainJson,
};
