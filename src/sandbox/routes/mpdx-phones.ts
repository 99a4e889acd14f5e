/**
 * MPDX (a donor CRM) phone numbers, JSON:API:
 * `GET /api/v2/contacts/{contact}/people/{person}/phones[/{id}]` and `PUT .../phones/{id}`.
 * `updated_in_db_at` is the optimistic-concurrency check: an older one than stored is a 409
 * unless `overwrite: true`.
 */
import { DateTime } from 'luxon';
import { nowIso, readPositiveInt, type RouteDeps, type SandboxApp, type SandboxContext } from '../http.js';
import type { MpdxPhoneRecord, SandboxState } from '../state.js';

const BASE = '/api/v2/contacts/:contact/people/:person/phones';
const JSON_API = 'application/vnd.api+json';
const DEFAULT_PER_PAGE = 25;

interface JsonApiError {
  status: string;
  title: string;
  detail: string;
  source?: { pointer: string };
  meta?: Record<string, unknown>;
}

function jsonApi(c: SandboxContext, body: unknown, status: 200 | 400 | 404 | 409 | 415 | 422): Response {
  return c.body(JSON.stringify(body), status, { 'Content-Type': `${JSON_API}; charset=utf-8` });
}

function errorsResponse(c: SandboxContext, status: 400 | 404 | 409 | 415 | 422, errors: JsonApiError[]): Response {
  return jsonApi(c, { errors }, status);
}

/** The read-error fault's answer, the same 500 on every resource. */
const serverError = (c: SandboxContext): Response => c.json({ message: 'Server Error' }, 500);

export function renderPhone(phone: MpdxPhoneRecord): Record<string, unknown> {
  const { id, contact_id: _contact, person_id: _person, ...attributes } = phone;
  return { id, type: 'phone_numbers', attributes };
}

/** The phones of a person of a contact, or undefined when the pair does not exist. */
function phonesOf(state: SandboxState, contactId: string, personId: string): MpdxPhoneRecord[] | undefined {
  const person = state.mpdxPeople[personId];
  if (state.mpdxContacts[contactId] === undefined || person === undefined || person.contact_id !== contactId) return undefined;
  return Object.values(state.mpdxPhones).filter((p) => p.person_id === personId);
}

const notFound = (c: SandboxContext, what: string): Response =>
  errorsResponse(c, 404, [{ status: '404', title: 'Not Found', detail: `${what} not found` }]);

const attributeError = (attribute: string, detail: string): JsonApiError => ({
  status: '422',
  title: 'Invalid Attribute',
  detail,
  source: { pointer: `/data/attributes/${attribute}` },
});

type Checked = { ok: true; changes: Partial<MpdxPhoneRecord>; sentDbAt: string | undefined; overwrite: boolean } | { ok: false; errors: JsonApiError[] };

/** Attribute types per the MPDX reference; unknown attributes are ignored. */
function checkAttributes(attributes: Record<string, unknown>): Checked {
  const errors: JsonApiError[] = [];
  const changes: Partial<MpdxPhoneRecord> = {};
  const number = attributes['number'];
  if (number !== undefined) {
    if ((typeof number === 'string' && number.trim() !== '') || typeof number === 'number') changes.number = String(number).trim();
    else errors.push(attributeError('number', 'number must be a non-empty string'));
  }
  for (const field of ['country_code', 'location', 'source'] as const) {
    const value = attributes[field];
    if (value === undefined) continue;
    if (field !== 'source' && value === null) changes[field] = null;
    else if (typeof value === 'string' || (field === 'country_code' && typeof value === 'number')) changes[field] = String(value);
    else errors.push(attributeError(field, `${field} must be a string`));
  }
  for (const field of ['primary', 'historic', 'valid_values'] as const) {
    const value = attributes[field];
    if (value === undefined) continue;
    if (typeof value === 'boolean') changes[field] = value;
    else errors.push(attributeError(field, `${field} must be true or false`));
  }
  const overwrite = attributes['overwrite'] === true;
  const sent = attributes['updated_in_db_at'];
  let sentDbAt: string | undefined;
  if (sent === undefined || sent === null) {
    if (!overwrite) errors.push(attributeError('updated_in_db_at', 'updated_in_db_at is required on update (or send overwrite: true)'));
  } else if (typeof sent !== 'string' || !DateTime.fromISO(sent).isValid) {
    errors.push(attributeError('updated_in_db_at', 'updated_in_db_at must be an ISO 8601 timestamp'));
  } else {
    sentDbAt = sent;
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, changes, sentDbAt, overwrite };
}

