/**
 * User logsource mapping files (YAML). They add logsources the built-in mapping lacks (custom
 * services, other channels) or change built-in ones; the caller merges the result over the
 * built-in mapping with `mergeMappings`. Every problem is a diagnostic with the file, the logical
 * path and, where it can be found, the line and column; invalid entries are dropped, valid ones
 * kept.
 *
 * Format:
 *
 * ```yaml
 * logsources:
 *   - category: process_creation      # category / product / service: at least one
 *     product: windows
 *     append: true                    # add to the built-in sources instead of replacing them
 *     sources:                        # alternatives: an event belongs if it matches any
 *       - channel: Security           # or channels: [A, B]  (field Channel, any case)
 *         eventIds: [4688]            # or eventId: 4688     (field EventID, numeric)
 *         provider: Microsoft-Windows-Security-Auditing   # optional (field Provider_Name)
 *         title: A new process has been created.          # optional display title
 *         where: {ObjectType: File}   # optional: other fields the events hold (a value or a list, any case)
 *         fields:                     # optional: how these events look to the logsource's rules
 *           Image: NewProcessName                               # a copy
 *           ProcessId: {from: NewProcessId, transform: number}  # 0x1a2b → 6699
 *           User: {from: [SubjectUserSid, SubjectDomainName, SubjectUserName], transform: account}
 *           Initiated: {from: Direction, transform: values, values: {'%%14593': 'true', '%%14592': 'false'}}
 *           SourceIp:                 # several derivations: the first whose `when` holds
 *             - {from: SourceAddress, when: {Direction: '%%14593'}}
 *             - {from: DestAddress, when: {Direction: '%%14592'}}
 *         unavailable: [Hashes, OriginalFileName]   # fields the source never records: never decisive
 *   - product: windows
 *     service: myapp
 *     sources:
 *       - channel: MyApp/Operational  # a whole channel: no eventIds
 *   - product: windows
 *     category: unfiltered_thing
 *     sources: [{}]                   # known, but every event qualifies
 * events:                             # optional display titles
 *   - channel: MyApp/Operational
 *     eventId: 100
 *     provider: MyApp                 # optional, default the channel
 *     title: Something happened
 * ```
 *
 * Transforms (types.ts): copy, number, integrity-level, is-ipv6, values (one input field each; a
 * list under `from` is alternatives, the first the event holds), account ([sid, domain, name]),
 * logon-id ([target logon id, target user, subject logon id]), registry-path ([key, value name]),
 * registry-details ([type, value]) (a list under `from` is the inputs; a list of lists,
 * alternatives). A source with `fields` or `unavailable` applies only to events that hold its
 * criteria, and its events are seen through it (logsource/source-view.ts).
 *
 * An entry with the same category/product/service as a built-in one replaces its sources unless
 * `append: true`. A source's `title` names each of its (channel, event ID) pairs for display, with
 * the source's `provider` (or the channel) as provider. Unknown keys are warnings (typos such as
 * `eventID` would otherwise silently widen a filter).
 *
 * Codes: `LOGSOURCE_FILE_UNREADABLE`, `LOGSOURCE_YAML_INVALID` (syntax, duplicate keys),
 * `LOGSOURCE_MAPPING_INVALID` (shape), `LOGSOURCE_MAPPING_UNKNOWN_KEY` (warning),
 * `LOGSOURCE_MAPPING_DUPLICATE` (warning: the same logsource twice; the later one wins on merge).
 */
import { readTextFile } from '../util/read-text-file.js';
import { loadAll } from 'js-yaml';
import { diagnostic, readErrorReason } from '../diagnostics/diagnostics.js';
import { positionsIn } from '../diagnostics/line-index.js';
import type { Diagnostic, DiagnosticCode, SourcePos } from '../diagnostics/diagnostics.js';
import { mapGet, parseYaml } from '../yaml/yaml-tree.js';
import type { YNode } from '../yaml/yaml-tree.js';
import type { EventTitle, FieldDerivation, FieldTransform, LogsourceEntry, LogsourceMapping, Source } from './types.js';
import { isJsonObject } from '../util/json-object.js';

type Path = Array<string | number>;
type Obj = Record<string, unknown>;

function pathText(path: Path): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
  return s;
}

