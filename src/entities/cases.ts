/**
 * Cases: `PUT /api/v1/cases/{uuid}` (every field optional: a partial update) and
 * `POST /api/v1/cases` (name and at least one client participant).
 * Seed: cases-update.txt, cases-update-curl.txt. Note `plans: null` disassociates ALL plans,
 * so only an explicit (clear) ever sends it.
 */
import type { Column, Entity, NormalisedRow, PlannedRequest } from './entity.js';
import { accountRefs, dateTime, integer, money, text, uuid, uuidList, uuidOrName } from './field-types.js';
import { asRecord, nameOf, penniesOf, uuidOf, uuidsOf } from './record.js';
import { bodyFrom } from './request-body.js';
import { plannr, plannrUpdatedAt } from './systems.js';

/** Related records a case's columns read (each list and read of a case asks for them). */
const caseIncludes = 'participants,plans,status,type,groups,assigned_to';

export const caseColumns: readonly Column[] = [
  {
    field: 'uuid', header: 'UUID', aliases: ['Case ID', 'Case UUID', 'Case Ref', 'Case Reference', 'ID'],
    help: 'The case to update. Leave blank to create a new case.',
    example: '6ff8f7f6-1eb3-3525-be4a-3932c805afed', required: 'optional', type: uuid, clearable: false,
  },
  {
    field: 'name', header: 'Name', aliases: ['Case Name', 'Title', 'Case Title', 'Description'],
    help: 'Name of the case.', example: 'Annual review', required: 'on-create', type: text(255), clearable: false,
  },
  {
    field: 'status', header: 'Status', aliases: ['Case Status', 'Status UUID', 'Stage'],
    help: 'The case status: its UUID or its name (e.g. To Be Reviewed), looked up at import.', example: '38c8721a-6541-4e85-ab0c-4bab6fbec61c',
    required: 'optional', type: uuidOrName('case-status', 'status'), clearable: false,
  },
  {
    field: 'status_position', header: 'Status Position', aliases: ['Position', 'Kanban Position'],
    help: "The case's position in its status column (kanban), from 1.", example: '4',
    required: 'optional', type: integer(1), clearable: false,
  },
  {
    field: 'type', header: 'Type', aliases: ['Case Type', 'Type UUID', 'Category'],
    help: 'The case type: its UUID or its name (e.g. Mortgage), looked up at import.', example: '5e653c9f-b4bf-4976-94f3-e3dd0a321045',
    required: 'optional', type: uuidOrName('case-type', 'type'), clearable: false,
  },
  {
    field: 'value', header: 'Value', aliases: ['Case Value', 'Case Value (£)', 'Value (£)', 'Expected Value', 'Amount', 'Fee'],
    help: 'Expected value of the case in pounds and pence (sent to Plannr as pennies).', example: '£1,234.56',
    required: 'optional', type: money({ allowNegative: false }), clearable: false,
  },
  {
    field: 'review_at', header: 'Review At', aliases: ['Review Date', 'Next Review', 'Review Due', 'Review'],
    help: 'When the case is to be reviewed (UK time unless an offset is given).', example: '18/03/2026 16:05',
    required: 'optional', type: dateTime, clearable: true,
  },
  {
    field: 'completed_at', header: 'Completed At', aliases: ['Date Completed', 'Completed', 'Completion Date', 'Completed On'],
    help: 'When the case was completed. (clear) marks it not completed.', example: '20/11/2024 13:24',
    required: 'optional', type: dateTime, clearable: true,
  },
  {
    field: 'assigned_to_uuids', header: 'Assigned To', aliases: ['Assigned To UUIDs', 'Assigned', 'Adviser IDs', 'Advisers', 'Owner'],
    help: 'The accounts assigned to the case, by UUID or email, separated by ;', example: '14b90872-809e-4df5-9c6c-5b84bda0efd2',
    required: 'optional', type: accountRefs, clearable: true,
  },
  {
    field: 'group_uuids', header: 'Groups', aliases: ['Group UUIDs', 'Group IDs'],
    help: 'UUIDs of the groups the case belongs to, separated by ;', example: '91ba8db5-ed6b-41ad-b4da-b8e625e5fbeb',
    required: 'optional', type: uuidList, clearable: true,
  },
  {
    field: 'plans', header: 'Plans', aliases: ['Plan UUIDs', 'Plan IDs', 'Policies'],
    help: 'UUIDs of the plans on the case, separated by ;. (clear) removes ALL plans from the case.',
    example: '52866ecf-b41a-436d-b939-f0dff684f1bd', required: 'optional', type: uuidList, clearable: true,
  },
  {
    field: 'participants', header: 'Clients', aliases: ['Participants', 'Client IDs', 'Client UUIDs', 'Account UUIDs'],
    help: 'The client accounts on the case, by UUID or email (needed to create a case; the API cannot change them on update).',
    example: '5087850d-bf1b-4aad-8197-994d5f4e6ca0', required: 'on-create', type: accountRefs, clearable: false, createOnly: true,
  },
];

/** A cleared list field is sent as [], except plans, where the API's "clear" is null. */
const clearedAs = { assigned_to_uuids: [], group_uuids: [], plans: null, review_at: null, completed_at: null };

export const cases: Entity = {
  name: 'cases',
  noun: 'case',
  system: plannr,
  columns: caseColumns,
  labelField: 'name',
  keyField: 'uuid',
  updatedAtOf: plannrUpdatedAt,
  list: { path: () => '/api/v1/cases', include: caseIncludes },
  canCreate: true,
  canImport: true,
  check(row: NormalisedRow) {
    const problems: Array<{ field: string; message: string }> = [];
    if (row.uuid === undefined && Array.isArray(row.participants) && row.participants.length === 0) {
      problems.push({ field: 'participants', message: 'a new case needs at least one client' });
    }
    return problems;
  },
  toRequest(row: NormalisedRow): PlannedRequest {
    const key = row.uuid;
    const isUpdate = typeof key === 'string';
    const body = bodyFrom(row, caseColumns, { isUpdate, clearedAs });
    return isUpdate
      ? { method: 'PUT', path: `/api/v1/cases/${key}`, body, contentType: 'application/json' }
      : { method: 'POST', path: '/api/v1/cases', body, contentType: 'application/json' };
  },
  fromRecord(record) {
    const r = asRecord(record);
    return {
      uuid: r.uuid,
      name: r.name,
      status: uuidOf(r.status),
      status_position: r.status_position,
      type: uuidOf(r.type),
      value: penniesOf(r.value),
      review_at: r.review_at ?? null,
      completed_at: r.completed_at ?? null,
      assigned_to_uuids: uuidsOf(r.assigned_to_uuids ?? r.assigned_to) ?? [],
      group_uuids: uuidsOf(r.group_uuids ?? r.groups) ?? [],
      plans: uuidsOf(r.plans) ?? [],
      participants: uuidsOf(r.participants) ?? [],
    };
  },
  recordRequest: (row) => ({
    path: '/api/v1/cases',
    query: { 'filter[uuid]': String(row.uuid), include: caseIncludes },
    pick: 'data.0',
  }),
  exportOnly: [
    { header: 'Status Name', after: 'status', value: (record) => nameOf(asRecord(record).status) },
    { header: 'Type Name', after: 'type', value: (record) => nameOf(asRecord(record).type) },
  ],
  findCreated(body) {
    const participants = Array.isArray(body.participants) ? body.participants.map(String) : [];
    if (participants.length === 0) return undefined;
    return { path: '/api/v1/cases', query: { 'filter[account_uuids]': participants.join(','), include: caseIncludes }, pick: 'data' };
  },
};
