/**
 * Escaping for the HTML report, by construction: pages are written with the `html` tagged
 * template, which escapes every interpolated value unless it is already an `Html` fragment.
 * Rule titles, YAML, event values, file names and messages are therefore text, never markup
 * (a rule titled `<script>` shows the word). Attribute values are quoted with `"` and escaped
 * the same way, so a value cannot leave its attribute either. The escaper itself is
 * `escapeHtml` of ../escape.ts, where every escaper of the reporters lives.
 */
import { escapeHtml } from '../escape.js';

/** A fragment of markup that is already safe (built by `html`, or a constant of this module). */
export class Html {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

/** What may be interpolated: text (escaped), numbers, fragments, lists of them; null/undefined/false render nothing. */
export type HtmlValue = string | number | boolean | null | undefined | Html | readonly HtmlValue[];

export { escapeHtml };

function render(v: HtmlValue): string {
  if (v === null || v === undefined || v === false) return '';
  if (v === true) return 'true';
  if (v instanceof Html) return v.html;
  if (typeof v === 'number') return escapeHtml(String(v));
  if (typeof v === 'string') return escapeHtml(v);
  return v.map(render).join('');
}

/** The tagged template: literal parts are markup, interpolations are escaped unless `Html`. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, k) => {
    out += render(v) + (strings[k + 1] ?? '');
  });
  return new Html(out);
}

/** Markup from a trusted constant (styles, scripts of this module). Never pass rule or event text. */
export function trusted(markup: string): Html {
  return new Html(markup);
}

/** Joins fragments with a separator (text separators are escaped too). */
export function join(parts: readonly HtmlValue[], separator: HtmlValue = ''): Html {
  return new Html(parts.map(render).join(render(separator)));
}
