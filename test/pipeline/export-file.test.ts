import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getEntity } from '../../src/entities/index.js';
import { exportColumnsOf } from '../../src/pipeline/export-cells.js';
import { openExportFile, type MetaEntry } from '../../src/pipeline/export-file.js';
import { readExportMeta } from '../../src/pipeline/round-trip.js';
import { readBack } from '../io/write-test-helpers.js';

const entity = getEntity('cases');
const layout = exportColumnsOf(entity);

/** Spool folders of this process left in the temp folder (the writer's, and _meta's as it once had). */
async function ourSpools(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => ['plannr-bulk-meta-', 'plannr-bulk-xlsx-'].some((prefix) => name.startsWith(`${prefix}${process.pid}-`)));
}

function options(path: string, format: 'csv' | 'xlsx') {
  return { path, format, entity, layout, kind: 'export' as const, timezone: 'Europe/London' };
}

describe('an export, plan or revert file', () => {
  for (const format of ['csv', 'xlsx'] as const) {
    it(`${format}: a discarded file leaves the one already at its path as it was, and no partial file or spool`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'export-file-'));
      const path = join(dir, `out.${format}`);
      await writeFile(path, 'the previous file');
      const file = await openExportFile(options(path, format));
      await file.addRow(layout.map(() => 'x'));
      await file.discard();
      expect(await readFile(path, 'utf8')).toBe('the previous file');
      expect(await readdir(dir)).toEqual([`out.${format}`]);
      expect(await ourSpools()).toEqual([]);
    });
  }

  it('xlsx: a closed file replaces the one at its path, with its hidden _meta sheet, and its spool is gone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'export-file-'));
    const path = join(dir, 'out.xlsx');
    await writeFile(path, 'the previous file');
    const file = await openExportFile(options(path, 'xlsx'));
    await file.addRow(layout.map(() => 'x'), { key: 'k', updatedAt: '2026-01-01T00:00:00Z', hash: 'h', values: {} });
    await file.close();
    const workbook = await readBack(path);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual([entity.name, '_meta']);
    expect(await readdir(dir)).toEqual(['out.xlsx']);
    expect(await ourSpools()).toEqual([]);
  });

  it('xlsx: _meta gives back each row exactly as written: row, key, updated_at, hash and values, whatever characters they hold', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'export-file-'));
    const path = join(dir, 'out.xlsx');
    const file = await openExportFile(options(path, 'xlsx'));
    const written: MetaEntry[] = [];
    // Enough rows, and long enough values, to fill the spool's buffer many times over.
    for (let i = 0; i < 3000; i++) {
      const odd = i % 7 === 0;
      const meta: MetaEntry = {
        key: odd ? `k${i}\t"tab", line\nbreak, £ and 👍 \\` : `k${i}`,
        updatedAt: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}+00:00`,
        hash: `h${i}`,
        values: { name: odd ? `Zoë ${'x'.repeat(i % 997 === 0 ? 30_000 : 50)}\t\n` : `n${i}`, value: i, list: ['a', 'b'], none: null },
      };
      written.push(meta);
      await file.addRow(layout.map(() => `r${i}`), meta);
    }
    await file.close();
    const meta = await readExportMeta(path);
    expect(meta?.info['kind']).toBe('export');
    expect(meta?.rows.size).toBe(written.length);
    for (const [i, entry] of written.entries()) {
      expect(meta?.rows.get(entry.key)).toEqual({ row: i + 2, updatedAt: entry.updatedAt, hash: entry.hash, values: entry.values });
    }
  });

  it('xlsx: a big export split across sheets reads back with every row\'s snapshot, from every _meta part', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'export-file-'));
    const path = join(dir, 'split.xlsx');
    // 400 rows a sheet (header included): the data goes on in two more parts, and so does _meta.
    const file = await openExportFile({ ...options(path, 'xlsx'), maxRowsPerSheet: 400 });
    const keys = Array.from({ length: 1_000 }, (_, i) => `k${i}`);
    for (const key of keys) await file.addRow(layout.map(() => key), { key, updatedAt: '2026-01-01T00:00:00+00:00', hash: `h-${key}`, values: { name: key } });
    await file.close();
    const workbook = await readBack(path);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual([entity.name, `${entity.name} (2)`, `${entity.name} (3)`, '_meta', '_meta (2)', '_meta (3)']);
    const meta = await readExportMeta(path);
    expect(meta?.info['kind']).toBe('export');
    // Without the later parts, the rows of the data's later parts would have no snapshot and be
    // sent whole, without the conflict check.
    expect(meta?.rows.size).toBe(keys.length);
    for (const key of keys) expect(meta?.rows.get(key)).toMatchObject({ hash: `h-${key}`, values: { name: key } });
  });

  it('xlsx: the sheets close() fills come before the hidden _meta when named at open, after it otherwise', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'export-file-'));
    for (const [laterSheets, expected] of [
      [['Summary'], [entity.name, 'Summary', '_meta']],
      [[], [entity.name, '_meta', 'Summary']],
    ] as const) {
      const path = join(dir, `out-${laterSheets.length}.xlsx`);
      const file = await openExportFile({ ...options(path, 'xlsx'), laterSheets });
      await file.addRow(layout.map(() => 'x'), { key: 'k', updatedAt: '2026-01-01T00:00:00Z', hash: 'h', values: {} });
      await file.close([{ name: 'Summary', rows: [['Rows', '1']] }]);
      const workbook = await readBack(path);
      expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(expected);
      expect(workbook.getWorksheet('Summary')?.getRow(1).values).toEqual([undefined, 'Rows', '1']);
      expect((await readExportMeta(path))?.rows.get('k')?.row).toBe(2);
    }
  });
});
