/**
 * Throughput of each field normaliser over generated data (not a timed test).
 * Run: npx tsx bench/normalise.ts
 */
import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import {
  normaliseBoolean,
  normaliseDate,
  normaliseDateTime,
  normaliseEmail,
  normaliseInteger,
  normaliseList,
  normaliseMoney,
  normalisePhone,
  normaliseText,
  normaliseUuid,
  type Normalised,
  type RawValue,
} from '../src/normalise/index.js';

const MIN_MS = 600;

/** A small deterministic PRNG so runs compare like with like. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
const rand = random(42);
const digits = (count: number): string => Array.from({ length: count }, () => Math.floor(rand() * 10)).join('');
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
const pad2 = (n: number): string => String(n).padStart(2, '0');

interface Result {
  name: string;
  opsPerSecond: number;
  okShare: number;
}

/** Loops over `inputs` until MIN_MS has passed (at least once), returns ops/s. */
function measure(name: string, inputs: readonly RawValue[], normalise: (v: RawValue) => Normalised<unknown>): Result {
  let ops = 0;
  let okCount = 0;
  const started = performance.now();
  let elapsed = 0;
  do {
    for (const input of inputs) if (normalise(input).ok) okCount++;
    ops += inputs.length;
    elapsed = performance.now() - started;
  } while (elapsed < MIN_MS);
  return { name, opsPerSecond: (ops / elapsed) * 1000, okShare: okCount / ops };
}

/** One pass only: for caches, the first sight of each distinct value. */
function measureOnce(name: string, inputs: readonly RawValue[], normalise: (v: RawValue) => Normalised<unknown>): Result {
  let okCount = 0;
  const started = performance.now();
  for (const input of inputs) if (normalise(input).ok) okCount++;
  const elapsed = performance.now() - started;
  return { name, opsPerSecond: (inputs.length / elapsed) * 1000, okShare: okCount / inputs.length };
}

const gb = { defaultCountry: 'GB' };
const london = { timezone: 'Europe/London', dateOrder: undefined };
const londonDmy = { timezone: 'Europe/London', dateOrder: 'dmy' as const };

// Phones: distinct values so the first pass measures libphonenumber itself.
const validPhones = Array.from({ length: 20_000 }, (_, i) =>
  i % 2 === 0 ? `07${pick(['4', '5', '7', '8', '9'])}${digits(2)} ${digits(6)}` : `020 7${digits(3)} ${digits(4)}`,
);
const invalidPhones = Array.from({ length: 20_000 }, (_, i) =>
  i % 2 === 0 ? `07700 900${digits(3)}${i}` : `0${digits(4)} ${digits(3)}`,
);
const phoneCells = Array.from({ length: 20_000 }, () => Number(`79${digits(8)}`));

const moneyTexts = Array.from({ length: 10_000 }, () => pick(['£', '', 'GBP ']) + Number(digits(6)).toLocaleString('en-GB') + `.${digits(2)}`);
const moneyCells = Array.from({ length: 10_000 }, () => Number(`${digits(5)}.${digits(2)}`));

const isoDateTimes = Array.from({ length: 2_000 }, () => `2025-${pad2(1 + Math.floor(rand() * 12))}-${pad2(1 + Math.floor(rand() * 28))} ${pad2(Math.floor(rand() * 24))}:${pad2(Math.floor(rand() * 60))}:00`)
  .filter((text) => !text.startsWith('2025-03-30 01'));
/** Distinct date-times (every minute of a month): measures parsing and zone offsets, not the result cache. */
const distinctIsoDateTimes = Array.from({ length: 40_000 }, (_, i) => `2025-10-${pad2(1 + Math.floor(i / 1440))} ${pad2(Math.floor(i / 60) % 24)}:${pad2(i % 60)}:00`);
const ukDateTimes = Array.from({ length: 2_000 }, () => `${pad2(1 + Math.floor(rand() * 28))}/${pad2(1 + Math.floor(rand() * 12))}/20${10 + Math.floor(rand() * 16)} ${pad2(9 + Math.floor(rand() * 8))}:${pad2(Math.floor(rand() * 60))}`);
const namedDates = Array.from({ length: 2_000 }, () => `${1 + Math.floor(rand() * 28)} ${pick(['Jan', 'March', 'Jul', 'September', 'Dec'])} ${1950 + Math.floor(rand() * 75)}`);
const serials = Array.from({ length: 2_000 }, () => 30_000 + Math.floor(rand() * 20_000) + (rand() < 0.5 ? 0 : 0.375));
const excelDates = serials.map((serial) => new Date(Date.UTC(1899, 11, 30) + Math.round(serial * 86_400_000)));
const ambiguousDates = Array.from({ length: 2_000 }, () => `0${1 + Math.floor(rand() * 8)}/1${Math.floor(rand() * 3)}/2025`);

