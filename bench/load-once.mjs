// Loading rules in a fresh process, as a command does at start (issue 24, warm starts): prints
// JSON {load, loadCpu, plans, index} in seconds (loadCpu: the CPU time of the load, less
// sensitive to other jobs on the machine than its wall time): listing, reading and loading the rule files (through the
// rule cache in <cache dir>, or without it for `none`), then building every plan (`plans`, the
// cost a cached rule defers to its first use), or building the rule index over them (`index`, as a
// scan does first: over cached rules it needs no plan).
// Usage: node bench/load-once.mjs <cache dir|none> <plans|index> <rule dirs...>
import { tuneV8AtStart } from '../dist/src/cli/v8-tuning.js';
tuneV8AtStart();
const { collectRules } = await import('../dist/src/rules/collect-rules.js');
const { RuleCache } = await import('../dist/src/cache/rule-cache.js');
const { RuleIndex } = await import('../dist/src/compile/rule-index.js');
const { builtinMapping } = await import('../dist/src/logsource/logsource.js');
const [dir, then, ...ruleDirs] = process.argv.slice(2);
const cache = dir === 'none' ? undefined : new RuleCache({ dir });
const now = () => Number(process.hrtime.bigint()) / 1e9;
const c0 = process.cpuUsage();
const t0 = now();
const set = collectRules(ruleDirs, cache === undefined ? {} : { cache });
const t1 = now();
const c1 = process.cpuUsage(c0);
let sink = 0;
if (then === 'plans') for (const r of set.rules) sink += r.plan.items.length;
else new RuleIndex(set.rules, { mapping: builtinMapping });
const t2 = now();
process.stdout.write(JSON.stringify({ rules: set.rules.length, load: t1 - t0, loadCpu: (c1.user + c1.system) / 1e6, [then]: t2 - t1, stats: cache?.last, sink }));
