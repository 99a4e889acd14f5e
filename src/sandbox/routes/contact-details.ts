/** `/api/v2/contact-details`: list, get, update (PUT) and create (POST). */
import { addError, type FieldErrors } from '../http.js';
import type { ContactDetailRecord, SandboxState } from '../state.js';
import { checkName, checkUuidList, isEmailAddress, parsePhoneValue } from '../validate.js';
import { renderContactDetail } from './render.js';
import { byUuid, containsAny, plannrResourceRoutes, sharesAny, type Filter } from './resource.js';

const FILTERS: Readonly<Record<string, Filter<ContactDetailRecord>>> = {
  uuid: byUuid,
  account_uuids: (detail, values) => sharesAny(detail.account_uuids, values),
  // The stored value, or what the filter normalises to (a phone typed any way).
  value: (detail, values) => values.flatMap((v) => [v.toLowerCase(), parsePhoneValue(v)?.e164 ?? '']).includes(detail.value.toLowerCase()),
  name: (detail, values) => containsAny(detail.name, values),
  type: (detail, values) => values.includes(detail.type),
};
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

export const contactDetailRoutes = plannrResourceRoutes<ContactDetailRecord>({
  base: '/api/v2/contact-details',
  model: 'ContactDetail',
  filters: FILTERS,
  sorts: SORTS,
  records: (state) => state.contactDetails,
  render: renderContactDetail,
  faultyReads: true,
  update(errors, state, detail, body) {
    const name = checkName(errors, 'name', body['name'], true);
    // On update the value is read by the record's existing type.
    const value = checkValue(errors, detail.type, body['value']);
    const owners = checkOwners(errors, state, body);
    if (name === undefined || value === undefined || owners === undefined) return undefined;
    return (at) => Object.assign(detail, { name, value, ...owners, updated_at: at });
  },
  create(errors, state, body) {
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
    if (type === undefined || name === undefined || value === undefined || owners === undefined) return undefined;
    return (uuid, at) => {
      const primaries =
        owners.primary_account_uuids.length === 0 && isPrimary === true ? owners.account_uuids : owners.primary_account_uuids;
      const created: ContactDetailRecord = {
        uuid,
        type,
        name,
        value,
        account_uuids: owners.account_uuids,
        primary_account_uuids: primaries,
        created_at: at,
        updated_at: at,
      };
      state.contactDetails[uuid] = created;
      return created;
    };
  },
});
