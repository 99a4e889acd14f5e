/** Shared by the reader tests: temp files, reading a whole sheet, and checking InputErrors. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { InputError, type Location } from '../../src/errors.js';
import { openSheet } from '../../src/io/read.js';
import type { OpenedSheet, ReadOptions, SourceRow } from '../../src/io/rows.js';

export const fixture = (name: string): string => join(import.meta.dirname, '..', 'fixtures', 'csv', name);

/** A fresh temp dir for one test file; call `cleanup` in afterAll. */
export function tempDir(prefix: string): { path: (name: string) => string; write: (name: string, data: string | Uint8Array) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `plannr-read-${prefix}-`));
  return {
    path: (name) => join(dir, name),
    write: (name, data) => {
      const path = join(dir, name);
      writeFileSync(path, data);
      return path;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface ReadResult {
  readonly sheet: OpenedSheet;
  readonly rows: SourceRow[];
}

export async function readAll(path: string, options: ReadOptions & { displayName?: string } = {}): Promise<ReadResult> {
  const sheet = await openSheet(path, options);
  const rows: SourceRow[] = [];
  for await (const row of sheet.rows) rows.push(row);
  return { sheet, rows };
}

export const cellsOf = (rows: readonly SourceRow[]): unknown[][] => rows.map((row) => [...row.cells]);

/** Expects an InputError whose location matches `where` (fields given) and message `problem`. */
export async function expectInputError(action: Promise<unknown>, where: Partial<Location>, problem: RegExp): Promise<InputError> {
  const error: unknown = await action.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error, 'expected an InputError').toBeInstanceOf(InputError);
  const inputError = error as InputError;
  expect(inputError.where).toMatchObject(where);
  expect(inputError.problem).toMatch(problem);
  return inputError;
}
