/**
 * The kinds of field our entities use, each a normaliser plus what a person needs to know to
 * fill the cell in. Entities pick from these; templates, validation and reports read them.
 */
import { normaliseBoolean } from '../normalise/boolean.js';
import { normaliseDate, normaliseDateTime } from '../normalise/date.js';
import { normaliseEmail } from '../normalise/email.js';
import { normaliseList } from '../normalise/list.js';
import { normaliseMoney } from '../normalise/money.js';
import { normalisePhone } from '../normalise/phone.js';
import { fail, ok, type Normalised } from '../normalise/result.js';
import { normaliseInteger, normaliseText } from '../normalise/text.js';
import { isCanonicalUuid, normaliseUuid } from '../normalise/uuid.js';
import { dateCell, dateTimeCell, moneyCell, numberCell, showPounds, yesNoCell } from './cells.js';
import type { FieldType } from './entity.js';

const asIs = <T extends string | number | boolean>(value: T): T => value;

export function text(maxLength?: number): FieldType<string> {
  return {
    name: 'text',
    format: maxLength === undefined ? 'text' : `text, at most ${maxLength} characters`,
    normalise: (value) => normaliseText(value, maxLength === undefined ? {} : { maxLength }),
    display: asIs,
  };
}

export function integer(min?: number): FieldType<number> {
  return {
    name: 'whole number',
    format: min === undefined ? 'a whole number' : `a whole number, ${min} or more`,
    normalise: (value) => normaliseInteger(value, min === undefined ? {} : { min }),
    display: asIs,
    toCell: numberCell,
  };
}

export const uuid: FieldType<string> = {
  name: 'uuid',
  format: 'a Plannr UUID, e.g. 6ff8f7f6-1eb3-3525-be4a-3932c805afed',
  normalise: (value) => normaliseUuid(value),
  display: asIs,
};

export const uuidList: FieldType<string[]> = {
  name: 'uuid list',
  format: 'one or more UUIDs separated by ; or ,',
  normalise: (value) => normaliseList(value, normaliseUuid),
  display: (value) => value.join('; '),
};

export const phone: FieldType<string> = {
  name: 'phone',
  format: 'a phone number, UK (07911 123456) or international (+61 2 9374 4000); saved as +447911123456',
  normalise: (value, options) => normalisePhone(value, options),
  display: asIs,
};

export const email: FieldType<string> = {
  name: 'email',
  format: 'an email address',
  normalise: (value) => normaliseEmail(value),
  display: asIs,
};

/** Contact details hold either; an @ decides which, so the error names the right format. */
export const phoneOrEmail: FieldType<string> = {
  name: 'phone or email',
  format: 'a phone number (saved as +447911123456) or an email address',
  normalise: (value, options): Normalised<string> => {
    if (typeof value === 'string' && value.includes('@')) return normaliseEmail(value);
    return normalisePhone(value, options);
  },
  display: asIs,
};

export function money(options: { allowNegative: boolean }): FieldType<number> {
  return {
    name: 'money',
    format: options.allowNegative
      ? 'pounds and pence, e.g. £1,234.56 or -12.50; sent as pennies'
      : 'pounds and pence, e.g. £1,234.56; sent as pennies',
    normalise: (value) => normaliseMoney(value, { allowNegative: options.allowNegative, currency: 'GBP' }),
    // Pennies are what the API takes; people read pounds and pence.
    display: showPounds,
    toCell: (value, format) => moneyCell(value, format),
    numberFormat: 'money',
  };
}

export const dateTime: FieldType<string> = {
  name: 'date-time',
  format: 'a date, optionally with a time: 18/03/2026, 18/03/2026 14:30 or 2026-03-18T14:30:00+00:00',
  normalise: (value, options) => normaliseDateTime(value, options),
  display: asIs,
  toCell: dateTimeCell,
};

