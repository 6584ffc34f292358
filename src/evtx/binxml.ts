/**
 * Windows Binary XML (MS-EVEN6 §3.1.4.7 "BinXml"; libevtx "Binary XML") as stored in EVTX chunks.
 *
 * Technique: a recursive-descent parser over the token stream of one 64 KiB chunk, building a
 * small XML node tree. Names are stored once per chunk and referenced by chunk offset (inline
 * when the offset points just past the reference), so they are decoded once and cached by offset.
 * Templates work the same way: a template instance (token 0x0C) refers to a template definition
 * by chunk offset; the definition, stored inline the first time it is used, is parsed once per
 * chunk into a node tree holding substitution placeholders (tokens 0x0D normal and 0x0E optional)
 * and cached by offset. Each instance then supplies an array of typed values (descriptor table of
 * size/type pairs, then the value bytes), and {@link instantiate} copies the template tree with
 * the placeholders replaced by those values. A value of type BinXml (0x21) is itself a fragment
 * (often another template instance), parsed recursively and spliced in as nodes.
 *
 * Substitution semantics follow what evtx_dump-style renderings show: a NULL value contributes
 * nothing, so its element stays and becomes empty (JSON null); an attribute whose only content is
 * a NULL substitution is left out (`<Correlation/>`). MS-EVEN6 would drop the whole element for an
 * optional substitution; the JSON renderings this reader must match keep it.
 *
 * Two layout variants are recognised automatically: element starts carry a 2-byte dependency
 * identifier, except inside BinXml substitution values (libevtx notes); the parser prefers the
 * expected layout and falls back to the other one when the name offset only makes sense there.
 *
 * Every malformed structure throws {@link EvtxFormatError}; the record reader reports it and goes on.
 */
import { decodeUtf16, decodeValue, EvtxFormatError, formatGuid, ValueType } from './values.js';
import type { EvtxValue } from './values.js';

/** The chunk header's size (chunk.ts): no name lies before it. */
const NAMES_START = 512;

/** An XML element. */
export interface XmlElement {
  kind: 'element';
  name: string;
  attributes: XmlAttribute[];
  children: XmlNode[];
}

/** An attribute: its content is a list of value, reference and substitution nodes. */
export interface XmlAttribute {
  name: string;
  value: XmlNode[];
}

/** A typed value: literal text (always a string) or a substituted value of any type. */
export interface XmlValue {
  kind: 'value';
  value: EvtxValue;
}

/** A substitution placeholder inside a template definition (never in instantiated trees). */
export interface XmlSubstitution {
  kind: 'substitution';
  index: number;
  optional: boolean;
  /** The value type the template declares (the instance's descriptor type wins). */
  type: number;
}

/** A character reference `&#N;`. */
export interface XmlCharRef {
  kind: 'charref';
  code: number;
}

/** An entity reference `&name;`. */
export interface XmlEntityRef {
  kind: 'entityref';
  name: string;
}

/** A CDATA section. */
export interface XmlCData {
  kind: 'cdata';
  text: string;
}

/** A processing instruction `<?target data?>`. */
export interface XmlPI {
  kind: 'pi';
  target: string;
  data: string;
}

/** Any node of a parsed Binary XML tree. */
export type XmlNode = XmlElement | XmlValue | XmlSubstitution | XmlCharRef | XmlEntityRef | XmlCData | XmlPI;

/** A value supplied by a template instance: a decoded value, or a nested BinXml fragment's nodes. */
export type SubstitutionValue = { kind: 'value'; value: EvtxValue } | XmlFragment;

/** A template instance: its definition and its decoded values. */
export interface TemplateInstance {
  def: TemplateDefinition;
  values: SubstitutionValue[];
}

/**
 * A BinXml value: its nodes, instantiated. When the fragment is one template instance (how
 * Windows writes EventData), `instance` holds it, and `nodes` are instantiated only when read:
 * a flattened record reads the instance (to-flat.ts), only a rendered one the nodes.
 */
