/** The output formats of `sigmatest explain` (`--format`), by name (the first is the default). */
import type { RulePage } from '../../explain/rule-page.js';
import { explainMarkdownReporter } from './markdown.js';
import { explainJsonReporter } from './json.js';
import { ReporterRegistry } from '../registry.js';
import type { TextReporter } from '../registry.js';

export const EXPLAIN_REPORTERS = new ReporterRegistry<TextReporter<readonly RulePage[]>>('explain', [explainMarkdownReporter, explainJsonReporter]);
