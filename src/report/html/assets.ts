/**
 * The inline style sheet and the index page's script. Both are constants (no rule text is ever
 * put into them) and go inline into each page, so the report works from `file://` with no other
 * file and no network. The Content-Security-Policy of every page allows exactly these: inline
 * styles, this one script by its hash (none on rule pages), and nothing from anywhere else.
 */
import { createHash } from 'node:crypto';

export const STYLE = `
:root { color-scheme: light dark; --bg: #fff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --soft: #f6f8fa;
  --pass: #1a7f37; --pass-bg: #dafbe1; --fail: #cf222e; --fail-bg: #ffebe9; --warn: #9a6700; --warn-bg: #fff8c5;
  --none: #59636e; --none-bg: #eef1f4; --link: #0969da; --bar: #d1d9e0; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --soft: #151b23;
    --pass: #3fb950; --pass-bg: #12261e; --fail: #f85149; --fail-bg: #2d1214; --warn: #d29922; --warn-bg: #2b2111;
    --none: #9198a1; --none-bg: #21262d; --link: #4493f8; --bar: #3d444d; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1440px; margin: 0 auto; padding: 16px 24px 48px; }
a { color: var(--link); text-decoration: none; }
a:hover { text-decoration: underline; }
h1 { font-size: 26px; margin: 4px 0 8px; overflow-wrap: anywhere; }
h2 { font-size: 19px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 16px 0 6px; }
p { margin: 6px 0; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; margin: 4px 0; overflow: auto; white-space: pre; }
pre.wrap { white-space: pre-wrap; overflow-wrap: anywhere; }
code { background: var(--soft); border-radius: 4px; padding: 0 3px; overflow-wrap: anywhere; }
pre code { background: none; padding: 0; border-radius: 0; overflow-wrap: normal; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td pre { margin: 0; }
.crumbs { color: var(--muted); font-size: 13px; }
.muted { color: var(--muted); }
.small { font-size: 12px; }
.meta { display: flex; flex-wrap: wrap; gap: 4px 18px; color: var(--muted); font-size: 13px; margin: 4px 0 10px; }
.meta b { color: var(--fg); font-weight: 600; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 130px; background: var(--soft); }
.card .k { color: var(--muted); font-size: 12px; }
.card .v { font-size: 20px; font-weight: 600; }
.badge { display: inline-block; border-radius: 999px; padding: 0 8px; font-size: 12px; font-weight: 600; line-height: 20px; white-space: nowrap; }
.s-pass, .s-ok, .s-covered, .s-equivalent { color: var(--pass); background: var(--pass-bg); }
.s-fail, .s-error, .s-missed, .s-widened { color: var(--fail); background: var(--fail-bg); }
.s-below-coverage, .s-warning, .s-warn, .s-narrowed, .s-changed, .s-unsupported, .s-known-gap, .s-gap-closed { color: var(--warn); background: var(--warn-bg); }
.s-untested, .s-none, .s-skip, .s-added, .s-modified, .s-renamed, .s-deleted { color: var(--none); background: var(--none-bg); }
.bar { display: inline-block; position: relative; width: 110px; height: 10px; border-radius: 5px; background: var(--bar); vertical-align: middle; overflow: hidden; }
.bar > span { position: absolute; left: 0; top: 0; bottom: 0; border-radius: 5px; background: var(--pass); }
.bar.mid > span { background: var(--warn); }
.bar.low > span { background: var(--fail); }
.bar.na > span { display: none; }
.pct { display: inline-block; min-width: 48px; text-align: right; font-variant-numeric: tabular-nums; margin-left: 6px; }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: 10px; margin: 14px 0 6px; }
.controls input[type=search] { flex: 1 1 280px; max-width: 420px; padding: 6px 10px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); font: inherit; }
.controls select { padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); color: var(--fg); font: inherit; }
th.sortable { padding: 0; }
th.sortable button { all: unset; box-sizing: border-box; display: block; width: 100%; padding: 6px 8px; cursor: pointer; font-weight: 600; }
th.sortable button:focus-visible { outline: 2px solid var(--link); outline-offset: -2px; }
th.sortable button::after { content: "\\2195"; color: var(--muted); margin-left: 4px; font-weight: 400; }
th[aria-sort=ascending] button::after { content: "\\2191"; color: var(--fg); }
th[aria-sort=descending] button::after { content: "\\2193"; color: var(--fg); }
th.num.sortable button { text-align: right; }
tr.rule-row:hover td { background: var(--soft); }
.title-cell .path { display: block; color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
.tags { display: flex; flex-wrap: wrap; gap: 3px; }
.tag { border: 1px solid var(--line); border-radius: 4px; padding: 0 5px; font-size: 12px; white-space: nowrap; }
.problems { border-left: 4px solid var(--fail); background: var(--fail-bg); padding: 6px 12px; margin: 8px 0; border-radius: 4px; }
.problems.ok { border-color: var(--pass); background: var(--pass-bg); }
.note { border-left: 4px solid var(--warn); background: var(--warn-bg); padding: 6px 12px; margin: 8px 0; border-radius: 4px; }
.tf { font-weight: 700; }
td.coverage-cell, .card .v { white-space: nowrap; }
.tf.t { color: var(--pass); }
.tf.f { color: var(--fail); }
.stage-cell .tf.f { color: var(--muted); font-weight: 400; }
.tf.n { color: var(--muted); font-weight: 400; }
.values { margin: 0; padding: 0; list-style: none; }
.values li { margin: 2px 0; }
.finding { border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; margin: 10px 0; }
.finding h3 { margin: 0 0 4px; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
tr.explain td { background: var(--fail-bg); border-top: 0; }
details summary { cursor: pointer; color: var(--muted); }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media print { .controls { display: none; } }
`;

