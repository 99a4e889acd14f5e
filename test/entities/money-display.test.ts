/**
 * One money display for people: pounds and pence with a £, thousands grouped by commas, the
 * sign first (the way the sandbox's `formatted` and UK invoices write it). The API holds whole
 * pennies; whatever a person is shown, or a file holds, must read back as the same pennies.
 */
import { describe, expect, it } from 'vitest';
import { moneyCell, showPounds } from '../../src/entities/cells.js';
import { cases } from '../../src/entities/cases.js';
import { money } from '../../src/entities/field-types.js';
import { normaliseMoney } from '../../src/normalise/money.js';
import type { NormaliseOptions } from '../../src/normalise/result.js';
import { cellOf } from '../../src/pipeline/export-cells.js';
import { renderMoney } from '../../src/sandbox/routes/render.js';

const options: NormaliseOptions = { defaultCountry: 'GB', timezone: 'Europe/London' };
const signed = { allowNegative: true, currency: 'GBP' };

describe('money shown to people', () => {
  it.each([
    [0, '£0.00'],
    [5, '£0.05'],
    [50, '£0.50'],
    [100, '£1.00'],
    [123456, '£1,234.56'],
    [100000000, '£1,000,000.00'],
    [-1250, '-£12.50'],
    [-5, '-£0.05'],
  ])('%i pennies read "%s"', (pennies, shown) => {
    expect(showPounds(pennies)).toBe(shown);
  });

  it('a money column shows its value the same way in the report and messages', () => {
    const value = cases.columns.find((c) => c.field === 'value')!;
    expect(value.type.display(123450)).toBe('£1,234.50');
    expect(money({ allowNegative: true }).display(-99)).toBe('-£0.99');
  });

  it("the sandbox's formatted amount is the same text, beside the exact pennies", () => {
    expect(renderMoney(123456)).toEqual({ amount: 123456, currency: 'GBP', formatted: '£1,234.56' });
  });

  it('refuses to show a part of a penny rather than round it', () => {
    expect(() => showPounds(1.5)).toThrow(RangeError);
  });
});

describe('a round trip reads back the same pennies', () => {
  // Whole pennies from 0 up to the largest a double holds exactly, both signs.
  const amounts = [0, 1, 9, 10, 99, 100, 101, 123456, 99999999, 123456789012, Number.MAX_SAFE_INTEGER];
  const both = amounts.flatMap((p) => (p === 0 ? [0] : [p, -p]));

  it.each(both)('%i pennies, shown to a person and typed back in', (pennies) => {
    expect(normaliseMoney(showPounds(pennies), signed)).toEqual({ ok: true, value: pennies });
  });

  it.each(both)('%i pennies, written to an XLSX cell and read back', (pennies) => {
    const cell = moneyCell(pennies, 'xlsx');
    // A number of pounds while Excel's 15 significant digits hold every penny; text beyond.
    expect(typeof cell).toBe(Math.abs(pennies) < 10 ** 15 ? 'number' : 'string');
    expect(normaliseMoney(cell as number | string, signed)).toEqual({ ok: true, value: pennies });
  });

  it('the largest amount a number cell holds, to the penny: £9,999,999,999,999.99', () => {
    expect(moneyCell(999_999_999_999_999, 'xlsx')).toBe(9_999_999_999_999.99);
    expect(normaliseMoney(9_999_999_999_999.99, signed)).toEqual({ ok: true, value: 999_999_999_999_999 });
    expect(moneyCell(1_000_000_000_000_000, 'xlsx')).toBe('10000000000000.00');
  });

  it.each(both)('%i pennies, written to a CSV cell and read back', (pennies) => {
    const cell = moneyCell(pennies, 'csv');
    expect(cell).toMatch(/^-?\d+\.\d{2}$/);
    expect(normaliseMoney(cell as string, signed)).toEqual({ ok: true, value: pennies });
  });

  it("an exported case value is a number of pounds in a workbook and '1234.50' in a CSV", () => {
    const value = cases.columns.find((c) => c.field === 'value')!;
    expect(value.type.numberFormat).toBe('money');
    expect(cellOf(value, 123450, 'xlsx', options)).toBe(1234.5);
    expect(cellOf(value, 123450, 'csv', options)).toBe('1234.50');
  });

  it('a value the API holds in another shape is written as text, never as a wrong amount', () => {
    expect(moneyCell('12.5', 'xlsx')).toBe('12.5');
    expect(moneyCell(12.5, 'xlsx')).toBe('12.5');
  });
});
