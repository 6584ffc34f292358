/**
 * Logsource mapping: which events a rule is run against.
 *
 * Matching never looks at a rule's `logsource` (semantics §12); the harness uses it to skip
 * events a rule was not written for, e.g. a registry_set rule only sees Sysmon event 13. A mapping
 * (plain data, see types.ts) lists for each logsource the alternative sources of its events; this
 * module resolves a rule's logsource against a mapping, compiles it into a fast event filter,
 * describes the covered events for display, and buckets rules by (Channel, EventID) for indexes.
 *
 * Resolution of a logsource (keys and values compared case-insensitively, `definition` ignored):
 * 1. entries with exactly the same keys and values (e.g. category+product) — their sources;
 * 2. else the most specific entries whose keys are a subset of the rule's (and include category or
 *    service), e.g. a rule with category+product+service falls back to category+product;
 * 3. else entries whose keys are a superset (when the rule names a category or service), e.g. a
 *    rule with only `category: process_creation` gets the Windows and Linux sources together;
 * 4. else unknown (`known: false`): the rule is run against every event.
 * `product: windows` (or linux) alone is known and maps to a source without criteria: such rules
 * run against every event — there is no reliable "this is a Windows event" test for hand-written
 * events, and running a rule on a foreign event is harmless (its fields are absent).
 *
 * Event filter: an event matches a source when its `Channel` is one of the source's channels
 * (case-insensitive), its `EventID` one of its event IDs (numerically: 13 and "13" are equal) and
 * its `Provider_Name` equals the provider, for each criterion the source has. By default a
 * criterion whose field the event lacks (absent or null) is not held against it, so a hand-written
 * `{EventID: 1, Image: ...}` still reaches process_creation rules; `requireFields: true` makes
 * missing fields fail instead.
 */
import type { EventTitle, Logsource, LogsourceEntry, LogsourceMapping, Source } from './types.js';
import type { FlatEvent } from '../events/flatten-event.js';
import { maxOf } from '../util/arrays.js';
import { isMappedSource, sourceApplies, viewEvent } from './source-view.js';
import type { MappedSource, SourceViewResult } from './source-view.js';

/** The mapping data types (see types.ts), re-exported so that callers need only this module. */
export type { EventTitle, FieldDerivation, FieldTransform, Logsource, LogsourceEntry, LogsourceMapping, Source } from './types.js';
/** The built-in Windows / Sysmon for Linux mapping and its channel names (see builtin-mapping.ts). */
export { builtinMapping, SYSMON_CHANNEL, LINUX_SYSMON_CHANNEL } from './builtin-mapping.js';
/** How events of a mapped source look to a logsource's rules (see source-view.ts). */
export { isMappedSource, mappedSources, sourceApplies, viewEvent, withoutMappedSources } from './source-view.js';
export type { MappedSource, SourceViewResult } from './source-view.js';
/** Reading user mapping files (see mapping-file.ts for the format). */
export { loadLogsourceMapping, parseLogsourceMapping } from './mapping-file.js';

const KEYS = ['category', 'product', 'service'] as const;
type Key = (typeof KEYS)[number];

/** A logsource's selecting keys, lowercased and trimmed; empty values dropped. */
function normalize(ls: Logsource): Partial<Record<Key, string>> {
  const out: Partial<Record<Key, string>> = {};
  for (const k of KEYS) {
    const v = ls[k];
    if (typeof v === 'string' && v.trim() !== '') out[k] = v.trim().toLowerCase();
  }
  return out;
}

/** The identity of an entry or logsource: `category|product|service` with empty parts for absent keys. */
export function logsourceKey(ls: Logsource): string {
  const n = normalize(ls);
  return KEYS.map((k) => n[k] ?? '').join('|');
}

/** The result of resolving a logsource against a mapping. */
export interface ResolvedLogsource {
  /** false when the mapping has nothing for the logsource: the rule then sees every event. */
  known: boolean;
  /** Alternatives: an event belongs to the logsource when it matches any of them. */
  sources: Source[];
}

const resolved = new WeakMap<LogsourceMapping, Map<string, ResolvedLogsource>>();

/** Resolves a rule's logsource to its sources (see the resolution order in the file comment); memoised per mapping. */
export function resolveLogsource(ls: Logsource, mapping: LogsourceMapping): ResolvedLogsource {
  // The same logsource object again (the indexes resolve each rule's several times): its result,
  // while its three keys are the ones it was resolved with.
  let seen = resolvedByObject.get(mapping);
  if (seen === undefined) resolvedByObject.set(mapping, (seen = new WeakMap()));
  const last = seen.get(ls);
  if (last !== undefined && last.category === ls.category && last.product === ls.product && last.service === ls.service) return last.result;
  const result = resolveByKey(ls, mapping);
  seen.set(ls, { category: ls.category, product: ls.product, service: ls.service, result });
  return result;
}