/** The phone routes; their reads take part in the read-error fault (the tool reads a phone back after a write). */
export function mpdxPhoneRoutes(app: SandboxApp, deps: RouteDeps): void {
  app.get(BASE, (c) => {
    if (deps.readFails()) return serverError(c);
    const stored = phonesOf(deps.state(), c.req.param('contact'), c.req.param('person'));
    if (stored === undefined) return notFound(c, 'Person');
    const phones = stored.flatMap((phone) => {
      const shown = deps.listed(phone.id, phone);
      return shown === undefined ? [] : [shown];
    });
    const page = readPositiveInt(c.req.query('page'), 1);
    const perPage = readPositiveInt(c.req.query('per_page'), DEFAULT_PER_PAGE);
    if (page === undefined || perPage === undefined) {
      return errorsResponse(c, 400, [{ status: '400', title: 'Bad Request', detail: 'page and per_page must be positive integers' }]);
    }
    const size = Math.min(perPage, 500);
    const slice = phones.slice((page - 1) * size, page * size);
    return jsonApi(
      c,
      {
        data: slice.map(renderPhone),
        meta: { pagination: { page, per_page: size, total_count: phones.length, total_pages: Math.max(1, Math.ceil(phones.length / size)) } },
      },
      200,
    );
  });

  app.get(`${BASE}/:id`, (c) => {
    if (deps.readFails()) return serverError(c);
    const phones = phonesOf(deps.state(), c.req.param('contact'), c.req.param('person'));
    const phone = phones?.find((p) => p.id === c.req.param('id'));
    if (phone === undefined) return notFound(c, 'Phone number');
    return jsonApi(c, { data: renderPhone(phone) }, 200);
  });

  app.put(`${BASE}/:id`, async (c) => {
    const id = c.req.param('id');
    const phones = phonesOf(deps.state(), c.req.param('contact'), c.req.param('person'));
    const phone = phones?.find((p) => p.id === id);
    if (phone === undefined) return notFound(c, 'Phone number');
    const contentType = c.req.header('content-type') ?? '';
    if (!contentType.toLowerCase().startsWith(JSON_API)) {
      return errorsResponse(c, 415, [{ status: '415', title: 'Unsupported Media Type', detail: `Content-Type must be ${JSON_API}` }]);
    }
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      return errorsResponse(c, 400, [{ status: '400', title: 'Bad Request', detail: 'Malformed JSON in request body' }]);
    }
    const data = (body as { data?: unknown } | null)?.data;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      return errorsResponse(c, 400, [{ status: '400', title: 'Bad Request', detail: 'Body must be {"data": {...}}', source: { pointer: '/data' } }]);
    }
    const resource = data as Record<string, unknown>;
    if (resource['type'] !== 'phone_numbers' || (resource['id'] !== undefined && resource['id'] !== id)) {
      return errorsResponse(c, 409, [
        { status: '409', title: 'Conflict', detail: 'data.type must be "phone_numbers" and data.id must match the URL', source: { pointer: '/data' } },
      ]);
    }
    const attributes = resource['attributes'];
    const checked = checkAttributes(typeof attributes === 'object' && attributes !== null ? (attributes as Record<string, unknown>) : {});
    if (!checked.ok) return errorsResponse(c, 422, checked.errors);
    if (!checked.overwrite && checked.sentDbAt !== undefined && Date.parse(checked.sentDbAt) < Date.parse(phone.updated_in_db_at)) {
      return errorsResponse(c, 409, [
        {
          status: '409',
          title: 'Conflict',
          detail: 'The phone number was changed after updated_in_db_at; fetch it again or send overwrite: true.',
          source: { pointer: '/data/attributes/updated_in_db_at' },
          meta: { updated_in_db_at: phone.updated_in_db_at },
        },
      ]);
    }
    const at = nowIso();
    deps.changing(id, phone);
    Object.assign(phone, checked.changes, { updated_at: at, updated_in_db_at: at });
    deps.recordWrite({ method: 'PUT', path: c.req.path, uuid: id, body, status: 200 });
    return jsonApi(c, { data: renderPhone(phone) }, 200);
  });
}
