/**
 * The nodes of a YAML document as sigmatest reads it (see yaml-tree.ts for how they are built),
 * the YAML 1.2 core-schema resolution of plain scalars, and plain-data access to nodes. Both
 * readers (the fast one for the common subset and the complete one on js-yaml's events) build
 * these.
 */
import type { Diagnostic } from '../diagnostics/diagnostics.js';
import { assertNever } from '../diagnostics/diagnostics.js';
import { setOwnField } from '../util/own-field.js';

/** A resolved scalar value. Numbers keep the text they were written as. */
export type YScalarValue =
  | { type: 'string'; text: string }
  | { type: 'number'; value: number; text: string }
  | { type: 'bool'; value: boolean; text: string }
  | { type: 'null'; text: string };

export interface YScalar {
  kind: 'scalar';
  value: YScalarValue;
  /** true when written without quotes or block style. */
  plain: boolean;
  offset: number;
}
export interface YSeq {
  kind: 'seq';
  items: YNode[];
  offset: number;
}
export interface YMapEntry {
  key: string;
  keyNode: YScalar;
  value: YNode;
}
export interface YMap {
  kind: 'map';
  entries: YMapEntry[];
  offset: number;
}
export type YNode = YScalar | YSeq | YMap;

/** One YAML document of a file: its tree (null when empty) and a way to locate offsets. */
export interface YDocument {
  root: YNode | null;
  /** Offset of the document's first node, for diagnostics about the whole document. */
  offset: number;
  /** True when this document had a YAML error (duplicate key, bad tag…): its tree is not to be trusted. */
  broken: boolean;
}

export interface YParseResult {
  documents: YDocument[];
  diagnostics: Diagnostic[];
}

const CORE_INT = /^[-+]?[0-9]+$/;
const CORE_OCT = /^0o[0-7]+$/;
const CORE_HEX = /^0x[0-9a-fA-F]+$/;
const CORE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const CORE_INF = /^[-+]?\.(inf|Inf|INF)$/;
const CORE_NAN = /^\.(nan|NaN|NAN)$/;

/** Resolves a plain scalar by the YAML 1.2 core schema. */
export function resolvePlainScalar(text: string): YScalarValue {
  if (text === '' || text === '~' || text === 'null' || text === 'Null' || text === 'NULL') {
    return { type: 'null', text };
  }
  if (text === 'true' || text === 'True' || text === 'TRUE') return { type: 'bool', value: true, text };
  if (text === 'false' || text === 'False' || text === 'FALSE') return { type: 'bool', value: false, text };
  if (CORE_INT.test(text)) return { type: 'number', value: Number.parseInt(text, 10), text };
  if (CORE_OCT.test(text)) return { type: 'number', value: Number.parseInt(text.slice(2), 8), text };
  if (CORE_HEX.test(text)) return { type: 'number', value: Number.parseInt(text.slice(2), 16), text };
  if (CORE_FLOAT.test(text)) return { type: 'number', value: Number.parseFloat(text), text };
  if (CORE_INF.test(text)) return { type: 'number', value: text.startsWith('-') ? -Infinity : Infinity, text };
  if (CORE_NAN.test(text)) return { type: 'number', value: Number.NaN, text };
  return { type: 'string', text };
}


/**
 * Converts a node to plain JS data (strings for string scalars, numbers, booleans, null), every
 * mapping key an own property as `JSON.parse` makes them (`__proto__` included, see
 * util/own-field.ts).
 */
export function toPlain(n: YNode | null): unknown {
  if (n === null) return null;
  switch (n.kind) {
    case 'scalar':
      return n.value.type === 'string' ? n.value.text : n.value.type === 'null' ? null : n.value.value;
    case 'seq':
      return n.items.map(toPlain);
    case 'map': {
      const o: Record<string, unknown> = {};
      for (const e of n.entries) setOwnField(o, e.key, toPlain(e.value));
      return o;
    }
    default:
      return assertNever(n);
  }
}

/** The entry of a map node by key. */
export function mapGet(m: YMap, key: string): YNode | undefined {
  return m.entries.find((e) => e.key === key)?.value;
}
