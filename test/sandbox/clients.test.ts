/** The sandbox's client endpoints: POST/PUT /api/v1/client, read back through GET /api/v1/account. */
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/server.js';
import { SANDBOX_ACCOUNT_UUID, SANDBOX_TOKEN } from '../../src/sandbox/seed.js';
import type { SandboxState } from '../../src/sandbox/state.js';

const running: RunningSandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function start(): Promise<RunningSandbox> {
  const sandbox = await startSandbox({ port: 0, ratePerMinute: 0 });
  running.push(sandbox);
  return sandbox;
}

const headers = {
  Authorization: `Bearer ${SANDBOX_TOKEN}`,
  'X-PLANNR-ACCOUNT-UUID': SANDBOX_ACCOUNT_UUID,
  Accept: 'application/json',
  'Content-Type': 'application/json',
};

async function call(sandbox: RunningSandbox, method: string, path: string, body?: unknown) {
  const response = await fetch(`${sandbox.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  return { status: response.status, json: (text === '' ? undefined : JSON.parse(text)) as Record<string, any> };
}

const staff = (state: SandboxState, role: string) => Object.values(state.accounts).find((a) => a.type === 'employee' && a.role === role)!;
const aClient = (state: SandboxState) => Object.values(state.accounts).find((a) => a.type === 'client')!;

describe('POST /api/v1/client', () => {
  it('creates a client whose fields GET /api/v1/account shows, with its email and phone as primary contact details', async () => {
    const sandbox = await start();
    const adviser = staff(sandbox.state, 'adviser');
    const created = await call(sandbox, 'POST', '/api/v1/client', {
      first_name: 'Ann', last_name: 'Lee', email: 'ann.lee@example.com', phone: '+447911123999', send_welcome_email: false,
      date_of_birth: '1961-03-18', ni_number: 'AB 12 34 56 C', gender: 'female', nationalities: ['British', 'Irish'],
      assigned_adviser_uuid: adviser.uuid, value: 1250050, is_vulnerable: 'possibly', first_contact_date: '2024-10-16',
    });
    expect(created.status).toBe(201);
    const uuid = created.json.uuid as string;
    const read = await call(sandbox, 'GET', `/api/v1/account?filter[uuid]=${uuid}`);
    const record = read.json.data[0];
    expect(record).toMatchObject({
      uuid, type: 'client', first_name: 'Ann', last_name: 'Lee', name: 'Ann Lee', email: 'ann.lee@example.com',
      date_of_birth: '1961-03-18', ni_number: 'AB123456C', gender: 'female', nationalities: ['British', 'Irish'], is_vulnerable: 'possibly',
      assigned_adviser: { uuid: adviser.uuid }, value: { amount: 1250050, currency: 'GBP' },
      primary_email: { value: 'ann.lee@example.com' }, primary_phone_number: { value: '+447911123999' },
    });
    expect(record.first_contact_date).toMatch(/^2024-10-16T00:00:00\+01:00$/);
    expect(sandbox.writes.at(-1)).toMatchObject({ method: 'POST', resource: 'clients', uuid, status: 201 });
  });

  it('refuses a create without send_welcome_email (422, Laravel-shaped), as Plannr\'s importer does', async () => {
    const sandbox = await start();
    const answer = await call(sandbox, 'POST', '/api/v1/client', { first_name: 'Ann', last_name: 'Lee' });
    expect(answer.status).toBe(422);
    expect(answer.json).toEqual({
      message: 'The send welcome email field is required.',
      errors: { send_welcome_email: ['The send welcome email field is required.'] },
    });
    expect(sandbox.writes).toHaveLength(0);
  });

  it('lists every problem at once: names, NI number, date of birth, closed lists, staff', async () => {
    const sandbox = await start();
    const client = aClient(sandbox.state);
    const answer = await call(sandbox, 'POST', '/api/v1/client', {
      send_welcome_email: 'no', ni_number: 'QQ123456A', date_of_birth: '18/03/1961', gender: 'M', assigned_adviser_uuid: client.uuid, email: 'not-an-email',
    });
    expect(answer.status).toBe(422);
    expect(answer.json.errors).toEqual({
      first_name: ['The first name field is required.'],
      last_name: ['The last name field is required.'],
      send_welcome_email: ['The send welcome email field must be true or false.'],
      gender: ['The selected gender is invalid.'],
      assigned_adviser_uuid: ['The selected assigned adviser uuid is invalid.'],
      date_of_birth: ['The date of birth field must match the format Y-m-d.'],
      ni_number: ['The ni number field format is invalid.'],
      email: ['The email field must be a valid email address.'],
    });
    expect(answer.json.message).toBe('The first name field is required. (and 7 more errors)');
  });

  it('refuses a date of birth in the future', async () => {
    const sandbox = await start();
    const answer = await call(sandbox, 'POST', '/api/v1/client', { first_name: 'A', last_name: 'B', send_welcome_email: false, date_of_birth: '2999-01-01' });
    expect(answer.json.errors).toEqual({ date_of_birth: ['The date of birth field must be a date before or equal to today.'] });
  });

  it('a welcome email needs an email address', async () => {
    const sandbox = await start();
    const answer = await call(sandbox, 'POST', '/api/v1/client', { first_name: 'A', last_name: 'B', send_welcome_email: true });
    expect(answer.status).toBe(422);
    expect(answer.json.errors).toHaveProperty('email');
  });
});

describe('PUT /api/v1/client/{uuid}', () => {
  it('changes only what was sent, and null clears', async () => {
    const sandbox = await start();
    const client = aClient(sandbox.state);
    const before = (await call(sandbox, 'GET', `/api/v1/account/${client.uuid}`)).json;
    const answer = await call(sandbox, 'PUT', `/api/v1/client/${client.uuid}`, { nickname: 'Ollie', assigned_adviser_uuid: null });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ uuid: client.uuid, nickname: 'Ollie', assigned_adviser: null, first_name: before.first_name, date_of_birth: before.date_of_birth });
    expect(sandbox.writes.at(-1)).toMatchObject({ method: 'PUT', resource: 'clients', body: { nickname: 'Ollie', assigned_adviser_uuid: null } });
  });

  it('moves the primary email with the client\'s email', async () => {
    const sandbox = await start();
    const client = aClient(sandbox.state);
    await call(sandbox, 'PUT', `/api/v1/client/${client.uuid}`, { email: 'new.address@example.com' });
    const read = (await call(sandbox, 'GET', `/api/v1/account/${client.uuid}`)).json;
    expect(read).toMatchObject({ email: 'new.address@example.com', primary_email: { value: 'new.address@example.com' } });
  });

  it('404s for an unknown uuid and for a member of staff, and 422s an emptied name', async () => {
    const sandbox = await start();
    expect((await call(sandbox, 'PUT', '/api/v1/client/00000000-0000-4000-8000-000000000000', { nickname: 'x' })).status).toBe(404);
    expect((await call(sandbox, 'PUT', `/api/v1/client/${staff(sandbox.state, 'adviser').uuid}`, { nickname: 'x' })).status).toBe(404);
    const emptied = await call(sandbox, 'PUT', `/api/v1/client/${aClient(sandbox.state).uuid}`, { last_name: '' });
    expect(emptied.json.errors).toEqual({ last_name: ['The last name field is required.'] });
  });
});

describe('reading clients', () => {
  it('GET /api/v1/account?filter[type]=client lists only clients; seeded clients carry an adviser and a date of birth', async () => {
    const sandbox = await start();
    const list = await call(sandbox, 'GET', '/api/v1/account?filter[type]=client&per_page=500');
    const clients = Object.values(sandbox.state.accounts).filter((a) => a.type === 'client');
    expect(list.json.meta.total).toBe(clients.length);
    expect(list.json.data.every((a: { type: string }) => a.type === 'client')).toBe(true);
    expect(list.json.data[0]).toMatchObject({ assigned_adviser: { type: 'employee' }, date_of_birth: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
  });

  it('GET /api/v1/client/{uuid} shows a client and 404s for staff', async () => {
    const sandbox = await start();
    const client = aClient(sandbox.state);
    expect((await call(sandbox, 'GET', `/api/v1/client/${client.uuid}`)).json).toMatchObject({ uuid: client.uuid, type: 'client' });
    expect((await call(sandbox, 'GET', `/api/v1/client/${staff(sandbox.state, 'adviser').uuid}`)).status).toBe(404);
  });
});