export interface XmlFragment {
  readonly kind: 'xml';
  readonly nodes: XmlNode[];
  readonly instance?: TemplateInstance;
}

/**
 * A fragment that is one template instance; its nodes instantiated on first read. A class, so
 * that the getter lives on the prototype (one per value otherwise).
 */
class InstanceFragment implements XmlFragment {
  readonly kind = 'xml' as const;
  #nodes: XmlNode[] | undefined = undefined;

  constructor(readonly instance: TemplateInstance) {}

  get nodes(): XmlNode[] {
    this.#nodes ??= instantiate(this.instance.def.nodes, this.instance.values);
    return this.#nodes;
  }
}

/** The NULL value (one object for all: values are never changed). */
const NULL_VALUE: SubstitutionValue = Object.freeze({ kind: 'value', value: null });

/** A parsed template definition. */
export interface TemplateDefinition {
  /** Chunk offset of the definition. */
  offset: number;
  /** The template GUID (upper-case, no braces). */
  guid: string;
  /** Size of the definition body (fragment header, element, end-of-stream token). */
  dataSize: number;
  nodes: XmlNode[];
}

/** Token codes (MS-EVEN6 §3.1.4.7.1); the 0x40 "more data" flag is masked off before comparing. */
const Token = {
  EndOfStream: 0x00,
  OpenStartElement: 0x01,
  CloseStartElement: 0x02,
  CloseEmptyElement: 0x03,
  EndElement: 0x04,
  Value: 0x05,
  Attribute: 0x06,
  CDataSection: 0x07,
  CharRef: 0x08,
  EntityRef: 0x09,
  PITarget: 0x0a,
  PIData: 0x0b,
  TemplateInstance: 0x0c,
  NormalSubstitution: 0x0d,
  OptionalSubstitution: 0x0e,
  FragmentHeader: 0x0f,
} as const;

const MORE = 0x40;
/** Nesting limit for elements and BinXml-in-BinXml, so hostile input cannot exhaust the stack. */
const MAX_DEPTH = 256;

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** A name reference met while parsing a template definition (position relative to its body). */
interface NameRefSeen {
  pos: number;
  /** The name is defined right there, in the body. */
  inline: boolean;
  name: string;
}

/**
 * A template definition as parsed in some chunk, for reuse in later chunks (every chunk defines
 * its templates anew, and a log repeats the same few): its body bytes, the name references in
 * it, and the nodes.
 */
interface SharedTemplate {
  body: Buffer;
  refs: NameRefSeen[];
  nodes: XmlNode[];
  /** Element nesting the parse went through (a reuse deeper down must stay within MAX_DEPTH). */
  depth: number;
}

const shared = new Map<string, SharedTemplate[]>();
const MAX_SHARED = 1024;
let sharing = true;

/** Turns the reuse of template definitions across chunks on or off (tests compare both). */
export function shareTemplates(on: boolean): void {
  sharing = on;
  shared.clear();
}

/**
 * Parses the Binary XML of one chunk. One instance per chunk: it caches the chunk's names and
 * template definitions by offset. `buf` is the whole chunk (offsets in the data are relative to it).
 */
export class ChunkBinXml {
  private readonly dv: DataView;
  private readonly names = new Map<number, string>();
  private readonly templates = new Map<number, TemplateDefinition>();
  private readonly parsing = new Set<number>();
  private depth = 0;
  /** While a template definition is parsed: its name references, body start, deepest nesting. */
  private refsSeen: NameRefSeen[] | undefined;
  private bodyStart = 0;
  /** The end of the definition being parsed (Infinity otherwise): reads past it are not compared on reuse. */
  private bodyEnd = Infinity;
  private deepest = 0;
  /** False once the definition being parsed depends on more than its bytes and names. */
  private shareable = true;

