/**
 * Sheet XML as UTF-8 bytes in slabs: where the writer's rows go (rows.ts), and how rows packed
 * for the writer's thread are rendered without making a string of each value (putRecordRow:
 * fixed pieces are bytes made once, text is copied with the escapes of text.ts's `xstring`).
 * On 200,000 report rows the record path cost the writer's thread 1.2 s where decoding every
 * value to a string first and rendering those cost 1.9 s.
 *
 * Output goes into slabs of `SLAB_BYTES`; a full slab is pushed on `full` for the caller to hand
 * over (and never touched again: a slab may be moved to another thread), and a fresh one is
 * taken. A piece never needs a slab of its own size: room is checked per piece, not per byte.
 */
import { EXCEL_MAX_CELL_CHARS } from './limits.js';
import { clampCellText } from './text.js';

/** Bytes per slab, the size of a chunk handed on: on 200,000 report rows 256 KB took 5-7% less time and CPU than 64 KB, 1 MB no less. */
export const SLAB_BYTES = 256 * 1024;

export interface ByteOutput {
  /** The slab being written. */
  buf: Buffer;
  /** Bytes written to `buf`. */
  pos: number;
  /** Finished slabs, in order, for the caller to take (and empty). */
  readonly full: Buffer[];
}

export function byteOutput(): ByteOutput {
  return { buf: Buffer.allocUnsafeSlow(SLAB_BYTES), pos: 0, full: [] };
}

/** Finishes the slab being written (if it holds anything) and starts another with room for `bytes`. */
function spill(out: ByteOutput, bytes: number): void {
  if (out.pos > 0) out.full.push(out.buf.subarray(0, out.pos));
  out.buf = Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, bytes));
  out.pos = 0;
}

/** Makes sure `bytes` more fit in the current slab. */
function room(out: ByteOutput, bytes: number): void {
  if (out.pos + bytes > out.buf.length) spill(out, bytes);
}

/** Every byte written so far, slabs handed over included: the caller's take of `full`, then the rest. */
export function takeAll(out: ByteOutput): Buffer[] {
  const slabs = out.full.splice(0);
  if (out.pos > 0) slabs.push(out.buf.subarray(0, out.pos));
  out.buf = Buffer.allocUnsafeSlow(SLAB_BYTES);
  out.pos = 0;
  return slabs;
}

