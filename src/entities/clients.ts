/**
 * Clients: `POST /api/v1/client` creates one, `PUT /api/v1/client/{uuid}` updates one (every
 * field optional: a partial update). Plannr documents no read of a client as such: a client is
 * an account, so reads (round trips, read-backs) and exports go through `GET /api/v1/account`
 * (seed account-get.txt), filtered to clients.
 *
 * The fields are those of Plannr's API reference for the client endpoints
 * (docs/plannr-api-notes.md). Which values the closed lists take is not in the reference beyond
 * `is_vulnerable: "possibly"`: the lists here are Plannr's labels as snake_case, and a value the
 * API refuses comes back as that row's 422, never as a guess of ours.
 *
 * No client is emailed by accident: a create always carries `send_welcome_email`, false unless
 * the row's Send Welcome Email column says yes (Plannr's importer calls the field required, and
 * a default of true would email every migrated client).
 */
import { normaliseDateOfBirth } from '../normalise/date-of-birth.js';
import { normaliseEmail } from '../normalise/email.js';
import { normaliseList } from '../normalise/list.js';
import { normaliseNiNumber } from '../normalise/ni-number.js';
import { fail, ok, type Normalised } from '../normalise/result.js';
import { normaliseInteger, normaliseText } from '../normalise/text.js';
import { isCanonicalUuid, normaliseUuid } from '../normalise/uuid.js';
import type { Column, Entity, ExportOnlyColumn, FieldType, NormalisedRow, PlannedRequest } from './entity.js';
import { boolean, date, email, money, phone, text, uuid, type ReferenceType } from './field-types.js';
import { asRecord, nameOf, penniesOf, uuidOf, uuidsOf } from './record.js';
import { bodyFrom } from './request-body.js';
import { plannr, plannrUpdatedAt } from './systems.js';

const CREATE_PATH = '/api/v1/client';
const ACCOUNT_PATH = '/api/v1/account';
/** Related records the columns read from an account (each list and read of a client asks for them). */
export const clientIncludes = 'primary_email,primary_phone_number,assigned_adviser,assigned_administrator,assigned_paraplanner,introduced_by,groups,tags';

const asIs = <T extends string | number | boolean>(value: T): T => value;

/**
 * A closed list whose values legacy systems spell in several ways ("M", "Male", "man"): each
 * accepted spelling maps to the one value sent. Matching ignores case, spaces, dashes and
 * underscores, so "Civil Partnership" and "civil-partnership" are the same.
 */
export function choiceOf<const T extends string>(spellings: Readonly<Record<T, readonly string[]>>): FieldType<T> {
  const values = Object.keys(spellings) as T[];
  const byKey = new Map<string, T>();
  for (const value of values) {
    for (const spelling of [value, ...spellings[value]]) byKey.set(choiceKey(spelling), value);
  }
  return {
    name: 'choice',
    format: `one of: ${values.join(', ')}`,
    choices: values,
    normalise: (raw) => {
      const found = byKey.get(choiceKey(String(raw)));
      return found === undefined ? fail(`"${String(raw).trim()}" is not one of: ${values.join(', ')}`) : ok(found);
    },
    display: asIs,
  };
}

function choiceKey(text: string): string {
  return text.trim().toLowerCase().replace(/[\s_\-.]+/g, '');
}

/** A whole number within bounds (ages, counts). */
function wholeNumber(min: number, max: number): FieldType<number> {
  return {
    name: 'whole number',
    format: `a whole number from ${min} to ${max}`,
    normalise: (value) => normaliseInteger(value, { min, max }),
    display: asIs,
    toCell: (value) => (typeof value === 'number' ? value : String(value)),
  };
}

const DECIMAL = /^\d+(?:\.\d+)?$/;

