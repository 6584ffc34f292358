/**
 * The rule cache (warm starts): what loading a rule file found — its rules' metadata (id, title,
 * level, logsource, tags, pipelines…), every diagnostic, and what the rule index needs of each plan
 * (compile/rule-facts.ts: necessary clauses, value count, fields) — kept on disk, keyed by the
 * file's bytes, so that loading the same files again reads one small file instead of checking and
 * planning every rule (and, for files still since, not even the rule files themselves).
 *
 * A cached rule's `plan`, `raw`, `keyLines` and `positions` are built on first read (for all the
 * rules of its file at once), from the very bytes whose hash matched (kept in memory until then,
 * never read again; for a file answered by its stat, read then and checked against the hash), by
 * the same loader as without the cache: a verdict never depends on the cache. A rule index over
 * cached rules builds no plan; a scan builds those of the rules its events reach. Plans themselves are not stored: as JSON the plans of the 3,018 SigmaHQ rules a
 * scan loads are 36 MB (924,000 objects; their matchers hold classes, RegExps, automata), slower
 * to parse than the rules are to load.
 *
 * A file is known unchanged by its stat (size, modification and change times, inode, device:
 * the change time moves on every write and no user can set it back), recorded once the file has
 * been still for {@link SETTLE_MS} (git's "racily clean" rule: a write within the same clock tick
 * as the stat would not change it); otherwise, and whenever the stat differs, by the SHA-1 of its
 * bytes. A file answered by its stat is read only when one of its plans is needed, and must then
 * still hash to the entry's digest (else its rules fail: they changed after loading).
 *
 * The listing of the rule paths is kept too, and used while none of the folders it listed has
 * changed (a folder's stat moves whenever an entry is added, removed or renamed): a warm load then
 * stats the folders instead of listing them (see {@link ListingMemo}).
 *
 * One cache file ("pack") per set of rule paths and loading environment: its name is a hash of the
 * tool (package version, cache format, Node version, every module's size and time), the load
 * options (placeholders, limits, unresolved placeholders, the processing pipeline) and the paths.
 * Inside, per rule file: the hash of its bytes and what it yielded. A pack starts with a header
 * line holding a checksum and the length of its body: a truncated, corrupted or foreign pack is
 * ignored (a debug note) and rewritten, never trusted. Files with correlation or filter documents
 * or rules skipped for their placeholders are not cached (they are loaded in full every time);
 * documents that do not load are kept with their diagnostics. Packs are written atomically
 * (a temporary file renamed over the pack): two processes writing the same pack both leave a
 * complete one. The folder is bounded: past {@link RuleCacheOptions.maxPacks} packs or
 * {@link RuleCacheOptions.maxBytes} bytes, the least recently used packs are deleted.
 */
