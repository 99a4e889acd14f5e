import { normaliseDate } from './date.js';
import { fail, type Normalised, type NormaliseOptions, type RawValue } from './result.js';

type BirthOptions = Pick<NormaliseOptions, 'timezone' | 'dateOrder' | 'date1904'>;

/** Earlier years are typing slips in a client list (1880 for 1980), not living clients. */
const FIRST_BIRTH_YEAR = 1900;

/**
 * A date of birth as YYYY-MM-DD: read as a plain date (normaliseDate: the day written is the
 * day kept, never shifted by a time zone; a two-digit year is refused, since 01/02/34 could be
 * 1934 or 2034; a time of day other than midnight is refused), and then checked as a birth
 * date: not after `today` (the run's own date in its zone unless given) and not before 1900.
 */
export function normaliseDateOfBirth(value: RawValue, options: BirthOptions, today: string = todayIn(options.timezone)): Normalised<string> {
  const date = normaliseDate(value, options);
  if (!date.ok) return date;
  if (date.value > today) return fail(`${date.value} is in the future: a date of birth cannot be after today (${today})`);
  if (Number(date.value.slice(0, 4)) < FIRST_BIRTH_YEAR) {
    return fail(`${date.value} is before ${FIRST_BIRTH_YEAR}: check the year of this date of birth`);
  }
  return date;
}

/** Today's date (YYYY-MM-DD) where the run says it is, e.g. Europe/London; UTC if the zone is unknown. */
export function todayIn(timezone: string, now: Date = new Date()): string {
  let zone = timezone;
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone: zone });
  } catch {
    zone = 'UTC';
  }
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