/** A measurement (height, weight): a plain non-negative number, decimals allowed, no unit. */
function measurement(unit: string): FieldType<number> {
  return {
    name: 'number',
    format: `a number in ${unit}, e.g. ${unit === 'cm' ? '172.5' : '68'} (no unit)`,
    normalise: (value): Normalised<number> => {
      if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? ok(value) : fail(`${value} is not a ${unit} measurement`);
      const written = String(value).trim();
      if (!DECIMAL.test(written)) return fail(`"${written}" is not a number in ${unit}: write digits only (e.g. 72.5)`);
      return ok(Number(written));
    },
    display: asIs,
    toCell: (value) => (typeof value === 'number' ? value : String(value)),
  };
}

const niNumber: FieldType<string> = {
  name: 'NI number',
  format: 'a National Insurance number, e.g. AB 12 34 56 C (saved as AB123456C)',
  normalise: (value) => normaliseNiNumber(value),
  display: asIs,
};

const dateOfBirth: FieldType<string> = {
  // 'date' so exports write it as a date cell, as any other date.
  ...date,
  format: 'a date of birth: 18/03/1961 or 1961-03-18 (a four-digit year; not in the future)',
  normalise: (value, options) => normaliseDateOfBirth(value, options),
};

/** Nationalities by name, separated by ; (e.g. British; Irish). */
const nationalityList: FieldType<string[]> = {
  name: 'list',
  format: 'one or more nationalities separated by ; (e.g. British; Irish)',
  normalise: (value) => normaliseList(value, (item) => normaliseText(item.replace(/\s+/g, ' '), { maxLength: 255 })),
  display: (value) => value.join('; '),
};

/** Hex and dashes in a uuid's opening shape: a mistyped uuid, not a name, so it fails as a uuid. */
const UUID_ATTEMPT = /^\{?[0-9a-fA-F]{8}-[0-9a-fA-F-]{4,}\}?$/;

/**
 * A member of staff (adviser, administrator, paraplanner): their account's uuid, their email,
 * or their name as Plannr shows it ("Helen Marsh"). Import and plan look emails and names up
 * among the firm's employee accounts (pipeline/send/names.ts); no match, or more than one, is an
 * error on the cell.
 */
export const employeeRef: ReferenceType<string> = {
  name: 'staff uuid, email or name',
  format: "a member of staff: their Plannr UUID, their email address or their name as shown in Plannr (e.g. Helen Marsh)",
  refersTo: 'employee',
  normalise: (value) => {
    const written = String(value).trim();
    if (isCanonicalUuid(written)) return ok(written);
    if (UUID_ATTEMPT.test(written)) return normaliseUuid(written);
    if (written.includes('@')) return normaliseEmail(written);
    return normaliseText(written.replace(/\s+/g, ' '), { maxLength: 255 });
  },
  display: asIs,
};

/** One account by uuid or email (an introducer may be a client, a member of staff or an external account). */
const accountRef: ReferenceType<string> = {
  name: 'uuid or email',
  format: 'an account: its Plannr UUID or its email address',
  refersTo: 'account',
  normalise: (value) => {
    const written = String(value).trim();
    if (isCanonicalUuid(written)) return ok(written);
    if (UUID_ATTEMPT.test(written)) return normaliseUuid(written);
    if (written.includes('@')) return normaliseEmail(written);
    return fail(`"${written}" is neither a UUID nor an email address`);
  },
  display: asIs,
};

export const genders = choiceOf({ male: ['m', 'man'], female: ['f', 'woman'], other: ['x', 'non-binary', 'nonbinary'] });
export const maritalStatuses = choiceOf({
  single: ['unmarried'],
  married: [],
  civil_partnership: ['civil partner', 'civil partnered'],
  cohabiting: ['co-habiting', 'living together'],
  separated: [],
  divorced: ['civil partnership dissolved'],
  widowed: ['widow', 'widower'],
});
export const smokerStatuses = choiceOf({ non_smoker: ['non smoker', 'nonsmoker', 'never smoked'], smoker: ['current smoker'], ex_smoker: ['former smoker', 'ex smoker'] });
export const vulnerability = choiceOf({ yes: ['y', 'true'], no: ['n', 'false'], possibly: ['possible', 'potentially'] });

