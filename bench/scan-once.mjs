// One scan in a fresh process (so its peak memory is its own): prints the summary as JSON.
// Usage: node bench/scan-once.mjs <events.jsonl> <workers> <rule dirs...>
// The V8 settings of the command (bin/sigmatest.js at process start, then runCli), first.
import { tuneV8AtStart, tuneV8ForScanning } from '../dist/src/cli/v8-tuning.js';
tuneV8AtStart();
const { scan } = await import('../dist/src/scan/scan.js');
tuneV8ForScanning();
const [file, workers, ...ruleDirs] = process.argv.slice(2);
let matches = 0;
let alerts = 0;
const s = await scan({ rulePaths: ruleDirs, eventPaths: [file], logsource: 'map', workers: Number(workers), onMatch: () => void matches++, onAlert: () => void alerts++ });
process.stdout.write(JSON.stringify({ ...s, matches, alerts, maxRssKb: process.resourceUsage().maxRSS }));