import { hash } from 'node:crypto';
import { closeSync, fstatSync, lstatSync, openSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../diagnostics/diagnostics.js';
import { writeFileAtomic } from '../util/write-file-atomic.js';
import { loadRuleFile, loadRuleText } from '../rules/load-rule.js';
import type { LoadedFile, LoadOptions, RuleFileLoader, SigmaRule } from '../rules/load-rule.js';
import { clausesOf, valueCount } from '../compile/rule-index.js';
import { clauseFacts, forgetRuleFacts, planFields, rememberRuleFacts } from '../compile/rule-facts.js';
import type { Clauses, Needle } from '../compile/needles.js';
import type { WalkTrace } from '../util/walk-files.js';
import type { RuleFacts } from '../compile/rule-facts.js';

/** Version of the pack format and of what an entry means; bumped whenever either changes. */
export const CACHE_FORMAT = 3;

/**
 * A file whose last change (ctime or mtime) is less than this before the moment its stat is taken
 * is "racily clean" (as git calls it): a write in the same clock tick after the stat would leave
 * the stat unchanged, so its stat is not recorded and it is checked by content (see
 * {@link RuleCacheOptions.settleMs}).
 */
const SETTLE_MS = 3000;

const MAGIC = 'sigmatest-rule-cache';

/** Where and how much to cache. */
export interface RuleCacheOptions {
  /** The cache folder (see util/cache-dir.ts). */
  dir: string;
  /** At most this many packs are kept (default 64). */
  maxPacks?: number;
  /** At most this many bytes of packs are kept (default 256 MiB). */
  maxBytes?: number;
  /** Where debug notes go (an ignored pack, a failed write); default: nowhere. */
  debug?: ((message: string) => void) | undefined;
  /**
   * How long after its last change a rule file's stat may vouch for its content (default 3,000
   * ms, for clocks and file systems with coarse times; tests use 0).
   */
  settleMs?: number;
}

/** What the last load through the cache did (for tests and the benchmark). */
export interface RuleCacheStats {
  /** Rule files loaded. */
  files: number;
  /** Files answered from the cache. */
  hits: number;
  /** Of the hits, those whose unchanged stat vouched for their content (not read). */
  trusted: number;
  /** Files loaded in full (not in the cache, changed, or not cacheable). */
  misses: number;
  /** Files that cannot be cached (correlations, filters, rules skipped for their placeholders, unreadable). */
  uncacheable: number;
  /** The pack was (re)written. */
  written: boolean;
  /** The files were listed from the pack, unwalked (see {@link ListingMemo}). */
  listingKept?: boolean;
  /** Why the pack on disk was not used, when it was there and was not. */
  ignored?: string;
}

/**
 * The rule fields built on first use from the file's bytes (the description too: only a rule page
 * reads it, and it was a seventh of a pack).
 */
const LAZY = new Set(['raw', 'plan', 'keyLines', 'positions', 'description']);

/** A cached rule: its own fields but the lazy ones, in order, and its diagnostics as indexes into the file's. */
interface RuleEntry {
  /**
   * Field names in the rule's order (lazy ones included, marked by their absence from `v`): rules
   * share a few such shapes, kept once in the pack ({@link PackBody.shapes}) and named by
   * their position there (a list: an entry made by this process, not yet written).
   */
  k: number | string[];
  v: Record<string, unknown>;
  /**
   * The rule's logsource, as its position in {@link PackBody.logsources} (absent: none, or in
   * `v` for an entry made by this process, not yet written).
   */
  l?: number;
  /** Indexes of the rule's diagnostics in the file's (absent: none). */
  d?: number[];
  /** What the rule index needs of the plan (compile/rule-facts.ts), see {@link PackedFacts}; absent for a partial rule (never indexed). */
  f?: PackedFacts;
}

/**
 * A document that did not load (LoadedFile.invalid): its position in the file, id and title when
 * it has them, its diagnostics as indexes into the file's, and the rule as far as it was built
 * (`partial`, kept like a rule: its plan and the rest built on first read).
 */
interface InvalidEntry {
  n: number;
  id?: string;
  t?: string;
  d: number[];
  p?: RuleEntry;
}

/**
 * A rule's facts (compile/rule-facts.ts) as a pack holds them: [values, fields, clause count,
 * numeric fields, the clauses as JSON text ({@link clausesText})]. The clauses are most of the
 * facts' bytes, and an index reads them only for the kinds of event it meets: kept as text, they
 * cost a string to the pack's parse (a 3,018-rule pack parsed in 31-32 ms instead of 46-60) and
 * are parsed on first read.
 */
type PackedFacts = [number, string[], number, string[], string];

/** Facts read from a pack (see {@link PackedFacts}): the clauses parsed on first read. */
class PackFacts implements RuleFacts {
  private parsed: Clauses | undefined;
  constructor(private readonly packed: PackedFacts) {}
  get values(): number {
    return this.packed[0];
  }
  get fields(): readonly string[] {
    return this.packed[1];
  }
  get clauseCount(): number {
    return this.packed[2];
  }
  get numericFields(): readonly string[] {
    return this.packed[3];
  }
  get clauses(): Clauses {
    return (this.parsed ??= clausesOfText(this.packed[4]));
  }
}

/**
 * Clauses as compact JSON text: each clause a list of groups `[field, 1 when numeric else 0,
 * text…]`, the needles of one field and kind together in order (a field is named once per
 * group, not once per needle: 23,754 needles of 3,018 rules fall in 5,779 groups).
 */
function clausesText(clauses: Clauses): string {
  return JSON.stringify(
    clauses.map((clause) => {
      const groups: Array<Array<string | number>> = [];
      let last: Array<string | number> | undefined;
      for (const n of clause) {
        const numeric = n.numeric === true ? 1 : 0;
        if (last === undefined || last[0] !== n.field || last[1] !== numeric) groups.push((last = [n.field, numeric]));
        last.push(n.text);
      }
      return groups;
    }),
  );
}

/** The clauses of {@link clausesText}'s text, needles in their order. */
function clausesOfText(text: string): Clauses {
  const clauses = JSON.parse(text) as Array<Array<[string, number, ...string[]]>>;
  return clauses.map((groups) => {
    const clause: Needle[] = [];
    for (const g of groups) {
      const field = g[0];
      const numeric = g[1] === 1;
      for (let i = 2; i < g.length; i++) clause.push(numeric ? { field, text: g[i] as string, numeric: true } : { field, text: g[i] as string });
    }
    return clause;
  });
}

/** The packed facts of a plan. */
function packFacts(rule: SigmaRule): PackedFacts {
  const c = clauseFacts(clausesOf(rule.plan));
  return [valueCount(rule), planFields(rule.plan), c.clauseCount, [...c.numericFields], clausesText(c.clauses)];
}

/** A cached file: its diagnostics, rules and documents that did not load. */
interface FileEntry {
  d: Diagnostic[];
  r: RuleEntry[];
  /** Its documents that did not load (LoadedFile.invalid), absent when none. */
  i?: InvalidEntry[];
  /** Set when some value holds a mark (undefined, a dictionary…) and must be decoded; else the values are used as parsed. */
  m?: 1;
}

/**
 * A cached file: [SHA-1 of its bytes, what they yielded (null when not cacheable), its stat
 * when that may vouch for the bytes (see {@link statSign})].
 */
type PackFile = [string, FileEntry | null, StatSign | null];

/**
 * A stat that vouches for a file's bytes or a folder's entries: [size, modification time, change
 * time, inode, device] (compared as numbers: JSON keeps every double exactly).
 */
type StatSign = [number, number, number, number, number];

/** The body of a pack. */
interface PackBody {
  key: string;
  /** The rules' shapes (see {@link RuleEntry.k}). */
  shapes: string[][];
  /**
   * The rules' logsources (see {@link RuleEntry.l}): a few dozen, each shared by the rules that
   * name it (one object, which also lets the logsource index resolve it once).
   */
  logsources: unknown[];
  /** The files by folder, then by name (a folder's path once, not once per file). */
  dirs: Record<string, Record<string, PackFile>>;
  /** The listing of the rule paths, while their folders are unchanged (see {@link ListingMemo}). */
  listing?: ListingMemo;
}

/**
 * What listing the rule paths found, kept for as long as none of the folders it listed changes:
 * a folder's entries change only by creating, deleting or renaming one, which moves its
 * modification and change times (and a folder replaced is another inode). Kept only for a walk
 * that followed no symbolic link (a link's target can change without its folder), met no
 * problem, and whose folders had been still for the settle time (see {@link statSign}).
 */
interface ListingMemo {
  /** Every folder listed, in order, with its stat sign taken before listing it. */
  folders: Array<[string, StatSign]>;
  /** Per listed file, in order: the position of its folder among {@link PackBody.dirs}' keys (names follow in order there). */
  order: number[];
}

/** A walk's listing that may be kept ({@link ListingMemo}): the folders and their signs, and the files. */
interface Walked {
  folders: Array<[string, StatSign]>;
  files: readonly string[];
}

/** A pack read for a load (by {@link RuleCache.listFiles}, then used by {@link RuleCache.loadFiles}). */
interface PackRead {
  path: string;
  body: PackBody | undefined;
  ignored: string | undefined;
  /** The listing to keep in the pack written next (the walk's when it may be kept, or the one the pack kept). */
  walked: Walked | undefined;
  /** When the files were listed from the pack: their entries there, in order. */
  entries?: PackFile[];
  /** The walk ran (the listing was not known): the pack is rewritten with its listing, when that may be kept. */
  listed: boolean;
}

/** The entry of a file in a pack read from disk, if any. */
function packFile(body: PackBody, file: string): PackFile | undefined {
  const [dir, name] = splitPath(file);
  const files = Object.hasOwn(body.dirs, dir) ? body.dirs[dir] : undefined;
  return files !== undefined && Object.hasOwn(files, name) ? files[name] : undefined;
}

/** How many files a pack read from disk holds. */
function fileCount(body: PackBody): number {
  let n = 0;
  for (const dir of Object.keys(body.dirs)) n += Object.keys(body.dirs[dir] as object).length;
  return n;
}

/**
 * The body of the pack to write: the entries by folder and name, their rules' shapes collected
 * anew (those of entries kept from the pack read, `oldShapes`, named by position there).
 */
function packOf(key: string, files: ReadonlyMap<string, PackFile>, old: Pick<PackBody, 'shapes' | 'logsources'>, walked: Walked | undefined): PackBody {
  const shapes = new Table<string[]>();
  const logsources = new Table<unknown>();
  const rule = (r: RuleEntry): RuleEntry => {
    const keys = typeof r.k === 'number' ? old.shapes[r.k] : r.k;
    if (keys === undefined) throw new Error(`no shape ${r.k}`);
    const out: RuleEntry = { ...r, k: shapes.id(keys) };
    if (r.l !== undefined) out.l = logsources.id(old.logsources[r.l]);
    else if ('logsource' in r.v) {
      const { logsource, ...v } = r.v;
      out.v = v;
      out.l = logsources.id(logsource);
    }
    return out;
  };
  const dirs: Record<string, Record<string, PackFile>> = {};
  for (const [file, [digest, entry, sign]] of files) {
    const [dir, name] = splitPath(file);
    const out: FileEntry | null = entry === null ? null : { ...entry, r: entry.r.map(rule) };
    if (out?.i !== undefined) out.i = out.i.map((x) => (x.p === undefined ? x : { ...x, p: rule(x.p) }));
    (dirs[dir] ??= {})[name] = [digest, out, sign];
  }
  const body: PackBody = { key, shapes: shapes.values, logsources: logsources.values, dirs };
  // The listing, when every listed file has its entry (in listing order, as `files` holds them).
  const listed = [...files.keys()];
  if (walked !== undefined && walked.files.length === listed.length && walked.files.every((f, i) => f === listed[i])) {
    const position = new Map(Object.keys(dirs).map((d, i) => [d, i]));
    body.listing = { folders: walked.folders, order: walked.files.map((f) => position.get(splitPath(f)[0]) as number) };
  }
  return body;
}

/** Values by their JSON text, each once, in the order first met. */
class Table<T> {
  readonly values: T[] = [];
  private readonly ids = new Map<string, number>();
  id(value: T): number {
    const text = JSON.stringify(value);
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.ids.set(text, id);
    }
    return id;
  }
}

