import { describe, expect, it } from 'vitest';
import { cases } from '../../src/entities/cases.js';
import { contactDetails } from '../../src/entities/contact-details.js';
import { MappingError } from '../../src/errors.js';
import { headerKey, mapHeaders } from '../../src/pipeline/mapping.js';

const where = { file: 'cases.csv' };

describe('mapHeaders', () => {
  it('matches headers case-, space- and punctuation-insensitively', () => {
    expect(headerKey('Case Value (£)')).toBe(headerKey('case_value'));
    const mapping = mapHeaders(['CASE ID', 'case-name', 'Case Value (£)'], cases, where);
    expect(mapping.sources.map((s) => [s.header, s.column.field])).toEqual([
      ['CASE ID', 'uuid'],
      ['case-name', 'name'],
      ['Case Value (£)', 'value'],
    ]);
  });

  it('matches legacy CRM aliases such as Mobile and Tel', () => {
    const mapping = mapHeaders(['Detail Ref', 'Label', 'Mobile', 'Client Refs'], contactDetails, where);
    expect(mapping.sources.find((s) => s.column.field === 'value')?.header).toBe('Mobile');
    expect(mapping.sources.find((s) => s.column.field === 'account_uuids')?.header).toBe('Client Refs');
  });

  it('reports unknown columns once, and ignores the Error column of our own reports', () => {
    const mapping = mapHeaders(['Case Name', 'Notes', 'Internal Code', 'Error'], cases, where);
    expect(mapping.unknownHeaders).toEqual(['Notes', 'Internal Code']);
  });

  it('stops on a missing required column, naming it and the headers found', () => {
    const run = () => mapHeaders(['Label', 'Client Refs'], contactDetails, { file: 'contacts.xlsx', sheet: 'Contacts' });
    expect(run).toThrow(MappingError);
    expect(run).toThrow(/contacts\.xlsx, sheet "Contacts": required column "Value" missing\. Headers found: "Label", "Client Refs"/);
  });

  it('refuses two columns that both map to one field', () => {
    expect(() => mapHeaders(['Name', 'Mobile', 'Tel', 'Accounts'], contactDetails, where)).toThrow(/"Mobile" and "Tel" both map to/);
  });

  it('lets --mapping map a header, ignore a header, and set a constant', () => {
    const mapping = mapHeaders(['Handle', 'Mobile', 'Tel', 'Owner'], contactDetails, where, {
      Handle: 'name',
      Tel: null,
      Owner: 'account_uuids',
      type: { constant: 'phone_number' },
    });
    expect(mapping.sources.map((s) => [s.column.field, s.columnIndex, s.constant])).toEqual([
      ['type', -1, 'phone_number'],
      ['name', 0, undefined],
      ['value', 1, undefined],
      ['account_uuids', 3, undefined],
    ]);
  });

  it('says so when --mapping names a column the file does not have', () => {
    expect(() => mapHeaders(['Name'], cases, where, { 'Mobile No': 'name' })).toThrow(/has no column "Mobile No"; headers found: "Name"/);
  });
});
