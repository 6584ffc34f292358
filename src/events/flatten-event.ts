/**
 * Flattening of Windows events given as EVTX-JSON into the flat field names Sigma rules use.
 *
 * Sigma rules for Windows name fields the way Sysmon and the Windows XML do (`Image`,
 * `Provider_Name`), while EVTX-to-JSON converters (evtx_dump, python-evtx + xmltodict, SigmaHQ's
 * regression data) nest them under `Event.System` and `Event.EventData`. This module turns such a
 * record into one flat object, naming fields like SigmaHQ tooling and Zircolite do, so that the
 * evaluator's field access (semantics §2) applies directly. Everything else is left alone.
 *
 * Flattening rules:
 *
 * 1. An event is EVTX-JSON when it is an object whose `Event` value is an object with a `System`
 *    object, or (without the wrapper) an object with a `System` object and an `EventData` or
 *    `UserData` key. Any other object is returned unchanged (same reference); nested objects are
 *    resolved later by the evaluator's dotted field access. A non-object gives `{}` (the reader
 *    reports such values as `EVENT_NOT_OBJECT` and never flattens them).
 * 2. System children keep their element name: `EventID`, `Version`, `Level`, `Task`, `Opcode`,
 *    `Keywords`, `EventRecordID`, `Channel`, `Computer`, `Correlation`, `Security`...
 * 3. XML attributes (`#attributes` objects, or xmltodict-style `@Name` keys) are joined to their
 *    element with `_`: `Provider_Name`, `Provider_Guid`, `Provider_EventSourceName`,
 *    `TimeCreated_SystemTime`, `Execution_ProcessID`, `Execution_ThreadID`, `Security_UserID`,
 *    `Correlation_ActivityID`. `xmlns` attributes are dropped.
 * 4. An element with `#text` gives the text under its own name, next to its attributes:
 *    `{"EventID": {"#attributes": {"Qualifiers": 0}, "#text": 4625}}` gives `EventID` = 4625 and
 *    `EventID_Qualifiers` = 0. An element with only attributes gives only the `_` fields; an
 *    empty element (`{}`) or `null` gives the field with value null.
 * 5. EventData fields are named by their name with whitespace removed (`Product Name` →
 *    `ProductName`). `EventData` may be a plain name→value object (SigmaHQ, evtx_dump), or hold
 *    `Data` as a name→value object, or as an array of `{"#attributes": {"Name": n}, "#text": v}`
 *    (also `{"@Name": n, "#text": v}`); a named `Data` without `#text` has value null.
 * 6. `Data` values without a name (PowerShell classic 400/600/800, many System/Application
 *    events; also `{"Data": {"#text": [...]}}`) are collected, in order, into one field `Data`
 *    that is always an array (multi-valued: a value test succeeds when any element matches).
 * 7. `UserData` (and any other section of `Event` besides `System`, such as `RenderingInfo`) is
 *    flattened by leaf element name, at any depth: `UserData.EventXML.Param1` → `Param1`, with
 *    attributes joined by `_` as in rule 3.
 * 8. System fields win: an EventData/UserData field whose name is already a System field (for
 *    example `UserData.LogFileCleared.Channel`) does not overwrite it and is kept under
 *    `<Section>.<Name>` instead (`UserData.Channel`), a key the evaluator finds by exact name.
 * 9. Two non-System fields with the same name (repeated elements) become one array field holding
 *    all values in document order.
 * 10. Values keep their JSON types: numbers stay numbers, strings stay strings (`"0x8000..."`
 *    Keywords too), null stays null, arrays of scalars stay arrays. Nothing is trimmed or renamed
 *    beyond the rules above.
 * 11. Any name is an ordinary own field, `constructor` and `__proto__` included.
 */

import { setOwnField } from '../util/own-field.js';
import { isJsonObject } from '../util/json-object.js';
import { pushAll } from '../util/arrays.js';

/** A flat event: field name → JSON value, as the evaluator sees it. */
export type FlatEvent = Record<string, unknown>;

const ATTRS = '#attributes';
const TEXT = '#text';

type Obj = Record<string, unknown>;

/** The `Event` body of an EVTX-JSON record, or undefined when `raw` is not one. */
function evtxBody(raw: Obj): Obj | undefined {
  const wrapped = raw['Event'];
  if (isJsonObject(wrapped) && isJsonObject(wrapped['System'])) return wrapped;
  if (isJsonObject(raw['System']) && ('EventData' in raw || 'UserData' in raw)) return raw;
  return undefined;
}

/** True when `raw` is an EVTX-JSON record that {@link flattenEvent} would flatten. */
export function isEvtxJson(raw: unknown): boolean {
  return isJsonObject(raw) && evtxBody(raw) !== undefined;
}

const SPACE = /\s/;
/** Names seen, without their whitespace: the same few dozen names recur in every record. */
const names = new Map<string, string>();

/** Field names may not carry spaces (`Product Name` → `ProductName`). */
export function fieldName(name: string): string {
  let n = names.get(name);
  if (n === undefined) {
    n = SPACE.test(name) ? name.replace(/\s+/g, '') : name;
    if (names.size >= 4096) names.clear();
    names.set(name, n);
  }
  return n;
}