/**
 * The listing a pack keeps and the files' entries, in order, when every folder it lists still has
 * the stat it had; else undefined.
 */
function memoFiles(body: PackBody, now: number, settleMs: number): { files: string[]; entries: PackFile[] } | undefined {
  const memo = body.listing;
  if (memo === undefined) return undefined;
  for (const [folder, sign] of memo.folders) if (!vouches(statOf(folder), sign, now, settleMs, true)) return undefined;
  const dirs = Object.keys(body.dirs);
  const names = dirs.map((d) => Object.keys(body.dirs[d] as object));
  const next = new Array<number>(dirs.length).fill(0);
  const files: string[] = [];
  const entries: PackFile[] = [];
  for (const k of memo.order) {
    const name = names[k]?.[next[k] as number];
    if (name === undefined) return undefined;
    next[k] = (next[k] as number) + 1;
    files.push((dirs[k] as string) + name);
    entries.push((body.dirs[dirs[k] as string] as Record<string, PackFile>)[name] as PackFile);
  }
  return { files, entries };
}

/** A file path as a pack keys it: [its folder with the separator that ends it (or nothing), its name]; together, the path. */
function splitPath(file: string): [string, string] {
  const cut = process.platform === 'win32' ? Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) : file.lastIndexOf('/');
  return [file.slice(0, cut + 1), file.slice(cut + 1)];
}

class Uncacheable extends Error {}

/**
 * Plain data as JSON can hold it, and back: `undefined`, non-finite numbers and `-0`, and objects
 * without prototype (dictionaries, `__proto__` an own key) are marked; anything else (a class, a
 * function, a bigint) makes the value uncacheable.
 */
