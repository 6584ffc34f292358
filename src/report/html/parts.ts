/** Pieces shared by the pages of the HTML report: the page shell, badges, coverage bars, events. */
import { STYLE, contentSecurityPolicy } from './assets.js';
import { html, trusted } from './html.js';
import type { Html, HtmlValue } from './html.js';
import type { MutantRecord } from '../../mutate/mutation-report.js';

/** A whole page: doctype, policy, inline style, optional inline script (a constant of assets.ts). */
export function page(title: string, body: Html, script?: string): string {
  const scripts = script === undefined ? [] : [script];
  return `${html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(scripts)}">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="sigmatest">
<title>${title}</title>
<style>${trusted(STYLE)}</style>
</head>
<body>
<main>
${body}
</main>
${script === undefined ? null : html`<script>${trusted(script)}</script>`}
</body>
</html>`}\n`;
}

/** A status-like word as a coloured pill; `kind` picks the colour (defaults to the word). */
export function badge(label: string, kind: string = label): Html {
  return html`<span class="badge s-${kind.replace(/[^a-z0-9-]/gi, '-').toLowerCase()}">${label}</span>`;
}

/** Status words as displayed. */
export const STATUS_LABEL: Record<string, string> = {
  pass: 'pass',
  fail: 'fail',
  untested: 'untested',
  'below-coverage': 'low coverage',
  'known-gap': 'known gap',
  'gap-closed': 'gap closed',
};

/** The colour class of a coverage percentage: against the threshold when there is one. */
function barClass(percent: number, min: number | null): string {
  if (min !== null) return percent >= min ? (percent >= 100 ? '' : ' mid') : ' low';
  return percent >= 100 ? '' : percent >= 75 ? ' mid' : ' low';
}

/** A coverage bar with its percentage; `null` percent shows an empty bar and a dash (untested). */
export function coverageBar(percent: number | null, min: number | null = null, label = 'coverage'): Html {
  if (percent === null) {
    return html`<span class="bar na" role="img" aria-label="${label}: not tested"><span></span></span><span class="pct muted">–</span>`;
  }
  const p = Math.max(0, Math.min(100, percent));
  return html`<span class="bar${barClass(p, min)}" role="img" aria-label="${label} ${p}%"><span style="width:${p}%"></span></span><span class="pct">${p}%</span>`;
}

/** A stage truth: ✓ true, ✗ false, · not evaluated. */
export function truth(v: boolean | undefined): Html {
  if (v === undefined) return html`<span class="tf n" title="not evaluated">·</span>`;
  return v ? html`<span class="tf t" title="true">✓ true</span>` : html`<span class="tf f" title="false">✗ false</span>`;
}

/** An event as indented JSON in a block. */
export function eventBlock(event: unknown): Html {
  let text: string;
  try {
    text = JSON.stringify(event, null, 2) ?? String(event);
  } catch {
    text = String(event);
  }
  return html`<pre class="event">${text}</pre>`;
}

/** A rule value: in a code span, an empty string named as such. */
export function valueCode(value: string): Html {
  return value === '' ? html`<em class="muted">(empty string)</em>` : html`<code>${value}</code>`;
}

/** A simple table. */
export function table(head: readonly HtmlValue[], rows: ReadonlyArray<readonly HtmlValue[]>, attrs: { cls?: string; numeric?: readonly number[] } = {}): Html {
  const num = new Set(attrs.numeric ?? []);
  const cls = (k: number): string | null => (num.has(k) ? 'num' : null);
  const cell = (tag: 'th' | 'td', v: HtmlValue, k: number): Html => {
    const c = cls(k);
    return tag === 'th' ? (c === null ? html`<th>${v}</th>` : html`<th class="${c}">${v}</th>`) : c === null ? html`<td>${v}</td>` : html`<td class="${c}">${v}</td>`;
  };
  return html`<table${attrs.cls === undefined ? null : html` class="${attrs.cls}"`}>
<thead><tr>${head.map((h, k) => cell('th', h, k))}</tr></thead>
<tbody>
${rows.map((r) => html`<tr>${r.map((v, k) => cell('td', v, k))}</tr>\n`)}</tbody>
</table>`;
}

/** "1 case" / "2 cases". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** The mutants of a rule as a table: status, operator, where (rule file line and detection path), the YAML diff, and who killed it or the event that would. */
export function mutantsTable(rulePath: string, mutants: readonly MutantRecord[]): Html {
  const rows = mutants.map((x) => [
    badge(x.status === 'equivalent' ? 'equivalent?' : x.status, x.status === 'killed' ? 'pass' : x.status === 'survived' ? 'fail' : 'skip'),
    html`<code>${x.operator}</code>`,
    html`${rulePath}:${x.line}<div class="small muted"><code>${x.path}</code></div>`,
    html`${x.description}${x.diff.removed.length + x.diff.added.length === 0 ? null : html`<pre class="yaml"><code>${[...x.diff.removed.map((l) => `- ${l}`), ...x.diff.added.map((l) => `+ ${l}`)].join('\n')}</code></pre>`}`,
    x.status === 'killed'
      ? x.killedBy.join('; ')
      : x.killer === null
        ? html`<span class="muted">no event found on which the mutant and the rule disagree</span>`
        : html`<div class="small muted">killer: the rule says ${x.killer.verdict}</div>${eventBlock(x.killer.event)}`,
  ]);
  return table(['Status', 'Operator', 'Where', 'Mutant', 'Killed by / killer'], rows, { cls: 'mutation-table' });
}
