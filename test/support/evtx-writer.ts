/**
 * A small EVTX writer, for building synthetic `.evtx` files in tests (value types, templates,
 * nested BinXml, corruption) without shipping binary fixtures.
 *
 * Technique: the mirror image of the reader. A {@link ChunkWriter} fills one 64 KiB chunk buffer
 * from offset 512 on, writing Binary XML tokens at their final chunk offsets: names and template
 * definitions are written inline the first time and referenced by offset afterwards (as Windows
 * does), element and attribute-list sizes are patched once their content is written, and the
 * chunk header with its two CRC32s is filled in by {@link ChunkWriter.finish}.
 * {@link buildEvtxFile} puts a file header (with its CRC32) in front of finished chunks.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { CHUNK_SIGNATURE } from '../../src/evtx/chunk.js';
import { CHUNK_SIZE, FILE_HEADER_SIZE, FILE_SIGNATURE } from '../../src/evtx/file-header.js';
import { ValueType } from '../../src/evtx/values.js';

/** Text-like content of an element or attribute. */
export type SynthContent =
  | { text: string }
  | { sub: number; type: number; optional?: boolean }
  | { charref: number }
  | { entity: string }
  | { cdata: string };

/** A node to write: an element, text-like content, or a processing instruction. */
export type SynthNode =
  | { el: string; attrs?: Array<[string, SynthContent[]]>; children?: SynthNode[] }
  | SynthContent
  | { pi: string; data: string };

/** A template instance: the definition (cached in the chunk by `key`) and the values. */
export interface SynthTemplate {
  key: string;
  nodes: SynthNode[];
  values: SynthValue[];
}

/** A substitution value: raw bytes of a type, or a nested BinXml fragment (type 0x21). */
export type SynthValue = { type: number; bytes: Uint8Array } | { xml: SynthTemplate | SynthNode[]; dependencyIds?: boolean };

function utf16(s: string): Buffer {
  return Buffer.from(s, 'utf16le');
}

/** Encoders for substitution values of every scalar type. */
export const synthValue = {
  null: (): SynthValue => ({ type: ValueType.Null, bytes: new Uint8Array(0) }),
  /** A UTF-16 string with its NUL terminator, as Windows writes it. */
  string: (s: string): SynthValue => ({ type: ValueType.String, bytes: utf16(`${s}\0`) }),
  ansi: (s: string): SynthValue => ({ type: ValueType.AnsiString, bytes: Buffer.from(`${s}\0`, 'latin1') }),
  int8: (n: number): SynthValue => ({ type: ValueType.Int8, bytes: Uint8Array.of(n & 0xff) }),
  uint8: (n: number): SynthValue => ({ type: ValueType.UInt8, bytes: Uint8Array.of(n) }),
  int16: (n: number): SynthValue => fixed(ValueType.Int16, 2, (b) => b.writeInt16LE(n)),
  uint16: (n: number): SynthValue => fixed(ValueType.UInt16, 2, (b) => b.writeUInt16LE(n)),
  int32: (n: number): SynthValue => fixed(ValueType.Int32, 4, (b) => b.writeInt32LE(n)),
  uint32: (n: number): SynthValue => fixed(ValueType.UInt32, 4, (b) => b.writeUInt32LE(n)),
  int64: (n: bigint): SynthValue => fixed(ValueType.Int64, 8, (b) => b.writeBigInt64LE(n)),
  uint64: (n: bigint): SynthValue => fixed(ValueType.UInt64, 8, (b) => b.writeBigUInt64LE(n)),
  real32: (n: number): SynthValue => fixed(ValueType.Real32, 4, (b) => b.writeFloatLE(n)),
  real64: (n: number): SynthValue => fixed(ValueType.Real64, 8, (b) => b.writeDoubleLE(n)),
  bool: (v: boolean): SynthValue => fixed(ValueType.Bool, 4, (b) => b.writeUInt32LE(v ? 1 : 0)),
  binary: (hex: string): SynthValue => ({ type: ValueType.Binary, bytes: Buffer.from(hex, 'hex') }),
  guid: (g: string): SynthValue => ({ type: ValueType.Guid, bytes: guidBytes(g) }),
  sizeT: (n: bigint, width: 4 | 8 = 8): SynthValue =>
    fixed(ValueType.SizeT, width, (b) => (width === 8 ? b.writeBigUInt64LE(n) : b.writeUInt32LE(Number(n)))),
  filetime: (ticks: bigint): SynthValue => fixed(ValueType.FileTime, 8, (b) => b.writeBigUInt64LE(ticks)),
  /** SYSTEMTIME from its parts (day of week left 0). */
  systime: (y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): SynthValue =>
    fixed(ValueType.SysTime, 16, (b) => [y, mo, 0, d, h, mi, s, ms].forEach((w, i) => b.writeUInt16LE(w, 2 * i))),
  sid: (sid: string): SynthValue => ({ type: ValueType.Sid, bytes: sidBytes(sid) }),
  hexInt32: (n: number): SynthValue => fixed(ValueType.HexInt32, 4, (b) => b.writeUInt32LE(n)),
  hexInt64: (n: bigint): SynthValue => fixed(ValueType.HexInt64, 8, (b) => b.writeBigUInt64LE(n)),
  evtHandle: (n: number): SynthValue => fixed(ValueType.EvtHandle, 4, (b) => b.writeUInt32LE(n)),
  /** An array value: the element encodings of one type, concatenated (strings NUL-separated). */
  array: (items: SynthValue[], type?: number): SynthValue => {
    const parts = items.map((v) => ('bytes' in v ? v.bytes : new Uint8Array(0)));
    const base = type ?? (items[0] !== undefined && 'type' in items[0] ? items[0].type : ValueType.String);
    return { type: base | ValueType.Array, bytes: Buffer.concat(parts) };
  },
  /** Any type with literal bytes. */
  raw: (type: number, bytes: Uint8Array): SynthValue => ({ type, bytes }),
};

