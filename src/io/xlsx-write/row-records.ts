/**
 * A sheet row (its values and style) as bytes, for the trip to the writer's thread
 * (xlsx-thread.ts). Sending the values instead of their XML costs this thread a third of the
 * bytes and none of the markup; sending them by postMessage (structured clone, or JSON) cost
 * more than rendering them here.
 *
 * A record never spans two slabs (its size is bounded before it is written), so the reader
 * decodes each slab alone. Layout, little-endian:
 *   u32 sheet, u32 value count, then per value a tag byte and its payload
 *     (string: u32 byte length + UTF-8; number and date: f64; null, true, false: nothing;
 *     the same text as the value before it: nothing, as a report's "→ sent" column often is),
 *   then a style tag (0 none, 1 present) and, if present: bold (0 none, 1 row, 2 list + list),
 *   highlight, problem and money lists (u32 count + u32 each), size (0, or 1 + f64), notes
 *   (u32 count, then u32 column + string each).
 * Lone surrogates become U+FFFD, as the UTF-8 the workbook is written in would have them anyway.
 */
import type { ByteOutput } from './bytes.js';
import type { RowStyle, XlsxCellValue } from './cell-values.js';

const NULL = 0;
/** A value's tag byte when it is text (rows.ts renders text from its bytes). */
export const RECORD_TEXT = 1;
const STRING = RECORD_TEXT;
const NUMBER = 2;
const TRUE = 3;
const FALSE = 4;
const DATE = 5;
/** Text equal to the value before it in the row. */
export const RECORD_SAME_TEXT = 6;

/** The most bytes a record of these values and style takes (three per UTF-16 unit of text). */
function recordBound(values: readonly (XlsxCellValue | undefined)[], style: RowStyle | undefined): number {
  let bytes = 9 + 9 * values.length;
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i];
    if (typeof value === 'string') bytes += 4 + 3 * value.length;
  }
  if (style !== undefined) {
    const lists = [style.highlight, style.problem, style.money, typeof style.bold === 'object' ? style.bold : undefined];
    for (const list of lists) bytes += 4 + 4 * (list?.length ?? 0);
    bytes += 16;
    if (style.notes !== undefined) {
      for (const text of Object.values(style.notes)) bytes += 8 + 3 * text.length;
    }
  }
  return bytes;
}

function putU32(buf: Buffer, pos: number, value: number): number {
  buf[pos] = value & 255;
  buf[pos + 1] = (value >>> 8) & 255;
  buf[pos + 2] = (value >>> 16) & 255;
  buf[pos + 3] = (value >>> 24) & 255;
  return pos + 4;
}

/** UTF-8 of `text` at `pos` after a u32 of its length; returns the new position (room is the caller's). */
function putString(buf: Buffer, start: number, text: string): number {
  // Node's encoder: as fast as a loop here on short text, faster on long; lone surrogates become U+FFFD.
  const length = buf.write(text, start + 4, 'utf8');
  putU32(buf, start, length);
  return start + 4 + length;
}

/** Not a column (negative, fractional): past any row's width, so it marks nothing, as before packing. */
const NO_COLUMN = 0xffffffff;

function columnOf(value: number): number {
  return Number.isInteger(value) && value >= 0 && value < NO_COLUMN ? value : NO_COLUMN;
}

function putList(buf: Buffer, start: number, list: readonly number[] | undefined): number {
  if (list === undefined) return putU32(buf, start, 0);
  let pos = putU32(buf, start, list.length);
  for (let i = 0; i < list.length; i += 1) pos = putU32(buf, pos, columnOf(list[i]!));
  return pos;
}