const optionalText = (max: number) => ({ required: 'optional', type: text(max), clearable: true }) as const;
const optionalFlag = { required: 'optional', type: boolean, clearable: false } as const;
const optionalDate = { required: 'optional', type: date, clearable: true } as const;
const age = wholeNumber(0, 120);

export const clientColumns: readonly Column[] = [
  {
    field: 'uuid', header: 'UUID', aliases: ['Client UUID', 'Account UUID', 'Plannr UUID', 'Plannr ID'],
    help: 'The client to update. Leave blank to create a new client.',
    example: '5087850d-bf1b-4aad-8197-994d5f4e6ca0', required: 'optional', type: uuid, clearable: false,
  },
  { field: 'title', header: 'Title', aliases: ['Salutation Title', 'Honorific', 'Prefix'], help: 'Title, e.g. Mr, Mrs, Ms, Dr.', example: 'Mr', ...optionalText(255) },
  {
    field: 'first_name', header: 'First Name', aliases: ['Forename', 'Forenames', 'Given Name', 'First', 'Christian Name', 'FirstName'],
    help: 'First name (needed to create a client).', example: 'Gareth', required: 'on-create', type: text(255), clearable: false,
  },
  { field: 'middle_name', header: 'Middle Name', aliases: ['Middle Names', 'Middle Name(s)', 'Other Names', 'Middle'], help: 'Middle name(s).', example: 'James', ...optionalText(255) },
  {
    field: 'last_name', header: 'Last Name', aliases: ['Surname', 'Family Name', 'Last', 'LastName'],
    help: 'Last name (needed to create a client).', example: 'Thompson', required: 'on-create', type: text(255), clearable: false,
  },
  { field: 'maiden_name', header: 'Maiden Name', aliases: ['Birth Surname', 'Previous Surname', 'Former Surname', 'Née'], help: 'Maiden name or surname at birth.', example: '', ...optionalText(255) },
  { field: 'nickname', header: 'Nickname', aliases: ['Known As', 'Preferred Name', 'Salutation'], help: 'The name the client goes by.', example: 'Gaz', ...optionalText(255) },
  {
    field: 'entity_name', header: 'Entity Name', aliases: ['Company Name', 'Trust Name'],
    help: "The entity's name (a company or trust client). Plannr takes it on update only: leave blank when creating.",
    example: '', ...optionalText(255),
  },
  { field: 'pronouns', header: 'Pronouns', aliases: ['Preferred Pronouns'], help: 'Pronouns, e.g. she/her.', example: 'he/him', ...optionalText(255) },
  {
    field: 'email', header: 'Email', aliases: ['Email Address', 'E-mail', 'E-mail Address', 'Primary Email', 'Email 1', 'Personal Email'],
    help: 'Email address (the client\'s primary email in Plannr).', example: 'gareth@codepotato.co.uk', required: 'optional', type: email, clearable: false,
  },
  {
    field: 'phone', header: 'Phone', aliases: ['Mobile', 'Mobile Number', 'Mobile Phone', 'Mobile No', 'Tel', 'Telephone', 'Phone Number', 'Primary Phone', 'Primary Phone Number', 'Tel No'],
    help: 'Phone number, UK or international (the client\'s primary phone in Plannr; saved as +447911123456).', example: '07911 123456',
    required: 'optional', type: phone, clearable: false,
  },
  {
    field: 'date_of_birth', header: 'Date of Birth', aliases: ['DOB', 'D.O.B.', 'Birth Date', 'Birthdate', 'Birthday', 'Born'],
    help: 'Date of birth (a four-digit year; not in the future).', example: '18/03/1961', required: 'optional', type: dateOfBirth, clearable: true,
  },
  { field: 'gender', header: 'Gender', aliases: ['Sex'], help: 'male, female or other (M and F accepted).', example: 'male', required: 'optional', type: genders, clearable: true },
  {
    field: 'ni_number', header: 'NI Number', aliases: ['NI No', 'NI No.', 'NINO', 'National Insurance Number', 'National Insurance No', 'NI'],
    help: 'National Insurance number (checked against HMRC\'s rules; saved as AB123456C).', example: 'AB 12 34 56 C', required: 'optional', type: niNumber, clearable: true,
  },
  {
    field: 'marital_status', header: 'Marital Status', aliases: ['Marital', 'Civil Status'],
    help: 'single, married, civil_partnership, cohabiting, separated, divorced or widowed.', example: 'married', required: 'optional', type: maritalStatuses, clearable: true,
  },
  { field: 'nationalities', header: 'Nationalities', aliases: ['Nationality', 'Citizenship'], help: 'Nationalities by name, separated by ;', example: 'British; Irish', required: 'optional', type: nationalityList, clearable: true },
  { field: 'country_of_residence', header: 'Country of Residence', aliases: ['Residence Country', 'Country'], help: 'The country the client lives in.', example: 'United Kingdom', ...optionalText(255) },
  { field: 'residential_status', header: 'Residential Status', aliases: ['Residency Status', 'Housing Status', 'Home Status'], help: 'Residential status, as Plannr names it (e.g. homeowner).', example: 'homeowner', ...optionalText(255) },
  { field: 'is_uk_resident', header: 'UK Resident', aliases: ['Is UK Resident', 'UK Resident?'], help: 'Whether the client is UK resident.', example: 'yes', ...optionalFlag },
  { field: 'is_uk_domicile', header: 'UK Domicile', aliases: ['Is UK Domicile', 'UK Domiciled', 'UK Domicile?'], help: 'Whether the client is UK domiciled.', example: 'yes', ...optionalFlag },
  {
    field: 'assigned_adviser_uuid', header: 'Adviser', aliases: ['Assigned Adviser', 'Adviser UUID', 'Assigned Adviser UUID', 'Advisor', 'Adviser Email', 'Adviser Name', 'Financial Adviser', 'Servicing Adviser', 'Account Manager'],
    help: 'The client\'s adviser: a member of staff by UUID, email or name.', example: 'helen.marsh@harbourvale.co.uk', required: 'optional', type: employeeRef, clearable: true,
  },
  {
    field: 'assigned_administrator_uuid', header: 'Administrator', aliases: ['Assigned Administrator', 'Administrator UUID', 'Admin', 'Administrator Email'],
    help: 'The client\'s administrator: a member of staff by UUID, email or name.', example: 'Peter Greaves', required: 'optional', type: employeeRef, clearable: true,
  },
  {
    field: 'assigned_paraplanner_uuid', header: 'Paraplanner', aliases: ['Assigned Paraplanner', 'Paraplanner UUID', 'Paraplanner Email'],
    help: 'The client\'s paraplanner: a member of staff by UUID, email or name.', example: 'tom.fairbairn@harbourvale.co.uk', required: 'optional', type: employeeRef, clearable: true,
  },
  {
    field: 'introduced_by_uuid', header: 'Introducer', aliases: ['Introduced By', 'Introduced By UUID', 'Introducer UUID', 'Introducer Email', 'Referred By'],
    help: 'Who introduced the client: an account by UUID or email.', example: 'referrals@example.co.uk', required: 'optional', type: accountRef, clearable: true,
  },
  { field: 'first_contact_date', header: 'First Contact Date', aliases: ['First Contact', 'Date of First Contact', 'Client Since', 'Initial Contact Date'], help: 'When the firm first had contact with the client.', example: '16/10/2024', ...optionalDate },
  { field: 'is_prospect', header: 'Prospect', aliases: ['Is Prospect', 'Prospect?'], help: 'Whether the client is still a prospect.', example: 'no', ...optionalFlag },
  { field: 'prospect_converted_at', header: 'Prospect Converted', aliases: ['Prospect Converted At', 'Converted Date', 'Date Converted'], help: 'When the prospect became a client.', example: '01/02/2025', ...optionalDate },
  {
    field: 'value', header: 'Client Value', aliases: ['Value', 'Client Value (£)', 'Value (£)', 'Worth'],
    help: 'The client\'s value to the firm in pounds and pence (sent to Plannr as pennies).', example: '£12,500.00', required: 'optional', type: money({ allowNegative: false }), clearable: true,
  },
  { field: 'target_retirement_age', header: 'Target Retirement Age', aliases: ['Target Retirement', 'Desired Retirement Age'], help: 'The age the client wants to retire at.', example: '60', required: 'optional', type: age, clearable: true },
  { field: 'expected_retirement_age', header: 'Expected Retirement Age', aliases: ['Expected Retirement', 'Retirement Age'], help: 'The age the client expects to retire at.', example: '65', required: 'optional', type: age, clearable: true },
  { field: 'state_retirement_age', header: 'State Retirement Age', aliases: ['State Pension Age', 'SPA'], help: 'The client\'s state pension age.', example: '67', required: 'optional', type: age, clearable: true },
  { field: 'is_vulnerable', header: 'Vulnerable', aliases: ['Is Vulnerable', 'Vulnerability', 'Vulnerable Client', 'Vulnerable?'], help: 'yes, no or possibly.', example: 'possibly', required: 'optional', type: vulnerability, clearable: true },
  { field: 'vulnerability_details', header: 'Vulnerability Details', aliases: ['Vulnerability Notes', 'Vulnerability Reason'], help: 'What makes the client vulnerable.', example: 'Recently bereaved', ...optionalText(65_535) },
  { field: 'third_party_offered', header: 'Third Party Offered', aliases: ['Third Party Support Offered'], help: 'Whether a third party (e.g. a relative) was offered to support the client.', example: 'yes', ...optionalFlag },
  { field: 'procedure_adaptation', header: 'Procedure Adaptation', aliases: ['Adaptation Needed', 'Procedures Adapted'], help: 'Whether the firm adapts its procedures for the client.', example: 'yes', ...optionalFlag },
  { field: 'adaption_details_notes', header: 'Adaptation Details', aliases: ['Adaption Details', 'Adaptation Notes', 'Adaption Details Notes'], help: 'How procedures are adapted.', example: 'Large-print letters', ...optionalText(65_535) },
  { field: 'client_preferences', header: 'Client Preferences', aliases: ['Preferences', 'Communication Preferences'], help: 'How the client prefers to be dealt with.', example: 'Phone calls in the morning', ...optionalText(65_535) },
  { field: 'current_state_of_health', header: 'State of Health', aliases: ['Current State of Health', 'Health', 'Health Status'], help: 'The client\'s current state of health, as Plannr names it.', example: 'good', ...optionalText(255) },
  { field: 'state_of_health_explanation', header: 'Health Explanation', aliases: ['State of Health Explanation', 'Health Notes', 'Medical Conditions'], help: 'More about the client\'s health.', example: 'Type 2 diabetes, controlled', ...optionalText(65_535) },
  { field: 'smoker_status', header: 'Smoker Status', aliases: ['Smoker', 'Smoking Status', 'Smoker?'], help: 'non_smoker, smoker or ex_smoker.', example: 'non_smoker', required: 'optional', type: smokerStatuses, clearable: true },
  { field: 'cigarettes_daily', header: 'Cigarettes a Day', aliases: ['Cigarettes Daily', 'Cigarettes Per Day'], help: 'Cigarettes smoked a day.', example: '10', required: 'optional', type: wholeNumber(0, 200), clearable: true },
  { field: 'smoker_since', header: 'Smoker Since', aliases: ['Smoking Since'], help: 'Since when the client has smoked.', example: '01/01/1990', ...optionalDate },
  { field: 'units_of_alcohol_weekly', header: 'Alcohol Units a Week', aliases: ['Units of Alcohol Weekly', 'Alcohol Units Weekly', 'Weekly Alcohol Units'], help: 'Units of alcohol a week.', example: '8', required: 'optional', type: wholeNumber(0, 500), clearable: true },
  { field: 'height', header: 'Height (cm)', aliases: ['Height'], help: 'Height in centimetres.', example: '172.5', required: 'optional', type: measurement('cm'), clearable: true },
  { field: 'weight', header: 'Weight (kg)', aliases: ['Weight'], help: 'Weight in kilograms.', example: '68', required: 'optional', type: measurement('kg'), clearable: true },
  { field: 'long_term_care_needed', header: 'Long-Term Care Needed', aliases: ['Long Term Care Needed', 'LTC Needed'], help: 'Whether the client needs long-term care.', example: 'no', ...optionalFlag },
  { field: 'long_term_care_notes', header: 'Long-Term Care Notes', aliases: ['Long Term Care Notes', 'LTC Notes'], help: 'Notes on long-term care.', example: '', ...optionalText(65_535) },
  { field: 'has_will', header: 'Has Will', aliases: ['Will', 'Has a Will', 'Will in Place'], help: 'Whether the client has a will.', example: 'yes', ...optionalFlag },
  { field: 'will_notes', header: 'Will Notes', aliases: [], help: 'Notes on the will.', example: 'Held by Smith & Co solicitors', ...optionalText(65_535) },
  { field: 'will_last_reviewed', header: 'Will Last Reviewed', aliases: ['Will Review Date', 'Will Reviewed'], help: 'When the will was last reviewed.', example: '12/06/2023', ...optionalDate },
  { field: 'has_power_of_attorney', header: 'Power of Attorney', aliases: ['Has Power of Attorney', 'POA', 'LPA'], help: 'Whether a power of attorney is in place.', example: 'no', ...optionalFlag },
  { field: 'power_of_attorney_notes', header: 'Power of Attorney Notes', aliases: ['POA Notes', 'LPA Notes'], help: 'Notes on the power of attorney.', example: '', ...optionalText(65_535) },
  {
    field: 'send_welcome_email', header: 'Send Welcome Email', aliases: ['Welcome Email', 'Send Welcome'],
    help: 'yes to have Plannr email the new client a welcome (and login) email. Blank or no: no email is sent. Read only when creating.',
    example: 'no', required: 'optional', type: boolean, clearable: false, createOnly: true,
  },
];

