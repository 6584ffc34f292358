/**
 * Data types of logsource mappings. A mapping is plain JSON-able data (no functions, no Sets) so
 * that the built-in one, a user's YAML file and a merge of both all have one shape, can be
 * printed, and can be compared in tests. Fast lookups are compiled from it (see logsource.ts).
 */

/** A rule's `logsource`: category, product and service select events; `definition` is prose. */
export interface Logsource {
  category?: string;
  product?: string;
  service?: string;
  definition?: string;
}

/**
 * A value transformation of a field mapping (see source-view.ts for each one's exact rule):
 * - `copy`: the source field's value;
 * - `number`: a process id or other number, `0x1a2b` (hexadecimal) or `6699`, as a number;
 * - `integrity-level`: a mandatory label SID as Sysmon names the level (`S-1-16-12288` → `High`);
 * - `account`: `[sid, domain, name]` as `DOMAIN\name`, well-known SIDs by their own name
 *   (`S-1-5-18` → `NT AUTHORITY\SYSTEM`);
 * - `logon-id`: `[target logon id, target user name, subject logon id]`: the target's session when
 *   a target account is named (4688's new process may run as another user), else the subject's;
 * - `registry-path`: `[key, value name]` as Sysmon's `TargetObject` (`\REGISTRY\MACHINE\...` →
 *   `HKLM\...`, `\REGISTRY\USER\<SID>` → `HKU\<SID>`, the value name appended);
 * - `registry-details`: `[value type, value]` of Security 4657 as Sysmon's `Details`
 *   (`DWORD (0x00000001)`, text as it is, `Binary Data`);
 * - `is-ipv6`: `true` or `false` as text, whether the address has a colon;
 * - `values`: a table of the source field's values (`values:`); a value not in it is unknown.
 */
export type FieldTransform = 'copy' | 'number' | 'integrity-level' | 'account' | 'logon-id' | 'registry-path' | 'registry-details' | 'is-ipv6' | 'values';

/**
 * How one field a rule reads is derived from an event of a source: from the first alternative
 * whose fields the event holds (not absent, null, empty or `-`), through the transform. When no
 * alternative applies, or the transform has no answer, the field is unknown for that event.
 */
export interface FieldDerivation {
  /** The field rules read (`Image`). */
  field: string;
  /** Alternatives, each the event fields the transform takes (`[['NewProcessName']]`). */
  from: string[][];
  transform: FieldTransform;
  /** For `values`: source value → field value. */
  values?: Record<string, string | number | boolean>;
  /** Only for events whose fields hold one of these values (any case), e.g. `{Direction: ['%%14593']}`. */
  when?: Record<string, string[]>;
}

/**
 * One way a logsource's events can be recognised. Every criterion that is present must hold;
 * an absent criterion accepts anything, so `{}` accepts every event.
 *
 * A source may also say how its events look to rules of the logsource (`fields`): a Security
 * 4688 event seen by a process_creation rule has `Image` from `NewProcessName`, `ProcessId` from
 * the hexadecimal `NewProcessId`, and so on. Such a source applies only to events that hold its
 * criteria (at least one of them present, all present ones matching); `unavailable` lists the
 * fields of the logsource's usual shape the source never records, so that no match depends on
 * them (see source-view.ts).
 */
export interface Source {
  /** Windows event log channels (field `Channel`), any of them; compared case-insensitively. */
  channels?: string[];
  /** Event IDs (field `EventID`), any of them; compared numerically. */
  eventIds?: number[];
  /** Provider name (field `Provider_Name`), compared case-insensitively. */
  provider?: string;
  /** Other fields the events hold, each one of the values listed (any case), e.g. `{ObjectType: ['File']}`. */
  where?: Record<string, string[]>;
  /** How the source's events look to rules of this logsource: derived fields (see {@link FieldDerivation}). */
  fields?: FieldDerivation[];
  /** Fields rules of this logsource read that the source never records: unknown, never decisive. */
  unavailable?: string[];
}

/** The sources of one logsource; an event belongs to it when it matches any of them. */
export interface LogsourceEntry {
  category?: string;
  product?: string;
  service?: string;
  /** Alternatives (e.g. Sysmon 1 or Security 4688 for process_creation). */
  sources: Source[];
  /**
   * Only meaningful in a mapping merged over another: true adds these sources to the base
   * entry's instead of replacing them.
   */
  append?: boolean;
}

/** Display information for one event ID of one channel. */
export interface EventTitle {
  channel: string;
  eventId: number;
  /** Short provider name for display, e.g. `Sysmon`. */
  provider: string;
  title: string;
}

/** A complete logsource mapping: which events each logsource covers, and event titles. */
export interface LogsourceMapping {
  logsources: LogsourceEntry[];
  events: EventTitle[];
}