export const date: FieldType<string> = {
  name: 'date',
  format: 'a date: 18/03/2026 or 2026-03-18',
  normalise: (value, options) => normaliseDate(value, options),
  display: asIs,
  toCell: (value, format) => dateCell(value, format),
};

export const boolean: FieldType<boolean> = {
  name: 'yes/no',
  format: 'yes or no (also true/false, Y/N, 1/0)',
  choices: ['yes', 'no'],
  normalise: (value) => normaliseBoolean(value),
  display: (value) => (value ? 'yes' : 'no'),
  toCell: yesNoCell,
};

export function choice<const T extends string>(values: readonly T[]): FieldType<T> {
  const byLowerCase = new Map(values.map((v) => [v.toLowerCase(), v]));
  return {
    name: 'choice',
    format: `one of: ${values.join(', ')}`,
    choices: values,
    normalise: (value) => {
      const found = byLowerCase.get(String(value).trim().toLowerCase());
      return found === undefined ? fail(`"${String(value)}" is not one of: ${values.join(', ')}`) : ok(found);
    },
    display: asIs,
  };
}

/** What a by-name reference points at; pipeline/send/names.ts resolves each kind through the API. */
export type ReferenceKind = 'case-status' | 'case-type' | 'account' | 'employee';

/** How messages name one record of each reference kind. */
export const referenceNouns: Readonly<Record<ReferenceKind, string>> = { 'case-status': 'case status', 'case-type': 'case type', account: 'account', employee: 'member of staff' };
/** How messages name several. */
export const referencePlurals: Readonly<Record<ReferenceKind, string>> = { 'case-status': 'case statuses', 'case-type': 'case types', account: 'accounts', employee: 'members of staff' };

/** A field that takes a uuid or a human reference (a name, an email) looked up at import or plan. */
export interface ReferenceType<T> extends FieldType<T> {
  readonly refersTo: ReferenceKind;
}

/** Hex and dashes in a uuid's opening shape: a mistyped uuid, not a name, so it fails as a uuid. */
const UUID_ATTEMPT = /^\{?[0-9a-fA-F]{8}-[0-9a-fA-F-]{4,}\}?$/;

/** Whether a normalised reference is already a uuid (anything else is a name or email to resolve). */
export function isUuidText(value: unknown): value is string {
  return typeof value === 'string' && isCanonicalUuid(value);
}

/**
 * A uuid, or the name of the record ("To Be Reviewed"), trimmed. Offline (validate) a name is
 * only checked for its form; import and plan resolve it to a uuid, case-insensitively.
 */
export function uuidOrName(refersTo: 'case-status' | 'case-type', what: string): ReferenceType<string> {
  return {
    name: `uuid or ${what} name`,
    format: `a Plannr UUID or the ${what}'s name as shown in Plannr (any case), e.g. ${what === 'status' ? 'To Be Reviewed' : 'Mortgage'}`,
    refersTo,
    normalise: (value) => {
      if (typeof value === 'string' && isCanonicalUuid(value)) return ok(value);
      const text = String(value).trim();
      if (UUID_ATTEMPT.test(text)) return normaliseUuid(text);
      return normaliseText(text.replace(/\s+/g, ' '), { maxLength: 255 });
    },
    display: asIs,
  };
}

function uuidOrEmail(text: string): Normalised<string> {
  if (isCanonicalUuid(text)) return ok(text);
  if (UUID_ATTEMPT.test(text.trim())) return normaliseUuid(text);
  if (text.includes('@')) return normaliseEmail(text);
  return fail(`"${text.trim()}" is neither a UUID nor an email address`);
}

/** Account references: uuids or email addresses, separated by ; (emails resolved at import and plan). */
export const accountRefs: ReferenceType<string[]> = {
  name: 'uuid or email list',
  format: 'one or more account UUIDs or email addresses separated by ; or ,',
  refersTo: 'account',
  normalise: (value) => normaliseList(value, uuidOrEmail),
  display: (value) => value.join('; '),
};
