/**
 * Writing cases: appending counterexamples to a rule's case file without touching what is there
 * (the new items go after the last item of its block-style `cases` list; the file is replaced
 * atomically), and scaffolding a starter case file with cases and properties (refusing to
 * overwrite one).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { basename, dirname, join, relative } from 'node:path';
import { writeFileAtomic } from '../util/write-file-atomic.js';
import { mapGet, parseYaml } from '../yaml/yaml-tree.js';
import type { Event } from '../evaluate/evaluate.js';

export interface NewCase {
  name: string;
  expect: 'match' | 'no-match';
  stages?: Record<string, boolean>;
  /** The case is a known gap of the rule, for this reason (`known_gap:`). */
  knownGap?: string;
  event: Event;
  /** A comment line above the case (e.g. how it was found). */
  comment?: string;
}

function caseText(c: NewCase, indent: string): string {
  const lines: string[] = [];
  if (c.comment) lines.push(`${indent}# ${c.comment.replace(/[\r\n]+/g, ' ')}`);
  lines.push(`${indent}- name: ${JSON.stringify(c.name)}`);
  lines.push(`${indent}  expect: ${c.expect}`);
  if (c.knownGap !== undefined) lines.push(`${indent}  known_gap: ${JSON.stringify(c.knownGap)}`);
  if (c.stages && Object.keys(c.stages).length) lines.push(`${indent}  stages: ${JSON.stringify(c.stages)}`);
  // JSON is YAML: the event is written as one flow mapping, exactly as generated.
  lines.push(`${indent}  event: ${JSON.stringify(c.event)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Appends cases to an existing case file. Throws with a message when the file's `cases` is not a
 * block list (nothing is written then).
 */
export function appendCases(file: string, cases: readonly NewCase[]): void {
  const text = readFileSync(file, 'utf8');
  const doc = parseYaml(text, file).documents[0];
  const root = doc?.root;
  const list = root?.kind === 'map' ? mapGet(root, 'cases') : undefined;
  if (list === undefined || list.kind !== 'seq' || list.items.length === 0) throw new Error(`${file}: no block-style 'cases' list to append to`);
  const first = list.items[0];
  const lineStart = (off: number): number => text.lastIndexOf('\n', off - 1) + 1;
  // The '-' of the first item sets the indentation; a flow list ('[') cannot be appended to.
  const dash = text.lastIndexOf('-', first?.offset ?? 0);
  if (dash < 0 || text.slice(lineStart(dash), dash).trim() !== '') throw new Error(`${file}: the 'cases' list is not in block style; append by hand`);
  const indent = text.slice(lineStart(dash), dash);
  // The list ends before the first later line indented at most as much as its dashes; the new
  // cases go right after the last item's last line (blank lines and comments at the list's own
  // indentation stay after them, with what they introduce).
  const last = list.items[list.items.length - 1];
  let pos = text.indexOf('\n', last?.offset ?? 0);
  let end = pos;
  while (pos >= 0 && pos < text.length - 1) {
    const next = text.indexOf('\n', pos + 1);
    const line = text.slice(pos + 1, next < 0 ? text.length : next);
    const lead = line.length - line.trimStart().length;
    if (line.trim() !== '' && !line.trimStart().startsWith('#') && lead <= indent.length) break;
    if (line.trim() !== '' && lead > indent.length) end = next;
    pos = next;
  }
  const at = end < 0 ? text.length : end + 1;
  const before = text.slice(0, at);
  const glue = before.endsWith('\n') || before === '' ? '' : '\n';
  writeFileAtomic(file, before + glue + cases.map((c) => caseText(c, indent)).join('') + text.slice(at));
}

/** The path of a new case file for a rule in a cases folder. */
export function caseFileFor(ruleFile: string, casesDir: string): string {
  return join(casesDir, basename(ruleFile).replace(/\.ya?ml$/i, '') + '.yml');
}

/** The case file JSON Schema shipped with sigmatest (found from this module, wherever it is installed). */
function schemaFile(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const f = join(dir, 'schema', 'case-file.schema.json');
    if (existsSync(f)) return f;
    dir = dirname(dir);
  }
  return undefined;
}

/** A property for a new case file: from a case of the file, fields mutated by operators. */
export interface NewProperty {
  name: string;
  from: string;
  /** Field → operator names applied in turn. */
  mutate: Record<string, readonly string[]>;
  expect: 'match' | 'no-match' | 'same';
  knownGap?: string;
}

function propertyText(p: NewProperty, indent: string): string {
  const mutate = Object.entries(p.mutate).map(([f, ops]) => `${JSON.stringify(f)}: ${ops.length === 1 ? (ops[0] ?? '') : `[${ops.join(', ')}]`}`);
  const lines = [`${indent}- name: ${JSON.stringify(p.name)}`, `${indent}  from: ${JSON.stringify(p.from)}`, `${indent}  mutate: {${mutate.join(', ')}}`, `${indent}  expect: ${p.expect}`];
  if (p.knownGap !== undefined) lines.push(`${indent}  known_gap: ${JSON.stringify(p.knownGap.replace(/[\r\n]+/g, ' '))}`);
  return `${lines.join('\n')}\n`;
}

/** The text of a new case file: the schema hint, the rule, the cases and the properties. */
export function newCaseFileText(file: string, rule: { id?: string | undefined; file: string }, cases: readonly NewCase[], properties: readonly NewProperty[] = []): string {
  const ref = rule.id ?? relative(dirname(file), rule.file);
  const schema = schemaFile();
  const hint = schema !== undefined ? `# yaml-language-server: $schema=${relative(dirname(file), schema)}\n` : '';
  const head = `${hint}rule: ${JSON.stringify(ref)}\ncases:\n`;
  const props = properties.length === 0 ? '' : `properties:\n${properties.map((p) => propertyText(p, '  ')).join('')}`;
  return head + cases.map((c) => caseText(c, '  ')).join('') + props;
}

/** Writes a new case file (cases, then properties); refuses (throws) when the file exists. */
export function writeNewCaseFile(file: string, rule: { id?: string | undefined; file: string }, cases: readonly NewCase[], properties: readonly NewProperty[] = []): void {
  if (existsSync(file)) throw new Error(`${file} exists; sigmatest never overwrites a case file (append with fuzz --save, or remove it first)`);
  writeFileAtomic(file, newCaseFileText(file, rule, cases, properties));
}
