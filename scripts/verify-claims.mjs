#!/usr/bin/env node
/**
 * Independent check of the claims of impossibility in a fuzz JSON report (EXCLUSION_DEAD,
 * STAGE_UNREACHABLE, RULE_UNSATISFIABLE): for each, tries hard to build an event that refutes it
 * without the solver: random witness synthesis with many seeds, and events whose fields take
 * values built from the rule's own literals (each value with its wildcards empty or filled, and
 * every prefix/suffix/infix combination of two values of the field, joined and overlapped),
 * sampled at random. Any event found is a false claim. Needs `npm run build`.
 *
 *   node scripts/verify-claims.mjs report.json [--tries N]
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadRuleFile } from '../dist/src/rules/load-rule.js';
import { evaluatePlan } from '../dist/src/evaluate/evaluate.js';
import { evalBool, substitute, termsOf, toBoolExpr } from '../dist/src/fuzz/condition-terms.js';
import { realizeTerms, seededRandom } from '../dist/src/fuzz/witness.js';

const args = process.argv.slice(2);
const file = args[0];
const tries = Number(args[args.indexOf('--tries') + 1] || 20000);
if (!file) {
  console.error('usage: node scripts/verify-claims.mjs report.json [--tries N]');
  process.exit(2);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
const CLAIMS = new Set(['EXCLUSION_DEAD', 'STAGE_UNREACHABLE', 'RULE_UNSATISFIABLE']);

function targetOf(plan, f) {
  const expr = toBoolExpr(plan);
  if (f.code === 'RULE_UNSATISFIABLE') return [expr];
  const name = f.stage;
  if (f.code === 'EXCLUSION_DEAD') return [{ k: 'and', args: [substitute(expr, name, false), { k: 'id', name }] }];
  const t = substitute(expr, name, true);
  const u = substitute(expr, name, false);
  const differs = { k: 'or', args: [{ k: 'and', args: [t, { k: 'not', arg: u }] }, { k: 'and', args: [{ k: 'not', arg: t }, u] }] };
  // Unreachable: refuted when both an "on" and an "off" event exist.
  return [{ k: 'and', args: [differs, { k: 'id', name }] }, { k: 'and', args: [differs, { k: 'not', arg: { k: 'id', name } }] }];
}

function texts(m) {
  if (m.kind === 'anyOf') return m.members.flatMap(texts);
  if (m.kind !== 'string') return [];
  const fill = (any, one, dash) => m.pattern.tokens.map((t) => (t.t === 'lit' ? t.s : t.t === 'any' ? any : t.t === 'one' ? one : t.t === 'dash' ? dash : '')).join('');
  return [fill('', 'x', '-'), fill('x', 'a', '/'), fill('\\', 'b', '-')];
}

function candidates(plan) {
  const byField = new Map();
  for (const it of plan.items) {
    if (it.field === null) continue;
    const list = byField.get(it.field) ?? [];
    for (const v of it.values) list.push(...texts(v.matcher));
    byField.set(it.field, list);
  }
  const out = new Map();
  for (const [f, list] of byField) {
    const base = [...new Set(list)].slice(0, 60);
    const vals = new Set([undefined, null, '', 'x', ...base]);
    for (const a of base)
      for (const b of base) {
        if (a === b) continue;
        vals.add(a + b);
        vals.add(a + 'x' + b);
        for (let k = Math.min(a.length, b.length); k > 0; k--) if (a.slice(a.length - k).toLowerCase() === b.slice(0, k).toLowerCase()) vals.add(a + b.slice(k));
        if (vals.size > 6000) break;
      }
    out.set(f, [...vals]);
  }
  return out;
}

const holds = (plan, expr, e) => {
  const tr = evaluatePlan(plan, e);
  return evalBool(expr, (n) => tr.identifiers[n] ?? false);
};

let claims = 0;
let refuted = 0;
for (const row of report.rules) {
  for (const f of row.findings) {
    if (!CLAIMS.has(f.code) || f.suppressed !== undefined) continue;
    claims++;
    const rule = loadRuleFile(resolve(row.path)).rules[0];
    const plan = rule.plan;
    const targets = targetOf(plan, f);
    const cands = candidates(plan);
    const found = targets.map((expr) => {
      const terms = termsOf(expr, seededRandom(1)).terms;
      if (terms.length > 0) {
        const r = realizeTerms(plan, terms, {}, 12345, 300);
        if (r.ok && holds(plan, expr, r.event)) return r.event;
      }
      const rnd = seededRandom(99);
      const fields = [...cands.keys()];
      for (let i = 0; i < tries; i++) {
        const e = {};
        for (const fl of fields) {
          const pool = cands.get(fl);
          const v = pool[Math.floor(rnd() * pool.length)];
          if (v !== undefined) e[fl] = v;
        }
        if (holds(plan, expr, e)) return e;
      }
      return undefined;
    });
    // A claim is false when every target it denies has an event (for STAGE_UNREACHABLE: on and off).
    const denied = f.code === 'STAGE_UNREACHABLE' ? found.every((x) => x !== undefined) : found[0] !== undefined;
    if (denied) {
      refuted++;
      console.log(`FALSE ${f.code} ${row.path} ${f.stage ?? ''}: ${JSON.stringify(found)}`);
    }
  }
}
console.log(`claims checked: ${claims}; refuted by an event: ${refuted}`);
process.exit(refuted > 0 ? 1 : 0);
