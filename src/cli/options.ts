/**
 * Flags shared by several commands, as a typed table keyed by the config field each one
 * fills, so a flag cannot drift from the option it sets. Every flag documents its default.
 */
import { Option } from '@commander-js/extra-typings';
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { mappingFileSchema, type MappingOverrides } from '../pipeline/input/mapping.js';
import type { NormaliseOptions } from '../normalise/result.js';
import { entityNames } from '../entities/index.js';

export const normaliseFlags = {
  defaultCountry: new Option('--default-country <code>', 'country for phone numbers written without +code').default('GB'),
  timezone: new Option('--timezone <zone>', 'IANA time zone for dates and times without an offset').default('Europe/London'),
  dateOrder: new Option('--date-order <order>', 'how to read 03/04/2025; without it, ambiguous dates are errors').choices(['dmy', 'mdy', 'ymd'] as const),
} satisfies Record<Exclude<keyof NormaliseOptions, 'date1904'>, Option<string, string | undefined, unknown>>; // date1904 comes from the workbook, not a flag

export const inputFlags = {
  entity: new Option('--entity <name>', `what the rows are: ${entityNames.join(', ')}`).makeOptionMandatory(),
  sheet: new Option('--sheet <name>', 'XLSX sheet to read (default: the first sheet)'),
  encoding: new Option('--encoding <name>', 'CSV encoding: utf-8, utf-16le, windows-1252 (default: detected)'),
  delimiter: new Option('--delimiter <char>', 'CSV delimiter: , ; tab | (default: detected)'),
  mapping: new Option('--mapping <file>', 'JSON file: {"Header": "field"}, {"Header": null} to ignore, {"field": {"constant": "value"}}'),
};

/** Row checking on worker threads (validate, and import's --dry-run through it). */
export const threadsFlag = new Option(
  '--threads <n>',
  'worker threads that check rows; 0 = none (default: CPU cores minus one, at least 1, for files over 2 MB once the first 8,192 rows show checking costs at least 4x reading, as phone numbers do; none otherwise)',
);

/** `--threads` as a count, or undefined for the default (auto, by file size). */
export function threadsFrom(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,3}$/.test(text.trim())) throw new UsageError(`--threads "${text}" is not a whole number (0 = no worker threads)`);
  return Number(text.trim());
}

export function normaliseOptionsFrom(flags: { defaultCountry: string; timezone: string; dateOrder?: 'dmy' | 'mdy' | 'ymd' | undefined }): NormaliseOptions {
  const country = flags.defaultCountry.toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) throw new UsageError(`--default-country "${flags.defaultCountry}" is not a two-letter country code (e.g. GB)`);
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: flags.timezone });
  } catch {
    throw new UsageError(`--timezone "${flags.timezone}" is not a time zone name (e.g. Europe/London)`);
  }
  return { defaultCountry: country, timezone: flags.timezone, dateOrder: flags.dateOrder };
}

export async function readMappingFile(path: string | undefined): Promise<MappingOverrides | undefined> {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--mapping ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--mapping ${path}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = mappingFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new UsageError(`--mapping ${path}: expected {"Header": "field" | null, "field": {"constant": "value"}} (${parsed.error.issues[0]?.message ?? 'bad shape'})`);
  }
  return parsed.data;
}
