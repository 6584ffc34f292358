// Adversarial events: for every rule of the SigmaHQ corpus (rules*/), long texts built from the
// rule's own needles and separators, matched against each of its values the way every command
// matches them (the reference evaluator's value test, which the compiled matchers share for
// wildcards and regexes). Reports the worst rules' time per KB of text.
//
// The texts of a value (each about SIZE KB, none of them a match where it can be avoided):
//   chain:   the first piece, then the middle pieces in order, repeated, never the last piece
//            (the crackmapexec shape: `cmd.exe /C ` + ` > \Temp\` × 3,000);
//   pieces:  every piece but the last repeated, joined by the separators the value uses;
//   first:   the first piece alone, repeated.
// A piece is a literal run of a wildcard pattern (`?` as `x`, a windash class as `-`), or of a
// `|re` source (its runs of literal characters).
//
// Usage: node bench/adversarial.mjs [size KB, default 32] [--top N] [--only <rule file name>]
// BENCH_DIST=<dist folder> runs another build (to measure before/after); prints a table and, with
// --json, one JSON line.
import { readdirSync } from 'node:fs';
import { join, basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const dist = process.env.BENCH_DIST ?? join(here, '../dist');
const imp = (p) => import(pathToFileURL(join(dist, p)).href);
const { collectRules } = await imp('src/rules/collect-rules.js');
const { EventView, itemHolds, planMatches } = await imp('src/evaluate/evaluate.js');
const { compilePlan } = await imp('src/compile/compile-plan.js');

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const json = args.includes('--json');
if (json) args.splice(args.indexOf('--json'), 1);
const top = Number(flag('--top') ?? 5);
const only = flag('--only');
const sizeKb = Number(args[0] ?? 32);
const SIZE = sizeKb * 1024;

const corpus = join(here, '../../shared/corpus/sigmahq');
const dirs = readdirSync(corpus).filter((d) => d.startsWith('rules')).map((d) => join(corpus, d));

/** Pieces of a wildcard pattern: its literal runs between `*`. */
function patternPieces(p) {
  const pieces = [];
  let cur = '';
  for (const t of p.tokens) {
    if (t.t === 'any') {
      if (cur !== '') pieces.push(cur);
      cur = '';
    } else if (t.t === 'lit') cur += t.s;
    else if (t.t === 'one') cur += 'x';
    else if (t.t === 'dash') cur += '-';
  }
  if (cur !== '') pieces.push(cur);
  return pieces;
}

/** Literal runs of a regex source (escapes of punctuation kept as the character). */
function regexPieces(src) {
  const pieces = [];
  let cur = '';
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      const n = src[i + 1] ?? '';
      if (/[^A-Za-z0-9]/.test(n)) cur += n;
      else {
        if (cur !== '') pieces.push(cur);
        cur = n === 's' ? ' ' : n === 'd' ? '1' : n === 'w' ? 'a' : '';
      }
      i++;
      continue;
    }
    if ('^$.*+?()[]{}|'.includes(c)) {
      if (cur !== '') pieces.push(cur);
      cur = '';
      if (c === '[') {
        const end = src.indexOf(']', i + 2);
        const cls = src.slice(i + 1, end < 0 ? src.length : end);
        // A member of the class (its first plain character), so quantified classes meet their text.
        const m = /[A-Za-z0-9 \\/:.-]/.exec(cls.replace(/^\^/, ''));
        if (m && !cls.startsWith('^')) cur = m[0];
        i = end < 0 ? src.length : end;
      } else if (c === '.') cur = 'a';
      continue;
    }
    cur += c;
  }
  if (cur !== '') pieces.push(cur);
  return pieces;
}

function repeatTo(unit, size) {
  if (unit === '') return '';
  return unit.repeat(Math.max(1, Math.ceil(size / unit.length))).slice(0, size);
}