/** What a cleared field is sent as: null, except lists (nationalities: []). */
const clearedAs: Readonly<Record<string, unknown>> = Object.fromEntries(
  clientColumns.filter((c) => c.clearable).map((c) => [c.field, c.field === 'nationalities' ? [] : null]),
);

/** Read-only columns an account export adds for people; never read on import. */
const accountDisplay: readonly ExportOnlyColumn[] = [
  { header: 'Name', after: 'last_name', value: (record) => textOf(asRecord(record).name) },
  { header: 'Type', after: 'last_name', value: (record) => textOf(asRecord(record).type) },
  {
    header: 'Groups', after: 'send_welcome_email',
    value: (record) => (uuidsOf(asRecord(record).groups) ?? []).join('; ') || undefined,
  },
  {
    header: 'Tags', after: 'send_welcome_email',
    value: (record) => {
      const tags = asRecord(record).tags;
      return Array.isArray(tags) ? tags.map(nameOf).filter((t) => t !== undefined).join('; ') || undefined : undefined;
    },
  },
  { header: 'Created At', after: 'send_welcome_email', value: (record) => textOf(asRecord(record).created_at) },
  { header: 'Updated At', after: 'send_welcome_email', value: (record) => textOf(asRecord(record).updated_at) },
];

function textOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * A date as the record holds it, as YYYY-MM-DD: "1961-03-18", or a date-time whose own date
 * part is the day ("2024-10-16T11:10:13+01:00" → 2024-10-16, never shifted to UTC's day).
 */
function dateOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = /^(\d{4}-\d{2}-\d{2})(?:$|[T ])/.exec(value.trim());
  return match?.[1] ?? null;
}