/** Finds positions of paths in the YAML text (parsed once, on the first question). */
function positionFinder(text: string): (path: Path, ofKey?: boolean) => SourcePos | undefined {
  let root: YNode | null | undefined;
  const posOf = positionsIn(text);
  return (path, ofKey = false) => {
    if (root === undefined) {
      try {
        root = parseYaml(text).documents[0]?.root ?? null;
      } catch {
        root = null;
      }
    }
    let node: YNode | null = root;
    let offset = node?.offset;
    for (let i = 0; i < path.length && node !== null; i++) {
      const p = path[i];
      if (typeof p === 'number' && node.kind === 'seq') node = node.items[p] ?? null;
      else if (typeof p === 'string' && node.kind === 'map') {
        const entry = node.entries.find((e) => e.key === p);
        if (entry === undefined) return offset === undefined ? undefined : posOf(offset);
        if (ofKey && i === path.length - 1) return posOf(entry.keyNode.offset);
        node = mapGet(node, p) ?? null;
      } else node = null;
      if (node !== null) offset = node.offset;
    }
    return offset === undefined ? undefined : posOf(offset);
  };
}

/** Validation state for one file. */
class Checker {
  readonly diagnostics: Diagnostic[] = [];
  private readonly find: (path: Path, ofKey?: boolean) => SourcePos | undefined;

  constructor(
    text: string,
    private readonly file: string | undefined,
  ) {
    this.find = positionFinder(text);
  }

  error(message: string, path: Path, ofKey = false): void {
    this.diagnostics.push(
      diagnostic('LOGSOURCE_MAPPING_INVALID', message, { file: this.file, path: pathText(path), pos: this.find(path, ofKey) }),
    );
  }

  warn(code: DiagnosticCode, message: string, path: Path, ofKey = false): void {
    this.diagnostics.push(diagnostic(code, message, { file: this.file, path: pathText(path), pos: this.find(path, ofKey) }, 'warning'));
  }

  unknownKeys(o: Obj, allowed: readonly string[], path: Path, what: string): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) {
        this.warn(
          'LOGSOURCE_MAPPING_UNKNOWN_KEY',
          `unknown key '${k}' in ${what} (known: ${allowed.join(', ')}); it is ignored`,
          [...path, k],
          true,
        );
      }
    }
  }

  /** A non-empty string, or undefined after an error. */
  text(v: unknown, path: Path, what: string): string | undefined {
    if (typeof v === 'string' && v.trim() !== '') return v;
    this.error(`${what} must be non-empty text`, path);
    return undefined;
  }

  /** An event ID: a non-negative integer (a digit string is accepted too). */
  eventId(v: unknown, path: Path): number | undefined {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
    if (typeof v === 'string' && /^\s*[0-9]+\s*$/.test(v)) return Number(v);
    this.error(`an event ID must be a non-negative integer, found ${JSON.stringify(v)}`, path);
    return undefined;
  }

  /** `single` or `plural` (a non-empty list) of items, read by `item`; undefined when absent or invalid. */
  oneOrMany<T>(
    o: Obj,
    single: string,
    plural: string,
    path: Path,
    item: (v: unknown, p: Path) => T | undefined,
  ): { ok: boolean; values?: T[] } {
    const hasOne = single in o;
    const hasMany = plural in o;
    if (hasOne && hasMany) {
      this.error(`give either '${single}' or '${plural}', not both`, [...path, plural], true);
      return { ok: false };
    }
    if (hasOne) {
      const v = item(o[single], [...path, single]);
      return v === undefined ? { ok: false } : { ok: true, values: [v] };
    }
    if (!hasMany) return { ok: true };
    const list = o[plural];
    if (!Array.isArray(list) || list.length === 0) {
      this.error(`'${plural}' must be a non-empty list`, [...path, plural]);
      return { ok: false };
    }
    const values: T[] = [];
    let ok = true;
    list.forEach((v, i) => {
      const x = item(v, [...path, plural, i]);
      if (x === undefined) ok = false;
      else values.push(x);
    });
    return ok ? { ok, values } : { ok: false };
  }
}

const ROOT_KEYS = ['logsources', 'events'] as const;
const ENTRY_KEYS = ['category', 'product', 'service', 'sources', 'append'] as const;
const SOURCE_KEYS = ['channel', 'channels', 'eventId', 'eventIds', 'provider', 'title', 'where', 'fields', 'unavailable'] as const;
const DERIVATION_KEYS = ['from', 'transform', 'values', 'when'] as const;
/** Transforms and how many input fields each takes. */
const TRANSFORM_ARITY: Record<FieldTransform, number> = { copy: 1, number: 1, 'integrity-level': 1, 'is-ipv6': 1, values: 1, account: 3, 'logon-id': 3, 'registry-path': 2, 'registry-details': 2 };
const EVENT_KEYS = ['channel', 'eventId', 'provider', 'title'] as const;