let marks = 0;

function encodeValue(v: unknown, depth = 0): unknown {
  if (depth > 64) throw new Uncacheable('too deep');
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      if (Number.isFinite(v) && !Object.is(v, -0)) return v;
      marks++;
      return { $n: Object.is(v, -0) ? '-0' : String(v) };
    case 'undefined':
      marks++;
      return { $u: 1 };
    case 'object': {
      if (v === null) return null;
      if (Array.isArray(v)) return v.map((x) => encodeValue(x, depth + 1));
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto !== Object.prototype && proto !== null) throw new Uncacheable('not plain data');
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(v)) {
        const d = Object.getOwnPropertyDescriptor(v, k);
        if (d === undefined || d.get !== undefined || d.set !== undefined) throw new Uncacheable('accessor');
        const x = encodeValue(d.value, depth + 1);
        // `__proto__` an own key, as it was.
        if (k === '__proto__') Object.defineProperty(o, k, { value: x, enumerable: true, writable: true, configurable: true });
        else o[k] = x;
      }
      if (proto === null) {
        marks++;
        return { $d: o };
      }
      if (!Object.keys(o).some((k) => k.startsWith('$'))) return o;
      marks++;
      return { $o: o };
    }
    default:
      throw new Uncacheable(typeof v);
  }
}

function decodeValue(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(decodeValue);
  const o = v as Record<string, unknown>;
  if ('$u' in o) return undefined;
  if ('$n' in o) return o.$n === '-0' ? -0 : Number(o.$n);
  const own = (src: Record<string, unknown>, into: Record<string, unknown>): Record<string, unknown> => {
    // Every key an own property (`__proto__` included), as JSON.parse made them.
    for (const k of Object.keys(src)) {
      const x = decodeValue(src[k]);
      if (k === '__proto__') Object.defineProperty(into, k, { value: x, enumerable: true, writable: true, configurable: true });
      else into[k] = x;
    }
    return into;
  };
  if ('$d' in o) return own(o.$d as Record<string, unknown>, Object.create(null) as Record<string, unknown>);
  if ('$o' in o) return own(o.$o as Record<string, unknown>, {});
  return own(o, {});
}

/** Stable text of the load options (what a loaded rule depends on besides its file). */
function optionsKey(options: LoadOptions): string {
  const seen = new Set<object>();
  const text = (v: unknown): string => {
    if (v instanceof RegExp) return `re:${JSON.stringify(String(v))}`;
    if (typeof v === 'bigint') return `big:${v}`;
    if (typeof v === 'function') throw new Uncacheable('a function in the load options');
    if (typeof v === 'number' && !Number.isFinite(v)) return `num:${String(v)}`;
    if (v === undefined) return 'undefined';
    if (typeof v !== 'object' || v === null) return JSON.stringify(v);
    if (seen.has(v)) throw new Uncacheable('a cycle in the load options');
    seen.add(v);
    let out: string;
    if (Array.isArray(v)) out = `[${v.map(text).join(',')}]`;
    else if (v instanceof Map) out = `map[${[...v].map(([k, x]) => `${text(k)}:${text(x)}`).join(',')}]`;
    else if (v instanceof Set) out = `set[${[...v].map(text).join(',')}]`;
    else {
      const o = v as Record<string, unknown>;
      out = `{${Object.keys(o)
        .filter((k) => k !== 'cache')
        .sort()
        .map((k) => `${JSON.stringify(k)}:${text(o[k])}`)
        .join(',')}}`;
    }
    seen.delete(v);
    return out;
  };
  return text(options);
}

let stampMemo: string | undefined;

/**
 * The tool: package version, cache format, Node version, and the size and time of every module.
 */
export function toolStamp(): string {
  if (stampMemo !== undefined) return stampMemo;
  const here = dirname(fileURLToPath(import.meta.url)); // src/cache (or dist/src/cache)
  const src = dirname(here);
  const parts: string[] = [`format ${CACHE_FORMAT}`, `node ${process.version} ${process.arch}`];
  for (let dir = dirname(src); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'sigmatest') {
        parts.push(`version ${String(pkg.version)}`);
        break;
      }
    } catch {
      // not here
    }
    if (dirname(dir) === dir) break;
  }
  // Every module of the tool (one level of folders under src/, tests aside): a rebuilt or edited
  // tool never reads what another build wrote.
  const modules = (dir: string, label: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (!/\.(js|ts)$/.test(name) || /\.test\.|\.d\.ts$/.test(name)) continue;
      try {
        const s = statSync(join(dir, name));
        parts.push(`${label}${name} ${s.size} ${s.mtimeMs}`);
      } catch {
        parts.push(`${label}${name} ?`);
      }
    }
  };
  modules(src, '');
  let folders: string[] = [];
  try {
    folders = readdirSync(src, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  } catch {
    // no folders
  }
  for (const folder of folders) modules(join(src, folder), `${folder}/`);
  stampMemo = hash('sha256', parts.join('\n'));
  return stampMemo;
}

/** The pack's text: a header line (magic, format, checksum and length of the body), then the body. */
function packText(body: string): string {
  return `${MAGIC} ${CACHE_FORMAT} ${hash('sha256', body)} ${Buffer.byteLength(body)}\n${body}`;
}

