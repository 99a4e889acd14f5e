import { describe, expect, it } from 'vitest';
import { clients } from '../../src/entities/clients.js';
import { getEntity } from '../../src/entities/index.js';
import { recordHolds } from '../../src/entities/record.js';
import { defaultNormaliseOptions } from '../../src/normalise/result.js';
import { makeRowChecker } from '../../src/pipeline/check/check-row.js';
import { mapHeaders } from '../../src/pipeline/input/mapping.js';

const CLIENT = '5087850d-bf1b-4aad-8197-994d5f4e6ca0';
const ADVISER = 'dff0027b-1e0f-426e-91e1-2cc7d9890d56';

/** One row of a legacy file through the real mapping and row checks. */
function checkRow(headers: string[], cells: string[]) {
  const check = makeRowChecker(clients, mapHeaders(headers, clients, { file: 'legacy.csv' }), headers, { ...defaultNormaliseOptions, dateOrder: 'dmy' });
  return check({ position: { file: 'legacy.csv', row: 2 }, cells });
}

describe('clients: reading a legacy CRM export', () => {
  it('maps the headers legacy systems use', () => {
    const headers = ['Forename', 'Surname', 'DOB', 'NI No', 'Mobile', 'Adviser', 'E-mail', 'Sex', 'Marital Status', 'Nationality'];
    const mapping = mapHeaders(headers, clients, { file: 'legacy.csv' });
    expect(mapping.unknownHeaders).toEqual([]);
    expect(mapping.sources.map((s) => [s.header, s.column.field])).toEqual([
      ['Forename', 'first_name'],
      ['Surname', 'last_name'],
      ['E-mail', 'email'],
      ['Mobile', 'phone'],
      ['DOB', 'date_of_birth'],
      ['Sex', 'gender'],
      ['NI No', 'ni_number'],
      ['Marital Status', 'marital_status'],
      ['Nationality', 'nationalities'],
      ['Adviser', 'assigned_adviser_uuid'],
    ]);
  });

  it('normalises a messy row: NI number, date of birth, phone, gender, nationalities', () => {
    const check = checkRow(
      ['Forename', 'Surname', 'DOB', 'NI No', 'Mobile', 'Sex', 'Nationality', 'Client Value'],
      ['  Gareth ', 'Thompson', '18/03/1961', 'ab 12 34 56 c', '07911 123456', 'M', 'British; Irish', '£12,500.50'],
    );
    expect(check.problems).toEqual([]);
    expect(check.action).toBe('create');
    expect(check.values).toEqual({
      first_name: 'Gareth', last_name: 'Thompson', date_of_birth: '1961-03-18', ni_number: 'AB123456C',
      phone: '+447911123456', gender: 'male', nationalities: ['British', 'Irish'], value: 1250050,
    });
  });

  it('refuses an NI number HMRC never issues and a two-digit year of birth, naming the column', () => {
    const check = checkRow(['First Name', 'Last Name', 'Date of Birth', 'NI Number'], ['Ann', 'Lee', '01/02/61', 'GB 12 34 56 A']);
    expect(check.problems.map((p) => [p.column, p.message])).toEqual([
      ['Date of Birth', expect.stringContaining('two-digit year')],
      ['NI Number', expect.stringContaining('does not use the prefix GB')],
    ]);
  });

  it('a new client needs a first and a last name', () => {
    const check = checkRow(['First Name', 'Email'], ['Ann', 'ann@example.com']);
    expect(check.problems.map((p) => p.column)).toEqual(['Last Name']);
  });

  it('a welcome email is refused for a client without an email address', () => {
    expect(clients.check({ first_name: 'Ann', last_name: 'Lee', send_welcome_email: true })).toEqual([
      { field: 'send_welcome_email', message: expect.stringContaining('needs the client\'s email address') },
    ]);
    expect(clients.check({ first_name: 'Ann', last_name: 'Lee', email: 'ann@example.com', send_welcome_email: true })).toEqual([]);
  });

  it('an entity name is refused on a create: Plannr takes it on update only', () => {
    expect(clients.check({ first_name: 'A', last_name: 'B', entity_name: 'Trust' }).map((p) => p.field)).toEqual(['entity_name']);
    expect(clients.check({ uuid: CLIENT, entity_name: 'Trust' })).toEqual([]);
  });
});