function readSource(c: Checker, v: unknown, path: Path, titles: EventTitle[]): Source | undefined {
  if (!isJsonObject(v)) {
    c.error('a source must be a mapping with channel(s), eventId(s) and/or provider', path);
    return undefined;
  }
  c.unknownKeys(v, SOURCE_KEYS, path, 'a source');
  const channels = c.oneOrMany(v, 'channel', 'channels', path, (x, p) => c.text(x, p, 'a channel'));
  const eventIds = c.oneOrMany(v, 'eventId', 'eventIds', path, (x, p) => c.eventId(x, p));
  let provider: string | undefined;
  let ok = channels.ok && eventIds.ok;
  if ('provider' in v) {
    provider = c.text(v['provider'], [...path, 'provider'], "'provider'");
    if (provider === undefined) ok = false;
  }
  if ('title' in v) {
    const title = c.text(v['title'], [...path, 'title'], "'title'");
    if (title === undefined) ok = false;
    else if (channels.values === undefined || eventIds.values === undefined) {
      c.error("'title' needs the source's channel(s) and eventId(s) to know which events it names", [...path, 'title'], true);
      ok = false;
    } else {
      for (const channel of channels.values)
        for (const eventId of eventIds.values) titles.push({ channel, eventId, provider: provider ?? channel, title });
    }
  }
  let where: Record<string, string[]> | undefined;
  if ('where' in v) {
    where = readValueTable(c, v['where'], [...path, 'where'], "'where'");
    if (where === undefined) ok = false;
  }
  let fields: FieldDerivation[] | undefined;
  if ('fields' in v) {
    fields = readFields(c, v['fields'], [...path, 'fields']);
    if (fields === undefined) ok = false;
  }
  let unavailable: string[] | undefined;
  if ('unavailable' in v) {
    const u = v['unavailable'];
    if (!Array.isArray(u) || !u.every((x) => typeof x === 'string' && x !== '')) {
      c.error("'unavailable' must be a list of field names", [...path, 'unavailable']);
      ok = false;
    } else unavailable = u as string[];
  }
  if (!ok) return undefined;
  const s: Source = {};
  if (channels.values !== undefined) s.channels = channels.values;
  if (eventIds.values !== undefined) s.eventIds = eventIds.values;
  if (provider !== undefined) s.provider = provider;
  if (where !== undefined) s.where = where;
  if (fields !== undefined) s.fields = fields;
  if (unavailable !== undefined) s.unavailable = unavailable;
  return s;
}

/** `{field: value or [values]}` (text or numbers) as lists of text; undefined after an error. */
function readValueTable(c: Checker, v: unknown, path: Path, what: string): Record<string, string[]> | undefined {
  if (!isJsonObject(v)) {
    c.error(`${what} must map field names to a value or a list of values`, path);
    return undefined;
  }
  const out: Record<string, string[]> = {};
  for (const [k, x] of Object.entries(v)) {
    const list = Array.isArray(x) ? x : [x];
    if (list.length === 0 || !list.every((y) => typeof y === 'string' || typeof y === 'number' || typeof y === 'boolean')) {
      c.error(`${what}: '${k}' must be a value or a non-empty list of values`, [...path, k]);
      return undefined;
    }
    out[k] = list.map(String);
  }
  return out;
}

/** `fields:` of a source: field name → derivation(s); undefined after an error. */
function readFields(c: Checker, v: unknown, path: Path): FieldDerivation[] | undefined {
  if (!isJsonObject(v)) {
    c.error("'fields' must map the field names rules read to a source field or a derivation", path);
    return undefined;
  }
  const out: FieldDerivation[] = [];
  let ok = true;
  for (const [field, spec] of Object.entries(v)) {
    const specs = Array.isArray(spec) && spec.length > 0 && spec.every(isJsonObject) ? spec : [spec];
    specs.forEach((one, k) => {
      const d = readDerivation(c, field, one, specs.length > 1 ? [...path, field, k] : [...path, field]);
      if (d === undefined) ok = false;
      else out.push(d);
    });
  }
  return ok ? out : undefined;
}