/** Sorting by column and filtering by text and status on the index page. Reads only the DOM. */
export const INDEX_SCRIPT = `
(function () {
  'use strict';
  var table = document.getElementById('rules');
  if (!table) return;
  var body = table.tBodies[0];
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var rows = Array.prototype.slice.call(body.querySelectorAll('tr.rule-row'));
  var empty = document.getElementById('no-rows');
  var text = document.getElementById('filter');
  var status = document.getElementById('status-filter');
  var count = document.getElementById('shown-count');
  rows.forEach(function (r, i) { r.setAttribute('data-order', String(i)); });
  function key(row, col, numeric) {
    var cell = row.cells[col];
    var raw = cell ? (cell.getAttribute('data-sort') !== null ? cell.getAttribute('data-sort') : cell.textContent) : '';
    if (numeric) { var n = parseFloat(raw); return isNaN(n) ? -Infinity : n; }
    return String(raw).trim().toLowerCase();
  }
  function compare(a, b, numeric) {
    if (numeric) return a < b ? -1 : a > b ? 1 : 0;
    return a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' });
  }
  heads.forEach(function (th, col) {
    var button = th.querySelector('button');
    if (!button) return;
    button.addEventListener('click', function () {
      var numeric = th.getAttribute('data-type') === 'num';
      var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
      heads.forEach(function (h) { if (h.hasAttribute('aria-sort')) h.setAttribute('aria-sort', 'none'); });
      th.setAttribute('aria-sort', dir);
      var sign = dir === 'ascending' ? 1 : -1;
      var sorted = rows.slice().sort(function (a, b) {
        var c = compare(key(a, col, numeric), key(b, col, numeric), numeric);
        return c !== 0 ? sign * c : Number(a.getAttribute('data-order')) - Number(b.getAttribute('data-order'));
      });
      sorted.forEach(function (r) { body.insertBefore(r, empty); });
    });
  });
  function applyFilter() {
    var words = text.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var want = status.value;
    var shown = 0;
    rows.forEach(function (r) {
      var hay = r.getAttribute('data-search') || '';
      var ok = (want === 'all' || r.getAttribute('data-status') === want) && words.every(function (w) { return hay.indexOf(w) >= 0; });
      r.hidden = !ok;
      if (ok) shown++;
    });
    empty.hidden = shown !== 0;
    count.textContent = shown + ' of ' + rows.length + ' rules shown';
  }
  text.addEventListener('input', applyFilter);
  status.addEventListener('change', applyFilter);
  applyFilter();
})();
`;

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}

/** The policy of a page: inline styles, the given inline scripts by hash, nothing else at all. */
export function contentSecurityPolicy(scripts: readonly string[]): string {
  const script = scripts.length === 0 ? "'none'" : scripts.map((s) => `'sha256-${sha256(s)}'`).join(' ');
  return `default-src 'none'; style-src 'unsafe-inline'; script-src ${script}; img-src data:; base-uri 'none'; form-action 'none'`;
}
