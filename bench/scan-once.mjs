// One scan in a fresh process (so its peak memory is its own): prints the summary as JSON.
// Usage: node bench/scan-once.mjs <events.jsonl> <workers> <rule dirs...>
import { scan } from '../dist/src/scan/scan.js';
import { enableRegexBacktrackingGuard } from '../dist/src/sigma/regex.js';
import { tuneV8ForScanning } from '../dist/src/cli/v8-tuning.js';

// The process-wide V8 settings of the CLI (runCli), so the figures are the command's.
enableRegexBacktrackingGuard();
tuneV8ForScanning();
const [file, workers, ...ruleDirs] = process.argv.slice(2);
let matches = 0;
const s = await scan({ rulePaths: ruleDirs, eventPaths: [file], logsource: 'map', workers: Number(workers), onMatch: () => void matches++ });
process.stdout.write(JSON.stringify({ ...s, matches, maxRssKb: process.resourceUsage().maxRSS }));
