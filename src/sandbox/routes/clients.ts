/**
 * `/api/v1/client`: create (POST) and partial update (PUT) of a client, as Plannr's API
 * reference documents them (docs/plannr-api-notes.md), with Laravel's validation messages.
 * A client is an account: it is stored in `state.accounts` (type client) with its own fields
 * in `client`, and its email and phone become its primary contact details, so
 * `GET /api/v1/account` (the documented read, which the tool uses) shows all of it.
 *
 * `send_welcome_email` is required on create, as Plannr's own importer says ("The send
 * welcome email field is required"): a request that leaves it out is refused, never defaulted.
 *
 * The reference documents no GET at this path; `GET /api/v1/client/{uuid}` and the list are
 * served for people exploring the sandbox (the tool never depends on them).
 */
import { randomUUID } from 'node:crypto';
import { addError, attributeName, nowIso, valuesOf, type FieldErrors } from '../http.js';
import type { AccountRecord, ClientFields, ContactDetailRecord, SandboxState } from '../state.js';
import { checkInteger, checkName, checkNullableDate, isEmailAddress, parsePhoneValue } from '../validate.js';
import { primaryDetail, renderAccount } from './accounts.js';
import { renderAccountSummary, renderMoney } from './render.js';
import { byUuid, containsAny, plannrResourceRoutes } from './resource.js';

const BASE = '/api/v1/client';
const MODEL = 'Account';

/** The closed lists the sandbox accepts (Plannr's labels as snake_case; the reference gives only "possibly"). */
export const CLIENT_CHOICES: Readonly<Record<string, readonly string[]>> = {
  gender: ['male', 'female', 'other'],
  marital_status: ['single', 'married', 'civil_partnership', 'cohabiting', 'separated', 'divorced', 'widowed'],
  smoker_status: ['non_smoker', 'smoker', 'ex_smoker'],
  is_vulnerable: ['yes', 'no', 'possibly'],
};

const TEXT_FIELDS: Readonly<Record<string, number>> = {
  title: 255, middle_name: 255, maiden_name: 255, entity_name: 255, nickname: 255, pronouns: 255,
  country_of_residence: 255, residential_status: 255, current_state_of_health: 255,
  vulnerability_details: 65_535, adaption_details_notes: 65_535, client_preferences: 65_535,
  state_of_health_explanation: 65_535, long_term_care_notes: 65_535, will_notes: 65_535, power_of_attorney_notes: 65_535,
};
const BOOLEAN_FIELDS = [
  'is_prospect', 'is_uk_resident', 'is_uk_domicile', 'third_party_offered', 'procedure_adaptation',
  'long_term_care_needed', 'has_will', 'has_power_of_attorney',
] as const;
const INTEGER_FIELDS: Readonly<Record<string, number>> = {
  target_retirement_age: 120, expected_retirement_age: 120, state_retirement_age: 120, cigarettes_daily: 200, units_of_alcohol_weekly: 500,
};
const NUMBER_FIELDS = ['height', 'weight'] as const;
const DATE_FIELDS = ['first_contact_date', 'prospect_converted_at', 'will_last_reviewed', 'smoker_since'] as const;
/** Staff fields: an employee account. */
const STAFF_FIELDS = ['assigned_adviser_uuid', 'assigned_administrator_uuid', 'assigned_paraplanner_uuid'] as const;

/** Every client field the account resource shows (null when never set): the tool reads each one back. */
const CLIENT_FIELDS: readonly string[] = [
  ...Object.keys(TEXT_FIELDS), ...BOOLEAN_FIELDS, ...Object.keys(INTEGER_FIELDS), ...NUMBER_FIELDS, ...DATE_FIELDS,
  ...Object.keys(CLIENT_CHOICES), ...STAFF_FIELDS, 'introduced_by_uuid', 'date_of_birth', 'ni_number', 'nationalities', 'value',
];

/** HMRC's NINO shape (NIM39110): prefix letters never D, F, I, Q, U, V; O never second; some prefixes unused; suffix A-D. */
const NINO = /^(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]$/;

/** `nullable|string|max:n`. */
function checkText(errors: FieldErrors, field: string, value: unknown, max: number): string | null | undefined {
  if (value === null) return null;
  if (typeof value !== 'string') {
    addError(errors, field, `The ${attributeName(field)} field must be a string.`);
    return undefined;
  }
  if ([...value].length > max) {
    addError(errors, field, `The ${attributeName(field)} field must not be greater than ${max} characters.`);
    return undefined;
  }
  return value;
}

/** Today's date in London, where the firm is: `before_or_equal:today` for a date of birth. */
function londonToday(): string {
  return nowIso().slice(0, 10);
}

/**
 * Every client field present in the body, checked. Returns the values to store (in `client`)
 * and the account-level ones (names, email, phone); errors go into `errors`.
 */
