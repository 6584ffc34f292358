/** The explain JSON reporter: the rule page as data; one object, or an array for a file with several detection rules. */
import type { RulePage } from '../../explain/rule-page.js';
import type { TextReporter } from '../registry.js';
import { jsonTerminalSafe } from '../escape.js';

export function formatExplainJson(pages: readonly RulePage[]): string {
  return `${jsonTerminalSafe(JSON.stringify(pages.length === 1 ? pages[0] : pages, null, 2))}\n`;
}

export const explainJsonReporter: TextReporter<readonly RulePage[]> = {
  name: 'json',
  help: 'the rule page as data: one object, or an array of objects for a file with several detection rules',
  output: 'text',
  render: formatExplainJson,
};
