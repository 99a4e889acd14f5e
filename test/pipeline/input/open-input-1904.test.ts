/**
 * A workbook in the 1904 date system: openInput passes the sheet's date system on to the
 * row checker and to what worker threads are given (OpenedInput.normalise). The reader is
 * replaced by a sheet that says date1904, so this tests the wiring, not the reader.
 */
import { describe, expect, it, vi } from 'vitest';
import type { OpenedSheet, SourceRow } from '../../../src/io/rows.js';
import { defaultNormaliseOptions } from '../../../src/normalise/result.js';

function sheetOf(date1904: boolean | undefined): OpenedSheet {
  return {
    file: 'mac.xlsx',
    format: 'xlsx',
    sheet: 'Cases',
    headers: ['Case Name', 'Review Date'],
    rows: (async function* (): AsyncGenerator<SourceRow> {})(),
    stats: { blankRows: 0 },
    ...(date1904 === undefined ? {} : { date1904 }),
  };
}

const opened = vi.hoisted(() => ({ date1904: undefined as boolean | undefined }));
vi.mock('../../../src/io/read.js', () => ({ openSheet: async () => sheetOf(opened.date1904) }));

const { openInput } = await import('../../../src/pipeline/input/open-input.js');

async function reviewAtOf(serial: number) {
  const input = await openInput({ file: 'mac.xlsx', entity: 'cases', normalise: defaultNormaliseOptions });
  const check = input.check({ position: { file: 'mac.xlsx', sheet: 'Cases', row: 2 }, cells: ['A case', serial] });
  return { input, check };
}

describe('openInput and the 1904 date system', () => {
  it('reads a serial number in a 1904 workbook from 1904-01-01 (44196 = 2025-01-01), and hands the option on', async () => {
    opened.date1904 = true;
    const { input, check } = await reviewAtOf(44196);
    expect(input.normalise.date1904).toBe(true);
    expect(check.problems.filter((p) => p.column === 'Review Date')).toEqual([]);
    expect(check.values['review_at']).toBe('2025-01-01T00:00:00+00:00');
  });

  it('reads the same serial in a 1900 workbook as 2020-12-31', async () => {
    opened.date1904 = false;
    const { input, check } = await reviewAtOf(44196);
    expect(input.normalise.date1904).toBe(false);
    expect(check.values['review_at']).toBe('2020-12-31T00:00:00+00:00');
  });

  it('takes a sheet that does not say (CSV) as the 1900 system', async () => {
    opened.date1904 = undefined;
    const { input } = await reviewAtOf(44196);
    expect(input.normalise.date1904).toBe(false);
  });
});
