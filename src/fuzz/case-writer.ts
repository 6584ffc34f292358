/**
 * Writing cases: appending counterexamples to a rule's case file without touching what is there
 * (the new items go after the last item of its block-style `cases` list; the file is replaced
 * atomically), and scaffolding a starter case file with cases and properties (refusing to
 * overwrite one).
 *
 * Every write holds the case file's lock (util/file-lock.ts) from reading the file to renaming
 * the new one into place, so concurrent saves (two `fuzz --save` runs, or `run --save` and
 * `fuzz --save`) each add their cases to what the other wrote instead of writing over it;
 * {@link saveCases} and {@link appendNewCases} also check their cases against the file as it is
 * under the lock (no event twice, no name twice).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { writeFileAtomic } from '../util/write-file-atomic.js';
import { withFileLock } from '../util/file-lock.js';
import { loadCaseText } from '../cases/load-cases.js';
import type { CaseFile } from '../cases/load-cases.js';
import { BUILTIN_PIPELINES, pipelineFile } from '../pipeline/pipeline.js';
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
  withFileLock(file, () => appendUnlocked(file, readFileSync(file, 'utf8'), cases));
}

/** Appends to `file`, whose text is `text` (the caller holds the lock). */
function appendUnlocked(file: string, text: string, cases: readonly NewCase[]): void {
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

/**
 * How a case file at `caseFile` names the pipelines given (on the command line) as `specs`,
 * relative to `cwd`: a built-in name stays a name, a file becomes a path relative to the case file.
 */
export function casePipelineRefs(specs: readonly string[], cwd: string, caseFile: string): string[] {
  return specs.map((spec) => (BUILTIN_PIPELINES.includes(spec) && !existsSync(resolve(cwd, spec)) ? spec : relative(dirname(caseFile), resolve(cwd, spec))));
}

/** The pipelines of `specs` (relative to `cwd`) that a case file does not name: its events are not shaped for them. */
export function pipelinesNotNamed(cf: CaseFile, specs: readonly string[], cwd: string): string[] {
  const named = new Set((cf.pipelines ?? []).map((p) => pipelineFile(p.spec, dirname(cf.file))));
  return specs.filter((spec) => !named.has(pipelineFile(spec, cwd)));
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

/** What a new case file holds beside its cases. */
export interface NewCaseFileParts {
  /** Its properties (after the cases). */
  properties?: readonly NewProperty[] | undefined;
  /** The processing pipelines its events are shaped for (`pipeline:`), as {@link casePipelineRefs} names them. */
  pipelines?: readonly string[] | undefined;
}

function propertyText(p: NewProperty, indent: string): string {
  const mutate = Object.entries(p.mutate).map(([f, ops]) => `${JSON.stringify(f)}: ${ops.length === 1 ? (ops[0] ?? '') : `[${ops.join(', ')}]`}`);
  const lines = [`${indent}- name: ${JSON.stringify(p.name)}`, `${indent}  from: ${JSON.stringify(p.from)}`, `${indent}  mutate: {${mutate.join(', ')}}`, `${indent}  expect: ${p.expect}`];
  if (p.knownGap !== undefined) lines.push(`${indent}  known_gap: ${JSON.stringify(p.knownGap.replace(/[\r\n]+/g, ' '))}`);
  return `${lines.join('\n')}\n`;
}

/** The text of a new case file: the schema hint, the rule, its pipelines, the cases and the properties. */
export function newCaseFileText(file: string, rule: { id?: string | undefined; file: string }, cases: readonly NewCase[], parts: NewCaseFileParts = {}): string {
  const ref = rule.id ?? relative(dirname(file), rule.file);
  const schema = schemaFile();
  const hint = schema !== undefined ? `# yaml-language-server: $schema=${relative(dirname(file), schema)}\n` : '';
  const pipelines = parts.pipelines ?? [];
  const pipeline = pipelines.length === 0 ? '' : `pipeline: ${pipelines.length === 1 ? JSON.stringify(pipelines[0]) : JSON.stringify(pipelines)}\n`;
  const head = `${hint}rule: ${JSON.stringify(ref)}\n${pipeline}cases:\n`;
  const properties = parts.properties ?? [];
  const props = properties.length === 0 ? '' : `properties:\n${properties.map((p) => propertyText(p, '  ')).join('')}`;
  return head + cases.map((c) => caseText(c, '  ')).join('') + props;
}

/** Writes a new case file (pipelines, cases, then properties) under its lock; refuses (throws) when the file exists. */
export function writeNewCaseFile(file: string, rule: { id?: string | undefined; file: string }, cases: readonly NewCase[], parts: NewCaseFileParts = {}): void {
  withFileLock(file, () => writeNewUnlocked(file, rule, cases, parts));
}

function writeNewUnlocked(file: string, rule: { id?: string | undefined; file: string }, cases: readonly NewCase[], parts: NewCaseFileParts = {}): void {
  if (existsSync(file)) throw new Error(`${file} exists; sigmatest never overwrites a case file (append with fuzz --save, or remove it first)`);
  writeFileAtomic(file, newCaseFileText(file, rule, cases, parts));
}

/** How {@link saveCases} and {@link appendNewCases} tell two events apart, and what a new file names. */
export interface SaveCasesOptions {
  /** The text two equal events share (default: their JSON text, key order included). */
  eventKey?: ((event: Event) => string) | undefined;
  /** The pipelines a case file written anew names (see {@link writeNewCaseFile}). */
  pipelines?: readonly string[] | undefined;
}

/**
 * Adds cases to a rule's case file under its lock: appended when the file exists (cases whose
 * event the file already holds are dropped, names it already has get a number), else written as
 * a new case file (naming `pipelines`, as `writeNewCaseFile` does). Returns the cases written, as
 * named in the file.
 */
export function saveCases(file: string, rule: { id?: string | undefined; file: string }, cases: readonly NewCase[], options: SaveCasesOptions = {}): NewCase[] {
  return withFileLock(file, () => {
    if (!existsSync(file)) {
      const fresh = unique(cases, new Set(), new Set(), options);
      if (fresh.length > 0) writeNewUnlocked(file, rule, fresh, { pipelines: options.pipelines });
      return fresh;
    }
    return appendFresh(file, readFileSync(file, 'utf8'), cases, options);
  });
}

/**
 * Appends to an existing case file, under its lock, the cases it does not hold yet (as
 * {@link saveCases}, checked against the file as it is under the lock); throws when the file is
 * gone or its `cases` is not a block list. Returns the cases written, as named in the file.
 */
export function appendNewCases(file: string, cases: readonly NewCase[], options: SaveCasesOptions = {}): NewCase[] {
  return withFileLock(file, () => appendFresh(file, readFileSync(file, 'utf8'), cases, options));
}

/** Appends to `file` (text `text`, the caller holds the lock) the cases it does not hold yet. */
function appendFresh(file: string, text: string, cases: readonly NewCase[], options: SaveCasesOptions): NewCase[] {
  const key = options.eventKey ?? ((e: Event) => JSON.stringify(e));
  const existing = loadCaseText(text, file).caseFile?.cases ?? [];
  const events = new Set(existing.flatMap((c) => (c.event !== undefined ? [key(c.event)] : [])));
  const fresh = unique(cases, events, new Set(existing.map((c) => c.name)), options);
  if (fresh.length > 0) appendUnlocked(file, text, fresh);
  return fresh;
}

/** The cases whose events are not in `events`, renamed away from `names` (both sets grow). */
function unique(cases: readonly NewCase[], events: Set<string>, names: Set<string>, options: SaveCasesOptions): NewCase[] {
  const key = options.eventKey ?? ((e: Event) => JSON.stringify(e));
  const out: NewCase[] = [];
  for (const c of cases) {
    const k = key(c.event);
    if (events.has(k)) continue;
    events.add(k);
    let name = c.name;
    for (let n = 2; names.has(name); n++) name = `${c.name} (${n})`;
    names.add(name);
    out.push({ ...c, name });
  }
  return out;
}
