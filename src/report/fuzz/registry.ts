/** The reporters of `sigmatest fuzz` (and of merged fuzz reports), by name (the first is the default). */
import type { FuzzReport } from '../../fuzz/fuzz-report.js';
import { fuzzTextReporter } from './text.js';
import { fuzzJsonReporter } from './json.js';
import { ReporterRegistry } from '../registry.js';
import type { TextReporter } from '../registry.js';

export const FUZZ_REPORTERS = new ReporterRegistry<TextReporter<FuzzReport>>('fuzz', [fuzzTextReporter, fuzzJsonReporter]);
