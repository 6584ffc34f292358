/**
 * Helpers of the golden-file tests. Every format's output is compared with a file committed under
 * test/golden/<kind>/ (vitest `toMatchFileSnapshot`); `npx vitest run test/golden -u` rewrites
 * them after an intended change, and the diff is reviewed like code.
 *
 * The inputs are fixed (fixtures/ and data.ts), and the outputs hold nothing that differs between
 * machines: paths are relative to the fixture folder (the few absolute ones, in diagnostics, are
 * replaced by `<root>`), and timings are part of the hand-built data.
 */
import { fileURLToPath } from 'node:url';

/** The fixture folder of the run and HTML goldens (a small suite of rules and case files). */
export const SUITE = fileURLToPath(new URL('./fixtures/suite', import.meta.url));

/** The file extension of each format's golden file. */
export const EXT: Record<string, string> = {
  text: '.txt',
  json: '.json',
  jsonl: '.jsonl',
  junit: '.xml',
  markdown: '.md',
  sarif: '.sarif.json',
  github: '.txt',
  html: '.html',
};

export function ext(name: string): string {
  const e = EXT[name];
  if (e === undefined) throw new Error(`no golden-file extension for the format '${name}': add it to EXT`);
  return e;
}

/** Replaces the fixture folder's absolute path (JSON-escaped too) by `<root>`. */
export function sanitise(text: string, root: string = SUITE): string {
  return text.split(JSON.stringify(root).slice(1, -1)).join('<root>').split(root).join('<root>');
}

/** The `<main>` element of an HTML page (what the report shows; the shell, style and script are constants). */
export function mainOf(page: string): string {
  const start = page.indexOf('<main>');
  const end = page.indexOf('</main>');
  if (start < 0 || end < 0) throw new Error('no <main> in the page');
  return `${page.slice(start, end + '</main>'.length)}\n`;
}
