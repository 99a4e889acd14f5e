/**
 * Writes samples/: deterministic, realistic legacy-CRM exports that reference the sandbox
 * seed's uuids (so an import against `plannr-bulk sandbox` lands), each with deliberate
 * errors at known rows, and samples/README.md listing them.
 *
 *   npx tsx scripts/make-samples.ts
 *
 * Row numbers are as a user sees them: the header is row 1, the first data row is row 2
 * (for CSV: record number + 1, so a quoted newline does not shift later rows).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { createRandom, createSeedState } from '../src/sandbox/seed.js';
import type { AccountRecord, CaseRecord, SandboxState } from '../src/sandbox/state.js';

const OUT_DIR = join(import.meta.dirname, '..', 'samples');

type Random = () => number;
type Cell = string | number | Date | null | { formula: string; result: string } | { richText: Array<{ text: string; font?: { bold?: boolean; italic?: boolean } }> };

/** A deliberate error (or a deliberate oddity that is valid), for the README. */
interface Planted {
  row: number;
  column: string;
  what: string;
  expected: string;
}

interface Sample {
  file: string;
  story: string;
  format: string;
  rows: number;
  planted: Planted[];
}

const pick = <T>(random: Random, items: readonly T[]): T => {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
};

/** Fixed workbook properties, so only the zip entries' own timestamps differ between runs. */
const WORKBOOK_DATE = new Date(Date.UTC(2026, 2, 18, 9, 0, 0));

function newWorkbook(): ExcelJS.Workbook {
  const workbook = new ExcelJS.Workbook();
  workbook.created = WORKBOOK_DATE;
  workbook.modified = WORKBOOK_DATE;
  return workbook;
}

/** Saves a sample workbook under samples/ with every column `columnWidth` wide, and returns its description. */
async function savedWorkbook(workbook: ExcelJS.Workbook, columnWidth: number, sample: Sample): Promise<Sample> {
  for (const sheet of workbook.worksheets) {
    sheet.columns.forEach((column) => {
      column.width = columnWidth;
    });
  }
  await workbook.xlsx.writeFile(join(OUT_DIR, sample.file));
  return sample;
}

/** Saves a sample text file under samples/ as the given bytes, and returns its description. */
async function savedText(bytes: string | Buffer, sample: Sample): Promise<Sample> {
  await writeFile(join(OUT_DIR, sample.file), bytes);
  return sample;
}

const UNKNOWN_CASE_UUID = '3f2a9c1e-7b4d-4e6f-9a8b-1c2d3e4f5a6b';
const UNKNOWN_ACCOUNT_UUID = '6b5a4f3e-2d1c-4b0a-9f8e-7d6c5b4a3f2e';
const UNKNOWN_PHONE_ID = '8d7c6b5a-4f3e-4d2c-8b1a-0f9e8d7c6b5a';

// ---------------------------------------------------------------- formatting helpers

function dayFirst(iso: string, withTime: boolean): string {
  // iso like 2026-03-18T14:30:00+00:00: keep the wall-clock fields as written.
  const [date = '', time = ''] = iso.split('T');
  const [y, m, d] = date.split('-');
  return withTime ? `${d}/${m}/${y} ${time.slice(0, 5)}` : `${d}/${m}/${y}`;
}

/** A review date whose day is > 12, so dd/mm can never be read as mm/dd. */
function unambiguousDate(random: Random, withTime: boolean): string {
  const day = 13 + Math.floor(random() * 15);
  const month = 1 + Math.floor(random() * 12);
  const year = 2026 + Math.floor(random() * 2);
  const iso = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T${String(9 + Math.floor(random() * 8)).padStart(2, '0')}:${pick(random, ['00', '15', '30', '45'])}:00`;
  return dayFirst(iso, withTime);
}

function moneyText(random: Random, pennies: number): string {
  const pounds = pennies / 100;
  switch (Math.floor(random() * 4)) {
    case 0:
      return `£${pounds.toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
    case 1:
      return String(pounds); // 1234.5 style, as Excel "General" writes it
    case 2:
      return `£${Math.round(pounds)}`;
    default:
      return pounds.toFixed(2);
  }
}

