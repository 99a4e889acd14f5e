/**
 * Contact details: `PUT /api/v2/contact-details/{uuid}` (name, value and account_uuids are
 * required on every PUT) and `POST /api/v2/contact-details` (type inferred from the value).
 * Seed: contact-details-update.txt.
 */
import type { Column, Entity, NormalisedRow, PlannedRequest } from './entity.js';
import { accountRefs, choice, isUuidText, phoneOrEmail, text, uuid } from './field-types.js';
import { asRecord, uuidsOf } from './record.js';
import { bodyFrom } from './request-body.js';
import { plannr, plannrUpdatedAt } from './systems.js';

/** Related records a contact detail's columns read (each list and read asks for them). */
const contactDetailIncludes = 'accounts,primary_accounts';

export const contactDetailColumns: readonly Column[] = [
  {
    field: 'uuid', header: 'UUID', aliases: ['Contact Detail ID', 'Contact Detail UUID', 'Detail Ref', 'Detail ID', 'ID'],
    help: 'The contact detail to update. Leave blank to create a new one.',
    example: 'f2e12d49-d7f1-437a-ada6-3723557b81ee', required: 'optional', type: uuid, clearable: false,
  },
  {
    field: 'type', header: 'Type', aliases: ['Contact Type', 'Detail Type', 'Kind'],
    help: 'phone_number or email. Optional: worked out from the value when blank.',
    example: 'phone_number', required: 'optional', type: choice(['phone_number', 'email']), clearable: false,
    createOnly: true,
  },
  {
    field: 'name', header: 'Name', aliases: ['Label', 'Description', 'Contact Detail Name', 'Detail Name'],
    help: 'What the detail is, e.g. "Mobile" or "Work email" (at most 255 characters).',
    example: 'Mobile', required: 'always', type: text(255), clearable: false,
  },
  {
    field: 'value', header: 'Value',
    aliases: ['Phone/Email', 'Phone or Email', 'Mobile', 'Mobile Number', 'Tel', 'Telephone', 'Phone', 'Phone Number', 'Email', 'Email Address', 'Contact'],
    help: 'The phone number (UK or international; saved as +447911123456) or the email address.',
    example: '07911 123456', required: 'always', type: phoneOrEmail, clearable: false,
  },
  {
    field: 'country', header: 'Country', aliases: ['Phone Country', 'Region'],
    help: 'Two-letter country of a phone number written without +code (e.g. AU). Default: GB (--default-country).',
    example: 'GB', required: 'optional', type: text(2), clearable: false, isPhoneRegion: true,
  },
  {
    field: 'account_uuids', header: 'Accounts',
    aliases: ['Account UUIDs', 'Account IDs', 'Client Refs', 'Client IDs', 'Client UUIDs', 'Clients', 'Owners'],
    help: 'The client accounts that own the detail, by UUID or email, separated by ;', example: '5087850d-bf1b-4aad-8197-994d5f4e6ca0',
    required: 'always', type: accountRefs, clearable: false,
  },
  {
    field: 'primary_account_uuids', header: 'Primary For',
    aliases: ['Primary Account UUIDs', 'Primary Accounts', 'Primary Account IDs', 'Primary'],
    help: 'The accounts that have this as their primary detail, by UUID or email, separated by ;. (clear) empties it.',
    example: '5087850d-bf1b-4aad-8197-994d5f4e6ca0', required: 'optional', type: accountRefs, clearable: true,
  },
];

export function contactTypeOf(value: string): 'email' | 'phone_number' {
  return value.includes('@') ? 'email' : 'phone_number';
}

export const contactDetails: Entity = {
  name: 'contact-details',
  noun: 'contact detail',
  system: plannr,
  columns: contactDetailColumns,
  labelField: 'value',
  keyField: 'uuid',
  updatedAtOf: plannrUpdatedAt,
  list: { path: () => '/api/v2/contact-details', include: contactDetailIncludes },
  canCreate: true,
  canImport: true,
  check(row: NormalisedRow) {
    const problems: Array<{ field: string; message: string }> = [];
    if (typeof row.type === 'string' && typeof row.value === 'string' && contactTypeOf(row.value) !== row.type) {
      problems.push({ field: 'type', message: `type is ${row.type} but the value is ${contactTypeOf(row.value) === 'email' ? 'an email address' : 'a phone number'}` });
    }
    const owners = Array.isArray(row.account_uuids) ? new Set(row.account_uuids) : undefined;
    // Emails are compared once resolved to uuids (pipeline/send/names.ts runs this check again then).
    const allUuids = (list: unknown) => Array.isArray(list) && list.every(isUuidText);
    if (owners && Array.isArray(row.primary_account_uuids) && allUuids(row.account_uuids) && allUuids(row.primary_account_uuids)) {
      const stranger = row.primary_account_uuids.find((id) => !owners.has(id));
      if (stranger !== undefined) problems.push({ field: 'primary_account_uuids', message: `${String(stranger)} is not one of the owning accounts` });
    }
    return problems;
  },
  toRequest(row: NormalisedRow): PlannedRequest {
    const key = row.uuid;
    if (typeof key === 'string') {
      const body = bodyFrom(row, contactDetailColumns, { isUpdate: true, clearedAs: { primary_account_uuids: [] } });
      return { method: 'PUT', path: `/api/v2/contact-details/${key}`, body, contentType: 'application/json' };
    }
    const body = bodyFrom(row, contactDetailColumns, { isUpdate: false, clearedAs: { primary_account_uuids: [] } });
    if (body.type === undefined && typeof row.value === 'string') body.type = contactTypeOf(row.value);
    return { method: 'POST', path: '/api/v2/contact-details', body, contentType: 'application/json' };
  },
  fromRecord(record) {
    const r = asRecord(record);
    return {
      uuid: r.uuid,
      type: r.type,
      name: r.name,
      value: r.value,
      account_uuids: uuidsOf(r.account_uuids ?? r.accounts) ?? [],
      primary_account_uuids: uuidsOf(r.primary_account_uuids ?? r.primary_accounts) ?? [],
    };
  },
  recordRequest: (row) => ({
    path: '/api/v2/contact-details',
    query: { 'filter[uuid]': String(row.uuid), include: contactDetailIncludes },
    pick: 'data.0',
  }),
  findCreated(body) {
    const owners = Array.isArray(body.account_uuids) ? body.account_uuids.map(String) : [];
    if (owners.length === 0) return undefined;
    return { path: '/api/v2/contact-details', query: { 'filter[account_uuids]': owners.join(','), include: contactDetailIncludes }, pick: 'data' };
  },
};