function fixed(type: number, size: number, write: (b: Buffer) => void): SynthValue {
  const b = Buffer.alloc(size);
  write(b);
  return { type, bytes: b };
}

/** The 16 stored bytes of a GUID written `XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX` (braces optional). */
export function guidBytes(g: string): Buffer {
  const h = g.replace(/[{}-]/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(h)) throw new Error(`not a GUID: ${g}`);
  const b = Buffer.from(h, 'hex');
  return Buffer.concat([
    Buffer.from(b.subarray(0, 4)).reverse(),
    Buffer.from(b.subarray(4, 6)).reverse(),
    Buffer.from(b.subarray(6, 8)).reverse(),
    b.subarray(8),
  ]);
}

/** The binary form of a SID written `S-R-A-S1-…` (decimal authority). */
export function sidBytes(sid: string): Buffer {
  const parts = sid.split('-');
  if (parts[0] !== 'S' || parts.length < 3) throw new Error(`not a SID: ${sid}`);
  const subs = parts.slice(3).map(Number);
  const b = Buffer.alloc(8 + 4 * subs.length);
  b[0] = Number(parts[1]);
  b[1] = subs.length;
  b.writeUIntBE(Number(parts[2]), 2, 6);
  subs.forEach((s, i) => b.writeUInt32LE(s, 8 + 4 * i));
  return b;
}

/** Options for one record. */
export interface SynthRecordOptions {
  /** FILETIME ticks of the record header's written time (default 0). */
  written?: bigint;
}

/** Writes Binary XML records into one chunk; see the file comment. */
export class ChunkWriter {
  readonly buf = Buffer.alloc(CHUNK_SIZE);
  private pos = 512;
  private readonly names = new Map<string, number>();
  private readonly templates = new Map<string, number>();
  private firstId: number | undefined;
  private lastId = 0;
  private lastRecordOffset = 0;
  private count = 0;

  private u8(n: number): void {
    this.buf.writeUInt8(n, this.pos);
    this.pos += 1;
  }

  private u16(n: number): void {
    this.buf.writeUInt16LE(n, this.pos);
    this.pos += 2;
  }

  private u32(n: number): void {
    this.buf.writeUInt32LE(n >>> 0, this.pos);
    this.pos += 4;
  }

