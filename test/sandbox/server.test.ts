import { get as httpGet } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox/server.js';
import { SANDBOX_ACCOUNT_UUID, SANDBOX_TOKEN } from '../../src/sandbox/seed.js';
import type { SandboxState } from '../../src/sandbox/state.js';
import { API_HEADERS, sandboxesPerTest } from './helpers.js';

const start = sandboxesPerTest();
const headers = API_HEADERS;

async function call(sandbox: RunningSandbox, method: string, path: string, body?: unknown, extra: Record<string, string> = {}) {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: { ...headers, ...extra },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
}

/** A GET's status over node:http (fetch keeps timers of its own, which would run on a faked clock too). */
function getStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpGet(url, { headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    request.on('error', reject);
  });
}

const clientsOf = (state: SandboxState) => Object.values(state.accounts).filter((a) => a.type === 'client');
const employeesOf = (state: SandboxState) => Object.values(state.accounts).filter((a) => a.type === 'employee');
/** A seeded phone contact detail, and a PUT to it of `value` under `name`, its owners unchanged. */
async function putPhone(sandbox: RunningSandbox, name: string, value: unknown) {
  const detail = Object.values(sandbox.state.contactDetails).find((d) => d.type === 'phone_number');
  if (!detail) throw new Error('no phone');
  const response = await call(sandbox, 'PUT', `/api/v2/contact-details/${detail.uuid}`, { name, value, account_uuids: detail.account_uuids });
  return { detail, response };
}
const firstOf = <T>(records: Record<string, T>): T => {
  const first = Object.values(records)[0];
  if (first === undefined) throw new Error('empty');
  return first;
};

describe('auth', () => {
  it('refuses a missing or wrong bearer token with 401 Unauthenticated', async () => {
    const sandbox = await start();
    const missing = await fetch(`${sandbox.url}/api/v1/cases`, { headers: { 'X-PLANNR-ACCOUNT-UUID': SANDBOX_ACCOUNT_UUID } });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ message: 'Unauthenticated.' });
    const wrong = await call(sandbox, 'GET', '/api/v1/cases', undefined, { Authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.json).toEqual({ message: 'Unauthenticated.' });
  });

  it('refuses a missing or unknown X-PLANNR-ACCOUNT-UUID with 403 and a message', async () => {
    const sandbox = await start();
    const missing = await fetch(`${sandbox.url}/api/v1/cases`, { headers: { Authorization: `Bearer ${SANDBOX_TOKEN}` } });
    expect(missing.status).toBe(403);
    expect(typeof ((await missing.json()) as { message: unknown }).message).toBe('string');
    const unknown = await call(sandbox, 'GET', '/api/v1/cases', undefined, { 'X-PLANNR-ACCOUNT-UUID': '00000000-0000-4000-8000-000000000000' });
    expect(unknown.status).toBe(403);
    expect(Object.keys(unknown.json ?? {})).toEqual(['message']);
  });
});

