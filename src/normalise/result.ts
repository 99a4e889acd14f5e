/** What every normaliser returns: a value, or a reason a person can act on. */
export type Normalised<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string };

export function ok<T>(value: T): Normalised<T> {
  return { ok: true, value };
}

export function fail<T = never>(error: string): Normalised<T> {
  return { ok: false, error };
}

/**
 * A non-blank input value as a reader gives it (structurally the same as io's CellValue,
 * minus null: blank cells never reach a normaliser, the pipeline handles them).
 */
export type RawValue = string | number | boolean | Date;

/** Options shared by the normalisers; set per run from flags. */
export interface NormaliseOptions {
  /** ISO 3166 region for numbers without a country code. Default 'GB'. */
  readonly defaultCountry: string;
  /** IANA zone used for wall-clock dates and times. Default 'Europe/London'. */
  readonly timezone: string;
  /** How to read 03/04/2025. Undefined: only unambiguous dates are accepted. */
  readonly dateOrder?: 'dmy' | 'mdy' | 'ymd' | undefined;
  /**
   * The workbook counts dates in the 1904 system (0 = 1904-01-01), as the file's own
   * workbook properties say; serial numbers in date fields are read with that epoch.
   * Set from the opened sheet, never from a flag. Default false (the 1900 system).
   */
  readonly date1904?: boolean | undefined;
}

export const defaultNormaliseOptions: NormaliseOptions = {
  defaultCountry: 'GB',
  timezone: 'Europe/London',
  dateOrder: undefined,
  date1904: false,
};
