/** `/api/v1/cases`: list, get, partial update (PUT) and create (POST). */
import { randomUUID } from 'node:crypto';
import { addError, type FieldErrors } from '../http.js';
import { slugify } from '../seed.js';
import type { CaseRecord, SandboxState } from '../state.js';
import { checkInteger, checkName, checkNullableDate, checkUuidList } from '../validate.js';
import { accountSummaries, renderMoney } from './render.js';
import { byUuid, containsAny, plannrResourceRoutes, sharesAny, type Filter } from './resource.js';

const isCompleted = (state: SandboxState, record: CaseRecord): boolean => state.caseStatuses[record.status_uuid]?.is_type_completed === true;
const isTruthy = (values: readonly string[]): boolean => values[0] === '1' || values[0] === 'true';

const FILTERS: Readonly<Record<string, Filter<CaseRecord>>> = {
  uuid: byUuid,
  account_uuids: (record, values) => sharesAny(record.participant_uuids, values),
  name: (record, values) => containsAny(record.name, values),
  status: (record, values) => values.includes(record.status_uuid),
  type: (record, values) => record.type_uuid !== null && values.includes(record.type_uuid),
  plan_uuid: (record, values) => sharesAny(record.plan_uuids, values),
  completed: (record, values, state) => isCompleted(state, record) === isTruthy(values),
  in_progress: (record, values, state) => !isCompleted(state, record) === isTruthy(values),
};
const SORTS = ['created_at', 'updated_at', 'name', 'review_at', 'completed_at', 'value', 'status_position'] as const;

export function renderCase(state: SandboxState, record: CaseRecord): Record<string, unknown> {
  const status = state.caseStatuses[record.status_uuid];
  const type = record.type_uuid === null ? undefined : state.caseTypes[record.type_uuid];
  return {
    uuid: record.uuid,
    created_at: record.created_at,
    updated_at: record.updated_at,
    name: record.name,
    slug: record.slug,
    status: status ?? null,
    type: type ?? null,
    review_at: record.review_at,
    assigned_to_uuids: record.assigned_to_uuids,
    group_uuids: record.group_uuids,
    completed_at: record.completed_at,
    value: record.value === null ? null : renderMoney(record.value),
    status_position: record.status_position,
    participants_count: record.participant_uuids.length,
    participants: accountSummaries(state, record.participant_uuids),
    task_board_uuid: record.task_board_uuid,
    plans: record.plan_uuids.flatMap((uuid) => {
      const plan = state.plans[uuid];
      return plan ? [{ uuid: plan.uuid, created_at: plan.created_at, updated_at: plan.updated_at, name: plan.name, type: plan.type }] : [];
    }),
    custom_fields: [],
  };
}

/** The optional case fields shared by PUT and POST, checked; only fields present in the body appear. */
function checkCaseFields(errors: FieldErrors, state: SandboxState, body: Record<string, unknown>): Partial<CaseRecord> {
  const changes: Partial<CaseRecord> = {};
  const uuidField = (field: 'status' | 'type', target: 'status_uuid' | 'type_uuid', exists: (uuid: string) => boolean): void => {
    const value = body[field];
    if (value === undefined) return;
    if (typeof value !== 'string' || !exists(value)) addError(errors, field, `The selected ${field} is invalid.`);
    else changes[target] = value;
  };
  uuidField('status', 'status_uuid', (uuid) => state.caseStatuses[uuid] !== undefined);
  uuidField('type', 'type_uuid', (uuid) => state.caseTypes[uuid] !== undefined);

  const position = checkInteger(errors, 'status_position', body['status_position'], 1, false);
  if (typeof position === 'number') changes.status_position = position;
  const assigned = checkUuidList(errors, 'assigned_to_uuids', body['assigned_to_uuids'], (u) => state.accounts[u] !== undefined, { required: false });
  if (assigned !== undefined && body['assigned_to_uuids'] !== undefined) changes.assigned_to_uuids = assigned;
  const groups = checkUuidList(errors, 'group_uuids', body['group_uuids'], (u) => state.groups[u] !== undefined, { required: false });
  if (groups !== undefined && body['group_uuids'] !== undefined) changes.group_uuids = groups;
  for (const field of ['review_at', 'completed_at'] as const) {
    const date = checkNullableDate(errors, field, body[field]);
    if (date !== undefined) changes[field] = date;
  }
  const value = checkInteger(errors, 'value', body['value'], 0, true);
  if (value !== undefined) changes.value = value;
  // plans: null disassociates all plans (as the API reference says); [] does the same.
  if (body['plans'] === null) changes.plan_uuids = [];
  else if (body['plans'] !== undefined) {
    const plans = checkUuidList(errors, 'plans', body['plans'], (u) => state.plans[u] !== undefined, { required: false });
    if (plans !== undefined) changes.plan_uuids = plans;
  }
  return changes;
}

export const caseRoutes = plannrResourceRoutes<CaseRecord>({
  base: '/api/v1/cases',
  model: 'Case',
  filters: FILTERS,
  sorts: SORTS,
  records: (state) => state.cases,
  render: renderCase,
  faultyReads: true,
  update(errors, state, record, body) {
    const name = body['name'] === undefined ? undefined : checkName(errors, 'name', body['name'], true);
    const changes = checkCaseFields(errors, state, body);
    // Every field is optional: only what was sent changes (a partial update).
    return (at) => Object.assign(record, changes, name === undefined ? {} : { name }, { updated_at: at });
  },
  create(errors, state, body) {
    const name = checkName(errors, 'name', body['name'], true);
    const participants = checkUuidList(errors, 'participants', body['participants'], (u) => state.accounts[u] !== undefined, {
      required: true,
    });
    if (participants !== undefined && participants.length > 0 && !participants.some((u) => state.accounts[u]?.type === 'client')) {
      addError(errors, 'participants', 'The participants field must contain at least one client.');
    }
    const changes = checkCaseFields(errors, state, body);
    if (name === undefined || participants === undefined) return undefined;
    return (uuid, at) => {
      const firstStatus = Object.values(state.caseStatuses).sort((a, b) => a.position - b.position)[0];
      // A state with no case status cannot hold a case: the sandbox's own fault, so a 500.
      if (firstStatus === undefined) throw new Error('the sandbox state has no case status to give a new case');
      const statusUuid = changes.status_uuid ?? firstStatus.uuid;
      const inStatus = Object.values(state.cases).filter((r) => r.status_uuid === statusUuid).length;
      const created: CaseRecord = {
        uuid,
        name,
        slug: `${slugify(name)}-${uuid.slice(0, 8)}`,
        status_uuid: statusUuid,
        type_uuid: null,
        value: null,
        review_at: null,
        completed_at: null,
        assigned_to_uuids: [],
        group_uuids: [],
        participant_uuids: participants,
        plan_uuids: [],
        status_position: inStatus + 1,
        task_board_uuid: randomUUID(),
        created_at: at,
        updated_at: at,
        ...changes,
      };
      state.cases[uuid] = created;
      return created;
    };
  },
});