describe('errors', () => {
  it('answers an unknown case uuid with a Laravel model-not-found 404', async () => {
    const sandbox = await start();
    const uuid = '11111111-2222-4333-8444-555555555555';
    const response = await call(sandbox, 'GET', `/api/v1/cases/${uuid}`);
    expect(response.status).toBe(404);
    expect(response.json).toEqual({ message: `No query results for model [App\\Models\\Case] ${uuid}` });
    const put = await call(sandbox, 'PUT', `/api/v2/contact-details/${uuid}`, { name: 'x' });
    expect(put.status).toBe(404);
  });

  it('answers malformed JSON with 400 and writes nothing', async () => {
    const sandbox = await start();
    const record = firstOf(sandbox.state.cases);
    const response = await call(sandbox, 'PUT', `/api/v1/cases/${record.uuid}`, '{"name": ');
    expect(response.status).toBe(400);
    expect(sandbox.writes).toHaveLength(0);
  });

  it('lists every validation problem in Laravel 422 shape with "(and N more errors)"', async () => {
    const sandbox = await start();
    const detail = Object.values(sandbox.state.contactDetails).find((d) => d.type === 'phone_number');
    if (!detail) throw new Error('no phone');
    const employee = employeesOf(sandbox.state)[0];
    const response = await call(sandbox, 'PUT', `/api/v2/contact-details/${detail.uuid}`, {
      name: 'x'.repeat(256),
      value: '07700 900123',
      account_uuids: [employee?.uuid],
    });
    expect(response.status).toBe(422);
    expect(response.json).toEqual({
      message: 'The name field must not be greater than 255 characters. (and 2 more errors)',
      errors: {
        name: ['The name field must not be greater than 255 characters.'],
        value: ['The value field must be a valid phone number.'],
        'account_uuids.0': ['The selected account uuids.0 is invalid.'],
      },
    });
    expect(sandbox.writes).toHaveLength(0);
  });

  it('says "(and 1 more error)" in the singular and refuses a required field left out', async () => {
    const sandbox = await start();
    const detail = firstOf(sandbox.state.contactDetails);
    const response = await call(sandbox, 'PUT', `/api/v2/contact-details/${detail.uuid}`, { value: '07911 123456' });
    expect(response.status).toBe(422);
    expect(response.json?.['message']).toBe('The name field is required. (and 1 more error)');
  });

  it('refuses case fields of the wrong kind: pennies with a fraction, unknown status, bad date, position 0', async () => {
    const sandbox = await start();
    const record = firstOf(sandbox.state.cases);
    const before = structuredClone(record);
    const response = await call(sandbox, 'PUT', `/api/v1/cases/${record.uuid}`, {
      value: 1234.5,
      status: '11111111-2222-4333-8444-555555555555',
      review_at: '2026-02-30T10:00:00+00:00',
      status_position: 0,
      plans: ['not-a-plan'],
    });
    expect(response.status).toBe(422);
    expect(Object.keys((response.json?.['errors'] ?? {}) as object).sort()).toEqual(['plans.0', 'review_at', 'status', 'status_position', 'value']);
    expect(sandbox.state.cases[record.uuid]).toEqual(before);
  });
});

