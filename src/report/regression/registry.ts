/** The reporters of `sigmatest regression`, by name (the first is the default). */
import type { RegressionReport } from '../../regression/regression.js';
import { regressionTextReporter } from './text.js';
import { regressionJsonReporter } from './json.js';
import { ReporterRegistry } from '../registry.js';
import type { TextReporter } from '../registry.js';

export const REGRESSION_REPORTERS = new ReporterRegistry<TextReporter<RegressionReport>>('regression', [regressionTextReporter, regressionJsonReporter]);
