/** `/api/v2/contact-details`: list, get, update (PUT) and create (POST). */
import { randomUUID } from 'node:crypto';
import {
  addError,
  nowIso,
  readJsonObject,
  registerReadRoutes,
  updateTarget,
  validationFailed,
  type FieldErrors,
  type RouteDeps,
  type SandboxApp,
} from '../http.js';
import type { ContactDetailRecord, SandboxState } from '../state.js';
import { checkName, checkUuidList, isEmailAddress, parsePhoneValue } from '../validate.js';
import { renderContactDetail } from './render.js';

const BASE = '/api/v2/contact-details';
const MODEL = 'ContactDetail';
const FILTERS = ['uuid', 'account_uuids', 'value', 'name', 'type'] as const;
const SORTS = ['created_at', 'updated_at', 'name', 'value'] as const;

/** The value stored for `type`: E.164 for phones, the trimmed address for emails. */
function checkValue(errors: FieldErrors, type: ContactDetailRecord['type'], value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') {
    addError(errors, 'value', 'The value field is required.');
    return undefined;
  }
  if (type === 'phone_number') {
    const phone = parsePhoneValue(value);
    if (phone === null) {
      addError(errors, 'value', 'The value field must be a valid phone number.');
      return undefined;
    }
    return phone.e164;
  }
  if (typeof value !== 'string' || !isEmailAddress(value.trim())) {
    addError(errors, 'value', 'The value field must be a valid email address.');
    return undefined;
  }
  return value.trim();
}

interface OwnerChoice {
  account_uuids: string[];
  primary_account_uuids: string[];
}

/** account_uuids (required, client accounts only) and primary_account_uuids (a subset). */
function checkOwners(errors: FieldErrors, state: SandboxState, body: Record<string, unknown>): OwnerChoice | undefined {
  const isClient = (uuid: string): boolean => state.accounts[uuid]?.type === 'client';
  const owners = checkUuidList(errors, 'account_uuids', body['account_uuids'], isClient, { required: true });
  const ownerSet = new Set(owners ?? []);
  const primaries = checkUuidList(
    errors,
    'primary_account_uuids',
    body['primary_account_uuids'],
    (uuid) => isClient(uuid) && (owners === undefined || ownerSet.has(uuid)),
    { required: false },
  );
  if (owners === undefined) return undefined;
  return { account_uuids: owners, primary_account_uuids: primaries ?? [] };
}

function matchesFilters(detail: ContactDetailRecord, filters: Map<string, string[]>): boolean {
  for (const [name, values] of filters) {
    if (values.length === 0) continue;
    switch (name) {
      case 'uuid':
        if (!values.includes(detail.uuid)) return false;
        break;
      case 'account_uuids':
        if (!detail.account_uuids.some((uuid) => values.includes(uuid))) return false;
        break;
      case 'value': {
        // Match the stored value, or what the filter normalises to (a phone typed any way).
        const wanted = values.flatMap((v) => [v.toLowerCase(), parsePhoneValue(v)?.e164 ?? '']);
        if (!wanted.includes(detail.value.toLowerCase())) return false;
        break;
      }
      case 'name':
        if (!values.some((v) => detail.name.toLowerCase().includes(v.toLowerCase()))) return false;
        break;
      case 'type':
        if (!values.includes(detail.type)) return false;
        break;
    }
  }
  return true;
}

export function registerContactDetailRoutes(app: SandboxApp, deps: RouteDeps): void {
  registerReadRoutes(app, deps, {
    base: BASE,
    model: MODEL,
    filters: FILTERS,
    sorts: SORTS,
    records: (state) => state.contactDetails,
    matches: (detail, filters) => matchesFilters(detail, filters),
    render: renderContactDetail,
  });

  app.put(`${BASE}/:uuid`, async (c) => {
    const state = deps.state();
    const target = await updateTarget(c, state.contactDetails, MODEL);
    if (target instanceof Response) return target;
    const { uuid, record: detail, body } = target;

    const errors: FieldErrors = {};
    const name = checkName(errors, 'name', body['name'], true);
    // On update the value is read by the record's existing type.
    const value = checkValue(errors, detail.type, body['value']);
    const owners = checkOwners(errors, state, body);
    if (Object.keys(errors).length > 0 || name === undefined || value === undefined || owners === undefined) {
      return validationFailed(c, errors);
    }
    deps.changing(uuid, detail);
    Object.assign(detail, { name, value, ...owners, updated_at: nowIso() });
    deps.recordWrite({ method: 'PUT', path: c.req.path, resource: 'contact-details', uuid, body, status: 200 });
    return c.json(renderContactDetail(state, detail), 200);
  });

  app.post(BASE, async (c) => {
    const state = deps.state();
    const body = await readJsonObject(c);
    if (body instanceof Response) return body;

    const errors: FieldErrors = {};
    const rawType = body['type'];
    const type = rawType === 'email' || rawType === 'phone_number' ? rawType : undefined;
    if (rawType === undefined || rawType === null || rawType === '') addError(errors, 'type', 'The type field is required.');
    else if (type === undefined) addError(errors, 'type', 'The selected type is invalid.');
    const name = checkName(errors, 'name', body['name'], true);
    const value = type === undefined ? undefined : checkValue(errors, type, body['value']);
    const owners = checkOwners(errors, state, body);
    const isPrimary = body['is_primary'];
    if (isPrimary !== undefined && typeof isPrimary !== 'boolean') {
      addError(errors, 'is_primary', 'The is primary field must be true or false.');
    }
    if (Object.keys(errors).length > 0 || type === undefined || name === undefined || value === undefined || owners === undefined) {
      return validationFailed(c, errors);
    }
    const at = nowIso();
    const primaries =
      owners.primary_account_uuids.length === 0 && isPrimary === true ? owners.account_uuids : owners.primary_account_uuids;
    const created: ContactDetailRecord = {
      uuid: randomUUID(),
      type,
      name,
      value,
      account_uuids: owners.account_uuids,
      primary_account_uuids: primaries,
      created_at: at,
      updated_at: at,
    };
    state.contactDetails[created.uuid] = created;
    deps.recordWrite({ method: 'POST', path: c.req.path, resource: 'contact-details', uuid: created.uuid, body, status: 201 });
    return c.json(renderContactDetail(state, created), 201);
  });
}