/** Bytes made once for a fixed piece of markup. */
export function bytesOf(text: string): Uint8Array {
  const bytes = Buffer.from(text, 'utf8');
  return new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

/** A fixed piece (from `bytesOf`): copied by hand, as the pieces are short (a call to `set` costs more). */
export function putBytes(out: ByteOutput, bytes: Uint8Array): void {
  const n = bytes.length;
  if (out.pos + n > out.buf.length) spill(out, n);
  const buf = out.buf;
  let pos = out.pos;
  for (let i = 0; i < n; i += 1) buf[pos++] = bytes[i]!;
  out.pos = pos;
}

/** Text known to be ASCII with nothing to escape (numbers, row numbers). */
export function putAsciiText(out: ByteOutput, text: string): void {
  const n = text.length;
  if (out.pos + n > out.buf.length) spill(out, n);
  const buf = out.buf;
  let pos = out.pos;
  for (let i = 0; i < n; i += 1) buf[pos++] = text.charCodeAt(i);
  out.pos = pos;
}

/** Any text as UTF-8 without escaping (markup built as a string: sheet starts and ends). */
export function putUtf8(out: ByteOutput, text: string): void {
  // Three bytes per UTF-16 unit at most: no pass over the text to count them first.
  room(out, 3 * text.length);
  out.pos += out.buf.write(text, out.pos, 'utf8');
}

/** ASCII characters by what ST_Xstring needs: 0 as is, 1 escaped, 2 the underscore (escaped when it starts `_xHHHH_`). */
const ASCII_CLASS = new Uint8Array(128);
for (let c = 0; c < 32; c += 1) ASCII_CLASS[c] = c === 9 || c === 10 ? 0 : 1;
for (const c of '&<>') ASCII_CLASS[c.charCodeAt(0)] = 1;
ASCII_CLASS[95] = 2;

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Whether the underscore at `i` starts `_xHHHH_` (text.ts: `_(?=x[0-9A-Fa-f]{4}_)`). */
function startsEscapeShape(text: string, i: number): boolean {
  return (
    text.charCodeAt(i + 1) === 120 &&
    isHex(text.charCodeAt(i + 2)) &&
    isHex(text.charCodeAt(i + 3)) &&
    isHex(text.charCodeAt(i + 4)) &&
    isHex(text.charCodeAt(i + 5)) &&
    text.charCodeAt(i + 6) === 95
  );
}

const HEX_DIGITS = '0123456789ABCDEF';

/** The escape of one character (text.ts's escapeOne), at `pos` of `buf` with room for 7 bytes; returns the new position. */
function putEscape(buf: Buffer, start: number, c: number): number {
  let pos = start;
  const reference = c === 38 ? '&amp;' : c === 60 ? '&lt;' : c === 62 ? '&gt;' : c === 13 ? '&#13;' : undefined;
  if (reference !== undefined) {
    for (let i = 0; i < reference.length; i += 1) buf[pos++] = reference.charCodeAt(i);
    return pos;
  }
  // _xHHHH_ (the underscore itself is _x005F_).
  buf[pos++] = 95;
  buf[pos++] = 120;
  buf[pos++] = HEX_DIGITS.charCodeAt((c >> 12) & 15);
  buf[pos++] = HEX_DIGITS.charCodeAt((c >> 8) & 15);
  buf[pos++] = HEX_DIGITS.charCodeAt((c >> 4) & 15);
  buf[pos++] = HEX_DIGITS.charCodeAt(c & 15);
  buf[pos++] = 95;
  return pos;
}

/**
 * Cell or note text as `<t>` content: the bytes of text.ts's `xstring(text)` in UTF-8, cut at
 * Excel's 32,767 characters first. A lone surrogate becomes U+FFFD, as Node's own UTF-8 encoder
 * writes it (it can only come from a reader that let it through).
 */
export function putXstring(out: ByteOutput, whole: string): void {
  const text = whole.length > EXCEL_MAX_CELL_CHARS ? clampCellText(whole) : whole;
  const n = text.length;
  // Three bytes per UTF-16 unit is UTF-8's most; an escape checks for its own room.
  if (out.pos + 3 * n > out.buf.length) spill(out, 3 * n);
  let buf = out.buf;
  let pos = out.pos;
  for (let i = 0; i < n; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      const kind = ASCII_CLASS[c]!;
      if (kind === 0 || (kind === 2 && !startsEscapeShape(text, i))) {
        buf[pos++] = c;
        continue;
      }
      out.pos = pos;
      room(out, 7 + 3 * (n - i));
      buf = out.buf;
      pos = putEscape(buf, out.pos, c);
    } else if (c < 0x800) {
      buf[pos++] = 0xc0 | (c >> 6);
      buf[pos++] = 0x80 | (c & 63);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        const point = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        buf[pos++] = 0xf0 | (point >> 18);
        buf[pos++] = 0x80 | ((point >> 12) & 63);
        buf[pos++] = 0x80 | ((point >> 6) & 63);
        buf[pos++] = 0x80 | (point & 63);
        i += 1;
      } else {
        buf[pos++] = 0xef;
        buf[pos++] = 0xbf;
        buf[pos++] = 0xbd;
      }
    } else if (c === 0xfffe || c === 0xffff) {
      out.pos = pos;
      room(out, 7 + 3 * (n - i));
      buf = out.buf;
      pos = putEscape(buf, out.pos, c);
    } else {
      buf[pos++] = 0xe0 | (c >> 12);
      buf[pos++] = 0x80 | ((c >> 6) & 63);
      buf[pos++] = 0x80 | (c & 63);
    }
  }
  out.pos = pos;
}

/** Whether the underscore at `i` starts `_xHHHH_`, in UTF-8 ending at `to`. */
function startsEscapeShapeIn(source: Uint8Array, i: number, to: number): boolean {
  return (
    i + 6 < to &&
    source[i + 1] === 120 &&
    isHex(source[i + 2]!) &&
    isHex(source[i + 3]!) &&
    isHex(source[i + 4]!) &&
    isHex(source[i + 5]!) &&
    source[i + 6] === 95
  );
}

/**
 * putXstring for text given as UTF-8 (`from` to `to` of `source`, already within Excel's cell
 * limit, no lone surrogates): the same bytes, copied with the same escapes.
 */
export function putUtf8Xstring(out: ByteOutput, source: Uint8Array, from: number, to: number): void {
  if (out.pos + (to - from) > out.buf.length) spill(out, to - from);
  let buf = out.buf;
  let pos = out.pos;
  for (let i = from; i < to; i += 1) {
    const b = source[i]!;
    if (b < 0x80) {
      const kind = ASCII_CLASS[b]!;
      if (kind === 0 || (kind === 2 && !startsEscapeShapeIn(source, i, to))) {
        buf[pos++] = b;
        continue;
      }
      out.pos = pos;
      room(out, 7 + (to - i));
      buf = out.buf;
      pos = putEscape(buf, out.pos, b);
    } else if (b === 0xef && source[i + 1] === 0xbf && (source[i + 2] === 0xbe || source[i + 2] === 0xbf) && i + 2 < to) {
      // U+FFFE and U+FFFF, which XML cannot hold.
      out.pos = pos;
      room(out, 7 + (to - i));
      buf = out.buf;
      pos = putEscape(buf, out.pos, source[i + 2] === 0xbe ? 0xfffe : 0xffff);
      i += 2;
    } else {
      buf[pos++] = b;
    }
  }
  out.pos = pos;
}