/** Per mapping and logsource object: the keys it was resolved with and the result. */
const resolvedByObject = new WeakMap<LogsourceMapping, WeakMap<Logsource, { category: unknown; product: unknown; service: unknown; result: ResolvedLogsource }>>();

function resolveByKey(ls: Logsource, mapping: LogsourceMapping): ResolvedLogsource {
  let memo = resolved.get(mapping);
  if (memo === undefined) resolved.set(mapping, (memo = new Map()));
  const key = logsourceKey(ls);
  let r = memo.get(key);
  if (r === undefined) {
    r = resolveUncached(ls, mapping);
    memo.set(key, r);
  }
  return r;
}

/** A mapping's logsource entries with their keys normalised, worked out once per mapping (resolving ~100 logsources normalised every entry for each). */
const normalizedMemo = new WeakMap<LogsourceMapping, Array<{ entry: LogsourceEntry; e: Partial<Record<Key, string>>; entryKeys: Key[] }>>();
function normalizedEntries(mapping: LogsourceMapping): Array<{ entry: LogsourceEntry; e: Partial<Record<Key, string>>; entryKeys: Key[] }> {
  let list = normalizedMemo.get(mapping);
  if (list === undefined || list.length !== mapping.logsources.length) {
    list = mapping.logsources.map((entry) => {
      const e = normalize(entry);
      return { entry, e, entryKeys: KEYS.filter((k) => e[k] !== undefined) };
    });
    normalizedMemo.set(mapping, list);
  }
  return list;
}

function resolveUncached(ls: Logsource, mapping: LogsourceMapping): ResolvedLogsource {
  const rule = normalize(ls);
  const ruleKeys = KEYS.filter((k) => rule[k] !== undefined);
  if (ruleKeys.length === 0) return { known: false, sources: [] };
  const ruleSpecific = rule.category !== undefined || rule.service !== undefined;

  const exact: LogsourceEntry[] = [];
  const subsets: Array<{ entry: LogsourceEntry; size: number }> = [];
  const supersets: LogsourceEntry[] = [];
  for (const { entry, e, entryKeys } of normalizedEntries(mapping)) {
    if (entryKeys.length === 0) continue;
    if (!entryKeys.every((k) => rule[k] === undefined || rule[k] === e[k])) continue;
    const entryInRule = entryKeys.every((k) => rule[k] !== undefined);
    const ruleInEntry = ruleKeys.every((k) => e[k] !== undefined);
    if (entryInRule && ruleInEntry) exact.push(entry);
    else if (entryInRule && (e.category !== undefined || e.service !== undefined)) subsets.push({ entry, size: entryKeys.length });
    else if (ruleInEntry && ruleSpecific) supersets.push(entry);
  }
  let chosen = exact;
  if (chosen.length === 0 && subsets.length > 0) {
    const best = maxOf(subsets.map((s) => s.size));
    chosen = subsets.filter((s) => s.size === best).map((s) => s.entry);
  }
  if (chosen.length === 0) chosen = supersets;
  if (chosen.length === 0) return { known: false, sources: [] };
  return { known: true, sources: chosen.flatMap((e) => e.sources) };
}

/** Options of {@link compileLogsourceFilter}. */
export interface LogsourceFilterOptions {
  /** When true, an event lacking a field a source checks (Channel, EventID, Provider_Name) fails. */
  requireFields?: boolean;
}

/** A compiled source: precomputed lookups, null where the source has no criterion. */
interface CompiledSource {
  channels: Set<string> | null;
  eventIds: Set<number> | null;
  provider: string | null;
  /** A source with a field mapping (or `where` fields): decided by {@link sourceApplies}. */
  exact: Source | null;
}

function compileSource(s: Source): CompiledSource {
  return {
    channels: s.channels !== undefined ? new Set(s.channels.map((c) => c.toLowerCase())) : null,
    eventIds: s.eventIds !== undefined ? new Set(s.eventIds) : null,
    provider: s.provider !== undefined ? s.provider.toLowerCase() : null,
    exact: isMappedSource(s) || s.where !== undefined ? s : null,
  };
}

function unconstrained(s: Source): boolean {
  return s.channels === undefined && s.eventIds === undefined && s.provider === undefined;
}

