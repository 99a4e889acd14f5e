import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getEntity } from '../../src/entities/index.js';
import { exportColumnsOf } from '../../src/pipeline/export-cells.js';
import { openExportFile } from '../../src/pipeline/export-file.js';
import { readBack } from '../io/write-test-helpers.js';

const entity = getEntity('cases');
const layout = exportColumnsOf(entity);

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
      expect((await readdir(tmpdir())).filter((name) => name.startsWith(`plannr-bulk-meta-${process.pid}-`))).toEqual([]);
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
    expect((await readdir(tmpdir())).filter((name) => name.startsWith(`plannr-bulk-meta-${process.pid}-`))).toEqual([]);
  });
});