/** The body of a pack's text, or why it cannot be trusted. */
function packBody(text: Buffer): string | { bad: string } {
  const nl = text.indexOf(10);
  if (nl < 0) return { bad: 'no header line' };
  const header = text.subarray(0, nl).toString('latin1').split(' ');
  if (header.length !== 4 || header[0] !== MAGIC) return { bad: 'not a sigmatest rule cache file' };
  if (header[1] !== String(CACHE_FORMAT)) return { bad: `cache format ${header[1]}, not ${CACHE_FORMAT}` };
  const bytes = text.subarray(nl + 1);
  if (String(bytes.length) !== header[3]) return { bad: `truncated or extended (${bytes.length} bytes, the header says ${header[3]})` };
  if (hash('sha256', bytes) !== header[2]) return { bad: 'checksum mismatch (corrupted)' };
  // Written as ASCII (asciiJson): Latin-1 is the same text, and decodes several times faster than UTF-8.
  return bytes.toString('latin1');
}

/**
 * JSON text in ASCII: every character past U+007F escaped (`\\uXXXX`), the same JSON value.
 * Found by a loop over the text (a regular expression over the 2 MB two-byte text of a SigmaHQ
 * pack took 35-40 ms, the loop a few).
 */
function asciiJson(value: unknown): string {
  const text = JSON.stringify(value);
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    out += `${text.slice(from, i)}\\u${c.toString(16).padStart(4, '0')}`;
    from = i + 1;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** The entry of a loaded file, or undefined when it cannot be cached. */
function fileEntry(loaded: LoadedFile): FileEntry | undefined {
  if (loaded.others.length > 0 || (loaded.skipped?.length ?? 0) > 0) return undefined;
  try {
    const before = marks;
    const d = loaded.diagnostics.map((x) => encodeValue(x) as Diagnostic);
    const indexes = (ds: readonly Diagnostic[]): number[] => {
      const idx = ds.map((x) => loaded.diagnostics.indexOf(x));
      if (idx.some((i) => i < 0)) throw new Uncacheable('a rule diagnostic not among the file diagnostics');
      return idx;
    };
    const ruleEntry = (rule: SigmaRule, facts: boolean): RuleEntry => {
      const k = Object.keys(rule);
      const v: Record<string, unknown> = {};
      for (const key of k) {
        if (LAZY.has(key) || key === 'diagnostics' || key === 'file') continue;
        v[key] = encodeValue((rule as unknown as Record<string, unknown>)[key]);
      }
      const idx = indexes(rule.diagnostics);
      const out: RuleEntry = idx.length > 0 ? { k, v, d: idx } : { k, v };
      if (facts) out.f = packFacts(rule);
      return out;
    };
    const r = loaded.rules.map((rule) => ruleEntry(rule, true));
    const entry: FileEntry = { d, r };
    if (loaded.invalid.length > 0) {
      entry.i = loaded.invalid.map((x): InvalidEntry => {
        // Read back in this key order (see fromEntry): any other own field cannot be kept.
        if (Object.keys(x).some((key) => !['document', 'diagnostics', 'id', 'title', 'partial'].includes(key))) throw new Uncacheable('an unknown field of a document that did not load');
        const out: InvalidEntry = { n: x.document, d: indexes(x.diagnostics) };
        if (x.id !== undefined) out.id = x.id;
        if (x.title !== undefined) out.t = x.title;
        if (x.partial !== undefined) out.p = ruleEntry(x.partial, false);
        return out;
      });
    }
    if (marks !== before) entry.m = 1;
    return entry;
  } catch (e) {
    if (e instanceof Uncacheable) return undefined;
    throw e;
  }
}

/**
 * The loaded file of an entry: its rules hold their metadata and diagnostics; `raw`, `plan`,
 * `keyLines` and `positions` are built, for all the file's rules at once, on the first read of
 * any of them, from `bytes` (the file's content that matched the entry), or, when the file's stat
 * vouched for it unread, from its content read then, which must hash to `digest` (a file changed
 * since it was listed fails the rules that need their plan: what was loaded no longer exists).
 */
function fromEntry(file: string, bytes: Buffer | undefined, digest: string, entry: FileEntry, options: LoadOptions, tables: PackTables): LoadedFile {
  // Values without marks are used as parsed (the pack is rewritten, if at all, before anyone can change them).
  const decode = entry.m === 1 ? decodeValue : (x: unknown): unknown => x;
  const diagnostics = entry.d.map((x) => decode(x) as Diagnostic);
  const out: LoadedFile = { file, rules: [], invalid: [], others: [], diagnostics };
  const lazy: LazyFile = { file, bytes, digest, options, rules: [], slots: [], built: false };
  const ruleOf = (r: RuleEntry): SigmaRule => {
    const rule = {} as Record<string, unknown>;
    const slot: Record<string, unknown> = {};
    lazy.slots.push(slot);
    Object.defineProperty(rule, LAZY_STATE, { value: { file: lazy, slot } satisfies LazyRule });
    const keys = typeof r.k === 'number' ? tables.shapes[r.k] : r.k;
    if (keys === undefined) throw new Error(`no shape ${r.k}`);
    for (const key of keys) {
      if (key === 'file') rule.file = file;
      else if (key === 'logsource' && r.l !== undefined) rule.logsource = tables.logsource(r.l, decode);
      else if (key === 'diagnostics') rule.diagnostics = r.d === undefined ? [] : r.d.map((i) => diagnostics[i]);
      else if (LAZY.has(key)) Object.defineProperty(rule, key, LAZY_FIELDS.get(key) as PropertyDescriptor);
      else rule[key] = decode(r.v[key]);
    }
    if (r.f !== undefined) rememberRuleFacts(rule as unknown as SigmaRule, new PackFacts(r.f));
    lazy.rules.push(rule as unknown as SigmaRule);
    return rule as unknown as SigmaRule;
  };
  for (const r of entry.r) out.rules.push(ruleOf(r));
  for (const x of entry.i ?? []) {
    // The key order of load-rule.ts: document, diagnostics, id, title, partial.
    const bad: LoadedFile['invalid'][number] = { document: x.n, diagnostics: x.d.map((i) => diagnostics[i] as Diagnostic) };
    if (x.id !== undefined) bad.id = x.id;
    if (x.t !== undefined) bad.title = x.t;
    if (x.p !== undefined) bad.partial = ruleOf(x.p);
    out.invalid.push(bad);
  }
  return out;
}

/** The tables of the pack read, for {@link fromEntry}: its shapes, and its logsources decoded once each. */
class PackTables {
  readonly shapes: readonly string[][];
  private readonly logsources: readonly unknown[];
  private readonly decoded: unknown[] = [];
  constructor(body: PackBody | undefined) {
    this.shapes = body?.shapes ?? [];
    this.logsources = body?.logsources ?? [];
  }
  logsource(i: number, decode: (v: unknown) => unknown): unknown {
    if (i in this.decoded) return this.decoded[i];
    if (!(i in this.logsources)) throw new Error(`no logsource ${i}`);
    return (this.decoded[i] = decode(this.logsources[i]));
  }
}

/** A cached file whose rules' lazy fields are not built yet (see {@link fromEntry}). */
interface LazyFile {
  file: string;
  /** The bytes that matched the entry, until the rules are built; undefined: read them then. */
  bytes: Buffer | undefined;
  digest: string;
  options: LoadOptions;
  /** Its rules, then the partial rules of its documents that did not load. */
  rules: SigmaRule[];
  /** Per rule (in `rules` order): its lazy fields once built or set. */
  slots: Array<Record<string, unknown>>;
  built: boolean;
  /** Why the fields cannot be built, once that is known. */
  failure?: Error;
}

/** What a cached rule keeps of its lazy fields (a hidden own property, {@link LAZY_STATE}). */
interface LazyRule {
  file: LazyFile;
  slot: Record<string, unknown>;
}

const LAZY_STATE = Symbol('sigmatest rule cache state');

/** Milliseconds this thread spent building cached rules' lazy fields (see {@link deferredLoadSeconds}). */
let deferredMs = 0;

/**
 * Seconds this thread has spent so far reading and planning cached rules on first use: rule
 * loading deferred by the cache into whatever first needed a plan (a scan counts it as rule
 * loading, not matching).
 */
export function deferredLoadSeconds(): number {
  return deferredMs / 1000;
}

/**
 * Builds the lazy fields of all the rules of a file (see {@link fromEntry}); a file that cannot be
 * built (changed since it was loaded) fails every read of them the same way.
 */
function buildLazy(lazy: LazyFile): void {
  if (lazy.built) return;
  if (lazy.failure !== undefined) throw lazy.failure;
  const started = performance.now();
  try {
    buildLazyNow(lazy);
    lazy.built = true;
    lazy.bytes = undefined;
  } catch (e) {
    lazy.failure = e instanceof Error ? e : new Error(String(e));
    throw lazy.failure;
  } finally {
    deferredMs += performance.now() - started;
  }
}

function buildLazyNow(lazy: LazyFile): void {
  let content = lazy.bytes;
  if (content === undefined) {
    content = readBytes(lazy.file);
    if (content === undefined || hash('sha1', content) !== lazy.digest) throw new Error(`${lazy.file} changed or went away after its rules were loaded (from the rule cache); run again`);
  }
  const full = loadRuleText(content.toString('utf8'), lazy.file, lazy.options);
  const built = lazy.rules.map((rule) => {
    // A document is a rule or did not load, never both.
    const f = full.rules.find((r) => r.document === rule.document) ?? full.invalid.find((x) => x.document === rule.document)?.partial;
    if (f === undefined) throw new Error(`the rule cache's entry of ${lazy.file} does not match the file (document ${rule.document + 1})`);
    return f;
  });
  built.forEach((f, i) => {
    const slot = lazy.slots[i] as Record<string, unknown>;
    for (const key of LAZY) if (!(key in slot)) slot[key] = (f as unknown as Record<string, unknown>)[key];
  });
}

/** One accessor per lazy field, shared by every cached rule (they find their state through `this`). */
const LAZY_FIELDS = new Map<string, PropertyDescriptor>(
  [...LAZY].map((key) => [
    key,
    {
      enumerable: true,
      configurable: true,
      get(this: Record<symbol, LazyRule>): unknown {
        const state = this[LAZY_STATE] as LazyRule;
        if (!(key in state.slot)) buildLazy(state.file);
        return state.slot[key];
      },
      set(this: Record<symbol, LazyRule>, value: unknown): void {
        (this[LAZY_STATE] as LazyRule).slot[key] = value;
        // A replaced plan (a filter composed into it) has facts of its own.
        if (key === 'plan') forgetRuleFacts(this as unknown as SigmaRule);
      },
    },
  ]),
);

/**
 * A rule file's stat as text (size, modification and change times, inode, device), or null when
 * it cannot vouch for the content: the file changed less than `settleMs` before `now` (a write in
 * the same tick of a coarse clock would not change it), or it is no regular file (no folder, for
 * `folder`: then it vouches for the folder's entries).
 */
function statSign(st: Stats | undefined, now: number, settleMs: number, folder = false): StatSign | null {
  if (st === undefined || !(folder ? st.isDirectory() : st.isFile())) return null;
  if (Math.max(st.ctimeMs, st.mtimeMs) >= now - settleMs) return null;
  return [st.size, st.mtimeMs, st.ctimeMs, st.ino, st.dev];
}

/** Whether a stat is the one a sign recorded ({@link statSign} would give the same sign). */
function vouches(st: Stats | undefined, sign: StatSign, now: number, settleMs: number, folder = false): boolean {
  const own = statSign(st, now, settleMs, folder);
  return own !== null && sameSign(own, sign);
}

function sameSign(a: StatSign | null, b: StatSign | null): boolean {
  if (a === null || b === null) return a === b;
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3] && a[4] === b[4];
}

