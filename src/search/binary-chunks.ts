import { SeqrankError } from "../util/errors.js";

// A flat sequence of tagged chunks: [u8 tag][u32 byte length][payload], little-endian. Typed-array payloads are
// raw element bytes; JSON payloads are UTF-8. The reader checks every tag, so a truncated or foreign file fails
// with a clear error instead of decoding garbage.

const Tag = { Json: 1, U8: 2, U16: 3, U32: 4, I32: 5, F64: 6 } as const;
type Tag = (typeof Tag)[keyof typeof Tag];

type Typed = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;

export class ChunkWriter {
  private readonly parts: Uint8Array[] = [];

  json(value: unknown): this {
    return this.chunk(Tag.Json, new TextEncoder().encode(JSON.stringify(value)));
  }
  u8(a: Uint8Array): this {
    return this.typed(Tag.U8, a);
  }
  u16(a: Uint16Array): this {
    return this.typed(Tag.U16, a);
  }
  u32(a: Uint32Array): this {
    return this.typed(Tag.U32, a);
  }
  i32(a: Int32Array): this {
    return this.typed(Tag.I32, a);
  }
  f64(a: Float64Array): this {
    return this.typed(Tag.F64, a);
  }

  finish(magic: string): Uint8Array {
    const head = new TextEncoder().encode(magic);
    const total = head.length + this.parts.reduce((s, p) => s + p.length, 0);
    const out = new Uint8Array(total);
    out.set(head, 0);
    let at = head.length;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  private typed(tag: Tag, a: Typed): this {
    // copy: a may be a view into a larger, unaligned buffer
    return this.chunk(tag, new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice());
  }

  private chunk(tag: Tag, payload: Uint8Array): this {
    const header = new Uint8Array(5);
    header[0] = tag;
    new DataView(header.buffer).setUint32(1, payload.length, true);
    this.parts.push(header, payload);
    return this;
  }
}

export class ChunkReader {
  private at: number;

  constructor(
    private readonly bytes: Uint8Array,
    magic: string,
  ) {
    const head = new TextDecoder().decode(bytes.subarray(0, magic.length));
    if (head !== magic) throw new SeqrankError("SR_ERR_SEARCH_BAD_FILE", `not a ${magic} file`);
    this.at = magic.length;
  }

  json<T>(): T {
    return JSON.parse(new TextDecoder().decode(this.chunk(Tag.Json))) as T;
  }
  u8(): Uint8Array {
    return new Uint8Array(this.aligned(Tag.U8));
  }
  u16(): Uint16Array {
    return new Uint16Array(this.aligned(Tag.U16));
  }
  u32(): Uint32Array {
    return new Uint32Array(this.aligned(Tag.U32));
  }
  i32(): Int32Array {
    return new Int32Array(this.aligned(Tag.I32));
  }
  f64(): Float64Array {
    return new Float64Array(this.aligned(Tag.F64));
  }

  /** A fresh (hence aligned) ArrayBuffer holding the payload. */
  private aligned(tag: Tag): ArrayBuffer {
    const view = this.chunk(tag);
    return view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength) as ArrayBuffer;
  }

  private chunk(tag: Tag): Uint8Array {
    if (this.at + 5 > this.bytes.length)
      throw new SeqrankError("SR_ERR_SEARCH_BAD_FILE", "index file is truncated");
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.at, 5);
    if (view.getUint8(0) !== tag) {
      throw new SeqrankError(
        "SR_ERR_SEARCH_BAD_FILE",
        `index file is corrupt (chunk tag ${view.getUint8(0)}, expected ${tag})`,
      );
    }
    const length = view.getUint32(1, true);
    const start = this.at + 5;
    if (start + length > this.bytes.length)
      throw new SeqrankError("SR_ERR_SEARCH_BAD_FILE", "index file is truncated");
    this.at = start + length;
    return this.bytes.subarray(start, start + length);
  }
}
