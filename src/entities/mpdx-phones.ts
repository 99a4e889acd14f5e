/**
 * MPDX phone numbers (JSON:API): `PUT /api/v2/contacts/{contact}/people/{person}/phones/{id}`.
 * `updated_in_db_at` is the optimistic-concurrency check (a record edited elsewhere since it
 * was read is refused); `overwrite: true` forces the write and is only sent when the row asks.
 * Seed: mpdx-phones.txt.
 */
import type { Column, Entity, NormalisedRow, PlannedRequest } from './entity.js';
import { boolean, dateTime, integer, phone, text, uuid } from './field-types.js';
import { asRecord } from './record.js';
import { bodyFrom } from './request-body.js';
import { mpdx } from './systems.js';

/** The fields of a phone number's URL, in order; only `id` is in the record itself. */
const urlFields = ['contact_id', 'person_id', 'id'];
const jsonApi = 'application/vnd.api+json';

export const mpdxPhoneColumns: readonly Column[] = [
  {
    field: 'contact_id', header: 'Contact ID', aliases: ['Contact', 'Contact UUID'],
    help: 'The MPDX contact the person belongs to.', example: 'eefc03da-13c3-49fa-acf0-d755517a2cef',
    required: 'always', type: uuid, clearable: false,
  },
  {
    field: 'person_id', header: 'Person ID', aliases: ['Person', 'Person UUID'],
    help: 'The person the phone number belongs to.', example: '1270222b-4638-4df4-9e1e-f048ba738d79',
    required: 'always', type: uuid, clearable: false,
  },
  {
    field: 'id', header: 'Phone ID', aliases: ['Phone UUID', 'Phone Number ID', 'ID'],
    help: 'The phone number record to update.', example: '87a37e5f-bf81-4b91-8392-593866b3baf1',
    required: 'always', type: uuid, clearable: false,
  },
  {
    field: 'number', header: 'Number', aliases: ['Phone', 'Phone Number', 'Tel', 'Telephone'],
    help: 'The phone number (saved as +447911123456).', example: '07911 123456',
    required: 'optional', type: phone, clearable: false,
  },
  {
    field: 'country_code', header: 'Country Code', aliases: ['Dialling Code', 'Calling Code'],
    help: 'The country calling code, e.g. 44.', example: '44', required: 'optional', type: integer(1), clearable: false,
  },
  {
    field: 'location', header: 'Location', aliases: ['Label', 'Phone Type'],
    help: "A label for the number, such as 'home', 'mobile', 'office'.", example: 'mobile',
    required: 'optional', type: text(255), clearable: false,
  },
  {
    field: 'primary', header: 'Primary', aliases: ['Is Primary'], help: "Whether this is the person's primary number.",
    example: 'yes', required: 'optional', type: boolean, clearable: false,
  },
  {
    field: 'historic', header: 'Historic', aliases: ['Is Historic', 'Old'], help: 'Yes when the number should no longer be used.',
    example: 'no', required: 'optional', type: boolean, clearable: false,
  },
  {
    field: 'valid_values', header: 'Valid', aliases: ['Valid Values', 'Is Valid'], help: 'Whether the number is known to be accurate.',
    example: 'yes', required: 'optional', type: boolean, clearable: false,
  },
  {
    field: 'updated_in_db_at', header: 'Updated In DB At', aliases: ['Updated In Db', 'Last Updated'],
    help: 'When the record was last read from MPDX; MPDX refuses the update if it has changed since.',
    example: '2026-05-20T13:55:10+01:00', required: 'always', type: dateTime, clearable: false,
  },
  {
    field: 'overwrite', header: 'Overwrite', aliases: ['Force'],
    help: 'yes to overwrite even if the record changed in MPDX since it was read.', example: 'no',
    required: 'optional', type: boolean, clearable: false,
  },
];

export const mpdxPhones: Entity = {
  name: 'mpdx-phones',
  noun: 'phone number',
  system: mpdx,
  columns: mpdxPhoneColumns,
  labelField: 'number',
  keyField: 'id',
  pathFields: ['contact_id', 'person_id'],
  concurrency: { readAtField: 'updated_in_db_at', overwriteField: 'overwrite' },
  updatedAtOf(record) {
    const r = asRecord(record);
    const value = asRecord(r.attributes).updated_in_db_at ?? r.updated_in_db_at;
    return typeof value === 'string' ? value : '';
  },
  list: {
    // MPDX lists phone numbers per person: there is no list of every number.
    scope: [
      { name: 'contact', field: 'contact_id', help: 'the MPDX contact' },
      { name: 'person', field: 'person_id', help: 'the person of that contact' },
    ],
    path: (scope) => `/api/v2/contacts/${encodeURIComponent(scope.contact ?? '')}/people/${encodeURIComponent(scope.person ?? '')}/phones`,
    include: '',
    contentType: jsonApi,
  },
  canCreate: false,
  canImport: true,
  check: () => [],
  toRequest(row: NormalisedRow): PlannedRequest {
    const attributes = bodyFrom(row, mpdxPhoneColumns, { isUpdate: true, keyFields: urlFields });
    // overwrite is only meaningful (and only sent) when true.
    if (attributes.overwrite !== true) delete attributes.overwrite;
    const [contact, person, id] = urlFields.map((f) => String(row[f]));
    return {
      method: 'PUT',
      path: `/api/v2/contacts/${contact}/people/${person}/phones/${id}`,
      body: { data: { type: 'phone_numbers', id, attributes } },
      contentType: jsonApi,
    };
  },
  /** A JSON:API resource {id, type, attributes}; the contact and person come from its path. */
  fromRecord(record) {
    const r = asRecord(record);
    const attributes = asRecord(r.attributes);
    // The reference types country_code as a number; a server may still answer "44". In
    // request-body terms it is the number we send, or "44" would never equal the 44 we sent.
    const code = attributes.country_code;
    const countryCode = typeof code === 'string' && /^\d{1,4}$/.test(code.trim()) ? Number(code) : code;
    return { id: r.id, ...attributes, ...(code !== undefined ? { country_code: countryCode } : {}) };
  },
  recordRequest(row) {
    const [contact, person, id] = urlFields.map((f) => String(row[f]));
    return { path: `/api/v2/contacts/${contact}/people/${person}/phones/${id}`, pick: 'data' };
  },
};
