// `npm run bench`: figures, not tests. Deterministic inputs (seeded); prints machine, Node
// version and a table. Needs ../shared/corpus/sigmahq; builds dist/ first (npm run build).
import { cpus, totalmem } from 'node:os';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { collectRules } from '../dist/src/rules/collect-rules.js';
import { enableRegexBacktrackingGuard } from '../dist/src/sigma/regex.js';
import { EventView, planMatches } from '../dist/src/evaluate/evaluate.js';
import { readEventFileSync } from '../dist/src/events/read-events.js';
import { measureEvtxThroughput } from '../dist/src/evtx/read-evtx.js';

enableRegexBacktrackingGuard();
const here = fileURLToPath(new URL('.', import.meta.url));
const corpus = join(here, '../../shared/corpus/sigmahq');
if (!existsSync(corpus)) {
  console.error(`bench: ${corpus} is absent; nothing to measure`);
  process.exit(0);
}
const rows = [];
const time = (f) => {
  const t = process.hrtime.bigint();
  const r = f();
  return [Number(process.hrtime.bigint() - t) / 1e9, r];
};

// 1. Load and plan every rule of the corpus.
const dirs = readdirSync(corpus).filter((d) => d.startsWith('rules')).map((d) => join(corpus, d));
const [loadS, set] = time(() => collectRules(dirs));
rows.push(['load + plan all corpus rules', `${set.rules.length} rules`, `${loadS.toFixed(2)} s`]);

// 2. Reference evaluator: rules/windows over 10,000 events (eval's path: one EventView per event).
const eventsFile = '/tmp/sigmatest-bench-events.jsonl';
execFileSync(process.execPath, [join(here, 'make-events.mjs'), '10000', eventsFile], { stdio: 'ignore' });
const events = readEventFileSync(eventsFile).events.map((e) => e.event);
const windows = collectRules([join(corpus, 'rules/windows')]).rules;
const [evalS, matches] = time(() => {
  let m = 0;
  for (const e of events) {
    const view = new EventView(e);
    for (const r of windows) if (planMatches(r.plan, view)) m++;
  }
  return m;
});
rows.push(['evaluate rules/windows × 10,000 events', `${windows.length} rules, ${matches} matches`, `${evalS.toFixed(1)} s (${Math.round(events.length / evalS)} events/s, ${Math.round((events.length * windows.length) / evalS / 1000)}k pairs/s)`]);

// 3. Native EVTX reading over the regression data.
const evtx = [];
const walk = (d) => {
  for (const e of readdirSync(d)) {
    const p = join(d, e);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.evtx')) evtx.push(p);
  }
};
walk(join(corpus, 'regression_data'));
const t = await measureEvtxThroughput(evtx);
rows.push(['read .evtx (regression data)', `${evtx.length} files, ${t.records} records`, `${(t.bytes / 1e6 / t.seconds).toFixed(1)} MB/s`]);

console.log(`machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}`);
console.log('| benchmark | input | result |\n|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
