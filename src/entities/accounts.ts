/**
 * Accounts: export only (`GET /api/v1/account`, seed account-get.txt). The columns are what an
 * account export writes, so the file reads back through the same mapping as everything else.
 */
import { UsageError } from '../errors.js';
import type { Column, Entity } from './entity.js';
import { asRecord, nameOf, uuidOf, uuidsOf } from './record.js';
import { choice, dateTime, email, phone, text, uuid, uuidList } from './field-types.js';
import { plannr, plannrUpdatedAt } from './systems.js';

const readOnly = { required: 'optional', clearable: false } as const;

export const accountColumns: readonly Column[] = [
  { field: 'uuid', header: 'UUID', aliases: ['Account ID', 'Account UUID', 'Client ID', 'ID'], help: 'The account.', example: '5087850d-bf1b-4aad-8197-994d5f4e6ca0', type: uuid, ...readOnly },
  { field: 'first_name', header: 'First Name', aliases: ['Forename', 'Given Name'], help: 'First name.', example: 'Gareth', type: text(255), ...readOnly },
  { field: 'last_name', header: 'Last Name', aliases: ['Surname', 'Family Name'], help: 'Last name.', example: 'Thompson', type: text(255), ...readOnly },
  { field: 'name', header: 'Name', aliases: ['Full Name', 'Display Name'], help: 'Full name.', example: 'Gareth Thompson', type: text(255), ...readOnly },
  { field: 'type', header: 'Type', aliases: ['Account Type'], help: 'client, employee or external.', example: 'client', type: choice(['client', 'employee', 'external']), ...readOnly },
  { field: 'email', header: 'Email', aliases: ['Email Address', 'Primary Email'], help: 'Primary email address.', example: 'gareth@codepotato.co.uk', type: email, ...readOnly },
  { field: 'primary_phone_number', header: 'Primary Phone', aliases: ['Phone', 'Primary Phone Number', 'Tel'], help: 'Primary phone number.', example: '+443330903630', type: phone, ...readOnly },
  { field: 'assigned_adviser', header: 'Assigned Adviser', aliases: ['Adviser', 'Adviser UUID'], help: 'UUID of the assigned adviser.', example: 'dff0027b-1e0f-426e-91e1-2cc7d9890d56', type: uuid, ...readOnly },
  { field: 'groups', header: 'Groups', aliases: ['Group UUIDs'], help: 'UUIDs of the groups, separated by ;', example: 'ef4c4456-f4bf-45e1-8698-ac371819c26c', type: uuidList, ...readOnly },
  { field: 'tags', header: 'Tags', aliases: ['Tag Names'], help: 'Tag names, separated by ;', example: 'Mortgage', type: text(), ...readOnly },
  { field: 'created_at', header: 'Created At', aliases: ['Created'], help: 'When the account was created.', example: '2024-10-16T11:10:13+01:00', type: dateTime, ...readOnly },
  { field: 'updated_at', header: 'Updated At', aliases: ['Updated', 'Last Modified'], help: 'When the account was last changed.', example: '2024-10-16T11:10:13+01:00', type: dateTime, ...readOnly },
];

export const accounts: Entity = {
  name: 'accounts',
  noun: 'account',
  system: plannr,
  columns: accountColumns,
  labelField: 'name',
  keyField: 'uuid',
  updatedAtOf: plannrUpdatedAt,
  list: { path: () => '/api/v1/account', include: 'primary_phone_number,primary_email,groups,tags' },
  canCreate: false,
  canImport: false,
  check: () => [],
  toRequest() {
    throw new UsageError('accounts can be exported and validated, not imported: the API has no bulk account update');
  },
  fromRecord(record) {
    const r = asRecord(record);
    const tags = Array.isArray(r.tags) ? r.tags.map(nameOf).filter((t) => t !== undefined) : [];
    return {
      uuid: r.uuid,
      first_name: r.first_name,
      last_name: r.last_name,
      name: r.name,
      type: r.type,
      email: r.email,
      primary_phone_number: asRecord(r.primary_phone_number).value,
      assigned_adviser: uuidOf(r.assigned_adviser),
      groups: uuidsOf(r.groups) ?? [],
      tags: tags.join('; '),
      created_at: r.created_at,
      updated_at: r.updated_at,
    };
  },
  recordRequest: (row) => ({ path: `/api/v1/account/${String(row.uuid)}`, pick: '' }),
};