  private bytes(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A name reference: inline (offset pointing just past itself) the first time, by offset after. */
  private nameRef(name: string): void {
    const known = this.names.get(name);
    if (known !== undefined) {
      this.u32(known);
      return;
    }
    this.u32(this.pos + 4);
    this.names.set(name, this.pos);
    this.u32(0);
    this.u16(0);
    this.u16(name.length);
    this.bytes(utf16(name));
    this.u16(0);
  }

  private prefixed(s: string): void {
    this.u16(s.length);
    this.bytes(utf16(s));
  }

  private content(c: SynthContent, more: boolean): void {
    const flag = more ? 0x40 : 0;
    if ('text' in c) {
      this.u8(0x05 | flag);
      this.u8(ValueType.String);
      this.prefixed(c.text);
    } else if ('sub' in c) {
      this.u8(c.optional === true ? 0x0e : 0x0d);
      this.u16(c.sub);
      this.u8(c.type);
    } else if ('charref' in c) {
      this.u8(0x08 | flag);
      this.u16(c.charref);
    } else if ('entity' in c) {
      this.u8(0x09 | flag);
      this.nameRef(c.entity);
    } else {
      this.u8(0x07 | flag);
      this.prefixed(c.cdata);
    }
  }

  private node(n: SynthNode, dep: boolean): void {
    if ('pi' in n) {
      this.u8(0x0a);
      this.nameRef(n.pi);
      this.u8(0x0b);
      this.prefixed(n.data);
      return;
    }
    if (!('el' in n)) {
      this.content(n, false);
      return;
    }
    const attrs = n.attrs ?? [];
    this.u8(attrs.length > 0 ? 0x41 : 0x01);
    if (dep) this.u16(0xffff);
    const sizeAt = this.pos;
    this.u32(0);
    this.nameRef(n.el);
    if (attrs.length > 0) {
      const listAt = this.pos;
      this.u32(0);
      attrs.forEach(([name, value], i) => {
        this.u8(i < attrs.length - 1 ? 0x46 : 0x06);
        this.nameRef(name);
        value.forEach((c, j) => this.content(c, j < value.length - 1));
      });
      this.buf.writeUInt32LE(this.pos - listAt - 4, listAt);
    }
    const children = n.children ?? [];
    if (children.length === 0) this.u8(0x03);
    else {
      this.u8(0x02);
      for (const c of children) this.node(c, dep);
      this.u8(0x04);
    }
    this.buf.writeUInt32LE(this.pos - sizeAt - 4, sizeAt);
  }

  private templateInstance(t: SynthTemplate): void {
    this.u8(0x0c);
    this.u8(0x01);
    this.u32(0);
    const known = this.templates.get(t.key);
    if (known !== undefined) this.u32(known);
    else {
      const defAt = this.pos + 4;
      this.u32(defAt);
      this.templates.set(t.key, defAt);
      this.u32(0);
      // The template's GUID: one per template, the same in every chunk (as Windows writes them).
      this.bytes(createHash('md5').update(t.key).digest());
      const sizeAt = this.pos;
      this.u32(0);
      this.bytes(Uint8Array.of(0x0f, 0x01, 0x01, 0x00));
      for (const n of t.nodes) this.node(n, true);
      this.u8(0x00);
      this.buf.writeUInt32LE(this.pos - sizeAt - 4, sizeAt);
    }
    this.u32(t.values.length);
    const descAt = this.pos;
    for (const v of t.values) {
      this.u16(0);
      this.u8('type' in v ? v.type : ValueType.BinXml);
      this.u8(0);
    }
    t.values.forEach((v, i) => {
      const start = this.pos;
      if ('bytes' in v) this.bytes(v.bytes);
      else this.fragment(v.xml, v.dependencyIds ?? false);
      this.buf.writeUInt16LE(this.pos - start, descAt + 4 * i);
    });
  }

  /** A fragment: header, then a template instance or plain nodes (no end-of-stream token). */
  private fragment(x: SynthTemplate | SynthNode[], dep: boolean): void {
    this.bytes(Uint8Array.of(0x0f, 0x01, 0x01, 0x00));
    if (Array.isArray(x)) for (const n of x) this.node(n, dep);
    else this.templateInstance(x);
  }

  /**
   * Appends a record whose event is a template instance (the usual case) or plain nodes, and
   * returns its chunk offset. `id` goes into the record header.
   */
  addRecord(id: number, event: SynthTemplate | SynthNode[], options: SynthRecordOptions = {}): number {
    const at = this.pos;
    this.u32(0x00002a2a);
    this.u32(0);
    this.buf.writeBigUInt64LE(BigInt(id), this.pos);
    this.pos += 8;
    this.buf.writeBigUInt64LE(options.written ?? 0n, this.pos);
    this.pos += 8;
    this.fragment(event, true);
    this.u8(0x00);
    const size = this.pos + 4 - at;
    this.u32(size);
    this.buf.writeUInt32LE(size, at + 4);
    this.firstId ??= id;
    this.lastId = id;
    this.lastRecordOffset = at;
    this.count++;
    return at;
  }

  /** Appends raw bytes to the record area (to build damaged records). */
  addRaw(bytes: Uint8Array): number {
    const at = this.pos;
    this.bytes(bytes);
    return at;
  }

  /** Fills in the chunk header (record ranges, free space offset, both CRC32s); returns the chunk. */
  finish(): Buffer {
    const b = this.buf;
    CHUNK_SIGNATURE.copy(b, 0);
    b.writeBigUInt64LE(BigInt(this.firstId ?? 0), 8);
    b.writeBigUInt64LE(BigInt(this.lastId), 16);
    b.writeBigUInt64LE(BigInt(this.firstId ?? 0), 24);
    b.writeBigUInt64LE(BigInt(this.lastId), 32);
    b.writeUInt32LE(128, 40);
    b.writeUInt32LE(this.lastRecordOffset, 44);
    b.writeUInt32LE(this.pos, 48);
    b.writeUInt32LE(crc32(b.subarray(512, this.pos)) >>> 0, 52);
    b.writeUInt32LE(crc32(b.subarray(128, 512), crc32(b.subarray(0, 120))) >>> 0, 124);
    return b;
  }

  /** Number of records written. */
  get records(): number {
    return this.count;
  }
}

/** Recomputes both CRC32s of a chunk buffer in place (after editing it on purpose). */
export function fixChunkChecksums(chunk: Buffer): void {
  const free = chunk.readUInt32LE(48);
  chunk.writeUInt32LE(crc32(chunk.subarray(512, free)) >>> 0, 52);
  chunk.writeUInt32LE(crc32(chunk.subarray(128, 512), crc32(chunk.subarray(0, 120))) >>> 0, 124);
}

/** A whole `.evtx` file: a 4 KiB header (version 3.2, with its CRC32) followed by the chunks. */
export function buildEvtxFile(chunks: Buffer[]): Buffer {
  const h = Buffer.alloc(FILE_HEADER_SIZE);
  FILE_SIGNATURE.copy(h, 0);
  h.writeBigUInt64LE(0n, 8);
  h.writeBigUInt64LE(BigInt(Math.max(0, chunks.length - 1)), 16);
  h.writeBigUInt64LE(BigInt(chunks.reduce((n, c) => Math.max(n, Number(c.readBigUInt64LE(32))), 0) + 1), 24);
  h.writeUInt32LE(128, 32);
  h.writeUInt16LE(2, 36);
  h.writeUInt16LE(3, 38);
  h.writeUInt16LE(FILE_HEADER_SIZE, 40);
  h.writeUInt16LE(chunks.length, 42);
  h.writeUInt32LE(crc32(h.subarray(0, 120)) >>> 0, 124);
  return Buffer.concat([h, ...chunks]);
}

/** A chunk of `n` Sysmon-like records with ids from `first`: EventID 1 and the Image `imageOf(id)`. */
export function imageChunk(first: number, n: number, imageOf: (id: number) => string): Buffer {
  const w = new ChunkWriter();
  for (let id = first; id < first + n; id++) {
    w.addRecord(id, {
      key: 'p',
      nodes: [
        {
          el: 'Event',
          children: [
            { el: 'System', children: [{ el: 'EventID', children: [{ sub: 0, type: ValueType.UInt16 }] }] },
            { el: 'EventData', children: [{ el: 'Data', attrs: [['Name', [{ text: 'Image' }]]], children: [{ sub: 1, type: ValueType.String }] }] },
          ],
        },
      ],
      values: [synthValue.uint16(1), synthValue.string(imageOf(id))],
    });
  }
  return w.finish();
}
