/**
 * How an event of one source looks to the rules of a logsource (a Source's `fields`): a Security
 * 4688 event seen by a process_creation rule has the fields a Sysmon 1 event would have, derived
 * from its own (`Image` from `NewProcessName`, `ProcessId` from the hexadecimal `NewProcessId`,
 * `User` as `DOMAIN\user`, `IntegrityLevel` named as Sysmon names it…), and the fields that source
 * never records are unknown.
 *
 * The view is the event with the derived fields set (a derived field without an answer, and a
 * field the source never records, is removed: the event's own field of that name may mean
 * something else, as 4688's `ProcessId` is the creator's). Unknown fields are never decisive: a
 * rule matches through a view only when it matches whatever the unknown fields hold (see
 * `planMatchesSurely` in the evaluator), so a match on a 4688 event holds on the Sysmon event of
 * the same process creation too.
 *
 * A mapped source applies to an event that holds its criteria: at least one of channel, event ID
 * and provider present, all present ones matching, and every `where` field holding one of its
 * values (a hand-written event without Channel/EventID is not taken for a Security event).
 */
import type { FlatEvent } from '../events/flatten-event.js';
import type { FieldDerivation, LogsourceMapping, Source } from './types.js';

/** An event as one source's rules see it, and the fields that are unknown in it. */
export interface SourceViewResult {
  event: FlatEvent;
  /** Fields whose value the source does not tell (never decisive for a match). */
  unknown: ReadonlySet<string>;
}

/** True for a value an event holds: not absent, null, empty or `-` (Windows' "nothing"). */
function meaningful(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v.trim() !== '' && v !== '-';
  return true;
}