const uuids = Array.from({ length: 10_000 }, () => crypto.randomUUID().toUpperCase());
const emails = Array.from({ length: 10_000 }, (_, i) => `Client.${i}@Example-Firm.CO.UK`);
const booleans = ['yes', 'No', 'TRUE', 'f', '1', 0, true];
const texts = Array.from({ length: 10_000 }, (_, i) => `  Review meeting notes for client ${i}: pension transfer and ISA allowance  `);
const integers = Array.from({ length: 10_000 }, (_, i) => (i % 2 === 0 ? String(i) : `${i}.0`));
const uuidLists = Array.from({ length: 5_000 }, () => `${crypto.randomUUID()}; ${crypto.randomUUID()}; ${crypto.randomUUID()}`);

/** The library alone (parse + isValid, no cache), over the same distinct numbers: the baseline for the phone rows. */
function rawLibphonenumber(value: RawValue): Normalised<unknown> {
  try {
    const valid = parsePhoneNumberWithError(String(value), { defaultCountry: 'GB', extract: false }).isValid();
    return valid ? { ok: true, value } : { ok: false, error: '' };
  } catch {
    return { ok: false, error: '' };
  }
}

// Warm the JIT and libphonenumber's metadata on numbers not used below.
for (let i = 0; i < 3_000; i++) normalisePhone(`07${pick(['4', '7', '9'])}${digits(2)} ${digits(6)}`, gb);

const results: Result[] = [
  measureOnce('phone: libphonenumber alone, valid (baseline)', validPhones, rawLibphonenumber),
  measureOnce('phone: libphonenumber alone, invalid (baseline)', invalidPhones, rawLibphonenumber),
  measureOnce('phone: valid GB, first sight (uncached)', validPhones, (v) => normalisePhone(v, gb)),
  measure('phone: valid GB, repeated (cached)', validPhones, (v) => normalisePhone(v, gb)),
  measureOnce('phone: invalid GB, first sight (uncached)', invalidPhones, (v) => normalisePhone(v, gb)),
  measure('phone: invalid GB, repeated (cached)', invalidPhones, (v) => normalisePhone(v, gb)),
  measureOnce('phone: number cells missing the 0, first sight', phoneCells, (v) => normalisePhone(v, gb)),
  measure('money: text "£12,345.67"', moneyTexts, (v) => normaliseMoney(v, { allowNegative: false })),
  measure('money: number cells', moneyCells, (v) => normaliseMoney(v, { allowNegative: false })),
  measureOnce('date-time: ISO, distinct values (uncached)', distinctIsoDateTimes, (v) => normaliseDateTime(v, london)),
  measure('date-time: ISO "2025-07-01 09:30:00", repeated', isoDateTimes, (v) => normaliseDateTime(v, london)),
  measure('date-time: UK "01/07/2025 14:05" (dmy)', ukDateTimes, (v) => normaliseDateTime(v, londonDmy)),
  measure('date-time: Excel serial numbers', serials, (v) => normaliseDateTime(v, london)),
  measure('date-time: Excel date cells', excelDates, (v) => normaliseDateTime(v, london)),
  measure('date-time: ambiguous 03/04/2025 (errors)', ambiguousDates, (v) => normaliseDateTime(v, london)),
  measure('date: "1 July 1980"', namedDates, (v) => normaliseDate(v, london)),
  measure('uuid', uuids, normaliseUuid),
  measure('email', emails, normaliseEmail),
  measure('boolean', booleans, normaliseBoolean),
  measure('text (max 255)', texts, (v) => normaliseText(v, { maxLength: 255 })),
  measure('integer', integers, (v) => normaliseInteger(v, {})),
  measure('list of 3 uuids', uuidLists, (v) => normaliseList(v, normaliseUuid)),
];

const nameWidth = Math.max(...results.map((r) => r.name.length));
console.log(`${'normaliser'.padEnd(nameWidth)}  ${'ops/s'.padStart(12)}  ok`);
for (const { name, opsPerSecond, okShare } of results) {
  console.log(`${name.padEnd(nameWidth)}  ${Math.round(opsPerSecond).toLocaleString('en-GB').padStart(12)}  ${(okShare * 100).toFixed(0)}%`);
}