/** A list of names: strings, or {name} objects. */
function namesOf(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => (typeof item === 'string' ? [item] : nameOf(item) !== undefined ? [nameOf(item) as string] : []));
}

/** The row fields an API account record holds, in request-body terms. Fields the record does not carry stay absent. */
function clientFromRecord(record: unknown): Record<string, unknown> {
  const r = asRecord(record);
  const values: Record<string, unknown> = {
    uuid: r.uuid,
    first_name: r.first_name,
    last_name: r.last_name,
    email: r.email ?? asRecord(r.primary_email).value,
    phone: asRecord(r.primary_phone_number).value ?? null,
    assigned_adviser_uuid: uuidOf(r.assigned_adviser) ?? r.assigned_adviser_uuid ?? null,
    assigned_administrator_uuid: uuidOf(r.assigned_administrator) ?? r.assigned_administrator_uuid ?? null,
    assigned_paraplanner_uuid: uuidOf(r.assigned_paraplanner) ?? r.assigned_paraplanner_uuid ?? null,
    introduced_by_uuid: uuidOf(r.introduced_by) ?? r.introduced_by_uuid ?? null,
    first_contact_date: dateOf(r.first_contact_date),
  };
  // The client fields the account resource may or may not carry (the seed shows none of them):
  // read when present, so a record without them never looks as if they were cleared.
  for (const column of clientColumns) {
    const field = column.field;
    if (field in values || !(field in r) || column.createOnly === true) continue;
    const raw = r[field];
    if (column.type === date || column.type === dateOfBirth) values[field] = dateOf(raw);
    else if (field === 'value') values[field] = penniesOf(raw) ?? null;
    else if (field === 'nationalities') values[field] = namesOf(raw);
    else values[field] = raw ?? null;
  }
  return values;
}