function readDerivation(c: Checker, field: string, spec: unknown, path: Path): FieldDerivation | undefined {
  if (typeof spec === 'string' && spec !== '') return { field, from: [[spec]], transform: 'copy' };
  if (!isJsonObject(spec)) {
    c.error(`field '${field}' must be a source field name or a mapping with from (and transform, values, when)`, path);
    return undefined;
  }
  c.unknownKeys(spec, DERIVATION_KEYS, path, 'a field derivation');
  const transform = (spec['transform'] ?? 'copy') as FieldTransform;
  const arity = TRANSFORM_ARITY[transform];
  if (arity === undefined) {
    c.error(`unknown transform '${String(spec['transform'])}' (transforms: ${Object.keys(TRANSFORM_ARITY).join(', ')})`, [...path, 'transform']);
    return undefined;
  }
  const from = spec['from'];
  let alternatives: string[][] | undefined;
  const isNames = (x: unknown): x is string[] => Array.isArray(x) && x.length > 0 && x.every((y) => typeof y === 'string' && y !== '');
  if (typeof from === 'string' && from !== '') alternatives = [[from]];
  else if (Array.isArray(from) && from.length > 0 && from.every(isNames)) alternatives = from;
  else if (isNames(from)) alternatives = arity === 1 ? from.map((f) => [f]) : [from];
  if (alternatives === undefined) {
    c.error(`field '${field}': 'from' must be a field name, a list of field names or a list of such lists`, [...path, 'from']);
    return undefined;
  }
  const wrong = alternatives.find((a) => a.length !== arity);
  if (wrong !== undefined) {
    c.error(`field '${field}': transform '${transform}' takes ${arity} field${arity === 1 ? '' : 's'}, not ${wrong.length} (${wrong.join(', ')})`, [...path, 'from']);
    return undefined;
  }
  const d: FieldDerivation = { field, from: alternatives, transform };
  if (transform === 'values') {
    const table = spec['values'];
    if (!isJsonObject(table) || !Object.values(table).every((x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean')) {
      c.error(`field '${field}': transform 'values' needs 'values', a table of source values to field values`, [...path, 'values']);
      return undefined;
    }
    d.values = table as Record<string, string | number | boolean>;
  } else if ('values' in spec) {
    c.error(`field '${field}': 'values' goes with transform: values`, [...path, 'values'], true);
    return undefined;
  }
  if ('when' in spec) {
    const when = readValueTable(c, spec['when'], [...path, 'when'], `field '${field}': 'when'`);
    if (when === undefined) return undefined;
    d.when = when;
  }
  return d;
}

function readEntry(c: Checker, v: unknown, path: Path, titles: EventTitle[]): LogsourceEntry | undefined {
  if (!isJsonObject(v)) {
    c.error('a logsource entry must be a mapping with category/product/service and sources', path);
    return undefined;
  }
  c.unknownKeys(v, ENTRY_KEYS, path, 'a logsource entry');
  let ok = true;
  const keys: Partial<Record<'category' | 'product' | 'service', string>> = {};
  for (const k of ['category', 'product', 'service'] as const) {
    if (!(k in v)) continue;
    const t = c.text(v[k], [...path, k], `'${k}'`);
    if (t === undefined) ok = false;
    else keys[k] = t;
  }
  if (ok && Object.keys(keys).length === 0) {
    c.error('a logsource entry needs at least one of category, product or service', path);
    ok = false;
  }
  let append = false;
  if ('append' in v) {
    if (typeof v['append'] === 'boolean') append = v['append'];
    else {
      c.error("'append' must be true or false", [...path, 'append']);
      ok = false;
    }
  }
  const sourcesPath = [...path, 'sources'];
  const list = v['sources'];
  const sources: Source[] = [];
  if (!('sources' in v)) {
    c.error("a logsource entry needs 'sources' (a list; use [{}] for 'every event')", path);
    ok = false;
  } else if (!Array.isArray(list) || list.length === 0) {
    c.error("'sources' must be a non-empty list of sources (use [{}] for 'every event')", sourcesPath);
    ok = false;
  } else {
    const entryTitles: EventTitle[] = [];
    list.forEach((s, i) => {
      const src = readSource(c, s, [...sourcesPath, i], entryTitles);
      if (src === undefined) ok = false;
      else sources.push(src);
    });
    if (ok) titles.push(...entryTitles);
  }
  if (!ok) return undefined;
  const entry: LogsourceEntry = { ...keys, sources };
  if (append) entry.append = true;
  return entry;
}

function readEventTitle(c: Checker, v: unknown, path: Path): EventTitle | undefined {
  if (!isJsonObject(v)) {
    c.error('an event title must be a mapping with channel, eventId and title', path);
    return undefined;
  }
  c.unknownKeys(v, EVENT_KEYS, path, 'an event title');
  let ok = true;
  for (const k of ['channel', 'eventId', 'title']) {
    if (!(k in v)) {
      c.error(`an event title needs '${k}'`, path);
      ok = false;
    }
  }
  if (!ok) return undefined;
  const channel = c.text(v['channel'], [...path, 'channel'], "'channel'");
  const eventId = c.eventId(v['eventId'], [...path, 'eventId']);
  const title = c.text(v['title'], [...path, 'title'], "'title'");
  const provider = 'provider' in v ? c.text(v['provider'], [...path, 'provider'], "'provider'") : channel;
  if (channel === undefined || eventId === undefined || title === undefined || provider === undefined) return undefined;
  return { channel, eventId, title, provider };
}

/** Parses mapping YAML text (see the format above); `file` only labels diagnostics. */
export function parseLogsourceMapping(text: string, file?: string): { mapping: LogsourceMapping; diagnostics: Diagnostic[] } {
  const mapping: LogsourceMapping = { logsources: [], events: [] };
  let docs: unknown[];
  try {
    docs = loadAll(text, file === undefined ? {} : { filename: file });
  } catch (e) {
    const err = e as { reason?: string; mark?: { line: number; column: number }; message?: string };
    const pos = err.mark !== undefined ? { line: err.mark.line + 1, column: err.mark.column + 1 } : undefined;
    const why = err.reason ?? err.message ?? String(e);
    return { mapping, diagnostics: [diagnostic('LOGSOURCE_YAML_INVALID', `invalid YAML: ${why}`, { file, pos })] };
  }
  const c = new Checker(text, file);
  if (docs.length > 1) {
    c.error(`a logsource mapping file must hold one YAML document, found ${docs.length}`, []);
    return { mapping, diagnostics: c.diagnostics };
  }
  const data = docs[0];
  if (data === null || data === undefined) return { mapping, diagnostics: c.diagnostics };
  if (!isJsonObject(data)) {
    c.error("a logsource mapping file must be a mapping with 'logsources' and/or 'events'", []);
    return { mapping, diagnostics: c.diagnostics };
  }
  c.unknownKeys(data, ROOT_KEYS, [], 'the mapping file');
  const titles: EventTitle[] = [];
  if ('logsources' in data) {
    const list = data['logsources'];
    if (!Array.isArray(list)) c.error("'logsources' must be a list of entries", ['logsources']);
    else {
      const seen = new Map<string, number>();
      list.forEach((v, i) => {
        const entry = readEntry(c, v, ['logsources', i], titles);
        if (entry === undefined) return;
        const key = [entry.category, entry.product, entry.service].map((x) => x?.trim().toLowerCase() ?? '').join('|');
        const first = seen.get(key);
        if (first !== undefined && entry.append !== true) {
          c.warn('LOGSOURCE_MAPPING_DUPLICATE', `this logsource is already defined at logsources[${first}]; this later entry replaces it`, [
            'logsources',
            i,
          ]);
        } else if (first === undefined) seen.set(key, i);
        mapping.logsources.push(entry);
      });
    }
  }
  if ('events' in data) {
    const list = data['events'];
    if (!Array.isArray(list)) c.error("'events' must be a list of event titles", ['events']);
    else
      list.forEach((v, i) => {
        const t = readEventTitle(c, v, ['events', i]);
        if (t !== undefined) titles.push(t);
      });
  }
  mapping.events = titles;
  return { mapping, diagnostics: c.diagnostics };
}

/**
 * Reads a user mapping file. The result holds only the file's own entries: merge it over the
 * built-in mapping with `mergeMappings(builtinMapping, result.mapping)`.
 */
export function loadLogsourceMapping(file: string): { mapping: LogsourceMapping; diagnostics: Diagnostic[] } {
  let text: string;
  try {
    text = readTextFile(file);
  } catch (e) {
    const why = readErrorReason(e);
    return {
      mapping: { logsources: [], events: [] },
      diagnostics: [diagnostic('LOGSOURCE_FILE_UNREADABLE', `cannot read logsource mapping file: ${why}`, { file })],
    };
  }
  return parseLogsourceMapping(text, file);
}