function checkClientFields(errors: FieldErrors, state: SandboxState, body: Record<string, unknown>): { fields: ClientFields; email?: string | null; phone?: string | null } {
  const fields: ClientFields = {};
  const present = (field: string): boolean => body[field] !== undefined;

  for (const [field, max] of Object.entries(TEXT_FIELDS)) {
    if (!present(field)) continue;
    const text = checkText(errors, field, body[field], max);
    if (text !== undefined) fields[field] = text === '' ? null : text;
  }
  for (const field of BOOLEAN_FIELDS) {
    if (!present(field)) continue;
    if (typeof body[field] === 'boolean') fields[field] = body[field];
    else addError(errors, field, `The ${attributeName(field)} field must be true or false.`);
  }
  for (const [field, max] of Object.entries(INTEGER_FIELDS)) {
    const value = checkInteger(errors, field, body[field], 0, true);
    if (typeof value === 'number' && value > max) addError(errors, field, `The ${attributeName(field)} field must not be greater than ${max}.`);
    else if (value !== undefined) fields[field] = value;
  }
  for (const field of NUMBER_FIELDS) {
    if (!present(field)) continue;
    const value = body[field];
    if (value === null || (typeof value === 'number' && Number.isFinite(value) && value >= 0)) fields[field] = value;
    else addError(errors, field, `The ${attributeName(field)} field must be a number.`);
  }
  for (const field of DATE_FIELDS) {
    const date = checkNullableDate(errors, field, body[field]);
    if (date !== undefined) fields[field] = date;
  }
  for (const [field, allowed] of Object.entries(CLIENT_CHOICES)) {
    if (!present(field)) continue;
    const value = body[field];
    if (value === null || (typeof value === 'string' && allowed.includes(value))) fields[field] = value;
    else addError(errors, field, `The selected ${attributeName(field)} is invalid.`);
  }
  for (const field of STAFF_FIELDS) {
    if (!present(field)) continue;
    const value = body[field];
    if (value === null || (typeof value === 'string' && state.accounts[value]?.type === 'employee')) fields[field] = value;
    else addError(errors, field, `The selected ${attributeName(field)} is invalid.`);
  }
  if (present('introduced_by_uuid')) {
    const value = body['introduced_by_uuid'];
    if (value === null || (typeof value === 'string' && state.accounts[value] !== undefined)) fields['introduced_by_uuid'] = value;
    else addError(errors, 'introduced_by_uuid', 'The selected introduced by uuid is invalid.');
  }
  if (present('date_of_birth')) {
    const value = body['date_of_birth'];
    if (value === null) fields['date_of_birth'] = null;
    else if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || checkNullableDate({}, 'date_of_birth', value) === undefined) {
      addError(errors, 'date_of_birth', 'The date of birth field must match the format Y-m-d.');
    } else if (value > londonToday()) {
      addError(errors, 'date_of_birth', 'The date of birth field must be a date before or equal to today.');
    } else fields['date_of_birth'] = value;
  }
  if (present('ni_number')) {
    const value = body['ni_number'];
    // Plannr's own example sends "AB 12 34 56 C": spaces are accepted, and stored without.
    const compact = typeof value === 'string' ? value.replace(/\s+/g, '').toUpperCase() : undefined;
    if (value === null) fields['ni_number'] = null;
    else if (compact === undefined || !NINO.test(compact)) addError(errors, 'ni_number', 'The ni number field format is invalid.');
    else fields['ni_number'] = compact;
  }
  if (present('nationalities')) {
    const value = body['nationalities'];
    if (value === null) fields['nationalities'] = [];
    else if (!Array.isArray(value)) addError(errors, 'nationalities', 'The nationalities field must be an array.');
    else {
      const bad = value.findIndex((item) => typeof item !== 'string' || item.trim() === '');
      if (bad >= 0) addError(errors, `nationalities.${bad}`, `The nationalities.${bad} field must be a string.`);
      else fields['nationalities'] = value as string[];
    }
  }
  const value = checkInteger(errors, 'value', body['value'], 0, true);
  if (value !== undefined) fields['value'] = value;

  const result: { fields: ClientFields; email?: string | null; phone?: string | null } = { fields };
  if (present('email')) {
    const email = body['email'];
    if (email === null) result.email = null;
    else if (typeof email !== 'string' || !isEmailAddress(email.trim())) addError(errors, 'email', 'The email field must be a valid email address.');
    else result.email = email.trim();
  }
  if (present('phone')) {
    const phone = body['phone'];
    const parsed = phone === null ? null : parsePhoneValue(phone);
    if (phone === null) result.phone = null;
    else if (parsed === null) addError(errors, 'phone', 'The phone field must be a valid phone number.');
    else result.phone = parsed.e164;
  }
  return result;
}

