// `npm run bench`: figures, not tests. Deterministic inputs (seeded); prints machine, Node version
// and a table. Needs ../shared/corpus/sigmahq; builds dist/ first (npm run build).
// Sections (issue numbers of the figures they answer):
//   the properties of the bundled rules at default runs, and npm start; reading hostile inputs in
//   linear time (issue 23: one long JSON line, large known-FP files, case files of many cases or
//   properties); a streamed correlation scan of 1,000,000 events (issue 21: time and peak memory,
//   against the same rules without their correlations) (these three need no corpus);
//   load + compile the corpus (target ≤ 1 s); the seed rule compiled vs by hand (target ≤ 1.3×);
//   full scan of ~3,000 rules over 200,000 generated Sysmon-shaped events, on 1 and 2 threads
//   (target ≥ 100,000 events/s per core); peak memory; fuzzing those rules at 100 runs (target ≤ 60 s);
//   the reference evaluator for comparison; native EVTX reading and scanning; adversarial events
//   from every corpus rule's own needles, the worst rules' time per KB (issue 23); mutation testing of
//   the bundled suite and of SigmaHQ's regression data as positive-only suites (issue 19).
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { cpSync, existsSync, readdirSync, statSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
// The V8 settings of the command (bin/sigmatest.js at process start, then runCli), before any of
// the program's code runs, so the figures are the command's: its modules are imported after them.
import { tuneV8AtStart, tuneV8ForScanning } from '../dist/src/cli/v8-tuning.js';
tuneV8AtStart();
const { collectRules } = await import('../dist/src/rules/collect-rules.js');
const { loadRuleFile } = await import('../dist/src/rules/load-rule.js');
const { EventView, planMatches } = await import('../dist/src/evaluate/evaluate.js');
const { compilePlan } = await import('../dist/src/compile/compile-plan.js');
const { RuleIndex } = await import('../dist/src/compile/rule-index.js');
const { builtinMapping } = await import('../dist/src/logsource/logsource.js');
const { measureEvtxThroughput } = await import('../dist/src/evtx/read-evtx.js');
const { generateEvents } = await import('../dist/generators/events.js');
const { fuzzRule } = await import('../dist/src/fuzz/fuzz-rule.js');
const { evtxOf } = await import('./evtx-file.mjs');

tuneV8ForScanning();
const here = fileURLToPath(new URL('.', import.meta.url));
const corpus = join(here, '../../shared/corpus/sigmahq');
const only = process.argv[2]; // optional: run one section (properties, inputs, correlation, load, seed, scan, real, fuzz, reference, evtx, adversarial, mutate)
const want = (s) => only === undefined || only === s;
const rows = [];
const seconds = (f) => {
  const t = process.hrtime.bigint();
  const r = f();
  return [Number(process.hrtime.bigint() - t) / 1e9, r];
};
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const printTable = () => {
  console.log(`machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}`);
  console.log('| benchmark | input | result | target |\n|---|---|---|---|');
  for (const r of rows) console.log(`| ${[...r, ...Array(4 - r.length).fill('')].join(' | ')} |`);
};

// Properties of the bundled rules (rules/, cases/) at their runs (default 100): the property runs
// alone (median of 5, in this process after a first warm-up pass), and the whole `sigmatest run`
// (npm start: cases and properties, Node start and module loading included; median of 3).
if (want('properties')) {
  const { loadSuite } = await import('../dist/src/app/run-suite.js');
  const { runRuleProperties } = await import('../dist/src/properties/run-properties.js');
  const { resolveCaseRule } = await import('../dist/src/cases/run-cases.js');
  const suite = loadSuite([join(here, '../rules')], [join(here, '../cases')]);
  const byRule = new Map();
  for (const cf of suite.caseFiles) {
    const rule = resolveCaseRule(cf, suite.rules).rule;
    if (rule !== undefined && cf.properties.length > 0) byRule.set(rule, [...(byRule.get(rule) ?? []), { cf }]);
  }
  const once = () => [...byRule].map(([rule, files]) => runRuleProperties(rule, files, { mapping: builtinMapping }));
  once();
  const times = [];
  let results = [];
  for (let k = 0; k < 5; k++) {
    const [s, r] = seconds(once);
    times.push(s);
    results = r.flatMap((x) => x.results);
  }
  times.sort((a, b) => a - b);
  const runs = results.reduce((n, p) => n + p.runs, 0);
  const statuses = {};
  for (const p of results) statuses[p.status] = (statuses[p.status] ?? 0) + 1;
  rows.push(['properties of the bundled rules at default runs', `${results.length} properties of ${byRule.size} rules, ${fmt(runs)} runs; ${Object.entries(statuses).map(([k, v]) => `${k} ${v}`).join(', ')}`, `${(times[2] * 1000).toFixed(0)} ms (median of 5, ${(times[0] * 1000).toFixed(0)}-${(times[4] * 1000).toFixed(0)}; ${fmt(runs / times[2])} runs/s)`]);
  const walls = [];
  for (let k = 0; k < 3; k++) {
    const t = process.hrtime.bigint();
    execFileSync(process.execPath, [join(here, '../bin/sigmatest.js'), 'run', '--reporter', 'json'], { cwd: join(here, '..'), encoding: 'utf8', maxBuffer: 1 << 26 });
    walls.push(Number(process.hrtime.bigint() - t) / 1e9);
  }
  walls.sort((a, b) => a - b);
  rows.push(['sigmatest run on rules/ and cases/ (npm start)', `${suite.rules.length} rules, cases and properties`, `${walls[1].toFixed(2)} s wall clock (median of 3, process start included)`]);
}

// Inputs built to hit quadratic steps (issue 23): one JSON line of 25 and 100 MB (the reader joined
// its pieces at every chunk: 50 MB 11 s, 200 MB 151 s), and files of many entries (positions were
// found by rescanning the text: 40,000 known-FP entries over 120 s, 20,000 cases 33 s). Linear:
// four times the input, about four times the time.
if (want('inputs')) {
  const { readEvents } = await import('../dist/src/event-files/read-events.js');
  const { parseKnownFps } = await import('../dist/src/known-fps/known-fps.js');
  const { loadCaseText } = await import('../dist/src/cases/load-cases.js');
  const dir = mkdtempSync(join(tmpdir(), 'sigmatest-bench-inputs-'));
  try {
    const line = [];
    for (const mb of [25, 100]) {
      const file = join(dir, `long-${mb}.jsonl`);
      writeFileSync(file, `{"CommandLine":"${'a'.repeat(mb * 2 ** 20)}"}\n{"b":1}\n`);
      const t = process.hrtime.bigint();
      let n = 0;
      for await (const r of readEvents(file)) if (r.kind === 'event') n++;
      const s = Number(process.hrtime.bigint() - t) / 1e9;
      line.push(s);
      rows.push([`read one JSON line of ${mb} MB (then a short one)`, `${n} events`, `${s.toFixed(2)} s`]);
      rmSync(file);
    }
    rows.push(['  100 MB / 25 MB time', '', `${((line[1] ?? 0) / (line[0] ?? 1)).toFixed(1)}×`, '≈ 4× (linear)']);
    const id = '2c3d4e5f-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
    for (const n of [10000, 40000]) {
      const text = `known_fps:\n${Array.from({ length: n }, (_, i) => `  - rule: ${id}\n    field: Image\n    value: 'C:\\x${i}.exe'\n    reason: r${i}\n`).join('')}`;
      const [s, r] = seconds(() => parseKnownFps(text, 'fps.yml'));
      rows.push([`load a known-FP file of ${fmt(n)} entries`, `${fmt(r.entries.length)} entries`, `${s.toFixed(2)} s`]);
    }
    for (const n of [5000, 20000]) {
      const text = `rule: ${id}\ncases:\n${Array.from({ length: n }, (_, i) => `  - name: c${i}\n    expect: no-match\n    event: {Image: x${i}}\n`).join('')}`;
      const [s, r] = seconds(() => loadCaseText(text, 'cases.yml'));
      rows.push([`load a case file of ${fmt(n)} cases`, `${fmt(r.caseFile?.cases.length ?? 0)} cases`, `${s.toFixed(2)} s`]);
    }
    // Properties are located through the same line index as cases.
    for (const n of [5000, 20000]) {
      const props = Array.from({ length: n }, (_, i) => `  - name: p${i}\n    from: base\n    mutate: {Image: [recase, {gen: path, not: ['*x']}]}\n    expect: match\n`).join('');
      const text = `rule: ${id}\ncases:\n  - name: base\n    expect: match\n    event: {Image: x}\nproperties:\n${props}`;
      const [s, r] = seconds(() => loadCaseText(text, 'cases.yml'));
      rows.push([`load a case file of ${fmt(n)} properties`, `${fmt(r.caseFile?.properties.length ?? 0)} properties`, `${s.toFixed(2)} s`]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Correlations while streaming (issue 21): 1,000,000 generated events (logons, connections,
// uploads, DNS answers; 10 ms apart, so 2.8 hours) through four detection rules and six
// correlations of five types (a chain among them), in a fresh process: time, alerts and peak
// memory; then the same detection rules alone, for the correlations' share.
if (want('correlation')) {
  const { openSync, writeSync, closeSync, mkdirSync } = await import('node:fs');
  const n = Number(process.env.BENCH_CORRELATION_EVENTS ?? 1000000);
  const dir = mkdtempSync(join(tmpdir(), 'sigmatest-bench-corr-'));
  try {
    const detection = `title: Logon failed
name: logon_fail
logsource: {category: authentication, product: bench}
detection: {selection: {action: logon, outcome: failure}, condition: selection}
---
title: Logon succeeded
name: logon_ok
logsource: {category: authentication, product: bench}
detection: {selection: {action: logon, outcome: success}, condition: selection}
---
title: Connection
name: conn
logsource: {category: firewall, product: bench}
detection: {selection: {action: connect}, condition: selection}
---
title: Upload
name: upload
logsource: {category: proxy, product: bench}
detection: {selection: {action: upload}, condition: selection}
`;
    const correlations = `title: Failed logons of a user on a host
name: brute
correlation: {type: event_count, rules: [logon_fail], group-by: [user, host], timespan: 1m, condition: {gte: 4}}
---
title: Brute force then success
correlation: {type: temporal_ordered, rules: [brute, logon_ok], group-by: [user, host], timespan: 5m, generate: true}
---
title: Port scan
correlation: {type: value_count, rules: [conn], group-by: [src_ip], timespan: 1m, condition: {field: dst_port, gte: 6}}
---
title: Exfiltration
correlation: {type: value_sum, rules: [upload], group-by: [user], timespan: 10m, condition: {field: bytes, gt: 3000000}}
---
title: Upload sizes, 95th percentile
correlation: {type: value_percentile, rules: [upload], group-by: [host], timespan: 5m, condition: {field: bytes, percentile: 95, gte: 990000}}
---
title: Few connections of a source
correlation: {type: event_count, rules: [conn], group-by: [src_ip], timespan: 1m, condition: {lt: 2}}
`;
    mkdirSync(join(dir, 'with'));
    mkdirSync(join(dir, 'without'));
    writeFileSync(join(dir, 'with', 'rules.yml'), `${detection}---\n${correlations}`);
    writeFileSync(join(dir, 'without', 'rules.yml'), detection);
    // Deterministic events, written in chunks (never held whole).
    const file = join(dir, 'events.jsonl');
    const fd = openSync(file, 'w');
    let x = 20261207;
    const rnd = (m) => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return x % m;
    };
    const t0 = Date.UTC(2024, 0, 15, 0, 0, 0);
    let chunk = [];
    for (let i = 0; i < n; i++) {
      const t = new Date(t0 + i * 10).toISOString();
      const k = rnd(10);
      const user = `u${rnd(20000)}`;
      const host = `h${rnd(2000)}`;
      let e;
      if (k < 4) e = { timestamp: t, action: 'logon', outcome: rnd(10) < 7 ? 'failure' : 'success', user: `u${rnd(300)}`, host: `h${rnd(20)}` };
      else if (k < 7) e = { timestamp: t, action: 'connect', src_ip: `10.${rnd(4)}.${rnd(250)}.${rnd(250)}`, dst_port: rnd(1024) };
      else if (k < 9) e = { timestamp: t, action: 'upload', user, host, bytes: rnd(1000000) };
      else e = { timestamp: t, action: 'dns', host, latency_ms: rnd(1000) };
      chunk.push(JSON.stringify(e));
      if (chunk.length === 10000) {
        writeSync(fd, chunk.join('\n') + '\n');
        chunk = [];
      }
    }
    if (chunk.length > 0) writeSync(fd, chunk.join('\n') + '\n');
    closeSync(fd);
    const size = statSync(file).size;
    const once = (rules) => JSON.parse(execFileSync(process.execPath, [join(here, 'scan-once.mjs'), file, '1', rules], { encoding: 'utf8', maxBuffer: 1 << 26 }));
    const runs = [0, 1, 2].map(() => once(join(dir, 'with'))).sort((a, b) => a.seconds - b.seconds);
    const r = runs[1];
    rows.push([
      `correlation scan: 4 rules + 6 correlations (event_count ×2, temporal_ordered chain, value_count, value_sum, value_percentile) × ${fmt(r.events)} events, 1 thread`,
      `${(size / 1e6).toFixed(0)} MB JSONL; ${fmt(r.alerts)} alerts, ${fmt(r.matches)} matches reported`,
      `${r.seconds.toFixed(2)} s, ${fmt(r.eventsPerSecond)} events/s (median of 3, ${runs[0].seconds.toFixed(2)}-${runs[2].seconds.toFixed(2)} s); peak RSS ${(r.maxRssKb / 1024).toFixed(0)} MiB`,
    ]);
    const base = [0, 1, 2].map(() => once(join(dir, 'without'))).sort((a, b) => a.seconds - b.seconds)[1];
    rows.push([`  the same 4 detection rules without correlations`, `${fmt(base.matches)} matches`, `${base.seconds.toFixed(2)} s, ${fmt(base.eventsPerSecond)} events/s (median of 3); peak RSS ${(base.maxRssKb / 1024).toFixed(0)} MiB`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!existsSync(corpus)) {
  console.error(`bench: ${corpus} is absent; only the sections that need no corpus were measured`);
  printTable();
  process.exit(0);
}
const scanDirs = ['rules/windows', 'rules-emerging-threats', 'rules-threat-hunting'].map((d) => join(corpus, d));
const runs0 = (dirs) => dirs.reduce((n, d) => n + readdirSync(d, { recursive: true }).filter((f) => /\.ya?ml$/.test(f)).length, 0);

// 1. Load + compile every rule of the corpus.
if (want('load')) {
  const dirs = readdirSync(corpus).filter((d) => d.startsWith('rules')).map((d) => join(corpus, d));
  const [loadS, set] = seconds(() => collectRules(dirs));
  const [indexS, index] = seconds(() => new RuleIndex(set.rules, { mapping: builtinMapping }));
  const [compileS, stats] = seconds(() => index.stats());
  rows.push(['1. load + plan all corpus rules (rules*/)', `${fmt(set.rules.length)} rules`, `${loadS.toFixed(2)} s`]);
  rows.push(['1. build the rule index (logsource + needles)', '', `${indexS.toFixed(2)} s`]);
  rows.push(['1. compile every rule to JavaScript', `${stats.compiled} compiled, ${stats.declined.length} declined`, `${compileS.toFixed(2)} s`]);
  // The target counts compiling every rule; a scan compiles only the rules it keeps trying.
  rows.push(['1. load + index + compile, total', '', `${(loadS + indexS + compileS).toFixed(2)} s (a scan compiles lazily)`, '≤ 1 s']);

  // Warm starts (issue 24): the ~3,000 rules a scan loads, each time in a fresh process
  // (bench/load-once.mjs), without the rule cache, cold (an empty cache: loaded and written) and
  // warm (read back): the load, then every plan built (what a cached rule defers to its first
  // use), or the rule index built (a scan's next step; over cached rules it builds no plan). Then a
  // one-event `sigmatest scan` wall time, against `node -e 0`. Medians of 5 with their ranges.
  const cacheDir = mkdtempSync(join(tmpdir(), 'sigmatest-bench-cache-'));
  const once = (dir, then) => JSON.parse(execFileSync(process.execPath, [join(here, 'load-once.mjs'), dir, then, ...scanDirs], { encoding: 'utf8' }));
  const med = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return `${s[Math.floor(s.length / 2)].toFixed(3)} s (${s[0].toFixed(3)}-${s[s.length - 1].toFixed(3)})`;
  };
  const RUNS = 5;
  for (const then of ['plans', 'index']) {
    const runs = { none: [], cold: [], warm: [] };
    for (let k = 0; k < RUNS; k++) {
      runs.none.push(once('none', then));
      rmSync(cacheDir, { recursive: true, force: true });
      runs.cold.push(once(cacheDir, then));
      runs.warm.push(once(cacheDir, then));
    }
    const n = runs.none[0].rules;
    for (const mode of ['none', 'cold', 'warm']) {
      const label = { none: 'without the rule cache', cold: 'rule cache cold (written)', warm: 'rule cache warm' }[mode];
      rows.push([`1. load ${fmt(n)} scan rules, ${label}; then ${then === 'plans' ? 'every plan' : 'the rule index'}`, `${fmt(runs[mode][0].stats?.hits ?? 0)} files from the cache (${fmt(runs[mode][0].stats?.trusted ?? 0)} by their stat, unread)`, `load ${med(runs[mode].map((r) => r.load))} (CPU ${med(runs[mode].map((r) => r.loadCpu))}); ${then} ${med(runs[mode].map((r) => r[then]))}`, mode === 'warm' ? '≤ 0.15 s warm' : mode === 'cold' ? '≤ 0.5 s cold' : '']);
    }
  }
  const event = join(cacheDir, 'one.jsonl');
  writeFileSync(event, JSON.stringify({ Channel: 'Microsoft-Windows-Sysmon/Operational', EventID: 1, Image: 'C:\\Windows\\System32\\whoami.exe', CommandLine: 'whoami /all', ParentImage: 'C:\\Windows\\System32\\cmd.exe' }) + '\n');
  const wall = (args, env = {}) => {
    const t = process.hrtime.bigint();
    spawnSync(process.execPath, args, { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 26 });
    return Number(process.hrtime.bigint() - t) / 1e9;
  };
  const cli = join(here, '../bin/sigmatest.js');
  const scanArgs = [cli, 'scan', '--rules', ...scanDirs, '--events', event, '--reporter', 'json'];
  const walls = { node: [], none: [], cold: [], warm: [] };
  const packDir = join(cacheDir, 'cli');
  for (let k = 0; k < RUNS; k++) {
    walls.node.push(wall(['-e', '0']));
    walls.none.push(wall([...scanArgs, '--no-cache']));
    rmSync(packDir, { recursive: true, force: true });
    walls.cold.push(wall(scanArgs, { SIGMATEST_CACHE_DIR: packDir }));
    walls.warm.push(wall(scanArgs, { SIGMATEST_CACHE_DIR: packDir }));
  }
  rows.push(['1. one-event `sigmatest scan`, wall time (process start included)', `${fmt(runs0(scanDirs))} rule files`, `node -e 0 ${med(walls.node)}; --no-cache ${med(walls.none)}; cold ${med(walls.cold)}; warm ${med(walls.warm)}`]);
  rows.push(['1. (machine load average while measuring)', '', loadavg().map((x) => x.toFixed(1)).join(' ')]);
  rmSync(cacheDir, { recursive: true, force: true });
}

// 200,000 Sysmon-shaped events from the generators (deterministic seed).
const COUNT = Number(process.env.BENCH_EVENTS ?? 200000);
let eventsFile;
let events;
let tempDir;
if (want('scan') || want('seed') || want('reference') || want('evtx') || want('real')) {
  const [genS, evs] = seconds(() => generateEvents(COUNT, 20261127));
  events = evs;
  tempDir = mkdtempSync(join(tmpdir(), 'sigmatest-bench-'));
  eventsFile = join(tempDir, 'events.jsonl');
  writeFileSync(eventsFile, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  rows.push(['generate events (generators/)', `${fmt(COUNT)} events, ${(statSync(eventsFile).size / 1e6).toFixed(0)} MB JSONL`, `${genS.toFixed(1)} s`]);
}

// 2. The seed rule: compiled matcher vs a hand-written predicate with the same semantics.
if (want('seed')) {
  const seed = loadRuleFile(join(here, '../rules/windows/registry/registry_set_asep_reg_keys_modification_winsock2.yml')).rules[0];
  const compiled = compilePlan(seed.plan).compiled.match;
  const lower = (v) => (/^[\x00-\x7f]*$/.test(v) ? v.toLowerCase() : null);
  // By hand: the same checks, ASCII lowercase with the Unicode fallback as the semantics require.
  const byHand = (e) => {
    const t = e.TargetObject;
    if (typeof t !== 'string') return false;
    const l = lower(t);
    if (l === null) return compiled(e); // non-ASCII: defer to full Unicode case folding
    if (!l.includes('\\system\\currentcontrolset\\services\\winsock2\\parameters')) return false;
    if (!l.includes('\\protocol_catalog9\\catalog_entries') && !l.includes('\\namespace_catalog5\\catalog_entries')) return false;
    const d = e.Details;
    if (typeof d === 'string' && d.toLowerCase() === '(empty)') return false;
    const i = e.Image;
    if (typeof i === 'string') {
      const li = i.toLowerCase();
      if (li === 'c:\\windows\\system32\\msiexec.exe' || li === 'c:\\windows\\syswow64\\msiexec.exe') return false;
    }
    return true;
  };
  // Registry events, a quarter of them aimed at the Winsock2 catalog keys.
  const reg = events.filter((e) => e.EventID === 13 || e.EventID === 12).slice(0, 20000).map((e, i) =>
    i % 4 === 0 ? { ...e, TargetObject: `HKLM\\System\\CurrentControlSet\\Services\\WinSock2\\Parameters\\Protocol_Catalog9\\Catalog_Entries\\0000000000${i % 10}` } : e,
  );
  let agree = 0;
  for (const e of reg) if (compiled(e) === byHand(e)) agree++;
  // Seven rounds, the order of the two swapped each round, the median ratio reported: one long
  // round each measured the machine's drift between the two as much as the code.
  let sink = 0;
  const rounds = [];
  for (let round = 0; round < 7; round++) {
    const bench = new Bench({ time: 400, warmupTime: 100 });
    const tasks = [
      ['compiled', () => { for (const e of reg) if (compiled(e)) sink++; }],
      ['by hand', () => { for (const e of reg) if (byHand(e)) sink++; }],
    ];
    for (const [name, f] of round % 2 === 0 ? tasks : tasks.reverse()) bench.add(name, f);
    await bench.run();
    const mean = (name) => { const t = bench.tasks.find((x) => x.name === name); return t.result.latency?.mean ?? t.result.mean; };
    rounds.push({ c: mean('compiled'), h: mean('by hand') });
  }
  rounds.sort((a, b) => a.c / a.h - b.c / b.h);
  const { c, h } = rounds[3];
  const range = `${(rounds[0].c / rounds[0].h).toFixed(2)}-${(rounds[6].c / rounds[6].h).toFixed(2)}`;
  rows.push(['2. seed rule: compiled vs hand-written predicate', `${fmt(reg.length)} registry events, verdicts agree ${agree}/${reg.length}`, `${((c / h) || 0).toFixed(2)}× median of 7 rounds (${range}; compiled ${(reg.length / c * 1000 / 1e6).toFixed(1)} M ev/s, hand ${(reg.length / h * 1000 / 1e6).toFixed(1)} M ev/s)`, '≤ 1.3×']);
  if (sink < 0) console.log(sink);
}

// 3./4. Full scan through `sigmatest scan` (streaming, logsource applied) on one thread and on
// two (the main thread and one worker), each in a fresh process, three times: the median run is
// reported with the range (a shared machine drifts by ±10 % from run to run).
if (want('scan')) {
  const ruleCount = collectRules(scanDirs).rules.length;
  for (const workers of [1, 2]) {
    const runs = [];
    for (let k = 0; k < 3; k++) {
      const out = execFileSync(process.execPath, [join(here, 'scan-once.mjs'), eventsFile, String(workers), ...scanDirs], { encoding: 'utf8', maxBuffer: 1 << 26 });
      runs.push(JSON.parse(out));
    }
    runs.sort((a, b) => a.eventsPerSecond - b.eventsPerSecond);
    const r = runs[1];
    const threads = workers === 1 ? '1 thread' : `${workers} threads (main + ${workers - 1} worker${workers > 2 ? 's' : ''})`;
    rows.push([
      `3. scan: ${fmt(ruleCount)} rules (windows, ET, TH) × ${fmt(r.events)} events, ${threads}`,
      `${fmt(r.matches)} matches; load ${r.loadSeconds.toFixed(2)} s`,
      `${fmt(r.eventsPerSecond)} events/s, ${fmt(r.eventsPerSecond / workers)} per thread (${r.seconds.toFixed(2)} s scanning; median of 3, ${fmt(runs[0].eventsPerSecond)}-${fmt(runs[2].eventsPerSecond)})`,
      `≥ ${fmt(100000 * workers)} events/s (100,000 per core)`,
    ]);
    rows.push([`4. peak memory (RSS) of that scan`, '', `${(r.maxRssKb / 1024).toFixed(0)} MiB`]);
  }
}

// Real events (issue 24): the evtx-to-mitre-attack folder scanned as .evtx files and as JSON Lines
// (converted once by `sigmatest events`), each on 1 and 2 threads with the .evtx/JSON Lines time
// ratio per thread count (and on one thread for the folder copied five times against the JSON Lines
// repeated to the same 50,075 events), the SigmaHQ regression events (likewise converted), and
// 50,000 of the generated events, each by `scan-once.mjs` in a fresh process, five times (median
// and range). Each run also times JSON.parse alone over the same JSON Lines in the same process:
// the ratio scan/parse is measured on one machine state. Then, in this process, the ten event kinds
// (Channel, EventID) of the real events that cost most per event (each kind matched alone, in
// batches as a scan does, after a warm-up pass over all events), and the rule index's skip rate:
// the share of (rule, event) pairs never tried, real against generated.
if (want('real')) {
  const { flattenEvent } = await import('../dist/src/events/flatten-event.js');
  const cli = join(here, '../bin/sigmatest.js');
  const evtxRoot = join(here, '../../shared/corpus/evtx-to-mitre-attack');
  const listFiles = (d, ext) => {
    const out = [];
    const walk = (x) => {
      for (const e of readdirSync(x).sort()) {
        const p = join(x, e);
        if (statSync(p).isDirectory()) walk(p);
        else if (ext.some((t) => p.endsWith(t))) out.push(p);
      }
    };
    if (existsSync(d)) walk(d);
    return out;
  };
  // `sigmatest events` over a list of files into one JSON Lines file (its warnings ignored: the
  // scan reports the same ones).
  const convert = (files, out, raw = false) => {
    const r = spawnSync(process.execPath, [cli, 'events', ...(raw ? ['--raw'] : []), ...files], { encoding: 'utf8', maxBuffer: 1 << 30 });
    writeFileSync(out, r.stdout);
    return out;
  };
  // The same lines repeated until there are at least `min` events: the ratio of a scan to
  // JSON.parse is measured where the scan's first-use costs (automata, compiling) are amortized
  // as over a real log, rather than over 10,000 events that each pay a share of them.
  const repeated = (file, min, out) => {
    const text = readJsonlText(file);
    const times = copiesFor(text, min);
    if (times === 0) return file;
    writeFileSync(out, (text.endsWith('\n') ? text : `${text}\n`).repeat(times));
    return out;
  };
  /** How many copies of a JSON Lines text hold at least `min` events (0 for a text without any). */
  const copiesFor = (text, min) => {
    const lines = text.split('\n').filter((l) => l.length > 0).length;
    return lines === 0 ? 0 : Math.ceil(min / lines);
  };
  const readJsonlText = (f) => execFileSync('cat', [f], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const inputs = [];
  const evtxFiles = listFiles(evtxRoot, ['.evtx']);
  if (evtxFiles.length > 0) {
    const jsonl = convert(evtxFiles, join(tempDir, 'evtx-to-mitre-attack.jsonl'));
    const bytes = evtxFiles.reduce((n, f) => n + statSync(f).size, 0);
    // Both on one thread and on two (--workers 2: .evtx files are read by whole files and chunk
    // ranges in both threads, JSON Lines batches matched in both).
    inputs.push({ name: `evtx-to-mitre-attack as .evtx (${evtxFiles.length} files)`, path: evtxRoot, jsonl, bytes, real: true, threads: [1, 2], pair: 'evtx-to-mitre-attack' });
    inputs.push({ name: 'evtx-to-mitre-attack as JSON Lines (sigmatest events)', path: jsonl, jsonl, bytes: statSync(jsonl).size, real: true, threads: [1, 2], pair: 'evtx-to-mitre-attack' });
    // Repeated to 50,000 events: flat, and as EVTX-JSON (nested, as evtx_dump writes it: flattened by the scan).
    const flat50 = repeated(jsonl, 50000, join(tempDir, 'evtx-to-mitre-attack-50k.jsonl'));
    // The same 50,075 events as .evtx: the folder copied as many times as the JSON Lines repeat
    // it (c01, c02..., listed in that order), so that the .evtx/JSON Lines ratio is also seen past first use.
    const copies = join(tempDir, 'evtx-to-mitre-attack-x5');
    const times = copiesFor(readJsonlText(jsonl), 50000);
    for (let k = 1; k <= times; k++) cpSync(evtxRoot, join(copies, `c${String(k).padStart(2, '0')}`), { recursive: true });
    inputs.push({ name: `evtx-to-mitre-attack as .evtx, the folder ${times} times`, path: copies, jsonl: flat50, bytes: bytes * times, real: true, repeated: true, pair: 'evtx-to-mitre-attack-x5' });
    inputs.push({ name: 'evtx-to-mitre-attack as JSON Lines, repeated to 50,000 events', path: flat50, jsonl: flat50, bytes: statSync(flat50).size, real: true, repeated: true, pair: 'evtx-to-mitre-attack-x5' });
    const nested = convert(evtxFiles, join(tempDir, 'evtx-to-mitre-attack-evtx-json.jsonl'), true);
    const nested50 = repeated(nested, 50000, join(tempDir, 'evtx-to-mitre-attack-evtx-json-50k.jsonl'));
    inputs.push({ name: 'evtx-to-mitre-attack as EVTX-JSON lines (events --raw), repeated to 50,000 events', path: nested50, jsonl: nested50, bytes: statSync(nested50).size, real: true, repeated: true });
  } else console.error(`bench: ${evtxRoot} is absent; its rows are left out`);
  const regression = listFiles(join(corpus, 'regression_data'), ['.json']);
  if (regression.length > 0) {
    const jsonl = convert(regression, join(tempDir, 'regression.jsonl'));
    inputs.push({ name: `SigmaHQ regression events as JSON Lines (${regression.length} files)`, path: jsonl, jsonl, bytes: statSync(jsonl).size, real: true });
    const reg10 = repeated(jsonl, 10000, join(tempDir, 'regression-10k.jsonl'));
    inputs.push({ name: 'SigmaHQ regression events as JSON Lines, repeated to 10,000 events', path: reg10, jsonl: reg10, bytes: statSync(reg10).size, real: true, repeated: true });
  }
  const generated = join(tempDir, 'generated-50k.jsonl');
  writeFileSync(generated, events.slice(0, 50000).map((e) => JSON.stringify(e)).join('\n') + '\n');
  inputs.push({ name: 'generated Sysmon-shaped events (50,000)', path: generated, jsonl: generated, bytes: statSync(generated).size, real: false });
  const RUNS = Number(process.env.BENCH_REAL_RUNS ?? 5);
  const range = (xs, f) => `${f(xs[0])}-${f(xs[xs.length - 1])}`;
  /** Median scan seconds of each input of a pair (.evtx and its JSON Lines), per thread count. */
  const pairs = new Map();
  // What is scanned: each input at each thread count (`--workers N`, threads chosen by input size
  // as the CLI chooses them, and for the inputs of a pair also exactly N threads, `--thread-input 0`).
  // The inputs of a pair are scanned alternately (.evtx, JSON Lines, .evtx...), so that the
  // machine's drift falls on both alike.
  const groups = new Map();
  for (const input of inputs) {
    for (const workers of input.threads ?? [1]) {
      for (const exact of workers > 1 && input.pair !== undefined ? [false, true] : [false]) {
        const key = input.pair === undefined ? `${input.name} ${workers}` : `${input.pair} ${workers}${exact ? ' exact' : ''}`;
        groups.set(key, [...(groups.get(key) ?? []), { input, workers, exact }]);
      }
    }
  }
  for (const [key, members] of groups) {
    const runsOf = members.map(() => []);
    for (let k = 0; k < RUNS; k++) {
      members.forEach(({ input, workers, exact }, i) => {
        const env = { ...process.env, PARSE_FLOOR: input.jsonl };
        if (exact) env.MIN_BYTES_PER_THREAD = '0';
        const out = execFileSync(process.execPath, [join(here, 'scan-once.mjs'), input.path, String(workers), ...scanDirs], { encoding: 'utf8', maxBuffer: 1 << 26, env });
        const r = JSON.parse(out);
        runsOf[i].push({ ...r, eps: r.events / r.seconds, mbs: input.bytes / 1e6 / r.seconds, ratio: r.seconds / r.parseSeconds, parseEps: r.events / r.parseSeconds });
      });
    }
    members.forEach(({ input, workers, exact }, i) => {
      const runs = runsOf[i];
      const med = (k) => [...runs].sort((a, b) => a[k] - b[k]);
      const m = Math.floor(RUNS / 2);
      const eps = med('eps');
      const mbs = med('mbs');
      const ratio = med('ratio');
      const parse = med('parseEps');
      if (input.pair !== undefined) pairs.set(key, [...(pairs.get(key) ?? []), { name: input.name, seconds: [...runs].sort((a, b) => a.seconds - b.seconds).map((r) => r.seconds), threads: eps[m].workers }]);
      const threads = workers === 1 ? '1 thread' : exact ? `exactly ${workers} threads` : `--workers ${workers} (${eps[m].workers} matched)`;
      rows.push([
        `real: scan ${input.name}, ${threads}`,
        `${fmt(eps[m].events)} events, ${(input.bytes / 1e6).toFixed(1)} MB, ${fmt(eps[m].matches)} matches, ${fmt(eps[m].rules)} rules`,
        `${fmt(eps[m].eps)} events/s (${range(eps, (r) => fmt(r.eps))}), ${mbs[m].mbs.toFixed(1)} MB/s (${range(mbs, (r) => r.mbs.toFixed(1))}); JSON.parse alone ${fmt(parse[m].parseEps)} events/s: scan takes ${ratio[m].ratio.toFixed(1)}× its time (${range(ratio, (r) => r.ratio.toFixed(1))}); median of ${RUNS}`,
        '≤ 3× JSON.parse',
      ]);
    });
  }
  // .evtx against the same events as JSON Lines: the ratio of the median scan times (and of the
  // fastest and slowest runs), per thread count.
  for (const [key, [evtx, lines]] of pairs) {
    if (lines === undefined) continue;
    const [pair, workers, exact] = key.split(' ');
    const m = Math.floor(RUNS / 2);
    const ratio = (i, j) => (evtx.seconds[i] / lines.seconds[j]).toFixed(2);
    const threads = workers === '1' ? '1 thread' : exact !== undefined ? `exactly ${workers} threads` : `--workers ${workers} (${evtx.threads} and ${lines.threads} matched)`;
    rows.push([`real: ${pair}, .evtx folder against JSON Lines, ${threads}`, `${evtx.name} / ${lines.name}, scanned alternately`, `${ratio(m, m)}× the JSON Lines scan time (fastest runs ${ratio(0, 0)}×, slowest ${ratio(RUNS - 1, RUNS - 1)}×; median of ${RUNS})`, '≤ 1×']);
  }
  // Cost per event kind and skip rate, in this process.
  const rules = collectRules(scanDirs).rules;
  const readJsonl = (f) => statSync(f).size === 0 ? [] : execFileSync('cat', [f], { encoding: 'utf8', maxBuffer: 1 << 30 }).split('\n').filter((l) => l.length > 0);
  const skipOf = (evs) => {
    const index = new RuleIndex(rules, { mapping: builtinMapping });
    for (let i = 0; i < evs.length; i += 2000) index.matchBatch(evs.slice(i, i + 2000));
    return typeof index.tried === 'function' ? 1 - index.tried() / (evs.length * rules.length) : NaN;
  };
  for (const input of inputs.filter((x) => x.path === x.jsonl && x.repeated !== true)) {
    const evs = readJsonl(input.jsonl).map((l) => flattenEvent(JSON.parse(l)));
    const skip = skipOf(evs);
    rows.push([`real: rule index skip rate, ${input.name}`, `${fmt(evs.length)} events × ${fmt(rules.length)} rules`, `${(100 * skip).toFixed(2)}% of (rule, event) pairs never tried (${fmt((1 - skip) * rules.length)} candidates per event)`]);
  }
  const realJsonl = inputs.find((x) => x.real && x.path === x.jsonl);
  if (realJsonl !== undefined) {
    const lines = readJsonl(realJsonl.jsonl);
    const kinds = new Map();
    for (const l of lines) {
      const e = flattenEvent(JSON.parse(l));
      const key = `${e.Channel ?? '?'} ${e.EventID ?? '?'}`;
      const k = kinds.get(key) ?? { key, lines: [], events: [] };
      k.lines.push(l);
      k.events.push(e);
      kinds.set(key, k);
    }
    const index = new RuleIndex(rules, { mapping: builtinMapping });
    const all = [...kinds.values()].flatMap((k) => k.events);
    for (let i = 0; i < all.length; i += 2000) index.matchBatch(all.slice(i, i + 2000));
    const costs = [];
    for (const k of kinds.values()) {
      const per = [];
      for (let pass = 0; pass < 3; pass++) {
        let n = 0;
        const t = process.hrtime.bigint();
        do {
          for (let i = 0; i < k.events.length; i += 2000) index.matchBatch(k.events.slice(i, i + 2000));
          n += k.events.length;
        } while (Number(process.hrtime.bigint() - t) < 20e6);
        per.push(Number(process.hrtime.bigint() - t) / 1e3 / n);
      }
      per.sort((a, b) => a - b);
      const t = process.hrtime.bigint();
      for (const l of k.lines) JSON.parse(l);
      const parseUs = Number(process.hrtime.bigint() - t) / 1e3 / k.lines.length;
      const bytes = k.lines.reduce((n, l) => n + l.length, 0) / k.lines.length;
      // (tried() is absent from builds before issue 24: the A/B run against main leaves it out.)
      const tried = () => (typeof index.tried === 'function' ? index.tried() : NaN);
      const before = tried();
      for (let i = 0; i < k.events.length; i += 2000) index.matchBatch(k.events.slice(i, i + 2000));
      const cands = (tried() - before) / k.events.length;
      costs.push({ key: k.key, n: k.events.length, us: per[1], lo: per[0], hi: per[2], parseUs, bytes, cands });
    }
    costs.sort((a, b) => b.us - a.us);
    costs.slice(0, 10).forEach((c, i) => {
      rows.push([`real: costliest kind ${i + 1}: ${c.key}`, `${fmt(c.n)} events, ${fmt(c.bytes)} bytes each, ${c.cands.toFixed(1)} candidate rules each`, `${c.us.toFixed(1)} µs per event matching (${c.lo.toFixed(1)}-${c.hi.toFixed(1)}, median of 3), JSON.parse ${c.parseUs.toFixed(1)} µs`]);
    });
    // First use and steady state, apart: a fresh index over the real JSON Lines, each line parsed,
    // flattened and matched in batches of 1,000 as a one-thread scan does (files not read). The
    // first pass pays what a scan pays once (needle automata, compiling the rules it keeps
    // trying, V8 warming up); the next five passes are the steady state, each followed by
    // JSON.parse alone over the same lines, so each ratio is of one machine state.
    const steadyIndex = new RuleIndex(rules, { mapping: builtinMapping });
    const batch = 1000;
    const matchPass = () => {
      const t = process.hrtime.bigint();
      for (let i = 0; i < lines.length; i += batch) {
        const n = Math.min(batch, lines.length - i);
        const eventAt = (k) => flattenEvent(JSON.parse(lines[i + k]));
        // (matchBatchOf is absent from builds before issue 24: the A/B run against main uses matchBatch.)
        if (typeof steadyIndex.matchBatchOf === 'function') steadyIndex.matchBatchOf(n, eventAt);
        else steadyIndex.matchBatch(Array.from({ length: n }, (_, k) => eventAt(k)));
      }
      return Number(process.hrtime.bigint() - t) / 1e9;
    };
    const parsePass = () => {
      const t = process.hrtime.bigint();
      let sink = 0;
      for (const l of lines) if (JSON.parse(l) !== null) sink++;
      if (sink < 0) console.log(sink);
      return Number(process.hrtime.bigint() - t) / 1e9;
    };
    const first = matchPass();
    const passes = [];
    for (let k = 0; k < 5; k++) {
      const m = matchPass();
      const p = parsePass();
      passes.push({ m, p, r: m / p });
    }
    const by = (key) => [...passes].sort((a, b) => a[key] - b[key]);
    const us = (sec) => ((sec * 1e6) / lines.length).toFixed(1);
    const [mm, pp, rr] = [by('m'), by('p'), by('r')];
    rows.push([
      'real: first pass and steady state (in process, parse + flatten + match)',
      `${fmt(lines.length)} events of ${realJsonl.name}`,
      `first pass ${us(first)} µs/event; then ${us(mm[2].m)} µs/event (${us(mm[0].m)}-${us(mm[4].m)}), JSON.parse ${us(pp[2].p)} µs/event: ${rr[2].r.toFixed(1)}× (${rr[0].r.toFixed(1)}-${rr[4].r.toFixed(1)}), median of 5; first-use costs ${((first - mm[2].m) * 1000).toFixed(0)} ms per scan`,
      '≤ 3× JSON.parse',
    ]);
  }
}

// Fuzzing: the same ~3,000 rules at 100 runs per rule.
if (want('fuzz')) {
  const rules = collectRules(scanDirs).rules;
  const [s, results] = seconds(() => rules.map((r) => fuzzRule(r, { runs: 100, seed: 42, mapping: builtinMapping })));
  const synthesised = results.filter((r) => r.witnesses.length > 0).length;
  const codes = {};
  for (const r of results) for (const f of r.findings) codes[f.code] = (codes[f.code] ?? 0) + 1;
  rows.push(['fuzz: windows, ET, TH rules at 100 runs each', `${fmt(rules.length)} rules, witnesses for ${synthesised} (${((100 * synthesised) / rules.length).toFixed(1)}%); ${Object.entries(codes).map(([k, v]) => `${k} ${v}`).join(', ')}`, `${s.toFixed(1)} s`]);
}

// The reference evaluator (the definition of the semantics) for comparison, on 5,000 events.
if (want('reference')) {
  const rules = collectRules([join(corpus, 'rules/windows')]).rules;
  const sample = events.slice(0, 5000);
  const [s, m] = seconds(() => {
    let k = 0;
    for (const e of sample) {
      const view = new EventView(e);
      for (const r of rules) if (planMatches(r.plan, view)) k++;
    }
    return k;
  });
  rows.push(['reference evaluator: rules/windows, no index', `${fmt(rules.length)} rules × ${fmt(sample.length)} events, ${m} matches`, `${fmt(sample.length / s)} events/s`]);
}

// Native EVTX: the first 50,000 generated events written as an .evtx file (as Windows lays records
// out), read and scanned; then the regression data's .evtx files (one record each, mostly empty chunks).
if (want('evtx')) {
  const n = Math.min(events.length, Number(process.env.BENCH_EVTX_EVENTS ?? 50000));
  const evtxFile = join(tempDir, 'events.evtx');
  writeFileSync(evtxFile, evtxOf(events.slice(0, n)));
  const size = statSync(evtxFile).size;
  // Median of three passes (the first one also warms the code up).
  const passes = [];
  for (let k = 0; k < 3; k++) passes.push(await measureEvtxThroughput([evtxFile]));
  passes.sort((a, b) => a.seconds - b.seconds);
  const t = passes[1];
  rows.push(['read .evtx (generated events as Windows writes them) into flat events', `${fmt(t.records)} records, ${(size / 1e6).toFixed(0)} MB`, `${fmt(t.records / t.seconds)} records/s (${(size / 1e6 / t.seconds).toFixed(0)} MB/s; median of 3 passes)`]);
  const out = execFileSync(process.execPath, [join(here, 'scan-once.mjs'), evtxFile, '1', ...scanDirs], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const r = JSON.parse(out);
  rows.push([`scan that .evtx file: ${fmt(r.rules)} rules, 1 thread`, `${fmt(r.matches)} matches; load ${r.loadSeconds.toFixed(2)} s`, `${fmt(r.eventsPerSecond)} events/s (${r.seconds.toFixed(2)} s reading, decoding and scanning)`]);
  const evtx = [];
  const walk = (d) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.evtx')) evtx.push(p);
    }
  };
  walk(join(corpus, 'regression_data'));
  const rd = await measureEvtxThroughput(evtx);
  rows.push(['read .evtx (regression data)', `${evtx.length} files, ${rd.records} records`, `${(rd.bytes / 1e6 / rd.seconds).toFixed(1)} MB/s`]);
}

// Adversarial events: texts of 32 KB built from every corpus rule's own needles (bench/adversarial.mjs).
if (want('adversarial')) {
  const out = execFileSync(process.execPath, [join(here, 'adversarial.mjs'), '32', '--json', '--top', '3'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const r = JSON.parse(out);
  const worst = (list) => list.map((w) => `${w.rule} (${w.kind}) ${w.msPerKb.toFixed(2)} ms/KB`).join('; ');
  rows.push([`adversarial events: every corpus rule, texts of ${r.sizeKb} KB from its own needles`, `${fmt(r.rules)} rules, ${r.seconds.toFixed(1)} s in all`, `worst compiled: ${worst(r.compiled)}; worst reference evaluator: ${worst(r.reference)}`, 'linear: ms/KB flat as texts grow']);
}

// Mutation testing (issue 19): the bundled suite (rules/, cases/: cases and properties against
// every mutant, killer search for survivors), and SigmaHQ's rules with regression data, their
// regression tests as their only (positive) cases, at the killer budget of the README figure.
if (want('mutate')) {
  const { mutateSuite } = await import('../dist/src/app/mutate-suite.js');
  const { runRuleProperties } = await import('../dist/src/properties/run-properties.js');
  const [s, run] = seconds(() => mutateSuite([join(here, '../rules')], [join(here, '../cases')], { cwd: join(here, '..'), properties: runRuleProperties }));
  const m = run.report.summary;
  rows.push(['mutate: the bundled suite (cases and properties per mutant)', `${m.rules} rules, ${fmt(m.mutants)} mutants: ${m.killed} killed, ${m.survived} survived, ${m.equivalent} equivalent?`, `${s.toFixed(1)} s; score ${m.score}%`]);
  if (existsSync(corpus)) {
    const { mutateRegressionSuites } = await import('../dist/src/app/regression-mutation.js');
    const { buildMutationReport } = await import('../dist/src/mutate/mutation-report.js');
    const folders = ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-compliance', 'rules-placeholder'].map((f) => join(corpus, f)).filter((f) => existsSync(f));
    const rules = collectRules(folders).rules.filter((r) => typeof r.raw.regression_tests_path === 'string');
    const [t, results] = seconds(() => mutateRegressionSuites(corpus, rules, { mapping: builtinMapping, budget: { seeds: 6, fuzzRuns: 0, maxMutated: 80 } }));
    const r = buildMutationReport(results, corpus, undefined).summary;
    rows.push(['mutate: SigmaHQ regression data as the only cases (positive-only)', `${r.rules} rules, ${fmt(r.mutants)} mutants: ${fmt(r.killed)} killed, ${fmt(r.survived)} survived, ${r.equivalent} equivalent?`, `${t.toFixed(1)} s; score ${r.score}%`]);
  }
}

if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
printTable();