function smartName(random: Random, record: CaseRecord, client: AccountRecord | undefined): string {
  const surname = client?.last_name ?? 'Client';
  return pick(random, [
    record.name,
    `“${record.name.split(' – ')[0] ?? record.name}” – ${surname}`,
    `${surname}’s ISA top-up – £20k`,
    `${client?.first_name ?? 'Client'} ${surname} – pension consolidation`,
    `Remortgage – ${surname} (fixed 5 yr)`,
  ]);
}

const joinList = (items: readonly string[]): string => items.join('; ');

function csvField(value: string, delimiter: string): string {
  return /["\r\n]/.test(value) || value.includes(delimiter) ? `"${value.replace(/"/g, '""')}"` : value;
}

function assertValidPhone(text: string): void {
  const parsed = parsePhoneNumberWithError(text, { defaultCountry: 'GB', extract: false });
  if (!parsed.isValid()) throw new Error(`sample phone meant to be valid is not: ${text}`);
}

// ---------------------------------------------------------------- cases

const CASE_HEADERS = [
  'Case ID', 'Case Name', 'Case Status', 'Status Position', 'Case Type', 'Case Value (£)',
  'Review Date', 'Date Completed', 'Assigned To', 'Groups', 'Plans', 'Clients',
] as const;

interface CaseRowParts {
  id: string;
  name: string;
  status: string;
  position: string;
  type: string;
  pennies: number | null;
  review: string;
  completed: string;
  assigned: string[];
  groups: string[];
  plans: string[];
  clients: string[];
}

function legacyCaseRow(random: Random, state: SandboxState, record: CaseRecord | undefined, isNew: boolean): CaseRowParts {
  const cases = Object.values(state.cases);
  const base = record ?? pick(random, cases);
  const client = state.accounts[base.participant_uuids[0] ?? ''];
  const completed = state.caseStatuses[base.status_uuid]?.is_type_completed === true;
  return {
    id: isNew ? '' : base.uuid,
    name: isNew ? `New enquiry – ${client?.last_name ?? 'Client'} protection review` : smartName(random, base, client),
    status: base.status_uuid,
    position: String(1 + Math.floor(random() * 40)),
    type: base.type_uuid ?? '',
    pennies: random() < 0.1 ? null : (base.value ?? 150000),
    review: random() < 0.15 ? '' : unambiguousDate(random, random() < 0.3),
    completed: completed && random() < 0.7 ? unambiguousDate(random, true) : '',
    assigned: base.assigned_to_uuids,
    groups: base.group_uuids,
    plans: base.plan_uuids,
    clients: base.participant_uuids,
  };
}

async function writeCasesCsv(state: SandboxState): Promise<Sample> {
  const random = createRandom(101);
  const cases = Object.values(state.cases);
  const rows: string[][] = [];
  const planted: Planted[] = [];
  const rowCount = 200;
  // Which data rows carry which deliberate error (row = index + 2).
  const plan = new Map<number, string>([
    [6, 'bad-uuid'], [19, 'three-decimals'], [27, 'dollar'], [41, 'ambiguous-date'], [58, 'impossible-date'],
    [73, 'long-name'], [88, 'duplicate-id'], [97, 'new-no-clients'], [112, 'unknown-case'], [126, 'extra-comma'],
    [140, 'newline-name'], [151, 'bad-uuid-list'], [167, 'three-decimals'], [183, 'ambiguous-date'],
  ]);
  let firstId = '';
  const wideRows = new Set<number>();
  for (let i = 0; i < rowCount; i++) {
    const row = i + 2;
    const isNew = i % 17 === 9 || plan.get(i) === 'new-no-clients';
    const parts = legacyCaseRow(random, state, cases[i], isNew);
    if (i === 0) firstId = parts.id;
    let money = parts.pennies === null ? '' : moneyText(random, parts.pennies);
    const note = (column: string, what: string, expected: string): void => {
      planted.push({ row, column, what, expected });
    };
    switch (plan.get(i)) {
      case 'bad-uuid':
        parts.status = parts.status.slice(0, -1);
        note('Case Status', `uuid one character short (${parts.status})`, 'invalid: not a uuid');
        break;
      case 'three-decimals':
        money = i < 100 ? '£12.345' : '1,250.125';
        note('Case Value (£)', `money with three decimals (${money})`, 'invalid: ambiguous pennies');
        break;
      case 'dollar':
        money = '$250.00';
        note('Case Value (£)', 'a dollar amount ($250.00)', 'invalid: not pounds');
        break;
      case 'ambiguous-date':
        parts.review = i < 100 ? '03/04/2026' : '11/12/2026 10:00';
        note('Review Date', `ambiguous day/month (${parts.review})`, 'invalid unless a date order is given (then valid)');
        break;
      case 'impossible-date':
        parts.review = '31/04/2026';
        note('Review Date', 'impossible date 31/04/2026', 'invalid: April has 30 days');
        break;
      case 'long-name':
        parts.name = `Full pension and protection review for the ${'Harrington-Wolstenholme '.repeat(11)}family`.slice(0, 270);
        note('Case Name', `name of ${parts.name.length} characters`, 'invalid: over 255 characters');
        break;
      case 'duplicate-id':
        parts.id = firstId;
        note('Case ID', `same Case ID as row 2 (${firstId})`, 'skipped or invalid: duplicate key');
        break;
      case 'new-no-clients':
        parts.clients = [];
        note('Clients', 'new case (blank Case ID) with no Clients', 'invalid: a new case needs a client participant');
        break;
      case 'unknown-case':
        parts.id = UNKNOWN_CASE_UUID;
        note('Case ID', `well-formed uuid not in the sandbox (${UNKNOWN_CASE_UUID})`, 'valid offline; 404 online');
        break;
      case 'extra-comma':
        parts.name = `${parts.name.replace(/,/g, '')}, joint`;
        wideRows.add(i);
        note('Case Name', 'unquoted comma in the name: the row has 13 cells, one more than the header', 'invalid: row wider than the header');
        break;
      case 'newline-name':
        parts.name = `Annual review\nspouse to attend`;
        note('Case Name', 'quoted name with an embedded line break', 'VALID (a quoted newline is data)');
        break;
      case 'bad-uuid-list':
        parts.assigned = [...parts.assigned, 'helen.marsh'];
        note('Assigned To', 'a name instead of a uuid in the list (helen.marsh)', 'invalid: not a uuid');
        break;
    }
    if (isNew && plan.get(i) !== 'new-no-clients') {
      note('Case ID', 'blank Case ID with Clients: creates a new case', 'VALID (create)');
    }
    rows.push([
      parts.id, parts.name, parts.status, parts.position, parts.type, money, parts.review, parts.completed,
      joinList(parts.assigned), joinList(parts.groups), joinList(parts.plans), joinList(parts.clients),
    ]);
  }
  const lines = [
    CASE_HEADERS.join(','),
    // The extra-comma row leaves only its name unquoted, so exactly one extra cell appears.
    ...rows.map((cells, i) => cells.map((cell, c) => (wideRows.has(i) && c === 1 ? cell : csvField(cell, ','))).join(',')),
  ];
  // Windows-1252, no BOM, CRLF: what an old Windows CRM writes.
  return savedText(iconv.encode(`${lines.join('\r\n')}\r\n`, 'win1252'), {
    file: 'cases-legacy.csv',
    story: 'Case export from a Windows desktop CRM ("AdviserOffice 2011"): Windows-1252, comma-delimited, CRLF, day-first UK dates, money typed by hand.',
    format: 'CSV, Windows-1252 (no BOM), comma, CRLF',
    rows: rowCount,
    planted: planted.sort((a, b) => a.row - b.row),
  });
}

/** Excel wall-clock date: the UTC fields hold the time shown (Excel dates have no zone). */
function excelDate(random: Random): Date {
  return new Date(Date.UTC(2026 + Math.floor(random() * 2), Math.floor(random() * 12), 1 + Math.floor(random() * 28), 9 + Math.floor(random() * 8), pick(random, [0, 15, 30, 45])));
}

async function writeCasesXlsx(state: SandboxState): Promise<Sample> {
  const random = createRandom(202);
  const cases = Object.values(state.cases).slice(200);
  const workbook = newWorkbook();
  const sheet = workbook.addWorksheet('Cases');
  sheet.addRow([...CASE_HEADERS]);
  sheet.getRow(1).font = { bold: true };
  const planted: Planted[] = [];
  const rowCount = 100;
  let nameInB2 = '';
  for (let i = 0; i < rowCount; i++) {
    const row = i + 2;
    const record = cases[i];
    if (record === undefined) break;
    const parts = legacyCaseRow(random, state, record, false);
    let name: Cell = parts.name;
    let value: Cell = parts.pennies === null ? null : parts.pennies / 100;
    let review: Cell = parts.review === '' ? null : excelDate(random);
    const completed: Cell = parts.completed === '' ? null : excelDate(random);
    let id = parts.id;
    if (i === 0) nameInB2 = parts.name;
    if (i === 8) {
      // Excel stores the formula and its last computed value; readers see the cached result.
      name = { formula: 'B2', result: nameInB2 };
      planted.push({ row, column: 'Case Name', what: 'formula =B2 with a cached result (row 2\'s name)', expected: 'VALID: the cached result is the name' });
    } else if (i === 15) {
      name = { richText: [{ text: 'Pension ', font: { bold: true } }, { text: 'Review – ' }, { text: 'Patel', font: { italic: true } }] };
      planted.push({ row, column: 'Case Name', what: 'rich-text name (bold/italic runs)', expected: 'VALID: "Pension Review – Patel"' });
    } else if (i === 23) {
      value = 12.345;
      planted.push({ row, column: 'Case Value (£)', what: 'number cell 12.345 (three decimals)', expected: 'invalid: ambiguous pennies' });
    } else if (i === 37) {
      review = '03/04/2026';
      planted.push({ row, column: 'Review Date', what: 'text "03/04/2026" instead of a date cell', expected: 'invalid unless a date order is given' });
    } else if (i === 52) {
      id = UNKNOWN_CASE_UUID;
      planted.push({ row, column: 'Case ID', what: `uuid not in the sandbox (${UNKNOWN_CASE_UUID})`, expected: 'valid offline; 404 online' });
    } else if (i === 66) {
      value = -150;
      planted.push({ row, column: 'Case Value (£)', what: 'negative value -150', expected: 'invalid: value must be at least 0' });
    } else if (i === 81) {
      review = 'next spring';
      planted.push({ row, column: 'Review Date', what: 'text "next spring"', expected: 'invalid: not a date' });
    }
    const added = sheet.addRow([
      id, name, parts.status, Number(parts.position), parts.type, value, review, completed,
      joinList(parts.assigned), joinList(parts.groups), joinList(parts.plans), joinList(parts.clients),
    ]);
    added.getCell(6).numFmt = '"£"#,##0.00';
    added.getCell(7).numFmt = 'dd/mm/yyyy hh:mm';
    added.getCell(8).numFmt = 'dd/mm/yyyy hh:mm';
  }
  return savedWorkbook(workbook, 22, {
    file: 'cases-legacy.xlsx',
    story: 'The same legacy CRM\'s cases after a round through Excel: real date cells (dd/mm/yyyy hh:mm), values as currency-formatted number cells, one formula and one rich-text cell.',
    format: 'XLSX (shared strings), sheet "Cases"',
    rows: rowCount,
    planted,
  });
}

// ---------------------------------------------------------------- contact details

const digitsOf = (e164: string): string => e164.replace(/^\+44/, '');

/** A valid phone the way Excel (or a person) leaves it, for a row's new value. */
function mangledPhone(random: Random, index: number): ExcelJS.CellValue {
  const mobileDigits = `7911${String(120000 + index).padStart(6, '0')}`;
  switch (index % 6) {
    case 0:
      return Number(mobileDigits); // leading 0 lost: 7911123456
    case 1:
      return Number(`44${mobileDigits}`); // 447911123456
    case 2:
      return `+44 (0)20 7946 0${String(100 + (index % 900)).padStart(3, '0')}`;
    case 3:
      return `0044 161 496 0${String(100 + (index % 900)).padStart(3, '0')}`;
    case 4:
      return `0${mobileDigits.slice(0, 4)} ${mobileDigits.slice(4)} ext. ${10 + Math.floor(random() * 80)}`;
    default:
      return `0${mobileDigits.slice(0, 4)} ${mobileDigits.slice(4)}`;
  }
}

/** The first record of `pool` from `start` on whose uuid is neither used nor reserved for a later plain row. */
function pickUnused<T extends { uuid: string }>(pool: readonly T[], start: number, used: ReadonlySet<string>, reserved: readonly T[]): T | undefined {
  const taken = new Set([...used, ...reserved.map((r) => r.uuid)]);
  for (let k = 0; k < pool.length; k++) {
    const candidate = pool[(start + k) % pool.length];
    if (candidate !== undefined && !taken.has(candidate.uuid)) return candidate;
  }
  return undefined;
}

async function writeContactDetailsXlsx(state: SandboxState): Promise<Sample> {
  const random = createRandom(303);
  const details = Object.values(state.contactDetails);
  const employee = Object.values(state.accounts).find((a) => a.type === 'employee');
  if (employee === undefined) throw new Error('seed has no employee');
  const workbook = newWorkbook();
  const sheet = workbook.addWorksheet('Contacts');
  sheet.addRow(['Detail Ref', 'Label', 'Mobile', 'Client Refs', 'Primary For']);
  sheet.getRow(1).font = { bold: true };
  const planted: Planted[] = [];
  const rowCount = 200;
  const used = new Set<string>();
  const errors = new Map<number, string>([
    [4, 'excel-exponent'], [21, 'too-short'], [38, 'drama-range'], [55, 'not-a-number'], [72, 'two-at'],
    [89, 'missing-clients'], [106, 'employee-ref'], [123, 'too-short'], [140, 'two-at'], [157, 'not-a-number'],
    [174, 'drama-range'],
  ]);
  for (let i = 0; i < rowCount; i++) {
    const row = i + 2;
    const error = errors.get(i);
    // Phone details for phone errors, email details for email errors, otherwise in seed order.
    const wantsEmail = error === 'two-at';
    const pool = details.filter((d) => (error === undefined ? true : wantsEmail ? d.type === 'email' : d.type === 'phone_number'));
    // One row per record: a repeated uuid is a duplicate-key error, which these rows are not meant to be.
    const detail = error === undefined ? details[i] : pickUnused(pool, (i * 7) % pool.length, used, details.slice(0, rowCount));
    if (detail === undefined) throw new Error('seed too small');
    used.add(detail.uuid);
    const isNew = error === undefined && i % 25 === 12;
    let value: ExcelJS.CellValue =
      detail.type === 'email'
        ? random() < 0.5 ? detail.value : detail.value.toUpperCase()
        : mangledPhone(random, i);
    if (detail.type === 'phone_number' && typeof value === 'string') assertValidPhone(value);
    let clientRefs = joinList(detail.account_uuids);
    const primaryFor = joinList(detail.primary_account_uuids);
    const note = (column: string, what: string, expected: string): void => {
      planted.push({ row, column, what, expected });
    };
    switch (error) {
      case 'excel-exponent':
        value = '4.47911E+11';
        note('Mobile', 'text 4.47911E+11 (Excel scientific notation: digits lost)', 'invalid: not a phone number');
        break;
      case 'too-short':
        value = '07911 123';
        note('Mobile', 'too short (07911 123)', 'invalid phone');
        break;
      case 'drama-range':
        value = '07700 900123';
        note('Mobile', '07700 900123 (Ofcom drama range)', 'invalid phone (libphonenumber max)');
        break;
      case 'not-a-number':
        value = 'not a number';
        note('Mobile', '"not a number"', 'invalid phone');
        break;
      case 'two-at':
        value = detail.value.replace('@', '@@');
        note('Mobile', `email with two @ (${String(value)})`, 'invalid email');
        break;
      case 'missing-clients':
        clientRefs = '';
        note('Client Refs', 'blank Client Refs on an update', 'invalid: account_uuids is required on update');
        break;
      case 'employee-ref':
        clientRefs = joinList([...detail.account_uuids, employee.uuid]);
        note(
          'Client Refs',
          `includes an employee account (${employee.uuid})`,
          `valid offline; 422 online (account_uuids.${detail.account_uuids.length} must be a client)`,
        );
        break;
    }
    if (isNew) note('Detail Ref', 'blank: creates a new contact detail', 'VALID (create)');
    sheet.addRow([isNew ? null : detail.uuid, detail.name, value, clientRefs, primaryFor === '' ? null : primaryFor]);
  }
  return savedWorkbook(workbook, 40, {
    file: 'contact-details-legacy.xlsx',
    story: 'Client phone numbers and emails exported from a legacy CRM to CSV, opened and saved in Excel: numbers turned into number cells (leading 0 lost, 44 prefix kept), some typed with (0), 0044 or an extension.',
    format: 'XLSX (shared strings, as Excel saves), sheet "Contacts"',
    rows: rowCount,
    planted,
  });
}

async function writeContactDetailsCsv(state: SandboxState): Promise<Sample> {
  const random = createRandom(404);
  const phones = Object.values(state.contactDetails).filter((d) => d.type === 'phone_number');
  const planted: Planted[] = [];
  const rowCount = 100;
  const lines = ['uuid;name;Tel;account ids;primary account ids'];
  for (let i = 0; i < rowCount; i++) {
    const row = i + 2;
    const detail = phones[i]; // distinct records: a repeated uuid would be a duplicate-key error
    if (detail === undefined) throw new Error('seed too small');
    const national = `0${digitsOf(detail.value)}`;
    let tel = pick(random, [detail.value, `+44 ${digitsOf(detail.value)}`, national, `${national.slice(0, 5)} ${national.slice(5)}`]);
    let name = detail.name;
    let owners = detail.account_uuids.join(',');
    if (i === 14) {
      tel = '+44 7911';
      planted.push({ row, column: 'Tel', what: 'truncated number +44 7911', expected: 'invalid phone' });
    } else if (i === 37) {
      name = '';
      planted.push({
        row,
        column: 'name',
        what: 'blank name on an update',
        expected: 'invalid: PUT requires name, so a blank cannot mean "leave unchanged" here',
      });
    } else if (i === 59) {
      owners = `${owners},${UNKNOWN_ACCOUNT_UUID}`;
      planted.push({ row, column: 'account ids', what: 'an account uuid not in the sandbox', expected: 'valid offline; 422 online' });
    } else if (i === 81) {
      tel = '07911 1234567';
      planted.push({ row, column: 'Tel', what: 'one digit too many (07911 1234567)', expected: 'invalid phone' });
    } else {
      assertValidPhone(tel);
    }
    lines.push([detail.uuid, name, tel, owners, detail.primary_account_uuids.join(',')].map((cell) => csvField(cell, ';')).join(';'));
  }
  // A European Excel export: UTF-8 with BOM, semicolon-delimited.
  return savedText(`\uFEFF${lines.join('\r\n')}\r\n`, {
    file: 'contact-details.csv',
    story: 'Phone numbers exported by an office in a European locale: Excel "CSV UTF-8" with a BOM and ; as the delimiter, lists of account uuids joined with commas.',
    format: 'CSV, UTF-8 with BOM, semicolon, CRLF',
    rows: rowCount,
    planted,
  });
}

// ---------------------------------------------------------------- MPDX phones

async function writeMpdxCsv(state: SandboxState): Promise<Sample> {
  const random = createRandom(505);
  const phones = Object.values(state.mpdxPhones);
  const planted: Planted[] = [];
  const lines = ['Contact ID,Person ID,Phone ID,Number,Country Code,Location,Primary,Historic,Valid,Updated In DB At,Overwrite'];
  const rowCount = Math.min(50, phones.length);
  for (let i = 0; i < rowCount; i++) {
    const row = i + 2;
    const phone = phones[i];
    if (phone === undefined) break;
    let id = phone.id;
    let dbAt = phone.updated_in_db_at;
    let overwrite = '';
    let primary = phone.primary ? 'TRUE' : 'FALSE';
    let number = random() < 0.5 ? phone.number : `0${digitsOf(phone.number).replace(/^(\d{4})/, '$1 ')}`;
    if (i === 7) {
      dbAt = '2023-01-01T09:00:00+00:00';
      planted.push({ row, column: 'Updated In DB At', what: 'older than the stored updated_in_db_at, no Overwrite', expected: 'valid offline; 409 online' });
    } else if (i === 18) {
      dbAt = '2023-01-01T09:00:00+00:00';
      overwrite = 'TRUE';
      planted.push({ row, column: 'Overwrite', what: 'stale Updated In DB At with Overwrite TRUE', expected: 'VALID: forced write' });
    } else if (i === 26) {
      id = UNKNOWN_PHONE_ID;
      planted.push({ row, column: 'Phone ID', what: 'phone id not in the sandbox', expected: 'valid offline; 404 online' });
    } else if (i === 33) {
      primary = 'maybe';
      planted.push({ row, column: 'Primary', what: '"maybe" in a boolean column', expected: 'invalid boolean' });
    } else if (i === 41) {
      number = '12';
      planted.push({ row, column: 'Number', what: 'number "12"', expected: 'invalid phone' });
    } else if (i === 45) {
      dbAt = '31/13/2025';
      planted.push({ row, column: 'Updated In DB At', what: 'impossible date 31/13/2025', expected: 'invalid date' });
    }
    lines.push(
      [phone.contact_id, phone.person_id, id, number, phone.country_code ?? '', phone.location ?? '', primary, phone.historic ? 'TRUE' : 'FALSE', phone.valid_values ? 'TRUE' : 'FALSE', dbAt, overwrite]
        .map((cell) => csvField(cell, ','))
        .join(','),
    );
  }
  return savedText(`${lines.join('\n')}\n`, {
    file: 'mpdx-phones.csv',
    story: 'Phone numbers of donors in MPDX, edited offline: each row carries the Updated In DB At it was read with, so a row edited in MPDX since then conflicts (409) unless Overwrite is TRUE.',
    format: 'CSV, UTF-8 (no BOM), comma, LF',
    rows: rowCount,
    planted,
  });
}

// ---------------------------------------------------------------- README

function readme(samples: readonly Sample[]): string {
  const parts = [
    '# Sample files',
    '',
    'Realistic exports from legacy systems, generated by `npx tsx scripts/make-samples.ts`',
    '(deterministic: re-running it gives the same content; only the XLSX zip entries\' own',
    'timestamps change). Every uuid in them comes from the',
    'sandbox seed (`createSeedState()`), so importing them into `plannr-bulk sandbox` lands,',
    'apart from the deliberate errors below. Row numbers: header = row 1, first data row = row 2.',
    '"Valid offline; 4xx online" rows pass `validate` but the API refuses them.',
    '',
  ];
  for (const sample of samples) {
    const errors = sample.planted.filter((p) => !p.expected.startsWith('VALID')).length;
    parts.push(
      `## ${sample.file}`,
      '',
      sample.story,
      '',
      `- Format: ${sample.format}`,
      `- Data rows: ${sample.rows}; deliberate errors: ${errors} (${((errors / sample.rows) * 100).toFixed(1)}%)`,
      '',
      '| row | column | what | expected |',
      '|---:|---|---|---|',
      ...sample.planted.map((p) => `| ${p.row} | ${p.column} | ${p.what.replace(/\|/g, '\\|').replace(/\n/g, ' ')} | ${p.expected} |`),
      '',
    );
  }
  return parts.join('\n');
}

async function main(): Promise<void> {
  await mkdir(OUT_DIR, { recursive: true });
  const state = createSeedState();
  const samples = [
    await writeCasesCsv(state),
    await writeCasesXlsx(state),
    await writeContactDetailsXlsx(state),
    await writeContactDetailsCsv(state),
    await writeMpdxCsv(state),
  ];
  await writeFile(join(OUT_DIR, 'README.md'), readme(samples), 'utf8');
  for (const sample of samples) console.log(`${sample.file}: ${sample.rows} rows, ${sample.planted.length} planted`);
}

await main();