describe('lists', () => {
  it('follows links.next to the end and sees every case exactly once, with the right totals', async () => {
    const sandbox = await start({ ratePerMinute: 0 });
    const total = Object.keys(sandbox.state.cases).length;
    const seen: string[] = [];
    let next: string | null = `${sandbox.url}/api/v1/cases?per_page=40&sort=-updated_at`;
    let pages = 0;
    while (next !== null) {
      const response = await fetch(next, { headers });
      const page = (await response.json()) as { data: Array<{ uuid: string }>; links: { next: string | null }; meta: Record<string, unknown> };
      expect(page.meta['total']).toBe(total);
      expect(page.meta['per_page']).toBe(40);
      expect(page.meta['last_page']).toBe(Math.ceil(total / 40));
      seen.push(...page.data.map((c) => c.uuid));
      next = page.links.next;
      pages += 1;
    }
    expect(pages).toBe(Math.ceil(total / 40));
    expect(new Set(seen).size).toBe(total);
    expect(seen).toHaveLength(total);
  });

  it('defaults to 15 per page, caps per_page at 500 and gives absolute links', async () => {
    const sandbox = await start();
    const first = await call(sandbox, 'GET', '/api/v2/contact-details');
    const meta = first.json?.['meta'] as Record<string, unknown>;
    const links = first.json?.['links'] as Record<string, unknown>;
    expect(meta['per_page']).toBe(15);
    expect(meta['from']).toBe(1);
    expect(meta['to']).toBe(15);
    expect(links['prev']).toBeNull();
    expect(String(links['next'])).toMatch(new RegExp(`^${sandbox.url}/api/v2/contact-details\\?page=2$`));
    const big = await call(sandbox, 'GET', '/api/v2/contact-details?per_page=1000');
    expect((big.json?.['meta'] as Record<string, unknown>)['per_page']).toBe(500);
    expect((big.json?.['links'] as Record<string, unknown>)['next']).toBeNull();
  });

  it('filters contact details by uuid list, by owner and by value typed any way', async () => {
    const sandbox = await start();
    const details = Object.values(sandbox.state.contactDetails);
    const [a, b] = details;
    if (!a || !b) throw new Error('seed too small');
    const byUuid = await call(sandbox, 'GET', `/api/v2/contact-details?filter[uuid]=${a.uuid},${b.uuid}`);
    expect((byUuid.json?.['data'] as Array<{ uuid: string }>).map((d) => d.uuid)).toEqual([a.uuid, b.uuid]);

    const owner = a.account_uuids[0] ?? '';
    const byOwner = await call(sandbox, 'GET', `/api/v2/contact-details?per_page=500&filter[account_uuids]=${owner}`);
    const expected = details.filter((d) => d.account_uuids.includes(owner)).length;
    expect((byOwner.json?.['meta'] as Record<string, unknown>)['total']).toBe(expected);

    const mobile = details.find((d) => d.name === 'Mobile');
    if (!mobile) throw new Error('no mobile');
    const national = `0${mobile.value.slice(3, 7)} ${mobile.value.slice(7)}`;
    const byValue = await call(sandbox, 'GET', `/api/v2/contact-details?filter[value]=${encodeURIComponent(national)}`);
    expect((byValue.json?.['data'] as Array<{ uuid: string }>).map((d) => d.uuid)).toEqual([mobile.uuid]);
  });

  it('filters cases by status and type, and refuses an unknown filter with 400', async () => {
    const sandbox = await start();
    const status = firstOf(sandbox.state.caseStatuses);
    const type = firstOf(sandbox.state.caseTypes);
    const response = await call(sandbox, 'GET', `/api/v1/cases?per_page=500&filter[status]=${status.uuid}&filter[type]=${type.uuid}`);
    const expected = Object.values(sandbox.state.cases).filter((c) => c.status_uuid === status.uuid && c.type_uuid === type.uuid);
    expect((response.json?.['data'] as Array<{ uuid: string }>).map((c) => c.uuid)).toEqual(expected.map((c) => c.uuid));
    const bad = await call(sandbox, 'GET', '/api/v1/cases?filter[colour]=red');
    expect(bad.status).toBe(400);
  });

  it('lists accounts filtered by type', async () => {
    const sandbox = await start();
    const response = await call(sandbox, 'GET', '/api/v1/account?filter[type]=employee&per_page=100');
    const data = response.json?.['data'] as Array<{ type: string; primary_email: unknown }>;
    expect(data).toHaveLength(employeesOf(sandbox.state).length);
    expect(data.every((a) => a.type === 'employee')).toBe(true);
  });
});

