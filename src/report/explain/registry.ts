/** The output formats of `sigmatest explain` (`--format`), by name (the first is the default). */
import type { ExplainPage } from '../../explain/meta-page.js';
import { explainMarkdownReporter } from './markdown.js';
import { explainJsonReporter } from './json.js';
import { explainHtmlReporter } from './html.js';
import { ReporterRegistry } from '../registry.js';
import type { TextReporter } from '../registry.js';

export const EXPLAIN_REPORTERS = new ReporterRegistry<TextReporter<readonly ExplainPage[]>>('explain', [explainMarkdownReporter, explainJsonReporter, explainHtmlReporter]);
