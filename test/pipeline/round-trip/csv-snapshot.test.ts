import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getEntity } from '../../../src/entities/index.js';
import { InputError } from '../../../src/errors.js';
import { exportColumnsOf } from '../../../src/pipeline/export-cells.js';
import { openExportFile } from '../../../src/pipeline/export-file.js';
import { parseSnapshot, readCsvSnapshot, SNAPSHOT_MARKER } from '../../../src/pipeline/round-trip/csv-snapshot.js';
import { readExportMeta } from '../../../src/pipeline/round-trip.js';

const entity = getEntity('cases');
const layout = exportColumnsOf(entity);
const keyHeader = layout.find((c) => c.kind === 'field' && c.column.field === entity.keyField)!.header;
const keyIndex = layout.findIndex((c) => c.header === keyHeader);
const KEYS = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222', '33333333-3333-4333-8333-333333333333'];

function cellsFor(key: string, text: string): string[] {
  return layout.map((c, index) => (index === keyIndex ? key : `${text} ${c.header}`));
}

/** Exports three records to `<dir>/<name>` as the export does, snapshot beside it. */
async function exportCsv(dir: string, name = 'cases.csv'): Promise<string> {
  const path = join(dir, name);
  const file = await openExportFile({ path, format: 'csv', entity, layout, kind: 'export', timezone: 'Europe/London' });
  for (const [index, key] of KEYS.entries()) {
    await file.addRow(cellsFor(key, `v${index}`), { key, updatedAt: `2026-01-0${index + 1}T09:00:00Z`, hash: `hash${index}`, values: { name: `v${index}` } });
  }
  await file.close();
  return path;
}

function csvOf(rows: ReadonlyArray<readonly string[]>): string {
  return `${rows.map((r) => r.map((v) => `"${v}"`).join(',')).join('\r\n')}\r\n`;
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return (error as InputError).message;
}

describe('a CSV export writes its round-trip snapshot beside it', () => {
  it("records each row's key, updated_at, hash and values, the run's facts, and the CSV's own name, SHA-256 and size", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'csv-snapshot-'));
    const path = await exportCsv(dir);
    expect((await readdir(dir)).sort()).toEqual(['cases.csv', 'cases.csv.meta.json']);
    const bytes = await readFile(path);
    const snapshot = JSON.parse(await readFile(`${path}.meta.json`, 'utf8')) as Record<string, unknown>;
    expect(snapshot).toMatchObject({
      snapshot: SNAPSHOT_MARKER,
      version: 1,
      file: 'cases.csv',
      key_header: keyHeader,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      bytes: bytes.length,
      info: { kind: 'export', entity: 'cases', timezone: 'Europe/London' },
    });
    // The header is line 1, so the records are on lines 2 to 4.
    expect(snapshot.rows).toEqual(KEYS.map((key, index) => [index + 2, key, `2026-01-0${index + 1}T09:00:00Z`, `hash${index}`, { name: `v${index}` }]));
  });

  it('a new export replaces the old snapshot; a discarded one leaves the old CSV and its snapshot as they were', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'csv-snapshot-'));
    const path = await exportCsv(dir);
    const before = await readFile(`${path}.meta.json`, 'utf8');
    const discarded = await openExportFile({ path, format: 'csv', entity, layout, kind: 'export', timezone: 'Europe/London' });
    await discarded.addRow(cellsFor(KEYS[0]!, 'other'), { key: KEYS[0]!, updatedAt: 'x', hash: 'other', values: {} });
    await discarded.discard();
    expect(await readFile(`${path}.meta.json`, 'utf8')).toBe(before);
    expect((await readdir(dir)).sort()).toEqual(['cases.csv', 'cases.csv.meta.json']);
    const meta = await readExportMeta(path, { entity: 'cases' });
    expect(meta?.info.snapshot_match).toBe('exact');
  });
});