describe('writes', () => {
  it('applies a contact-detail PUT, normalises the phone to E.164 and logs it once', async () => {
    const sandbox = await start();
    const detail = Object.values(sandbox.state.contactDetails).find((d) => d.type === 'phone_number');
    if (!detail) throw new Error('no phone');
    const owners = detail.account_uuids;
    const response = await call(sandbox, 'PUT', `/api/v2/contact-details/${detail.uuid}`, {
      name: 'Mobile (new)',
      value: '020 7946 0999',
      account_uuids: owners,
      primary_account_uuids: owners.slice(0, 1),
    });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      uuid: detail.uuid,
      type: 'phone_number',
      name: 'Mobile (new)',
      value: '+442079460999',
      phone_number_meta: { country: 'GB', formatted: '020 7946 0999' },
    });
    expect(sandbox.state.contactDetails[detail.uuid]?.value).toBe('+442079460999');
    expect(sandbox.writes).toHaveLength(1);
    expect(sandbox.writes[0]).toMatchObject({ seq: 1, method: 'PUT', resource: 'contact-details', uuid: detail.uuid, status: 200 });
  });

  it('keeps an extension sent with a phone number (+442079460999x12), rather than dropping it silently', async () => {
    const sandbox = await start();
    const { detail, response } = await putPhone(sandbox, 'Switchboard', '+442079460999x12');
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ value: '+442079460999x12' });
    expect(sandbox.state.contactDetails[detail.uuid]?.value).toBe('+442079460999x12');
  });

  it('accepts an international number as a {country, number} object', async () => {
    const sandbox = await start();
    const { response } = await putPhone(sandbox, 'Sydney office', { country: 'AU', number: '02 9876 5432' });
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ value: '+61298765432', phone_number_meta: { country: 'AU' } });
  });

  it('partially updates a case: fields not sent stay as they were, money comes back formatted', async () => {
    const sandbox = await start();
    const record = Object.values(sandbox.state.cases).find((c) => c.plan_uuids.length > 0);
    if (!record) throw new Error('no case with plans');
    const before = structuredClone(record);
    const response = await call(sandbox, 'PUT', `/api/v1/cases/${record.uuid}`, { value: 123456, review_at: '2026-03-18T16:05:25+00:00' });
    expect(response.status).toBe(200);
    expect(response.json?.['value']).toEqual({ amount: 123456, currency: 'GBP', formatted: '£1,234.56' });
    const after = sandbox.state.cases[record.uuid];
    expect(after).toMatchObject({ name: before.name, status_uuid: before.status_uuid, plan_uuids: before.plan_uuids, value: 123456 });
    expect(after?.review_at).toBe('2026-03-18T16:05:25+00:00');
    expect(sandbox.writes.map((w) => w.uuid)).toEqual([record.uuid]);
  });

  it('disassociates every plan when plans is sent as null', async () => {
    const sandbox = await start();
    const record = Object.values(sandbox.state.cases).find((c) => c.plan_uuids.length > 0);
    if (!record) throw new Error('no case with plans');
    const response = await call(sandbox, 'PUT', `/api/v1/cases/${record.uuid}`, { plans: null });
    expect(response.status).toBe(200);
    expect(sandbox.state.cases[record.uuid]?.plan_uuids).toEqual([]);
  });

  it('creates a case with 201 and needs at least one client participant', async () => {
    const sandbox = await start();
    const client = clientsOf(sandbox.state)[0];
    const employee = employeesOf(sandbox.state)[0];
    const refused = await call(sandbox, 'POST', '/api/v1/cases', { name: 'No clients', participants: [employee?.uuid] });
    expect(refused.status).toBe(422);
    expect(Object.keys((refused.json?.['errors'] ?? {}) as object)).toEqual(['participants']);
    const created = await call(sandbox, 'POST', '/api/v1/cases', { name: 'Pension transfer', participants: [client?.uuid], value: 50000 });
    expect(created.status).toBe(201);
    const uuid = String(created.json?.['uuid']);
    expect(sandbox.state.cases[uuid]).toMatchObject({ name: 'Pension transfer', participant_uuids: [client?.uuid], value: 50000 });
    expect(sandbox.writes).toMatchObject([{ method: 'POST', resource: 'cases', uuid, status: 201 }]);
  });

  it('creates an email contact detail with 201, and refuses an email with two @', async () => {
    const sandbox = await start();
    const client = clientsOf(sandbox.state)[0];
    const bad = await call(sandbox, 'POST', '/api/v2/contact-details', { type: 'email', name: 'Work', value: 'a@@b.com', account_uuids: [client?.uuid] });
    expect(bad.status).toBe(422);
    const created = await call(sandbox, 'POST', '/api/v2/contact-details', {
      type: 'email',
      name: 'Work email',
      value: 'new.person@example.co.uk',
      account_uuids: [client?.uuid],
      is_primary: true,
    });
    expect(created.status).toBe(201);
    expect(created.json).not.toHaveProperty('phone_number_meta');
    const stored = sandbox.state.contactDetails[String(created.json?.['uuid'])];
    expect(stored).toMatchObject({ type: 'email', primary_account_uuids: [client?.uuid] });
  });
});