function textsOf(pieces) {
  if (pieces.length === 0) return [];
  const middle = pieces.length > 2 ? pieces.slice(1, -1) : pieces.slice(0, 1);
  const seps = [...new Set(pieces.join('').match(/[\s\\/|;,=>"'-]/g) ?? [' '])].join('');
  const head = pieces.length > 1 ? pieces[0] : '';
  return [
    ['chain', head + repeatTo(middle.join(''), SIZE - head.length)],
    ['pieces', head + repeatTo(pieces.slice(0, -1).concat(pieces.length === 1 ? pieces : []).join(seps || ' '), SIZE - head.length)],
    ['first', repeatTo(pieces[0], SIZE)],
  ];
}

/** Every leaf matcher of a value (anyOf expanded). */
function leaves(m, out = []) {
  if (m.kind === 'anyOf') for (const x of m.members) leaves(x, out);
  else out.push(m);
  return out;
}

/** The pieces of each leaf of an item's values, the most dangerous first (most pieces, then longest). */
function itemPieces(item) {
  const all = [];
  for (const v of item.values) {
    for (const m of leaves(v.matcher)) {
      if (m.kind === 'string') all.push({ pieces: patternPieces(m.pattern), value: v.source });
      else if (m.kind === 're') all.push({ pieces: regexPieces(m.expanded ?? m.source), value: v.source });
    }
  }
  const weight = (x) => x.pieces.length * 1e6 + x.pieces.join('').length;
  return all.filter((x) => x.pieces.length > 0).sort((a, b) => weight(b) - weight(a)).slice(0, PER_ITEM);
}

/** A plan of one item alone: compiled, it is the item's function in the rule's compiled code. */
function itemPlan(item) {
  const ident = { name: 'sel', body: { kind: 'item', item }, path: 'detection.sel' };
  return {
    identifiers: [ident],
    condition: { kind: 'id', name: 'sel', offset: 0 },
    conditionText: 'sel',
    stages: [{ index: 0, name: 'condition', exclusion: false }, { index: 1, name: 'sel', exclusion: false }],
    items: [item],
    targets: {},
  };
}

const PER_ITEM = Number(flag('--per-item') ?? 3);
const set = collectRules(dirs);
const results = [];
let worstText = { ms: 0 };
const started = process.hrtime.bigint();
const time = (f) => {
  const t0 = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t0) / 1e6;
};
for (const rule of set.rules) {
  if (only !== undefined && basename(rule.file) !== only) continue;
  // Per kind of text: the time of every item of the rule on its texts of that kind.
  const compiled = new Map();
  const reference = new Map();
  for (const item of rule.plan.items) {
    const chosen = itemPieces(item);
    if (chosen.length === 0) continue;
    const c = compilePlan(itemPlan(item));
    const match = c.ok ? c.compiled.match : (e) => planMatches(itemPlan(item), e);
    const field = item.field ?? 'Payload';
    for (const { pieces, value } of chosen) {
      for (const [kind, text] of textsOf(pieces)) {
        const event = { [field]: text };
        // The faster of two runs: building a value list's lookup structures (on its first test)
        // is paid once per rule, not per event.
        const msC = Math.min(time(() => match(event)), time(() => match(event)));
        const msR = Math.min(time(() => itemHolds(item, new EventView(event))), time(() => itemHolds(item, new EventView(event))));
        compiled.set(kind, (compiled.get(kind) ?? 0) + msC);
        reference.set(kind, (reference.get(kind) ?? 0) + msR);
        const ms = Math.max(msC, msR);
        if (ms > worstText.ms) worstText = { ms, rule: basename(rule.file), field, value, kind, kb: text.length / 1024 };
      }
    }
  }
  const worstOf = (m) => {
    let ms = 0;
    let kind = '';
    for (const [k, v] of m) if (v > ms) [ms, kind] = [v, k];
    return { ms, kind };
  };
  results.push({ rule: basename(rule.file), compiled: worstOf(compiled), reference: worstOf(reference) });
}
const totalS = Number(process.hrtime.bigint() - started) / 1e9;
const rank = (key) => [...results].sort((a, b) => b[key].ms - a[key].ms).slice(0, top).map((r) => ({ rule: r.rule, kind: r[key].kind, ms: r[key].ms, msPerKb: r[key].ms / sizeKb }));
const summary = { dist, sizeKb, rules: results.length, seconds: totalS, compiled: rank('compiled'), reference: rank('reference'), worstText };
if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
else {
  console.log(`${results.length} rules, texts of ${sizeKb} KB (${PER_ITEM} values per item), ${totalS.toFixed(1)} s in all (${dist})`);
  for (const key of ['compiled', 'reference']) {
    console.log(`\n${key === 'compiled' ? 'compiled matchers (scan, gate corpus)' : 'reference evaluator (run, eval, first tries of a scan)'}:`);
    console.log('| rule | text | ms | ms per KB |\n|---|---|---|---|');
    for (const r of summary[key]) console.log(`| ${r.rule} | ${r.kind} | ${r.ms.toFixed(2)} | ${r.msPerKb.toFixed(4)} |`);
  }
  console.log(`\nworst single text: ${JSON.stringify(worstText)}`);
}
