// One scan in a fresh process (so its peak memory is its own): prints the summary as JSON.
// Usage: node bench/scan-once.mjs <events file or folder> <workers> <rule dirs...>
// (<workers>: at most that many threads, as many as the input's size asks for; see MIN_BYTES_PER_THREAD below)
// With PARSE_FLOOR=<file.jsonl> (the same events as JSON Lines), JSON.parse alone over that
// file's lines is timed in the same process after the scan (median of three passes, after one
// warm-up pass): `parseSeconds`, the floor the scan's speed is compared with.
// The V8 settings of the command (bin/sigmatest.js at process start, then runCli), first.
import { readFileSync } from 'node:fs';
import { tuneV8AtStart, tuneV8ForScanning } from '../dist/src/cli/v8-tuning.js';
tuneV8AtStart();
const { scan } = await import('../dist/src/scan/scan.js');
tuneV8ForScanning();
const [file, workers, ...ruleDirs] = process.argv.slice(2);
let matches = 0;
let alerts = 0;
// MIN_BYTES_PER_THREAD=<bytes> (0: exactly <workers> threads) overrides how many threads the input's size asks for (`--thread-input`).
const exact = process.env.MIN_BYTES_PER_THREAD === undefined ? {} : { minBytesPerThread: Number(process.env.MIN_BYTES_PER_THREAD) };
// SCAN_CACHE_DIR=<folder>: load the rules through the rule cache kept there (default: no cache).
const s = await scan({ rulePaths: ruleDirs, eventPaths: [file], logsource: 'map', workers: Number(workers), ...exact, ...(process.env.SCAN_CACHE_DIR ? { cacheDir: process.env.SCAN_CACHE_DIR } : {}), onMatch: () => void matches++, onAlert: () => void alerts++ });
let parseSeconds;
if (process.env.PARSE_FLOOR) {
  const lines = readFileSync(process.env.PARSE_FLOOR, 'utf8').split('\n').filter((l) => l.length > 0);
  const passes = [];
  let sink = 0;
  for (let k = 0; k < 4; k++) {
    const t = process.hrtime.bigint();
    for (const l of lines) if (JSON.parse(l) !== null) sink++;
    passes.push(Number(process.hrtime.bigint() - t) / 1e9);
  }
  passes.shift();
  passes.sort((a, b) => a - b);
  parseSeconds = passes[1];
  if (sink < 0) console.log(sink);
}
process.stdout.write(JSON.stringify({ ...s, matches, alerts, parseSeconds, maxRssKb: process.resourceUsage().maxRSS }));