/** Appends the row's record to `out` (in one slab). */
export function putRowRecord(out: ByteOutput, sheet: number, values: readonly (XlsxCellValue | undefined)[], style: RowStyle | undefined): void {
  const bound = recordBound(values, style);
  if (out.pos + bound > out.buf.length) {
    if (out.pos > 0) out.full.push(out.buf.subarray(0, out.pos));
    out.buf = Buffer.allocUnsafeSlow(Math.max(out.buf.length, bound));
    out.pos = 0;
  }
  const buf = out.buf;
  let pos = putU32(buf, out.pos, sheet);
  pos = putU32(buf, pos, values.length);
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i];
    if (typeof value === 'string') {
      if (i > 0 && value === values[i - 1]) {
        buf[pos++] = RECORD_SAME_TEXT;
        continue;
      }
      buf[pos++] = STRING;
      pos = putString(buf, pos, value);
    } else if (typeof value === 'number') {
      buf[pos++] = NUMBER;
      pos = buf.writeDoubleLE(value, pos);
    } else if (typeof value === 'boolean') {
      buf[pos++] = value ? TRUE : FALSE;
    } else if (value instanceof Date) {
      buf[pos++] = DATE;
      pos = buf.writeDoubleLE(value.getTime(), pos);
    } else {
      buf[pos++] = NULL;
    }
  }
  if (style === undefined) {
    buf[pos++] = 0;
  } else {
    buf[pos++] = 1;
    if (style.bold === true) buf[pos++] = 1;
    else if (typeof style.bold === 'object') {
      buf[pos++] = 2;
      pos = putList(buf, pos, style.bold);
    } else buf[pos++] = 0;
    pos = putList(buf, pos, style.highlight);
    pos = putList(buf, pos, style.problem);
    pos = putList(buf, pos, style.money);
    if (style.size === undefined) buf[pos++] = 0;
    else {
      buf[pos++] = 1;
      pos = buf.writeDoubleLE(style.size, pos);
    }
    // A note's key that is not a column is dropped, as the writer drops it.
    const notes = style.notes === undefined ? [] : Object.entries(style.notes).filter(([column]) => columnOf(Number(column)) !== NO_COLUMN);
    pos = putU32(buf, pos, notes.length);
    for (const [column, text] of notes) {
      pos = putU32(buf, pos, Number(column));
      pos = putString(buf, pos, text);
    }
  }
  out.pos = pos;
}

/** A packed row as read: values stay bytes (rows.ts renders them from there); the style is decoded. */
export interface RowRecord {
  readonly sheet: number;
  readonly bytes: Buffer;
  /** Where the first value's tag is in `bytes`. */
  readonly valuesAt: number;
  readonly count: number;
  readonly style: RowStyle | undefined;
}

/** Bytes the value at `pos` takes, its tag included. */
export function recordValueBytes(bytes: Buffer, pos: number): number {
  const tag = bytes[pos];
  return tag === STRING ? 5 + bytes.readUInt32LE(pos + 1) : tag === NUMBER || tag === DATE ? 9 : 1;
}

/** The value at `pos` (text decoded: rows.ts renders text from the bytes instead); not RECORD_SAME_TEXT, which is the value before it. */
export function recordValueAt(bytes: Buffer, pos: number): XlsxCellValue {
  switch (bytes[pos]) {
    case STRING:
      return bytes.toString('utf8', pos + 5, pos + 5 + bytes.readUInt32LE(pos + 1));
    case NUMBER:
      return bytes.readDoubleLE(pos + 1);
    case DATE:
      return new Date(bytes.readDoubleLE(pos + 1));
    case TRUE:
      return true;
    case FALSE:
      return false;
    default:
      return null;
  }
}

/** Every value of a record, decoded (for a caller that wants the values rather than their XML). */
export function recordValues(record: RowRecord): XlsxCellValue[] {
  const values = new Array<XlsxCellValue>(record.count);
  let pos = record.valuesAt;
  for (let i = 0; i < record.count; i += 1) {
    values[i] = record.bytes[pos] === RECORD_SAME_TEXT ? values[i - 1]! : recordValueAt(record.bytes, pos);
    pos += recordValueBytes(record.bytes, pos);
  }
  return values;
}

/** Every record in `bytes`, in order. */
export function* readRowRecords(bytes: Buffer): Generator<RowRecord> {
  let pos = 0;
  const u32 = (): number => {
    const value = bytes.readUInt32LE(pos);
    pos += 4;
    return value;
  };
  const list = (): number[] | undefined => {
    const count = u32();
    if (count === 0) return undefined;
    const items = new Array<number>(count);
    for (let i = 0; i < count; i += 1) items[i] = u32();
    return items;
  };
  while (pos < bytes.length) {
    const sheet = u32();
    const count = u32();
    const valuesAt = pos;
    for (let i = 0; i < count; i += 1) pos += recordValueBytes(bytes, pos);
    let style: RowStyle | undefined;
    if (bytes[pos++] === 1) {
      const boldKind = bytes[pos++];
      const bold = boldKind === 1 ? true : boldKind === 2 ? (list() ?? []) : undefined;
      const highlight = list();
      const problem = list();
      const money = list();
      let size: number | undefined;
      if (bytes[pos++] === 1) {
        size = bytes.readDoubleLE(pos);
        pos += 8;
      }
      const noteCount = u32();
      let notes: Record<number, string> | undefined;
      for (let i = 0; i < noteCount; i += 1) {
        const column = u32();
        const length = u32();
        (notes ??= {})[column] = bytes.toString('utf8', pos, pos + length);
        pos += length;
      }
      style = { bold, highlight, problem, money, size, notes };
    }
    yield { sheet, bytes, valuesAt, count, style };
  }
}