/** A file's stat, or undefined when it cannot be taken (the read that follows reports why). */
function statOf(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

/**
 * A file's bytes and its stat taken on the open file before reading (so the stat describes
 * these bytes or older ones: a later write moves it), or undefined when it cannot be read.
 */
function readWithStat(file: string): { bytes: Buffer; stat: Stats } | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    return { bytes: readFileSync(fd), stat };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Reads a file's bytes, or undefined when it cannot be read (the loader then reports it). */
function readBytes(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * A rule cache in a folder (see the module comment). Give it to rule loading as
 * `LoadOptions.cache`; every load through it reads and rewrites one pack.
 */
export class RuleCache implements RuleFileLoader {
  readonly dir: string;
  private readonly maxPacks: number;
  private readonly maxBytes: number;
  private readonly debug: (message: string) => void;
  private readonly settleMs: number;
  /** What the last load did. */
  last: RuleCacheStats | undefined;

  constructor(options: RuleCacheOptions) {
    this.dir = options.dir;
    this.maxPacks = options.maxPacks ?? 64;
    this.maxBytes = options.maxBytes ?? 256 * 2 ** 20;
    this.debug = options.debug ?? (() => undefined);
    this.settleMs = options.settleMs ?? SETTLE_MS;
  }

  /** The pack of a set of rule paths loaded with some options; undefined when the options cannot be keyed. */
  packPath(paths: readonly string[], options: LoadOptions): { path: string; key: string } | undefined {
    let optionsText: string;
    try {
      optionsText = optionsKey(options);
    } catch (e) {
      if (e instanceof Uncacheable) return undefined;
      throw e;
    }
    const key = hash('sha256', `${toolStamp()}\n${optionsText}\n${JSON.stringify(paths)}`);
    return { path: join(this.dir, `rules-${key.slice(0, 32)}.cache`), key };
  }

  /**
   * Lists the rule files under `paths` (see RuleFileLoader.listFiles): from the pack, when the
   * folders of the listing it keeps are all unchanged; else by walking them (`list`). The pack read
   * here is the one {@link loadFiles} then uses.
   */
  listFiles(paths: readonly string[], options: LoadOptions, list: (trace: WalkTrace | undefined) => { files: string[]; diagnostics: Diagnostic[] }): { files: string[]; diagnostics: Diagnostic[] } {
    this.pending = undefined;
    const pack = this.packPath(paths, options);
    if (pack === undefined) return list(undefined); // no listing to keep: a plain walk
    const read: { ignored?: string } = {};
    const body = this.readPack(pack.path, pack.key, read);
    const now = Date.now();
    const known = body === undefined ? undefined : memoFiles(body, now, this.settleMs);
    if (known !== undefined) {
      this.pending = { path: pack.path, body, ignored: read.ignored, walked: { folders: (body?.listing as ListingMemo).folders, files: known.files }, listed: false, entries: known.entries };
      return { files: known.files, diagnostics: [] };
    }
    const trace: WalkTrace = { folders: [], links: 0 };
    const listed = list(trace);
    let walked: Walked | undefined;
    if (listed.diagnostics.length === 0 && trace.links === 0 && trace.folders.length > 0) {
      const folders: Array<[string, StatSign]> = [];
      for (const f of trace.folders) {
        const sign = statSign(f.stat, now, this.settleMs, true);
        if (sign === null) break;
        folders.push([f.path, sign]);
      }
      // Named files are no folders: a listing of them is not kept (nor needed).
      if (folders.length === trace.folders.length && paths.every((p) => trace.folders.some((f) => f.path === p))) walked = { folders, files: listed.files };
    }
    this.pending = { path: pack.path, body, ignored: read.ignored, walked, listed: true };
    return listed;
  }

  /** The pack {@link listFiles} read for the load under way. */
  private pending: PackRead | undefined;

  /**
   * Loads the rule files (listed from `paths`) through the cache. A file is answered from the
   * pack when its stat is the one recorded (it is then not read until a plan is needed), else when
   * the hash of its bytes is; it is loaded in full otherwise.
   */
  loadFiles(files: readonly string[], options: LoadOptions, paths: readonly string[]): LoadedFile[] {
    const stats: RuleCacheStats = { files: files.length, hits: 0, trusted: 0, misses: 0, uncacheable: 0, written: false };
    this.last = stats;
    const pack = this.packPath(paths, options);
    const pending = this.pending;
    this.pending = undefined;
    if (pack === undefined) {
      stats.misses = files.length;
      this.debug('rule cache: the load options cannot be keyed; loading without the cache');
      return files.map((f) => loadRuleFile(f, options));
    }
    let old: PackBody | undefined;
    if (pending !== undefined && pending.path === pack.path) {
      old = pending.body;
      stats.listingKept = !pending.listed;
      if (pending.ignored !== undefined) stats.ignored = pending.ignored;
    } else old = this.readPack(pack.path, pack.key, stats);
    const next = new Map<string, PackFile>();
    const tables = new PackTables(old);
    // A listing walked that may now be kept is written with the pack.
    let changed = old === undefined || (pending?.listed === true && pending.walked !== undefined);
    const now = Date.now();
    // Listed from the pack: the entries came with the names.
    const listedEntries = pending?.path === pack.path && pending.walked?.files === files ? pending.entries : undefined;
    const loaded = files.map((file, i): LoadedFile => {
      const hit = listedEntries !== undefined ? listedEntries[i] : old === undefined ? undefined : packFile(old, file);
      // The stat alone answers when the entry recorded one; otherwise it comes with the read.
      if (hit !== undefined && hit[1] !== null && hit[2] !== null && vouches(statOf(file), hit[2], now, this.settleMs)) {
        try {
          const out = fromEntry(file, undefined, hit[0], hit[1], options, tables);
          next.set(file, hit);
          stats.hits++;
          stats.trusted++;
          return out;
        } catch (e) {
          this.debug(`rule cache: the entry of ${file} is unusable (${(e as Error).message}); loading the file`);
        }
      }
      const read = readWithStat(file);
      if (read === undefined) {
        stats.misses++;
        stats.uncacheable++;
        changed = true;
        return loadRuleFile(file, options);
      }
      const { bytes } = read;
      const sign = statSign(read.stat, now, this.settleMs);
      const digest = hash('sha1', bytes);
      if (hit !== undefined && hit[0] === digest) {
        // Same bytes: a stat that can now vouch for them is recorded (the pack rewritten once).
        const entry: PackFile = sameSign(hit[2], sign) || sign === null ? hit : [hit[0], hit[1], sign];
        if (entry !== hit) changed = true;
        if (hit[1] === null) {
          // Known not cacheable (correlations, filters, skipped rules): loaded in full, as before.
          next.set(file, entry);
          stats.misses++;
          stats.uncacheable++;
          return loadRuleText(bytes.toString('utf8'), file, options);
        }
        try {
          const out = fromEntry(file, bytes, digest, hit[1], options, tables);
          next.set(file, entry);
          stats.hits++;
          return out;
        } catch (e) {
          this.debug(`rule cache: the entry of ${file} is unusable (${(e as Error).message}); loading the file`);
        }
      }
      changed = true;
      stats.misses++;
      const out = loadRuleText(bytes.toString('utf8'), file, options);
      const entry = fileEntry(out);
      if (entry === undefined) stats.uncacheable++;
      next.set(file, [digest, entry ?? null, sign]);
      return out;
    });
    if (old !== undefined && fileCount(old) !== next.size) changed = true;
    if (changed) this.writePack(pack.path, packOf(pack.key, next, old ?? { shapes: [], logsources: [] }, pending?.path === pack.path ? pending.walked : undefined), stats);
    return loaded;
  }

  private readPack(path: string, key: string, stats: { ignored?: string }): PackBody | undefined {
    let bytes: Buffer;
    try {
      // Only a regular file is read (a FIFO put in its place would never end).
      if (!lstatSync(path).isFile()) {
        stats.ignored = 'not a regular file';
        this.debug(`rule cache: ignoring ${path}: not a regular file`);
        return undefined;
      }
      bytes = readFileSync(path);
    } catch {
      return undefined;
    }
    const body = packBody(bytes);
    const ignore = (why: string): undefined => {
      stats.ignored = why;
      this.debug(`rule cache: ignoring ${path}: ${why}`);
      return undefined;
    };
    if (typeof body !== 'string') return ignore(body.bad);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return ignore('not JSON');
    }
    const p = parsed as Partial<PackBody> | null;
    if (typeof p !== 'object' || p === null || p.key !== key || !Array.isArray(p.shapes) || !Array.isArray(p.logsources) || typeof p.dirs !== 'object' || p.dirs === null) return ignore('written for other rules or another tool');
    // Keep recently used packs: their time is what pruning goes by (refreshed at most hourly).
    try {
      const now = Date.now();
      if (now - statSync(path).mtimeMs > 3_600_000) utimesSync(path, now / 1000, now / 1000);
    } catch {
      // a pack that cannot be touched is still read
    }
    return p as PackBody;
  }

  private writePack(path: string, body: PackBody, stats: RuleCacheStats): void {
    try {
      // A link or a special file where the pack goes is left alone (never written through).
      const existing = lstatSync(path, { throwIfNoEntry: false });
      if (existing !== undefined && !existing.isFile()) {
        this.debug(`rule cache: not writing ${path}: it is no regular file`);
        return;
      }
      writeFileAtomic(path, packText(asciiJson(body)));
      stats.written = true;
    } catch (e) {
      this.debug(`rule cache: cannot write ${path}: ${(e as Error).message}`);
      return;
    }
    this.prune(path);
  }

  /** Deletes the least recently used packs beyond the bounds (never `keep`, the pack just written). */
  private prune(keep: string): void {
    let packs: Array<{ path: string; size: number; time: number }>;
    try {
      packs = readdirSync(this.dir)
        .filter((n) => /^rules-[0-9a-f]{32}\.cache$/.test(n))
        .flatMap((n) => {
          const p = join(this.dir, n);
          try {
            const s = statSync(p);
            return [{ path: p, size: s.size, time: s.mtimeMs }];
          } catch {
            return [];
          }
        });
    } catch {
      return;
    }
    packs.sort((a, b) => b.time - a.time);
    let total = 0;
    packs.forEach((p, i) => {
      total += p.size;
      if (p.path === keep || (i < this.maxPacks && total <= this.maxBytes)) return;
      try {
        rmSync(p.path, { force: true });
      } catch {
        // another process may have pruned it
      }
    });
  }
}