export function isXmlns(attr: string): boolean {
  return attr === 'xmlns' || attr.startsWith('xmlns:');
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Is `k` the key of a child element (neither `#...` nor `@...`)? */
export function isChildKey(k: string): boolean {
  const c = k.charCodeAt(0);
  return c !== 0x23 /* # */ && c !== 0x40 /* @ */;
}

/**
 * Builds one flat event; tracks which names System set and which fields became multi-valued.
 * Both are rare questions (a name met twice), so both are answered from lists kept small.
 */
class FlatBuilder {
  readonly out: FlatEvent = {};
  private readonly systemNames: string[] = [];
  private multi: string[] | undefined;

  /** Sets a field. `section` is `System` or the name of the section the value comes from. */
  put(section: string, name: string, value: unknown): void {
    const out = this.out;
    // Own keys only: a field named like an Object.prototype member (`constructor`) is a field.
    if (!hasOwn.call(out, name)) {
      // System comes first: a key not yet set is set by its section for the first time.
      if (section === 'System') this.systemNames.push(name);
      setOwnField(out, name, value);
      return;
    }
    if (section !== 'System' && this.systemNames.includes(name)) {
      const key = `${section}.${name}`;
      if (hasOwn.call(out, key)) this.append(key, value);
      else setOwnField(out, key, value);
      return;
    }
    this.append(name, value);
  }

  /** Turns a field into an array of all its values (repeated elements), then adds `value`. */
  private append(name: string, value: unknown): void {
    const values = Array.isArray(value) ? value : [value];
    const multi = (this.multi ??= []);
    if (multi.includes(name)) {
      pushAll(this.out[name] as unknown[], values);
      return;
    }
    const prev = this.out[name];
    setOwnField(this.out, name, [...(Array.isArray(prev) ? prev : [prev]), ...values]);
    multi.push(name);
  }

  /** Flattens one element (System child, EventData field, UserData node) named `name`. */
  element(section: string, name: string, value: unknown): void {
    if (Array.isArray(value)) {
      // A repeated element: each occurrence contributes; plain scalars stay one array field.
      if (value.every((v) => !isJsonObject(v) && !Array.isArray(v))) this.put(section, name, value);
      else for (const v of value) this.element(section, name, v);
      return;
    }
    if (!isJsonObject(value)) {
      this.put(section, name, value);
      return;
    }
    // One pass: attributes (`#attributes` entries, xmltodict `@x` keys; xmlns dropped) first,
    // then the text, then child elements, so that the order of fields is stable.
    let empty = true;
    let children: string[] | undefined;
    for (const k in value) {
      empty = false;
      const v = value[k];
      if (k === ATTRS) {
        if (isJsonObject(v)) for (const a in v) if (!isXmlns(a)) this.put(section, `${name}_${fieldName(a)}`, v[a]);
      } else if (k.charCodeAt(0) === 0x40 /* @ */) {
        const a = k.slice(1);
        if (!isXmlns(a)) this.put(section, `${name}_${fieldName(a)}`, v);
      } else if (k.charCodeAt(0) !== 0x23 /* # */) (children ??= []).push(k);
    }
    if (TEXT in value) this.put(section, name, value[TEXT]);
    else if (empty) this.put(section, name, null);
    if (children !== undefined) for (const k of children) this.element(section, fieldName(k), value[k]);
  }
}

/** Flattens `EventData`: named fields by name, unnamed `Data` values into one `Data` array. */
function flattenEventData(b: FlatBuilder, data: unknown): void {
  const unnamed: unknown[] = [];
  const addUnnamed = (v: unknown): void => {
    if (Array.isArray(v)) pushAll(unnamed, v);
    else unnamed.push(v);
  };
  const dataItem = (item: unknown): void => {
    if (Array.isArray(item)) {
      for (const x of item) dataItem(x);
      return;
    }
    if (!isJsonObject(item)) {
      addUnnamed(item);
      return;
    }
    const attrs = item[ATTRS];
    const name = isJsonObject(attrs) && typeof attrs['Name'] === 'string' ? attrs['Name'] : item['@Name'];
    if (typeof name === 'string') {
      b.put('EventData', fieldName(name), TEXT in item ? item[TEXT] : null);
    } else if (TEXT in item) {
      addUnnamed(item[TEXT]);
    } else {
      // `Data` given as a plain name → value object.
      for (const k in item) if (isChildKey(k)) b.element('EventData', fieldName(k), item[k]);
    }
  };

  if (data === null || data === undefined) return;
  if (!isJsonObject(data)) {
    addUnnamed(data);
  } else {
    for (const k in data) {
      const v = data[k];
      if (k === 'Data') dataItem(v);
      else if (k === TEXT) addUnnamed(v);
      else if (isChildKey(k)) b.element('EventData', fieldName(k), v);
    }
  }
  if (unnamed.length > 0) b.put('EventData', 'Data', unnamed);
}

/**
 * Flattens an EVTX-JSON record (see the rules at the top of this file); returns any other object
 * unchanged and `{}` for a non-object.
 */
export function flattenEvent(raw: unknown): FlatEvent {
  if (!isJsonObject(raw)) return {};
  const body = evtxBody(raw);
  if (body === undefined) return raw;
  const b = new FlatBuilder();
  const system = body['System'] as Obj;
  for (const k in system) if (isChildKey(k)) b.element('System', k, system[k]);
  for (const k in body) {
    if (k === 'System' || !isChildKey(k)) continue;
    const v = body[k];
    if (k === 'EventData') flattenEventData(b, v);
    else if (isJsonObject(v)) {
      for (const ck in v) if (isChildKey(ck)) b.element(k, fieldName(ck), v[ck]);
    } else if (v !== null && v !== undefined) b.element(k, fieldName(k), v);
  }
  return b.out;
}