/** Sets (or, with null, stops being primary for) the client's primary email or phone detail. */
function setPrimaryDetail(state: SandboxState, account: AccountRecord, type: ContactDetailRecord['type'], value: string | null, at: string): void {
  const current = primaryDetail(state, account, type);
  if (value === null) {
    if (current !== undefined) current.primary_account_uuids = current.primary_account_uuids.filter((u) => u !== account.uuid);
    return;
  }
  if (current !== undefined) {
    Object.assign(current, { value, updated_at: at });
    return;
  }
  const detail: ContactDetailRecord = {
    uuid: randomUUID(), type, name: type === 'email' ? 'Email' : 'Phone', value,
    account_uuids: [account.uuid], primary_account_uuids: [account.uuid], created_at: at, updated_at: at,
  };
  state.contactDetails[detail.uuid] = detail;
}

/** A client's own fields as the account resource shows them: staff and introducer nested, value as money. */
export function renderClientFields(state: SandboxState, account: AccountRecord): Record<string, unknown> {
  const fields = account.client;
  if (fields === undefined) return {};
  const nested = (uuid: unknown) => {
    const found = typeof uuid === 'string' ? state.accounts[uuid] : undefined;
    return found === undefined ? null : renderAccountSummary(found);
  };
  const rendered: Record<string, unknown> = Object.fromEntries(CLIENT_FIELDS.map((field) => [field, fields[field] ?? null]));
  rendered['nationalities'] = fields['nationalities'] ?? [];
  for (const field of [...STAFF_FIELDS, 'introduced_by_uuid'] as const) {
    rendered[field.replace(/_uuid$/, '')] = nested(fields[field]);
    delete rendered[field];
  }
  const value = fields['value'];
  rendered['value'] = typeof value === 'number' ? renderMoney(value) : null;
  return rendered;
}

function isClient(account: AccountRecord | undefined): account is AccountRecord {
  return account !== undefined && account.type === 'client';
}

function clientsOf(state: SandboxState): Record<string, AccountRecord> {
  return Object.fromEntries(valuesOf(state.accounts).filter(isClient).map((a) => [a.uuid, a]));
}

/** The names the body sets, checked (`required` on create; on update only when sent, and then not empty). */
function checkNames(errors: FieldErrors, body: Record<string, unknown>, creating: boolean): { first_name?: string; last_name?: string } {
  const names: { first_name?: string; last_name?: string } = {};
  for (const field of ['first_name', 'last_name'] as const) {
    if (!creating && body[field] === undefined) continue;
    const name = checkName(errors, field, body[field], true);
    if (name !== undefined) names[field] = name.trim();
  }
  return names;
}

function applyChanges(state: SandboxState, account: AccountRecord, checked: ReturnType<typeof checkClientFields>, names: { first_name?: string; last_name?: string }, at: string): void {
  Object.assign(account, names);
  account.name = `${account.first_name} ${account.last_name}`.trim();
  account.client = { ...account.client, ...checked.fields };
  if (checked.email !== undefined) {
    account.email = checked.email ?? '';
    setPrimaryDetail(state, account, 'email', checked.email, at);
  }
  if (checked.phone !== undefined) setPrimaryDetail(state, account, 'phone_number', checked.phone, at);
  account.updated_at = at;
}

export const clientRoutes = plannrResourceRoutes<AccountRecord>({
  base: BASE,
  model: MODEL,
  filters: {
    uuid: byUuid,
    name: (account, values) => containsAny(account.name, values),
    email: (account, values) => values.some((v) => v.toLowerCase() === account.email.toLowerCase()),
  },
  sorts: ['created_at', 'updated_at', 'first_name', 'last_name'],
  records: clientsOf,
  render: renderAccount,
  update(errors, state, record, body) {
    const names = checkNames(errors, body, false);
    const checked = checkClientFields(errors, state, body);
    if (body['send_welcome_email'] !== undefined && typeof body['send_welcome_email'] !== 'boolean') {
      addError(errors, 'send_welcome_email', 'The send welcome email field must be true or false.');
    }
    return (at) => applyChanges(state, record, checked, names, at);
  },
  create(errors, state, body) {
    const names = checkNames(errors, body, true);
    const welcome = body['send_welcome_email'];
    if (welcome === undefined || welcome === null) addError(errors, 'send_welcome_email', 'The send welcome email field is required.');
    else if (typeof welcome !== 'boolean') addError(errors, 'send_welcome_email', 'The send welcome email field must be true or false.');
    const checked = checkClientFields(errors, state, body);
    if (welcome === true && (checked.email === undefined || checked.email === null) && errors['email'] === undefined) {
      addError(errors, 'email', 'The email field is required when send welcome email is true.');
    }
    const { first_name: firstName, last_name: lastName } = names;
    if (firstName === undefined || lastName === undefined) return undefined;
    return (uuid, at) => {
      const account: AccountRecord = {
        uuid, type: 'client', role: 'client', first_name: firstName, last_name: lastName,
        name: '', email: '', group_uuids: [], tags: [], client: {}, created_at: at, updated_at: at,
      };
      state.accounts[uuid] = account;
      applyChanges(state, account, checked, names, at);
      return account;
    };
  },
});