describe('rate limit', () => {
  it('counts X-Ratelimit-Remaining down and answers 429 with Retry-After over the limit', async () => {
    const sandbox = await start({ ratePerMinute: 3 });
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await call(sandbox, 'GET', '/api/v1/account?per_page=1');
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ratelimit-limit')).toBe('3');
      remaining.push(response.headers.get('x-ratelimit-remaining') ?? '');
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const over = await call(sandbox, 'GET', '/api/v1/account?per_page=1');
    expect(over.status).toBe(429);
    expect(over.json).toEqual({ message: 'Too Many Attempts.' });
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(over.headers.get('x-ratelimit-remaining')).toBe('0');
  });

  it('answers the next N requests 429 when a burst is injected, then recovers', async () => {
    const sandbox = await start({ faults: { burst429: 2 } });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(sandbox, 'GET', '/api/v1/account?per_page=1')).status);
    expect(statuses).toEqual([429, 429, 200]);
  });
});

describe('faults', () => {
  it('never writes when it answers an injected 500', async () => {
    const sandbox = await start({ faults: { errorRate: 1 } });
    const record = firstOf(sandbox.state.cases);
    const before = structuredClone(record);
    for (let i = 0; i < 5; i++) {
      const response = await call(sandbox, 'PUT', `/api/v1/cases/${record.uuid}`, { name: `Attempt ${i}` });
      expect(response.status).toBe(500);
    }
    expect(sandbox.writes).toHaveLength(0);
    expect(sandbox.state.cases[record.uuid]).toEqual(before);
  });

  it('drops connections without a response; the ones dropped after the write did write', async () => {
    const sandbox = await start({ faults: { dropRate: 1 }, faultSeed: 7 });
    const record = firstOf(sandbox.state.cases);
    let failures = 0;
    for (let i = 0; i < 20; i++) {
      await fetch(`${sandbox.url}/api/v1/cases/${record.uuid}`, {
        method: 'PUT',
        headers,
        body: JSON.stringify({ value: 1000 + i }),
      }).catch(() => {
        failures += 1;
      });
    }
    expect(failures).toBe(20);
    // Roughly half are dropped after the write: those are applied and logged, exactly once each.
    expect(sandbox.writes.length).toBeGreaterThan(3);
    expect(sandbox.writes.length).toBeLessThan(17);
    const last = sandbox.writes.at(-1)?.body as { value: number };
    expect(sandbox.state.cases[record.uuid]?.value).toBe(last.value);
    sandbox.setFaults({});
    expect((await call(sandbox, 'GET', `/api/v1/cases/${record.uuid}`)).status).toBe(200);
  });
});

describe('slow responses', () => {
  it('holds a slowed request for slowMs before answering it, and refuses a bad faults body on the admin route', async () => {
    const sandbox = await start({ faults: { slowRate: 1, slowMs: 150 } });
    // The sandbox's clock is faked (its delay is a setTimeout); the socket I/O stays real. The clock
    // moves 1 ms a step, with real I/O between steps, until the answer arrives: it cannot arrive
    // before the held request's 150 ms have passed on that clock, however slow the machine.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let answered = false;
      const response = getStatus(`${sandbox.url}/api/v1/account?per_page=1`).finally(() => (answered = true));
      let held = 0;
      while (!answered) {
        await vi.advanceTimersByTimeAsync(1);
        held += 1;
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(held).toBeGreaterThanOrEqual(150);
      expect(await response).toBe(200);
    } finally {
      vi.useRealTimers();
    }
    const bad = await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ errorRate: 2 }) });
    expect(bad.status).toBe(422);
  });
});

