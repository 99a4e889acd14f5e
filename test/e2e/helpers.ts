/** Shared set-up for end-to-end tests: a real sandbox on loopback and small files on disk. */
import ExcelJS from 'exceljs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import type { ApiConfig } from '../../src/api/config.js';
import { defaultNormaliseOptions } from '../../src/normalise/result.js';
import { SANDBOX_ACCOUNT_UUID, SANDBOX_TOKEN } from '../../src/sandbox/seed.js';
import { startSandbox, type RunningSandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import type { SandboxState } from '../../src/sandbox/state.js';

export const normalise = defaultNormaliseOptions;

/** The built CLI (test/global-setup.ts builds it once per run): `node` plus these arguments. */
export const cliEntry = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export async function tempDir(prefix = 'plannr-e2e-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export function apiFor(sandbox: RunningSandbox, overrides: Partial<ApiConfig> = {}): ApiConfig {
  return { baseUrl: sandbox.url, token: SANDBOX_TOKEN, accountUuid: SANDBOX_ACCOUNT_UUID, timeoutMs: 5_000, ...overrides };
}

/** Writes rows as a CSV (quoting every cell) and returns its path. */
export async function writeCsv(dir: string, name: string, rows: ReadonlyArray<readonly string[]>): Promise<string> {
  const path = join(dir, name);
  const quote = (cell: string) => `"${cell.replaceAll('"', '""')}"`;
  await writeFile(path, rows.map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n');
  return path;
}

export function clientUuids(state: SandboxState): string[] {
  return Object.values(state.accounts).filter((a) => a.type === 'client').map((a) => a.uuid);
}

/** Reads a sheet of a workbook back as arrays of cell text (header first). */
export async function readSheet(path: string, name: string): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  const sheet = workbook.getWorksheet(name);
  if (sheet === undefined) throw new Error(`no sheet ${name} in ${path}; sheets: ${workbook.worksheets.map((w) => w.name).join(', ')}`);
  const rows: string[][] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const cells: string[] = [];
    for (let c = 1; c <= sheet.columnCount; c++) cells.push(row.getCell(c).text);
    rows.push(cells);
  });
  return rows;
}

/** Column of a sheet (read with readSheet) by header. */
export function column(rows: string[][], header: string): string[] {
  const index = rows[0]?.indexOf(header) ?? -1;
  if (index < 0) throw new Error(`no column "${header}" in ${JSON.stringify(rows[0])}`);
  return rows.slice(1).map((r) => r[index] ?? '');
}

export async function writeText(dir: string, name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/**
 * A fresh sandbox (no rate limit) and temp folder per test, closed after each test:
 * `const setUp = sandboxPerTest('plannr-plan-')`, then `const { sandbox, dir } = await setUp()`.
 */
export function sandboxPerTest(prefix: string): (options?: SandboxOptions) => Promise<{ sandbox: RunningSandbox; dir: string }> {
  let current: RunningSandbox | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (options = {}) => {
    current = await startSandbox({ port: 0, ratePerMinute: 0, ...options });
    return { sandbox: current, dir: await tempDir(prefix) };
  };
}

/** Opens an exported workbook in exceljs (as a person would in Excel), edits cells by key and header, saves it. */
export async function editWorkbook(path: string, edits: ReadonlyArray<{ key: string; header: string; value: ExcelJS.CellValue }>, keyHeader = 'UUID'): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  const sheet = workbook.worksheets[0]!;
  const headers = (sheet.getRow(1).values as unknown[]).map(String);
  for (const edit of edits) {
    let found = false;
    sheet.eachRow((row) => {
      if (String(row.getCell(headers.indexOf(keyHeader)).value) === edit.key) {
        row.getCell(headers.indexOf(edit.header)).value = edit.value;
        found = true;
      }
    });
    if (!found) throw new Error(`no row ${edit.key}`);
  }
  await workbook.xlsx.writeFile(path);
}