  /** `buf` is the chunk's bytes, starting at the chunk header. */
  constructor(readonly buf: Uint8Array) {
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Parses a record's event data, bytes [start, end) of the chunk, into instantiated nodes. */
  parseDocument(start: number, end: number): XmlNode[] {
    if (end > this.buf.length || start > end) throw new EvtxFormatError(`event data ${start}..${end} is outside the chunk`);
    return this.nodes(start, end, true, false)[0];
  }

  private u8(p: number): number {
    if (p >= this.buf.length) throw new EvtxFormatError(`unexpected end of chunk at offset ${hex(p)}`);
    return this.buf[p] as number;
  }

  private u16(p: number): number {
    if (p + 2 > this.buf.length) throw new EvtxFormatError(`unexpected end of chunk at offset ${hex(p)}`);
    return this.dv.getUint16(p, true);
  }

  private u32(p: number): number {
    if (p + 4 > this.buf.length) throw new EvtxFormatError(`unexpected end of chunk at offset ${hex(p)}`);
    return this.dv.getUint32(p, true);
  }

  /** A length-prefixed UTF-16 string (u16 character count, no terminator) at p; returns [text, next]. */
  private prefixedString(p: number, end: number): [string, number] {
    const n = this.u16(p);
    const next = p + 2 + 2 * n;
    if (next > end) throw new EvtxFormatError(`string at offset ${hex(p)} runs past its container`);
    return [decodeUtf16(this.buf, p + 2, 2 * n), next];
  }

  /** The name structure at chunk offset `off` (next-offset u32, hash u16, length u16, UTF-16, NUL). */
  private nameAt(off: number): { name: string; size: number } {
    const n = this.u16(off + 6);
    const size = 8 + 2 * n + 2;
    const cached = this.names.get(off);
    if (cached !== undefined) return { name: cached, size };
    if (off + size > this.buf.length) throw new EvtxFormatError(`name at offset ${hex(off)} runs past the end of the chunk`);
    const name = decodeUtf16(this.buf, off + 8, 2 * n);
    this.names.set(off, name);
    return { name, size };
  }

  /** A name reference (u32 chunk offset) at p, with the name inline when it points just past itself. */
  private nameRef(p: number, end: number): [string, number] {
    const off = this.u32(p);
    const after = p + 4;
    if (off === after) {
      const { name, size } = this.nameAt(off);
      if (after + size > end) throw new EvtxFormatError(`inline name at offset ${hex(off)} runs past its container`);
      this.refsSeen?.push({ pos: p - this.bodyStart, inline: true, name });
      return [name, after + size];
    }
    this.reads(after);
    if (off + 8 > this.buf.length) throw new EvtxFormatError(`name offset ${hex(off)} is outside the chunk`);
    const name = this.nameAt(off).name;
    if (this.refsSeen !== undefined) {
      // Reused only where a name lies before its reference, as element names must (plausibleName).
      if (off >= p) this.shareable = false;
      this.refsSeen.push({ pos: p - this.bodyStart, inline: false, name });
    }
    return [name, after];
  }

  /** True when a name offset read at `at` (for an element start) is plausible. */
  private plausibleName(at: number, end: number): boolean {
    if (at + 4 > end) return false;
    const off = this.dv.getUint32(at, true);
    if (off === at + 4) return off + 10 <= end && off + 10 + 2 * this.dv.getUint16(off + 6, true) <= end;
    // Names written earlier live in records, after the chunk header (an offset into the header, 0
    // above all, is the other layout's bytes read as a name).
    return off >= NAMES_START && off < at && off + 10 <= this.buf.length && off + 10 + 2 * this.dv.getUint16(off + 6, true) <= this.buf.length;
  }

  /**
   * Parses content tokens from p until end-of-stream (top level) or the end-element token
   * (`inElement`). Template instances are instantiated on the spot; substitution tokens are kept
   * as placeholders (they only occur inside template definitions). Returns [nodes, next offset].
   */
  private nodes(p: number, end: number, withDep: boolean, inElement: boolean): [XmlNode[], number] {
    const out: XmlNode[] = [];
    while (p < end) {
      const tok = this.u8(p);
      const base = tok & ~MORE;
      switch (base) {
        case Token.EndOfStream:
          if (inElement) throw new EvtxFormatError(`end of stream inside an element at offset ${hex(p)}`);
          return [out, p + 1];
        case Token.FragmentHeader:
          p += 4;
          break;
        case Token.TemplateInstance: {
          const [nodes, next] = this.templateInstance(p, end);
          for (const n of nodes) out.push(n);
          p = next;
          break;
        }
        case Token.OpenStartElement: {
          const [el, next] = this.element(p, end, withDep);
          out.push(el);
          p = next;
          break;
        }
        case Token.EndElement:
          if (!inElement) throw new EvtxFormatError(`unexpected end-element token at offset ${hex(p)}`);
          return [out, p + 1];
        case Token.PITarget: {
          const [target, next] = this.nameRef(p + 1, end);
          p = next;
          let data = '';
          if (p < end && this.u8(p) === Token.PIData) [data, p] = this.prefixedString(p + 1, end);
          out.push({ kind: 'pi', target, data });
          break;
        }
        default: {
          const [node, next] = this.contentToken(p, end);
          out.push(node);
          p = next;
        }
      }
    }
    if (inElement) throw new EvtxFormatError(`element not closed before offset ${hex(end)}`);
    return [out, p];
  }

  /** One text-like token: value text, CDATA, character/entity reference, substitution. */
  private contentToken(p: number, end: number): [XmlNode, number] {
    const tok = this.u8(p);
    switch (tok & ~MORE) {
      case Token.Value: {
        const type = this.u8(p + 1);
        if (type !== ValueType.String) throw new EvtxFormatError(`value text of type ${hex(type)} at offset ${hex(p)}`);
        const [text, next] = this.prefixedString(p + 2, end);
        return [{ kind: 'value', value: text }, next];
      }
      case Token.CDataSection: {
        const [text, next] = this.prefixedString(p + 1, end);
        return [{ kind: 'cdata', text }, next];
      }
      case Token.CharRef:
        this.reads(p + 3);
        return [{ kind: 'charref', code: this.u16(p + 1) }, p + 3];
      case Token.EntityRef: {
        const [name, next] = this.nameRef(p + 1, end);
        return [{ kind: 'entityref', name }, next];
      }
      case Token.NormalSubstitution:
      case Token.OptionalSubstitution:
        if (p + 4 > end) throw new EvtxFormatError(`substitution at offset ${hex(p)} runs past its container`);
        return [
          { kind: 'substitution', index: this.u16(p + 1), optional: tok === Token.OptionalSubstitution, type: this.u8(p + 3) },
          p + 4,
        ];
      default:
        throw new EvtxFormatError(`unexpected token ${hex(tok)} at offset ${hex(p)}`);
    }
  }

  /** An element: start (dependency id, size, name, attribute list), then `/>` or content and end. */
  private element(p: number, end: number, withDep: boolean): [XmlElement, number] {
    if (++this.depth > MAX_DEPTH) throw new EvtxFormatError(`elements nested deeper than ${MAX_DEPTH} at offset ${hex(p)}`);
    try {
      const hasAttributes = (this.u8(p) & MORE) !== 0;
      // Preferred layout: [dep u16][size u32][name u32]; the other: [size u32][name u32].
      let dep = withDep;
      if (!this.plausibleName(p + 1 + (dep ? 6 : 4), end)) {
        // The other layout is weighed from bytes a reuse would not compare: parse such a definition every time.
        this.shareable = false;
        if (this.plausibleName(p + 1 + (dep ? 4 : 6), end)) dep = !dep;
      }
      if (this.depth > this.deepest) this.deepest = this.depth;
      let q = p + 1 + (dep ? 2 : 0);
      const dataSize = this.u32(q);
      q += 4;
      this.reads(q);
      const elementEnd = Math.min(end, q + dataSize);
      const [name, afterName] = this.nameRef(q, elementEnd);
      q = afterName;
      const attributes: XmlAttribute[] = [];
      if (hasAttributes) {
        const listSize = this.u32(q);
        q += 4;
        const listEnd = q + listSize;
        if (listEnd > elementEnd) throw new EvtxFormatError(`attribute list of <${name}> at offset ${hex(p)} runs past the element`);
        while (q < listEnd) {
          const tok = this.u8(q);
          if ((tok & ~MORE) !== Token.Attribute) throw new EvtxFormatError(`expected an attribute of <${name}> at offset ${hex(q)}, found token ${hex(tok)}`);
          const [attrName, afterAttrName] = this.nameRef(q + 1, listEnd);
          q = afterAttrName;
          const value: XmlNode[] = [];
          while (q < listEnd && isAttributeContent(this.u8(q))) {
            const [node, next] = this.contentToken(q, listEnd);
            value.push(node);
            q = next;
          }
          attributes.push({ name: attrName, value });
        }
      }
      const close = this.u8(q);
      this.reads(q + 1);
      if (close === Token.CloseEmptyElement) return [{ kind: 'element', name, attributes, children: [] }, q + 1];
      if (close !== Token.CloseStartElement) throw new EvtxFormatError(`expected the end of the start tag of <${name}> at offset ${hex(q)}, found token ${hex(close)}`);
      const [children, next] = this.nodes(q + 1, elementEnd, withDep, true);
      return [{ kind: 'element', name, attributes, children }, next];
    } finally {
      this.depth--;
    }
  }

  /** The template definition at chunk offset `off`, parsed once per chunk. */
  template(off: number): TemplateDefinition {
    const cached = this.templates.get(off);
    if (cached !== undefined) return cached;
    if (off < 0 || off + 24 > this.buf.length) throw new EvtxFormatError(`template definition offset ${hex(off)} is outside the chunk`);
    if (this.parsing.has(off)) throw new EvtxFormatError(`template definition at ${hex(off)} refers to itself`);
    const dataSize = this.u32(off + 20);
    const bodyEnd = off + 24 + dataSize;
    if (bodyEnd > this.buf.length) throw new EvtxFormatError(`template definition at ${hex(off)} runs past the end of the chunk`);
    const guid = formatGuid(this.buf, off + 4);
    const key = `${guid}|${dataSize}`;
    const reuse = sharing ? this.sharedTemplate(key, off + 24, bodyEnd) : undefined;
    if (reuse !== undefined) {
      const def: TemplateDefinition = { offset: off, guid, dataSize, nodes: reuse.nodes };
      this.templates.set(off, def);
      return def;
    }
    this.parsing.add(off);
    const outer = { refsSeen: this.refsSeen, bodyStart: this.bodyStart, bodyEnd: this.bodyEnd, deepest: this.deepest, shareable: this.shareable };
    this.refsSeen = [];
    this.bodyStart = off + 24;
    this.bodyEnd = bodyEnd;
    this.deepest = this.depth;
    this.shareable = true;
    try {
      const nodes = this.nodes(off + 24, bodyEnd, true, false)[0];
      const def: TemplateDefinition = { offset: off, guid, dataSize, nodes };
      this.templates.set(off, def);
      if (sharing && this.shareable) this.share(key, { body: Buffer.from(this.buf.subarray(off + 24, bodyEnd)), refs: this.refsSeen, nodes, depth: this.deepest - this.depth });
      return def;
    } finally {
      this.parsing.delete(off);
      this.refsSeen = outer.refsSeen;
      this.bodyStart = outer.bodyStart;
      this.bodyEnd = outer.bodyEnd;
      this.deepest = outer.deepest;
      // A nested definition's parse leaves the outer one unshareable (set in templateValues).
      this.shareable = outer.shareable;
    }
  }

  /**
   * Notes a read up to `upTo`: a definition whose parse read past its own body (the parser is
   * lenient at a few container ends) depends on bytes a reuse would not compare, and is not kept.
   */
  private reads(upTo: number): void {
    if (upTo > this.bodyEnd) this.shareable = false;
  }

  private share(key: string, t: SharedTemplate): void {
    let list = shared.get(key);
    if (list === undefined) {
      if (shared.size >= MAX_SHARED) shared.clear();
      shared.set(key, (list = []));
    }
    if (list.length < 4) list.push(t);
  }

  /**
   * A definition parsed in an earlier chunk whose parse this one would repeat: the same bytes
   * except where names are referenced, the same names there (an inline name's link to the next
   * name of its chunk aside), each name before its reference, and room for its nesting.
   */
  private sharedTemplate(key: string, start: number, end: number): SharedTemplate | undefined {
    const list = shared.get(key);
    if (list === undefined) return undefined;
    for (const t of list) if (this.depth + t.depth <= MAX_DEPTH && this.sameBody(t, start, end)) return t;
    return undefined;
  }

  private sameBody(t: SharedTemplate, start: number, end: number): boolean {
    const body = t.body;
    if (end - start !== body.length) return false;
    let at = 0;
    for (const r of t.refs) {
      if (!sameBytes(body, at, this.buf, start + at, r.pos - at)) return false;
      const p = start + r.pos;
      if (p + 4 > end) return false;
      const off = this.dv.getUint32(p, true);
      if (r.inline) {
        if (off !== p + 4) return false;
        at = r.pos + 8; // the link to the chunk's next name differs; hash, length and text are compared
      } else {
        if (off >= p || off + 10 > this.buf.length) return false;
        let name: string;
        try {
          name = this.nameAt(off).name;
        } catch {
          return false;
        }
        if (name !== r.name) return false;
        at = r.pos + 4;
      }
    }
    return sameBytes(body, at, this.buf, start + at, body.length - at);
  }

  /**
   * A template instance: [0x0C][unknown u8][template id u32][definition offset u32], the definition
   * itself when it is inline, then the instance data: value count u32, count × (size u16, type u8,
   * 0 u8), the value bytes. Returns the instantiated nodes and the offset after the values.
   */
  private templateInstance(p: number, end: number): [XmlNode[], number] {
    const { def, values, next } = this.templateValues(p, end);
    return [instantiate(def.nodes, values), next];
  }

  /**
   * A record that is one template instance (how Windows writes records): its definition and
   * values, for rendering without building the instantiated tree ({@link templateJson}). Any
   * other record gives undefined. Throws on malformed data, as {@link parseDocument} does.
   */
  parseInstance(start: number, end: number): { def: TemplateDefinition; values: SubstitutionValue[] } | undefined {
    if (end > this.buf.length || start > end) throw new EvtxFormatError(`event data ${start}..${end} is outside the chunk`);
    let p = start;
    if (p < end && (this.u8(p) & ~MORE) === Token.FragmentHeader) p += 4;
    if (p >= end || (this.u8(p) & ~MORE) !== Token.TemplateInstance) return undefined;
    const { def, values, next } = this.templateValues(p, end);
    // Only an end of stream may follow (anything else: the general path).
    if (next >= end || (this.u8(next) & ~MORE) !== Token.EndOfStream) return undefined;
    return { def, values };
  }

  /** The definition and the decoded values of the template instance at p, and the offset after it. */
  private templateValues(p: number, end: number): { def: TemplateDefinition; values: SubstitutionValue[]; next: number } {
    // Inside a definition, an instance refers to another definition by its offset in this chunk.
    if (this.refsSeen !== undefined) this.shareable = false;
    let q = p + 2 + 4;
    const defOff = this.u32(q);
    q += 4;
    const def = this.template(defOff);
    if (defOff === q) q += 24 + def.dataSize;
    const count = this.u32(q);
    q += 4;
    if (q + 4 * count > end) throw new EvtxFormatError(`template instance at ${hex(p)} declares ${count} values, more than fit`);
    let v = q + 4 * count;
    const values: SubstitutionValue[] = new Array<SubstitutionValue>(count);
    for (let i = 0; i < count; i++) {
      const size = this.u16(q + 4 * i);
      const type = this.u8(q + 4 * i + 2);
      if (v + size > end) throw new EvtxFormatError(`value ${i} of the template instance at ${hex(p)} runs past the record`);
      values[i] = this.substitutionValue(type, v, size);
      v += size;
    }
    return { def, values, next: v };
  }

  /**
   * A BinXml value that is exactly one template instance (a fragment header, the instance, then
   * the end of the stream or of the value), as {@link nodes} would read it; undefined for any
   * other fragment, which is then parsed as nodes (the definition parse is cached, so nothing is
   * decoded twice but the values of a rare odd fragment). Throws as {@link nodes} would.
   */
  private soleInstance(start: number, end: number): TemplateInstance | undefined {
    let p = start;
    if (p < end && (this.u8(p) & ~MORE) === Token.FragmentHeader) p += 4;
    if (p >= end || (this.u8(p) & ~MORE) !== Token.TemplateInstance) return undefined;
    const { def, values, next } = this.templateValues(p, end);
    if (next !== end && (next > end || (this.u8(next) & ~MORE) !== Token.EndOfStream)) return undefined;
    return { def, values };
  }

  /** Decodes one instance value; BinXml values are parsed as nested fragments. */
  private substitutionValue(type: number, start: number, size: number): SubstitutionValue {
    if (type === ValueType.BinXml || type === ValueType.EvtXml) {
      if (size === 0) return { kind: 'value', value: null };
      if (++this.depth > MAX_DEPTH) throw new EvtxFormatError(`BinXml values nested deeper than ${MAX_DEPTH}`);
      try {
        const instance = this.soleInstance(start, start + size);
        if (instance !== undefined) return new InstanceFragment(instance);
        return { kind: 'xml', nodes: this.nodes(start, start + size, false, false)[0] };
      } finally {
        this.depth--;
      }
    }
    const value = decodeValue(this.buf, type, start, size);
    return value === null ? NULL_VALUE : { kind: 'value', value };
  }
}

/** `n` bytes of `a` from `i` equal to those of `b` from `j`? (The stretches between names are short: a loop beats a native call per stretch.) */
function sameBytes(a: Uint8Array, i: number, b: Uint8Array, j: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (a[i + k] !== b[j + k]) return false;
  return true;
}

function isAttributeContent(tok: number): boolean {
  const base = tok & ~MORE;
  return (
    base === Token.Value ||
    base === Token.CharRef ||
    base === Token.EntityRef ||
    base === Token.CDataSection ||
    base === Token.NormalSubstitution ||
    base === Token.OptionalSubstitution
  );
}

export function hasSubstitution(nodes: readonly XmlNode[]): boolean {
  return nodes.some((n) => n.kind === 'substitution');
}

/**
 * Copies a template tree with every substitution replaced by its value: a NULL (or missing) value
 * gives nothing, a BinXml value its nodes, anything else a value node. An attribute whose content
 * was substitutions that all gave nothing is dropped.
 */
export function instantiate(nodes: readonly XmlNode[], values: readonly SubstitutionValue[]): XmlNode[] {
  const out: XmlNode[] = [];
  for (const n of nodes) {
    switch (n.kind) {
      case 'substitution': {
        const v = values[n.index];
        if (v === undefined) break;
        if (v.kind === 'xml') for (const x of v.nodes) out.push(x);
        else if (v.value !== null) out.push({ kind: 'value', value: v.value });
        break;
      }
      case 'element': {
        const attributes: XmlAttribute[] = [];
        for (const a of n.attributes) {
          if (!hasSubstitution(a.value)) {
            attributes.push(a);
            continue;
          }
          const value = instantiate(a.value, values);
          if (value.length > 0) attributes.push({ name: a.name, value });
        }
        out.push({ kind: 'element', name: n.name, attributes, children: instantiate(n.children, values) });
        break;
      }
      default:
        out.push(n);
    }
  }
  return out;
}