describe('clients: what a row becomes on the wire', () => {
  it('a create is a POST that always says send_welcome_email: false unless the row says yes', () => {
    const request = clients.toRequest({ first_name: 'Ann', last_name: 'Lee', date_of_birth: '1961-03-18' });
    expect(request).toEqual({
      method: 'POST', path: '/api/v1/client', contentType: 'application/json',
      body: { first_name: 'Ann', last_name: 'Lee', date_of_birth: '1961-03-18', send_welcome_email: false },
    });
    expect(clients.toRequest({ first_name: 'Ann', last_name: 'Lee', email: 'a@b.co', send_welcome_email: true }).body).toMatchObject({ send_welcome_email: true });
    expect(clients.toRequest({ first_name: 'Ann', last_name: 'Lee', send_welcome_email: false }).body).toMatchObject({ send_welcome_email: false });
  });

  it('an update is a PUT of the fields given only, and never carries the welcome-email flag', () => {
    const request = clients.toRequest({ uuid: CLIENT, nickname: 'Gaz', send_welcome_email: true });
    expect(request).toEqual({ method: 'PUT', path: `/api/v1/client/${CLIENT}`, contentType: 'application/json', body: { nickname: 'Gaz' } });
  });

  it('(clear) sends null, and an empty list for nationalities', () => {
    const body = clients.toRequest({ uuid: CLIENT, middle_name: null, date_of_birth: null, assigned_adviser_uuid: null, nationalities: null }).body;
    expect(body).toEqual({ middle_name: null, date_of_birth: null, assigned_adviser_uuid: null, nationalities: [] });
  });

  it('is listed as an entity and reads and lists clients through the documented account endpoint', () => {
    expect(getEntity('clients')).toBe(clients);
    expect(clients.recordRequest({ uuid: CLIENT })).toEqual({ path: '/api/v1/account', query: { 'filter[uuid]': CLIENT, include: expect.any(String) }, pick: 'data.0' });
    expect(clients.list.path({})).toBe('/api/v1/account?filter%5Btype%5D=client');
  });
});

describe('clients: an account record read back', () => {
  // Shaped like the seed (account-get.txt): nested staff, date-times with offsets.
  const record = {
    uuid: CLIENT, first_name: 'Gareth', last_name: 'Thompson', name: 'Gareth Thompson', type: 'client', email: 'gareth@codepotato.co.uk',
    primary_phone_number: { value: '+443330903630', type: 'phone_number' },
    assigned_adviser: { uuid: ADVISER, name: 'Helen Marsh' }, assigned_paraplanner: null, assigned_administrator: null, introduced_by: null,
    first_contact_date: '2024-10-16T00:30:00+01:00', updated_at: '2024-10-16T11:10:13+01:00',
  };

  it('reads staff as uuids, the phone from the primary phone number, and dates as their own day (no zone shift)', () => {
    expect(clients.fromRecord(record)).toMatchObject({
      uuid: CLIENT, email: 'gareth@codepotato.co.uk', phone: '+443330903630', assigned_adviser_uuid: ADVISER,
      assigned_paraplanner_uuid: null, first_contact_date: '2024-10-16',
    });
    expect(clients.updatedAtOf(record)).toBe('2024-10-16T11:10:13+01:00');
  });

  it('leaves out client fields the record does not carry, and reads them when it does', () => {
    expect(clients.fromRecord(record)).not.toHaveProperty('date_of_birth');
    const fuller = { ...record, date_of_birth: '1961-03-18', ni_number: 'AB123456C', value: { amount: 1250050, currency: 'GBP', formatted: '£12,500.50' }, nationalities: ['British'] };
    expect(clients.fromRecord(fuller)).toMatchObject({ date_of_birth: '1961-03-18', ni_number: 'AB123456C', value: 1250050, nationalities: ['British'] });
  });

  it('a record holds what an update sent', () => {
    const sent = clients.toRequest({ uuid: CLIENT, first_name: 'Gareth', assigned_adviser_uuid: ADVISER }).body as Record<string, unknown>;
    expect(recordHolds(sent, clients.fromRecord(record))).toBe(true);
  });
});