const ABSENT = Symbol('absent');
const NUMERIC = /^\s*[0-9]+\s*$/;

/** An event's EventID as a number; NaN when present but not a number; ABSENT when missing or null. */
function eventIdOf(v: unknown): number | typeof ABSENT {
  if (v === undefined || v === null) return ABSENT;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && NUMERIC.test(v)) return Number(v);
  return Number.NaN;
}

/** Any value as text; objects (which may lack toString) as JSON. */
export function safeText(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

/** A text field (Channel, Provider_Name) lowercased; ABSENT when missing or null. */
function textOf(v: unknown): string | typeof ABSENT {
  if (v === undefined || v === null) return ABSENT;
  return safeText(v).toLowerCase();
}

/** An event's bucket key: lowercased Channel and numeric EventID, null where absent or unusable. */
export function eventBucketKey(event: FlatEvent): { channel: string | null; eventId: number | null } {
  const ch = textOf(event['Channel']);
  const id = eventIdOf(event['EventID']);
  return { channel: ch === ABSENT ? null : ch, eventId: id === ABSENT || Number.isNaN(id) ? null : id };
}

/**
 * Compiles a logsource into an event filter. True for every event when the logsource is unknown
 * or one of its sources has no criteria (e.g. `product: windows` alone).
 */
export function compileLogsourceFilter(
  ls: Logsource,
  mapping: LogsourceMapping,
  options: LogsourceFilterOptions = {},
): (event: FlatEvent) => boolean {
  // One filter per resolved logsource and option (rules share a few dozen): filters hold no state.
  const resolved = resolveLogsource(ls, mapping);
  const strict = options.requireFields === true;
  let memo = filterMemo.get(resolved);
  if (memo === undefined) filterMemo.set(resolved, (memo = [undefined, undefined]));
  const known = memo[strict ? 1 : 0];
  if (known !== undefined) return known;
  const filter = !resolved.known || resolved.sources.some(unconstrained) ? (): boolean => true : sourcesFilter(resolved.sources, options);
  memo[strict ? 1 : 0] = filter;
  return filter;
}

/** Per resolved logsource: its filter without and with `requireFields`. */
const filterMemo = new WeakMap<ResolvedLogsource, [((event: FlatEvent) => boolean) | undefined, ((event: FlatEvent) => boolean) | undefined]>();

/** The keys (JSON text) of a resolved logsource's sources, worked out once. */
export function sourceKeys(resolved: ResolvedLogsource): ReadonlySet<string> {
  let keys = keysMemo.get(resolved);
  if (keys === undefined) keysMemo.set(resolved, (keys = new Set(resolved.sources.map((s) => JSON.stringify(s)))));
  return keys;
}

const keysMemo = new WeakMap<ResolvedLogsource, ReadonlySet<string>>();

/** The filter of a list of sources: an event belongs when any of them takes it. */
function sourcesFilter(list: readonly Source[], options: LogsourceFilterOptions = {}): (event: FlatEvent) => boolean {
  const sources = list.map(compileSource);
  const missingOk = options.requireFields !== true;
  const checksProvider = sources.some((s) => s.provider !== null);
  return (event: FlatEvent): boolean => {
    const channel = textOf(event['Channel']);
    const eventId = eventIdOf(event['EventID']);
    const provider = checksProvider ? textOf(event['Provider_Name']) : ABSENT;
    for (const s of sources) {
      if (s.exact !== null) {
        if (sourceApplies(s.exact, event, !missingOk)) return true;
        continue;
      }
      if (s.channels !== null && (channel === ABSENT ? !missingOk : !s.channels.has(channel))) continue;
      if (s.eventIds !== null && (eventId === ABSENT ? !missingOk : !s.eventIds.has(eventId))) continue;
      if (s.provider !== null && (provider === ABSENT ? !missingOk : s.provider !== provider)) continue;
      return true;
    }
    return false;
  };
}

/**
 * How an event looks to the rules of a logsource: through the first of its sources that takes the
 * event, when that source maps fields (source-view.ts); undefined when the event is seen as it is
 * (an unmapped source takes it first, or none does). Plain sources take events as the lenient
 * filter does; mapped ones only events that hold their criteria. Undefined as a whole when the
 * logsource has no mapped source.
 */
export function compileSourceView(ls: Logsource, mapping: LogsourceMapping): ((event: FlatEvent) => (SourceViewResult & { key: string }) | undefined) | undefined {
  const choose = compileSourceChoice(ls, mapping);
  if (choose === undefined) return undefined;
  return (event) => {
    const s = choose(event);
    return s === undefined ? undefined : { ...viewEvent(s.source, event), key: s.key };
  };
}

/**
 * Which mapped source of a logsource sees an event (see {@link compileSourceView}), without
 * making the view: its key (equal sources, equal keys) and the source; undefined as a whole when
 * the logsource has no mapped source.
 */
export function compileSourceChoice(ls: Logsource, mapping: LogsourceMapping): ((event: FlatEvent) => MappedSource | undefined) | undefined {
  // One choice per resolved logsource (rules share a few dozen): the functions hold no state.
  const resolved = resolveLogsource(ls, mapping);
  if (choiceMemo.has(resolved)) return choiceMemo.get(resolved);
  const choice = sourceChoice(resolved);
  choiceMemo.set(resolved, choice);
  return choice;
}

const choiceMemo = new WeakMap<ResolvedLogsource, ((event: FlatEvent) => MappedSource | undefined) | undefined>();

function sourceChoice(resolved: ResolvedLogsource): ((event: FlatEvent) => MappedSource | undefined) | undefined {
  if (!resolved.known || !resolved.sources.some(isMappedSource)) return undefined;
  const steps = resolved.sources.map((s) => ({ source: s, mapped: isMappedSource(s), key: JSON.stringify(s), plain: unconstrained(s) ? (): boolean => true : sourcesFilter([s]) }));
  return (event) => {
    for (const st of steps) {
      if (st.mapped) {
        if (sourceApplies(st.source, event)) return { key: st.key, source: st.source };
      } else if (st.plain(event)) return undefined;
    }
    return undefined;
  };
}

/** One covered event, for display. */
export interface CoverageRow {
  provider: string;
  eventId: number;
  title: string;
  channel?: string;
}

/**
 * The events a logsource covers, one row per (channel, event ID) in mapping order, with titles
 * from the mapping's `events`. Sources without event IDs (whole channels, providers) give no rows;
 * an unknown logsource gives none.
 */
export function eventCoverage(ls: Logsource, mapping: LogsourceMapping): CoverageRow[] {
  const resolved = resolveLogsource(ls, mapping);
  const titles = new Map<string, EventTitle>();
  for (const t of mapping.events) titles.set(`${t.channel.toLowerCase()}\u0000${t.eventId}`, t);
  const rows: CoverageRow[] = [];
  const seen = new Set<string>();
  for (const s of resolved.sources) {
    if (s.eventIds === undefined) continue;
    const channels: Array<string | undefined> = s.channels ?? [undefined];
    for (const eventId of s.eventIds) {
      for (const channel of channels) {
        const key = `${channel?.toLowerCase() ?? ''}\u0000${eventId}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const t = channel !== undefined ? titles.get(key) : undefined;
        const row: CoverageRow = {
          provider: t?.provider ?? s.provider ?? channel ?? '',
          eventId,
          title: t?.title ?? '',
        };
        if (channel !== undefined) row.channel = t?.channel ?? channel;
        rows.push(row);
      }
    }
  }
  return rows;
}

/** A (Channel, EventID) bucket; null means any. Channels are lowercased. */
export interface BucketKey {
  channel: string | null;
  eventId: number | null;
}

/**
 * The buckets a logsource's events fall in, for indexing rules by (Channel, EventID): `all` when
 * the rule must see every event (unknown logsource, or a source without criteria). Buckets are a
 * pre-selection: a source with a provider criterion gives a (null, null) bucket, so the exact
 * filter must still run on the candidates (as {@link LogsourceIndex} does).
 */
export function logsourceBuckets(ls: Logsource, mapping: LogsourceMapping): { all: true } | { all: false; keys: BucketKey[] } {
  const resolved = resolveLogsource(ls, mapping);
  let buckets = bucketMemo.get(resolved);
  if (buckets === undefined) bucketMemo.set(resolved, (buckets = bucketsOf(resolved)));
  return buckets;
}

/** Per resolved logsource: its buckets (read only by the callers). */
const bucketMemo = new WeakMap<ResolvedLogsource, { all: true } | { all: false; keys: BucketKey[] }>();

function bucketsOf(resolved: ResolvedLogsource): { all: true } | { all: false; keys: BucketKey[] } {
  if (!resolved.known || resolved.sources.some(unconstrained)) return { all: true };
  const keys: BucketKey[] = [];
  const seen = new Set<string>();
  const add = (channel: string | null, eventId: number | null): void => {
    const k = `${channel ?? '*'}\u0000${eventId ?? '*'}`;
    if (seen.has(k)) return;
    seen.add(k);
    keys.push({ channel, eventId });
  };
  for (const s of resolved.sources) {
    const channels: Array<string | null> = s.channels?.map((c) => c.toLowerCase()) ?? [null];
    const ids: Array<number | null> = s.eventIds ?? [null];
    for (const c of channels) for (const id of ids) add(c, id);
  }
  return { all: false, keys };
}

/**
 * Rules (or anything) indexed by logsource: {@link LogsourceIndex.candidates} returns, in insertion
 * order, the items whose logsource filter accepts an event, looking only at the matching buckets.
 */
export class LogsourceIndex<T> {
  private readonly byChannel = new Map<string, Map<number | '*', Array<IndexEntry<T>>>>();
  private readonly all: Array<IndexEntry<T>> = [];
  private order = 0;

  constructor(
    private readonly mapping: LogsourceMapping,
    private readonly options: LogsourceFilterOptions = {},
  ) {}

  /** Adds an item under a logsource. */
  add(ls: Logsource, item: T): void {
    const entry: IndexEntry<T> = { item, order: this.order++, filter: compileLogsourceFilter(ls, this.mapping, this.options) };
    const buckets = logsourceBuckets(ls, this.mapping);
    if (buckets.all) {
      this.all.push(entry);
      return;
    }
    for (const k of buckets.keys) {
      const ch = k.channel ?? '*';
      let byId = this.byChannel.get(ch);
      if (byId === undefined) this.byChannel.set(ch, (byId = new Map()));
      const id = k.eventId ?? '*';
      let list = byId.get(id);
      if (list === undefined) byId.set(id, (list = []));
      list.push(entry);
    }
  }

  /** The items that apply to `event`, in the order they were added. */
  candidates(event: FlatEvent): T[] {
    const { channel, eventId } = eventBucketKey(event);
    const lenient = this.options.requireFields !== true;
    // Entries in `all` accept every event (see logsourceBuckets).
    const found = new Map<number, IndexEntry<T>>();
    for (const e of this.all) found.set(e.order, e);
    // A missing (or unusable) field may match any bucket when lenient; the filter decides.
    const channels = channel !== null ? [channel, '*'] : lenient ? [...this.byChannel.keys()] : ['*'];
    for (const ch of channels) {
      const byId = this.byChannel.get(ch);
      if (byId === undefined) continue;
      const ids: Array<number | '*'> = eventId !== null ? [eventId, '*'] : lenient ? [...byId.keys()] : ['*'];
      for (const id of ids) for (const e of byId.get(id) ?? []) if (!found.has(e.order) && e.filter(event)) found.set(e.order, e);
    }
    return [...found.values()].sort((a, b) => a.order - b.order).map((e) => e.item);
  }
}

interface IndexEntry<T> {
  item: T;
  order: number;
  filter: (event: FlatEvent) => boolean;
}

/**
 * Merges `extra` over `base` without changing either: an extra entry with the same
 * category/product/service as a base entry replaces its sources (or adds to them when its
 * `append` is true); other extra entries are added. Event titles of `extra` replace those of
 * `base` for the same channel and event ID.
 */
export function mergeMappings(base: LogsourceMapping, extra: LogsourceMapping): LogsourceMapping {
  const logsources: LogsourceEntry[] = base.logsources.map((e) => copyEntry(e, e.sources));
  const byKey = new Map<string, number>();
  logsources.forEach((e, i) => byKey.set(logsourceKey(e), i));
  for (const e of extra.logsources) {
    const key = logsourceKey(e);
    const at = byKey.get(key);
    const prev = at !== undefined ? logsources[at] : undefined;
    if (at !== undefined && prev !== undefined) {
      logsources[at] = copyEntry(prev, e.append === true ? [...prev.sources, ...e.sources] : e.sources);
    } else {
      byKey.set(key, logsources.length);
      logsources.push(copyEntry(e, e.sources));
    }
  }
  const events = new Map<string, EventTitle>();
  for (const t of [...base.events, ...extra.events]) events.set(`${t.channel.toLowerCase()}\u0000${t.eventId}`, t);
  return { logsources, events: [...events.values()] };
}

/** A copy of an entry's keys with the given sources (and no `append` flag). */
function copyEntry(e: LogsourceEntry, sources: Source[]): LogsourceEntry {
  const out: LogsourceEntry = { sources: [...sources] };
  if (e.category !== undefined) out.category = e.category;
  if (e.product !== undefined) out.product = e.product;
  if (e.service !== undefined) out.service = e.service;
  return out;
}