/** A scalar as text; undefined for objects and arrays (which never equal a criterion). */
function scalarText(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

function text(v: unknown): string | undefined {
  if (!meaningful(v)) return undefined;
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

/** `0x1a2b` or `6699` (or a number) as a number. */
function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  const t = text(v)?.trim();
  if (t === undefined) return undefined;
  if (/^0x[0-9a-f]+$/i.test(t)) return Number.parseInt(t.slice(2), 16);
  if (/^\d+$/.test(t)) return Number(t);
  return undefined;
}

/** Mandatory label SIDs and the level Sysmon writes for them; others (Low: also AppContainer in Sysmon) are unknown. */
const INTEGRITY_LEVELS: Record<string, string> = { 'S-1-16-8192': 'Medium', 'S-1-16-12288': 'High', 'S-1-16-16384': 'System' };

/** Well-known account SIDs and the name Windows (and Sysmon's User) gives them. */
const WELL_KNOWN_ACCOUNTS: Record<string, string> = {
  'S-1-5-18': 'NT AUTHORITY\\SYSTEM',
  'S-1-5-19': 'NT AUTHORITY\\LOCAL SERVICE',
  'S-1-5-20': 'NT AUTHORITY\\NETWORK SERVICE',
};

/** Registry value types of Security 4657 (`%%1876`, or the name when rendered). */
const REG_TYPES: Record<string, string> = {
  '%%1873': 'REG_SZ',
  '%%1874': 'REG_EXPAND_SZ',
  '%%1875': 'REG_BINARY',
  '%%1876': 'REG_DWORD',
  '%%1879': 'REG_MULTI_SZ',
  '%%1883': 'REG_QWORD',
};

function hex8(n: bigint): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/** One alternative through a transform; undefined when it has no answer. */
function transform(d: FieldDerivation, values: unknown[]): unknown {
  const [a, b, c] = values;
  switch (d.transform) {
    case 'copy':
      return meaningful(a) ? a : undefined;
    case 'number':
      return toNumber(a);
    case 'integrity-level': {
      const t = text(a)?.toUpperCase();
      return t === undefined ? undefined : INTEGRITY_LEVELS[t];
    }
    case 'account': {
      const sid = text(a)?.toUpperCase();
      if (sid !== undefined && WELL_KNOWN_ACCOUNTS[sid] !== undefined) return WELL_KNOWN_ACCOUNTS[sid];
      const name = text(c);
      if (name === undefined) return undefined;
      const domain = text(b);
      return domain === undefined ? name : `${domain}\\${name}`;
    }
    case 'logon-id': {
      // [target logon id, target user name, subject logon id]: the new process's session when a target account is named.
      const target = text(a);
      if (target !== undefined && text(b) !== undefined && !/^0x0+$/i.test(target)) return target.toLowerCase();
      return text(c)?.toLowerCase();
    }
    case 'registry-path': {
      const key = text(a);
      if (key === undefined) return undefined;
      const root = key.replace(/^\\REGISTRY\\MACHINE(?=\\|$)/i, 'HKLM').replace(/^\\REGISTRY\\USER(?=\\|$)/i, 'HKU');
      const name = text(b);
      return `${root}\\${name ?? '(Default)'}`;
    }
    case 'registry-details': {
      const type = text(a);
      const kind = type === undefined ? undefined : (REG_TYPES[type] ?? type.toUpperCase());
      if (kind === 'REG_SZ' || kind === 'REG_EXPAND_SZ') return b === '' ? '(Empty)' : text(b);
      if (kind === 'REG_BINARY') return 'Binary Data';
      const t = text(b)?.trim();
      if (t === undefined || !/^(0x[0-9a-f]+|\d+)$/i.test(t)) return undefined;
      const n = BigInt(t);
      if (kind === 'REG_DWORD') return `DWORD (${hex8(n & 0xffffffffn)})`;
      if (kind === 'REG_QWORD') return `QWORD (${hex8((n >> 32n) & 0xffffffffn)}-${hex8(n & 0xffffffffn)})`;
      return undefined;
    }
    case 'is-ipv6': {
      const t = text(a);
      return t === undefined ? undefined : t.includes(':') ? 'true' : 'false';
    }
    case 'values': {
      const t = text(a)?.toLowerCase();
      if (t === undefined || d.values === undefined) return undefined;
      for (const [k, v] of Object.entries(d.values)) if (k.toLowerCase() === t) return v;
      return undefined;
    }
    default: {
      const never: never = d.transform;
      return never;
    }
  }
}

function holdsWhen(when: Record<string, string[]> | undefined, event: FlatEvent): boolean {
  if (when === undefined) return true;
  for (const [field, allowed] of Object.entries(when)) {
    const t = text(event[field])?.toLowerCase();
    if (t === undefined || !allowed.some((x) => x.toLowerCase() === t)) return false;
  }
  return true;
}

/** A source's fields in the order they are derived, and its never-recorded ones (worked out once per source). */
interface CompiledView {
  unavailable: ReadonlySet<string>;
  /** The derived fields, each with its derivations in order. */
  fields: Array<{ field: string; derivations: FieldDerivation[] }>;
}

const compiledViews = new WeakMap<Source, CompiledView>();

function compiledView(source: Source): CompiledView {
  let c = compiledViews.get(source);
  if (c === undefined) {
    const byField = new Map<string, FieldDerivation[]>();
    for (const d of source.fields ?? []) byField.set(d.field, [...(byField.get(d.field) ?? []), d]);
    c = { unavailable: new Set(source.unavailable ?? []), fields: [...byField].map(([field, derivations]) => ({ field, derivations })) };
    compiledViews.set(source, c);
  }
  return c;
}

/** The view of an event of a mapped source (see the file comment). */
export function viewEvent(source: Source, event: FlatEvent): SourceViewResult {
  const c = compiledView(source);
  const derived = new Map<string, unknown>();
  let unknown: Set<string> | undefined;
  for (const { field, derivations } of c.fields) {
    let value: unknown;
    for (const d of derivations) {
      if (!holdsWhen(d.when, event)) continue;
      for (const alt of d.from) {
        value = transform(d, alt.length === 1 ? [event[alt[0] as string]] : alt.map((f) => event[f]));
        if (value !== undefined) break;
      }
      if (value !== undefined) break;
    }
    if (value !== undefined) derived.set(field, value);
    else (unknown ??= new Set(c.unavailable)).add(field);
  }
  // Built by adding properties only (no `delete`, which would leave a slow dictionary-mode object
  // for every compiled matcher to meet): the event's own fields, less those the view replaces or
  // does not know, then the derived ones.
  const view: FlatEvent = {};
  const gone = unknown ?? c.unavailable;
  for (const k in event) if (!derived.has(k) && !gone.has(k)) view[k] = event[k];
  for (const [k, v] of derived) view[k] = v;
  return { event: view, unknown: gone };
}

/**
 * Does a mapped source apply to an event (its criteria held, at least one of channel, ID,
 * provider present)? `strict`: every criterion must be present.
 */
export function sourceApplies(source: Source, event: FlatEvent, strict = false): boolean {
  let present = 0;
  const channel = event['Channel'];
  if (source.channels !== undefined && channel !== undefined && channel !== null) {
    const c = scalarText(channel)?.toLowerCase();
    if (c === undefined || !source.channels.some((x) => x.toLowerCase() === c)) return false;
    present++;
  }
  const id = event['EventID'];
  if (source.eventIds !== undefined && id !== undefined && id !== null) {
    const t = scalarText(id);
    const n = typeof id === 'number' ? id : t !== undefined && /^\s*\d+\s*$/.test(t) ? Number(t) : Number.NaN;
    if (!source.eventIds.includes(n)) return false;
    present++;
  }
  const provider = event['Provider_Name'];
  if (source.provider !== undefined && provider !== undefined && provider !== null) {
    if (scalarText(provider)?.toLowerCase() !== source.provider.toLowerCase()) return false;
    present++;
  }
  if (present === 0) return false;
  if (strict) {
    const wanted = Number(source.channels !== undefined) + Number(source.eventIds !== undefined) + Number(source.provider !== undefined);
    if (present < wanted) return false;
  }
  return holdsWhen(source.where, event);
}

/**
 * True when a source is decided by {@link sourceApplies} and seen through {@link viewEvent}: it
 * says how its events look to the logsource's rules, or takes events by more than their channel,
 * ID and provider (`where`).
 */
export function isMappedSource(s: Source): boolean {
  return (s.fields !== undefined && s.fields.length > 0) || (s.unavailable !== undefined && s.unavailable.length > 0) || s.where !== undefined;
}

/** The mapping without its mapped sources (an entry left without sources takes no event). */
export function withoutMappedSources(mapping: LogsourceMapping): LogsourceMapping {
  if (!mapping.logsources.some((e) => e.sources.some(isMappedSource))) return mapping;
  return { ...mapping, logsources: mapping.logsources.map((e) => (e.sources.some(isMappedSource) ? { ...e, sources: e.sources.filter((s) => !isMappedSource(s)) } : e)) };
}

/** A mapped source and the key that identifies it (equal sources share one key, and one view per event). */
export interface MappedSource {
  key: string;
  source: Source;
}

/** The distinct mapped sources of a mapping, in mapping order. */
export function mappedSources(mapping: LogsourceMapping): MappedSource[] {
  const out = new Map<string, MappedSource>();
  for (const e of mapping.logsources) {
    for (const s of e.sources) {
      if (!isMappedSource(s)) continue;
      const key = JSON.stringify(s);
      if (!out.has(key)) out.set(key, { key, source: s });
    }
  }
  return [...out.values()];
}
