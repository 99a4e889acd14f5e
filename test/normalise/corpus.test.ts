/**
 * The value corpus (test/fixtures/corpus/values.csv, written by generate.mjs beside it):
 * messy legacy-CRM phones, amounts and dates, each with the value the rules give (Ofcom
 * numbering, each zone's clock changes, Excel's serial dates, ISO 8601, the README's money
 * rules) or the words its error must contain. Every value goes through the normaliser its
 * kind names; all mismatches of a kind are listed together.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { normaliseDate, normaliseDateTime } from '../../src/normalise/date.js';
import { normaliseMoney } from '../../src/normalise/money.js';
import { normalisePhone } from '../../src/normalise/phone.js';
import type { Normalised } from '../../src/normalise/result.js';

interface CorpusRow {
  readonly value: string;
  readonly kind: string;
  readonly expected: string;
  readonly why: string;
}

const corpusFile = join(import.meta.dirname, '..', 'fixtures', 'corpus', 'values.csv');
const corpus = Papa.parse<CorpusRow>(readFileSync(corpusFile, 'utf8'), { header: true, skipEmptyLines: true }).data;

/** "2025-10-26T01:30:00" as the xlsx reader gives a date cell: the wall clock in the UTC fields. */
function dateCell(text: string): Date {
  const [date = '', time = ''] = text.split('T');
  const [year, month, day] = date.split('-').map(Number);
  const [hour, minute, second] = time.split(':').map(Number);
  return new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1, hour ?? 0, minute ?? 0, second ?? 0));
}

function normalise(row: CorpusRow): Normalised<string | number> {
  const [kind = '', timezone = 'Europe/London'] = row.kind.split(':');
  const options = { timezone, dateOrder: undefined };
  switch (kind) {
    case 'phone':
      return normalisePhone(row.value, { defaultCountry: 'GB' });
    case 'phone-cell':
      return normalisePhone(Number(row.value), { defaultCountry: 'GB' });
    case 'money':
      return normaliseMoney(row.value, { allowNegative: true });
    case 'money-cell':
      return normaliseMoney(Number(row.value), { allowNegative: true });
    case 'date':
      return normaliseDate(row.value, options);
    case 'date-serial':
      return normaliseDate(Number(row.value), options);
    case 'datetime':
      return normaliseDateTime(row.value, options);
    case 'datetime-cell':
      return normaliseDateTime(dateCell(row.value), options);
    case 'datetime-serial':
      return normaliseDateTime(Number(row.value), options);
    case 'datetime-serial1904':
      return normaliseDateTime(Number(row.value), { ...options, date1904: true });
    default:
      throw new Error(`values.csv: unknown kind "${row.kind}"`);
  }
}

/** '' when the row gives what it should, else what it gave instead. */
function mismatch(row: CorpusRow): string {
  const result = normalise(row);
  const got = result.ok ? String(result.value) : `error: ${result.error}`;
  if (row.expected.startsWith('error:')) {
    const words = row.expected.slice('error:'.length).trim();
    return !result.ok && result.error.includes(words) ? '' : got;
  }
  return result.ok && String(result.value) === row.expected ? '' : got;
}

const kinds = [...new Set(corpus.map((row) => row.kind))];

describe('the value corpus', () => {
  it('holds several hundred values of every family, each with its expected value and reason', () => {
    expect(corpus.length).toBeGreaterThan(1000);
    for (const family of ['phone', 'money', 'date', 'datetime']) expect(corpus.filter((r) => r.kind.split(':')[0]?.startsWith(family)).length).toBeGreaterThan(20);
    expect(corpus.filter((r) => r.expected === '' || r.why === '')).toEqual([]);
  });

  it.each(kinds)('normalises every %s value as the rules say', (kind) => {
    const wrong = corpus
      .filter((row) => row.kind === kind)
      .flatMap((row) => {
        const got = mismatch(row);
        return got === '' ? [] : [`${JSON.stringify(row.value)} (${row.why}): expected ${row.expected}, got ${got}`];
      });
    expect(wrong).toEqual([]);
  });
});
