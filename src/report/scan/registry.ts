/** The reporters of `sigmatest scan`, by name (the first is the default). */
import { scanJsonlReporter } from './jsonl.js';
import { scanJsonReporter } from './json.js';
import { scanTextReporter } from './text.js';
import type { StreamReporter } from './scan-reporter.js';
import { ReporterRegistry } from '../registry.js';

export const SCAN_REPORTERS = new ReporterRegistry<StreamReporter>('scan', [scanJsonlReporter, scanJsonReporter, scanTextReporter]);
