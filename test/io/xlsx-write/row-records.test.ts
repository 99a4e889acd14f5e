import { describe, expect, it } from 'vitest';
import { byteOutput, SLAB_BYTES, takeAll } from '../../../src/io/xlsx-write/bytes.js';
import { putRecordRow, putRow, rowXml, type RowStyle, type XlsxCellValue } from '../../../src/io/xlsx-write/rows.js';
import { putRowRecord, readRowRecords, recordValues } from '../../../src/io/xlsx-write/row-records.js';
import { createStyleTable } from '../../../src/io/xlsx-write/styles.js';

const ROWS: ReadonlyArray<readonly [values: readonly (XlsxCellValue | undefined)[], style: RowStyle | undefined]> = [
  [['text', 12.5, -0, true, false, null, undefined, new Date(Date.UTC(2026, 0, 2, 3, 4, 5))], undefined],
  [['=SUM(A1)', '+447911123456', ' padded ', '£1.01 → 👍', 'a & <b> _x0041_ \r\n', '\uFFFE', 'lone \uD800'], { bold: true, size: 14 }],
  [[Number.NaN, Number.POSITIVE_INFINITY, 1e21, new Date(Date.UTC(1899, 0, 1)), new Date(Number.NaN), null], { highlight: [0, 5], problem: [1, 4], money: [2], bold: [3] }],
  [['x'.repeat(40_000), 'y'], { notes: { 0: 'Too long: cut at 32,767', 1: 'Note & <markup>' } }],
  [[], undefined],
  // Text repeated from the value before it (a report's original and "→ sent" cells) is packed once.
  [['same', 'same', 'same', '=same', '=same', null, '=same', ' edge ', ' edge '], { problem: [1, 4] }],
];

function rendered(write: (out: ReturnType<typeof byteOutput>) => void): string {
  const out = byteOutput();
  write(out);
  return Buffer.concat(takeAll(out)).toString('hex');
}

describe('a row packed for the writer thread', () => {
  it('renders to the same bytes as its values would, with the same styles', () => {
    const direct = createStyleTable();
    const packed = createStyleTable();
    const out = byteOutput();
    for (const [values, style] of ROWS) putRowRecord(out, 7, values, style);
    const records = takeAll(out).flatMap((slab) => [...readRowRecords(slab)]);
    expect(records).toHaveLength(ROWS.length);
    records.forEach((record, index) => {
      const [values, style] = ROWS[index]!;
      expect(record.sheet).toBe(7);
      expect(rendered((o) => putRecordRow(o, index + 2, record, packed)), `row ${index}`).toBe(rendered((o) => putRow(o, index + 2, values, style, direct)));
    });
    expect(packed.xml()).toBe(direct.xml());
  });

  it('keeps values exactly (numbers to the bit, dates to the millisecond, text whole)', () => {
    const out = byteOutput();
    const values: XlsxCellValue[] = [0.1 + 0.2, -0, Number.MAX_SAFE_INTEGER, new Date(Date.UTC(2026, 11, 1, 9, 15, 2, 7)), 'x'.repeat(40_000), '👍', '👍', null, true];
    putRowRecord(out, 1, values, undefined);
    const [record] = [...readRowRecords(Buffer.concat(takeAll(out)))];
    const back = recordValues(record!);
    expect(Object.is(back[1], -0)).toBe(true);
    expect(back).toEqual(values);
  });

  it('never splits a record across slabs, so each slab reads alone', () => {
    const out = byteOutput();
    // Enough rows for several slabs, whatever their size.
    const rows = Math.ceil((3 * SLAB_BYTES) / 60);
    for (let row = 0; row < rows; row += 1) putRowRecord(out, row % 3, [row, `row ${row} ${'z'.repeat(row % 97)}`, row % 2 === 0], row % 5 === 0 ? { problem: [1], notes: { 1: `note ${row}` } } : undefined);
    const slabs = takeAll(out);
    expect(slabs.length).toBeGreaterThan(2);
    let next = 0;
    for (const slab of slabs) {
      for (const record of readRowRecords(slab)) {
        expect(recordValues(record)).toEqual([next, `row ${next} ${'z'.repeat(next % 97)}`, next % 2 === 0]);
        expect(record.style?.notes).toEqual(next % 5 === 0 ? { 1: `note ${next}` } : undefined);
        next += 1;
      }
    }
    expect(next).toBe(rows);
  });

  it('drops what is not a column (negative, fractional), as the writer ignores it unpacked', () => {
    const style: RowStyle = { problem: [-1, 1.5, 0], notes: { [-1]: 'not a column', 0: 'kept' } as Record<number, string> };
    const out = byteOutput();
    putRowRecord(out, 1, ['a', 'b'], style);
    const [record] = [...readRowRecords(Buffer.concat(takeAll(out)))];
    expect(record!.style?.notes).toEqual({ 0: 'kept' });
    const styles = createStyleTable();
    const packed = rendered((o) => putRecordRow(o, 2, record!, styles));
    expect(Buffer.from(packed, 'hex').toString()).toBe(rowXml(2, ['a', 'b'], style, styles));
  });
});