describe('a CSV import uses the snapshot beside it only when it belongs to that CSV', () => {
  it('no snapshot: an ordinary CSV, no round trip', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'csv-snapshot-'));
    const path = join(dir, 'cases.csv');
    await writeFile(path, csvOf([[keyHeader], [KEYS[0]!]]));
    expect(await readCsvSnapshot(path, { entity: 'cases' })).toBeUndefined();
  });

  it('the CSV as exported: applied, every row by key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'csv-snapshot-'));
    const path = await exportCsv(dir);
    const meta = await readCsvSnapshot(path, { entity: 'cases' });
    expect(meta?.info).toMatchObject({ entity: 'cases', snapshot: 'cases.csv.meta.json', snapshot_match: 'exact' });
    expect(meta?.rows.get(KEYS[1]!)).toEqual({ row: 3, updatedAt: '2026-01-02T09:00:00Z', hash: 'hash1', values: { name: 'v1' } });
  });

  it('edited under its own name (cells changed, rows deleted or reordered, new rows with no key): applied', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'csv-snapshot-'));
    const path = await exportCsv(dir);
    const headers = layout.map((c) => c.header);
    await writeFile(path, csvOf([headers, cellsFor(KEYS[2]!, 'edited'), cellsFor('', 'a new case'), cellsFor(KEYS[0]!, 'v0')]));
    const meta = await readCsvSnapshot(path, { entity: 'cases' });
    expect(meta?.info.snapshot_match).toBe('edited');
    expect([...(meta?.rows.keys() ?? [])]).toEqual(KEYS);
  });

  it('beside a CSV of another name (a snapshot copied or renamed with an edited file): refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'csv-snapshot-'));
    const path = await exportCsv(dir);
    const other = join(dir, 'cases-march.csv');
    await writeFile(other, csvOf([layout.map((c) => c.header), cellsFor(KEYS[0]!, 'edited')]));
    await copyFile(`${path}.meta.json`, `${other}.meta.json`);
    const message = await refusal(readCsvSnapshot(other, { entity: 'cases' }));
    expect(message).toContain('cases-march.csv.meta.json');
    expect(message).toContain('written for cases.csv');
  });

  it('an edited CSV without the exported key column: refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'csv-snapshot-'));
    const path = await exportCsv(dir);
    await writeFile(path, csvOf([['Name'], ['edited']]));
    expect(await refusal(readCsvSnapshot(path, { entity: 'cases' }))).toContain(`no "${keyHeader}" column`);
  });

  it('an edited CSV with a key the export never wrote: refused, naming the row and the key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'csv-snapshot-'));
    const path = await exportCsv(dir);
    const stranger = '99999999-9999-4999-8999-999999999999';
    await writeFile(path, csvOf([layout.map((c) => c.header), cellsFor(KEYS[0]!, 'v0'), cellsFor(stranger, 'elsewhere')]));
    const message = await refusal(readCsvSnapshot(path, { entity: 'cases' }));
    expect(message).toContain(`row 3 of cases.csv has ${keyHeader} ${stranger}`);
  });

  it('a snapshot of another entity: refused, even for the CSV as exported', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'csv-snapshot-'));
    const path = await exportCsv(dir);
    expect(await refusal(readCsvSnapshot(path, { entity: 'contact-details' }))).toContain('written for cases, and this import is of contact-details');
  });

  it('a damaged or cut-short snapshot: refused, not silently ignored', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'csv-snapshot-'));
    const path = await exportCsv(dir);
    const text = await readFile(`${path}.meta.json`, 'utf8');
    await writeFile(`${path}.meta.json`, text.slice(0, text.length / 2));
    expect(await refusal(readCsvSnapshot(path, { entity: 'cases' }))).toContain('not valid JSON');
  });
});

describe('parseSnapshot', () => {
  it('tells what is wrong with a file that is not a snapshot we can read', () => {
    expect(parseSnapshot('{"rows": []}')).toBe('it is not a plannr-bulk export snapshot');
    expect(parseSnapshot(JSON.stringify({ snapshot: SNAPSHOT_MARKER, version: 2 }))).toMatch(/version 2/);
    expect(parseSnapshot(JSON.stringify({ snapshot: SNAPSHOT_MARKER, version: 1, rows: [] }))).toMatch(/incomplete/);
    const base = { snapshot: SNAPSHOT_MARKER, version: 1, info: {}, key_header: 'UUID', file: 'a.csv', sha256: '', bytes: 0 };
    expect(parseSnapshot(JSON.stringify({ ...base, rows: [[2, 'k', 'u']] }))).toBe('a row of it is damaged');
    expect(parseSnapshot(JSON.stringify({ ...base, rows: [[2, 'k', 'u', 'h', null]] }))).toMatchObject({ rows: new Map([['k', { row: 2, updatedAt: 'u', hash: 'h', values: undefined }]]) });
  });
});