describe('MPDX phones', () => {
  const jsonApi = { 'Content-Type': 'application/vnd.api+json' };

  it('lists a person\'s phones with meta.pagination', async () => {
    const sandbox = await start();
    const phone = firstOf(sandbox.state.mpdxPhones);
    const count = Object.values(sandbox.state.mpdxPhones).filter((p) => p.person_id === phone.person_id).length;
    const response = await call(sandbox, 'GET', `/api/v2/contacts/${phone.contact_id}/people/${phone.person_id}/phones?per_page=1`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/vnd.api+json');
    expect(response.json?.['meta']).toEqual({ pagination: { page: 1, per_page: 1, total_count: count, total_pages: count } });
    expect((response.json?.['data'] as Array<{ type: string }>)[0]?.type).toBe('phone_numbers');
  });

  it('refuses a stale updated_in_db_at with 409 and applies it with overwrite: true', async () => {
    const sandbox = await start();
    const phone = firstOf(sandbox.state.mpdxPhones);
    const path = `/api/v2/contacts/${phone.contact_id}/people/${phone.person_id}/phones/${phone.id}`;
    const storedDbAt = phone.updated_in_db_at;
    const stale = '2020-01-01T00:00:00+00:00';
    const conflict = await call(
      sandbox,
      'PUT',
      path,
      { data: { type: 'phone_numbers', id: phone.id, attributes: { number: '+447911555000', updated_in_db_at: stale } } },
      jsonApi,
    );
    expect(conflict.status).toBe(409);
    expect((conflict.json?.['errors'] as Array<{ status: string }>)[0]?.status).toBe('409');
    expect(sandbox.writes).toHaveLength(0);

    const forced = await call(
      sandbox,
      'PUT',
      path,
      { data: { type: 'phone_numbers', id: phone.id, attributes: { number: '+447911555000', updated_in_db_at: stale, overwrite: true } } },
      jsonApi,
    );
    expect(forced.status).toBe(200);
    expect(sandbox.state.mpdxPhones[phone.id]?.number).toBe('+447911555000');
    expect(sandbox.state.mpdxPhones[phone.id]?.updated_in_db_at).not.toBe(storedDbAt);
    expect(sandbox.writes).toHaveLength(1);
  });

  it('applies an update whose updated_in_db_at is current', async () => {
    const sandbox = await start();
    const phone = firstOf(sandbox.state.mpdxPhones);
    const path = `/api/v2/contacts/${phone.contact_id}/people/${phone.person_id}/phones/${phone.id}`;
    const response = await call(
      sandbox,
      'PUT',
      path,
      { data: { type: 'phone_numbers', id: phone.id, attributes: { historic: true, updated_in_db_at: phone.updated_in_db_at } } },
      jsonApi,
    );
    expect(response.status).toBe(200);
    expect(sandbox.state.mpdxPhones[phone.id]?.historic).toBe(true);
  });
});

describe('admin', () => {
  it('dumps the state, shows the writes and resets to the start', async () => {
    const sandbox = await start();
    const record = firstOf(sandbox.state.cases);
    const originalName = record.name;
    await call(sandbox, 'PUT', `/api/v1/cases/${record.uuid}`, { name: 'Changed' });
    const writes = (await (await fetch(`${sandbox.url}/__sandbox/writes`)).json()) as unknown[];
    expect(writes).toHaveLength(1);
    const dump = (await (await fetch(`${sandbox.url}/__sandbox/state`)).json()) as { cases: Record<string, { name: string }> };
    expect(dump.cases[record.uuid]?.name).toBe('Changed');
    const faults = await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ errorRate: 1 }) });
    expect(faults.status).toBe(200);
    expect((await call(sandbox, 'GET', '/api/v1/cases')).status).toBe(500);
    await fetch(`${sandbox.url}/__sandbox/reset`, { method: 'POST' });
    expect(sandbox.writes).toHaveLength(0);
    expect(sandbox.state.cases[record.uuid]?.name).toBe(originalName);
    expect((await call(sandbox, 'GET', '/api/v1/cases')).status).toBe(200);
  });
});
