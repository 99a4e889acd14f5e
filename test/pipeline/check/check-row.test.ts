import { describe, expect, it } from 'vitest';
import { cases } from '../../../src/entities/cases.js';
import { contactDetails } from '../../../src/entities/contact-details.js';
import type { Entity } from '../../../src/entities/entity.js';
import type { CellValue } from '../../../src/io/rows.js';
import { defaultNormaliseOptions } from '../../../src/normalise/result.js';
import { makeRowChecker } from '../../../src/pipeline/check/check-row.js';
import { mapHeaders } from '../../../src/pipeline/input/mapping.js';

const CASE = '6ff8f7f6-1eb3-3525-be4a-3932c805afed';
const CLIENT = '5087850d-bf1b-4aad-8197-994d5f4e6ca0';
const PLAN = '52866ecf-b41a-436d-b939-f0dff684f1bd';

function checker(entity: Entity, headers: string[]) {
  const check = makeRowChecker(entity, mapHeaders(headers, entity, { file: 't.csv' }), headers, defaultNormaliseOptions);
  return (cells: CellValue[]) => check({ position: { file: 't.csv', row: 2 }, cells });
}

describe('checking a row', () => {
  const caseRow = checker(cases, ['Case ID', 'Case Name', 'Case Value (£)', 'Plans', 'Date Completed', 'Clients']);

  it('a blank cell never clears a field: it is left out of the request', () => {
    const result = caseRow([CASE, '', '  ', '', null, '']);
    expect(result.problems).toEqual([]);
    expect(result.action).toBe('update');
    expect(cases.toRequest(result.values).body).toEqual({});
  });

  it('(clear) clears a clearable field, and plans are only ever nulled by an explicit (clear)', () => {
    const result = caseRow([CASE, '', '', '(clear)', '(CLEAR)', '']);
    expect(cases.toRequest(result.values).body).toEqual({ plans: null, completed_at: null });
  });

  it('(clear) on a field that cannot be cleared is an error naming the column', () => {
    const result = caseRow([CASE, '(clear)', '', '', '', '']);
    expect(result.problems).toEqual([{ columnIndex: 1, column: 'Case Name', message: 'Name cannot be cleared' }]);
  });

  it('normalises money to pennies and shows what would be sent in pounds and pence', () => {
    const result = caseRow([CASE, 'Annual review', '£1,234.50', PLAN, '', '']);
    expect(result.values.value).toBe(123450);
    expect(result.display).toMatchObject({ value: '£1,234.50', plans: PLAN, name: 'Annual review' });
    expect(cases.toRequest(result.values)).toEqual({
      method: 'PUT',
      path: `/api/v1/cases/${CASE}`,
      contentType: 'application/json',
      body: { name: 'Annual review', value: 123450, plans: [PLAN] },
    });
  });

  it('a row without a key creates, and needs the create-only required fields', () => {
    const missing = caseRow(['', '', '£10', '', '', '']);
    expect(missing.problems.map((p) => p.message)).toEqual(['Name is required to create a case', 'Clients is required to create a case']);
    const ok = caseRow(['', 'New mortgage', '£10', '', '', CLIENT]);
    expect(ok.action).toBe('create');
    expect(cases.toRequest(ok.values)).toMatchObject({ method: 'POST', path: '/api/v1/cases', body: { name: 'New mortgage', value: 1000, participants: [CLIENT] } });
  });

  it('participants are never sent on an update (PUT has no such field)', () => {
    const result = caseRow([CASE, 'x', '', '', '', CLIENT]);
    expect(cases.toRequest(result.values).body).toEqual({ name: 'x' });
  });

  it('a row wider than the header is rejected whole', () => {
    const result = caseRow([CASE, 'Smith', ' Jones', '£5', '', '', '', 'extra']);
    expect(result.problems[0]?.message).toMatch(/has 8 values but the header has 6 columns/);
    expect(result.action).toBe('none');
  });

  it('every bad cell is reported with its column, not just the first', () => {
    const result = caseRow(['not-a-uuid', 'x', '£12.345', 'nope', '31/04/2026', '']);
    expect(result.problems.map((p) => p.column)).toEqual(['Case ID', 'Case Value (£)', 'Plans', 'Date Completed']);
  });

  const contactRow = checker(contactDetails, ['UUID', 'Name', 'Value', 'Country', 'Accounts', 'Primary For']);

  it('a contact detail create infers its type from the value', () => {
    const phone = contactRow(['', 'Mobile', '07911 123456', '', CLIENT, '']);
    expect(contactDetails.toRequest(phone.values).body).toEqual({ name: 'Mobile', value: '+447911123456', account_uuids: [CLIENT], type: 'phone_number' });
    const email = contactRow(['', 'Work', 'Jo@Example.COM', '', CLIENT, '']);
    expect(contactDetails.toRequest(email.values).body).toMatchObject({ type: 'email', value: 'Jo@example.com' });
  });

  it("a row's country column decides how a national number is read", () => {
    const result = contactRow(['', 'Sydney office', '(02) 9374 4000', 'au', CLIENT, '']);
    expect(result.problems).toEqual([]);
    expect(result.values.value).toBe('+61293744000');
    expect(contactDetails.toRequest(result.values).body).not.toHaveProperty('country');
  });

  it('a primary account must be one of the owners', () => {
    const other = 'a8b21651-80c5-432a-852b-727c50731166';
    const result = contactRow(['', 'Mobile', '07911 123456', '', CLIENT, other]);
    expect(result.problems).toEqual([{ columnIndex: 5, column: 'Primary For', message: `${other} is not one of the owning accounts` }]);
  });
});
