// Deterministic Sysmon-shaped events for benchmarks: the recorded SigmaHQ regression events
// (read from ../shared) with seeded mutations of their string fields, N lines of JSONL.
// Usage: node bench/make-events.mjs <count> <out.jsonl>
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readEventFileSync } from '../dist/src/events/read-events.js';

const root = fileURLToPath(new URL('../../shared/corpus/sigmahq/regression_data', import.meta.url));
const [count = '10000', out = '/tmp/sigmatest-bench-events.jsonl'] = process.argv.slice(2);
const files = [];
const walk = (d) => {
  for (const e of readdirSync(d)) {
    const p = join(d, e);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.json')) files.push(p);
  }
};
walk(root);
files.sort();
const base = files.flatMap((f) => readEventFileSync(f).events.map((e) => e.event));
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const words = ['temp', 'update', 'svc', 'Microsoft', 'Windows', 'Users', 'Public', 'AppData', 'x64', 'setup'];
const KEEP = new Set(['Channel', 'Provider_Name', 'EventID']);
const lines = [];
for (let i = 0; i < Number(count); i++) {
  const e = { ...base[Math.floor(rnd() * base.length)] };
  for (const k of Object.keys(e)) {
    if (typeof e[k] === 'string' && !KEEP.has(k) && rnd() < 0.3) e[k] = `${e[k]}\\${words[Math.floor(rnd() * words.length)]}${Math.floor(rnd() * 1000)}`;
  }
  lines.push(JSON.stringify(e));
}
writeFileSync(out, lines.join('\n') + '\n');
console.error(`${lines.length} events from ${base.length} recorded ones → ${out}`);
