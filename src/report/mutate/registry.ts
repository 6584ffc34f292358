/** The reporters of `sigmatest mutate`, by name (the first is the default). */
import type { MutationReport } from '../../mutate/mutation-report.js';
import { mutationTextReporter } from './text.js';
import { mutationJsonReporter } from './json.js';
import { mutationHtmlReporter } from './html.js';
import { ReporterRegistry } from '../registry.js';
import type { TextReporter } from '../registry.js';

export const MUTATION_REPORTERS = new ReporterRegistry<TextReporter<MutationReport>>('mutate', [mutationTextReporter, mutationJsonReporter, mutationHtmlReporter]);
