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
 * One way a logsource's events can be recognised. Every criterion that is present must hold;
 * an absent criterion accepts anything, so `{}` accepts every event.
 */
export interface Source {
  /** Windows event log channels (field `Channel`), any of them; compared case-insensitively. */
  channels?: string[];
  /** Event IDs (field `EventID`), any of them; compared numerically. */
  eventIds?: number[];
  /** Provider name (field `Provider_Name`), compared case-insensitively. */
  provider?: string;
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