export const clients: Entity = {
  name: 'clients',
  noun: 'client',
  labelField: 'last_name',
  system: plannr,
  columns: clientColumns,
  keyField: 'uuid',
  // Plannr keeps no record of whether a welcome email was asked for.
  writeOnly: ['send_welcome_email'],
  // Only a create emails: the column is not sent on update.
  sideEffects: [{ label: 'Welcome emails Plannr would send', causedBy: (row) => row.uuid === undefined && row.send_welcome_email === true }],
  updatedAtOf: plannrUpdatedAt,
  // A client is an account: the documented list is GET /api/v1/account, here filtered to clients.
  list: { path: () => `${ACCOUNT_PATH}?filter%5Btype%5D=client`, include: clientIncludes },
  canCreate: true,
  canImport: true,
  check(row: NormalisedRow) {
    const problems: Array<{ field: string; message: string }> = [];
    const creating = row.uuid === undefined;
    if (creating && row.entity_name !== undefined && row.entity_name !== null) {
      problems.push({ field: 'entity_name', message: 'Plannr sets an entity name on update only: create the client first, then set it' });
    }
    if (creating && row.send_welcome_email === true && typeof row.email !== 'string') {
      problems.push({ field: 'send_welcome_email', message: 'a welcome email needs the client\'s email address: fill in Email, or say no' });
    }
    return problems;
  },
  toRequest(row: NormalisedRow): PlannedRequest {
    const key = row.uuid;
    if (typeof key === 'string') {
      const body = bodyFrom(row, clientColumns, { isUpdate: true, clearedAs });
      return { method: 'PUT', path: `${CREATE_PATH}/${key}`, body, contentType: 'application/json' };
    }
    const body = bodyFrom(row, clientColumns, { isUpdate: false, clearedAs });
    // Never left to the API's default: no client is emailed unless the row says so.
    body.send_welcome_email = row.send_welcome_email === true;
    return { method: 'POST', path: CREATE_PATH, body, contentType: 'application/json' };
  },
  fromRecord: clientFromRecord,
  recordRequest: (row) => ({
    path: ACCOUNT_PATH,
    query: { 'filter[uuid]': String(row.uuid), include: clientIncludes },
    pick: 'data.0',
  }),
  findCreated(body) {
    // Clients made since the attempt with this last name; the read-back then matches every value sent.
    const lastName = body.last_name;
    if (typeof lastName !== 'string' || lastName === '') return undefined;
    return {
      path: ACCOUNT_PATH,
      query: { 'filter[type]': 'client', 'filter[name]': lastName, include: clientIncludes },
      pick: 'data',
    };
  },
  exportOnly: accountDisplay,
};
