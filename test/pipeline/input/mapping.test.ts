import { describe, expect, it } from 'vitest';
import { cases } from '../../../src/entities/cases.js';
import { contactDetails } from '../../../src/entities/contact-details.js';
import { mpdxPhones } from '../../../src/entities/mpdx-phones.js';
import { MappingError } from '../../../src/errors.js';
import { checkEntityFits, headerKey, mapHeaders, mappingFileSchema } from '../../../src/pipeline/input/mapping.js';

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

  it('reports unknown columns once, and ignores the Source row and Error columns of our own reports', () => {
    const mapping = mapHeaders(['Case Name', 'Notes', 'Internal Code', 'Source row', 'Error'], cases, where);
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

describe('checkEntityFits (the wrong --entity guard)', () => {
  const importable = [contactDetails, cases, mpdxPhones];
  const contactHeaders = ['uuid', 'name', 'Tel', 'account ids', 'primary account ids', 'Type'];

  it('stops a contact-details file validated as cases, naming the entity it looks like', () => {
    const run = () => checkEntityFits(contactHeaders, cases, importable, where);
    expect(run).toThrow(MappingError);
    expect(run).toThrow('cases.csv: its headers look like contact-details (6 of 6 columns match contact-details, 3 of 6 match cases): use --entity contact-details');
  });

  it('accepts a file as the entity it is', () => {
    expect(() => checkEntityFits(contactHeaders, contactDetails, importable, where)).not.toThrow();
    expect(() => checkEntityFits(['Case ID', 'Case Name', 'Case Value (£)', 'Review Date', 'Clients'], cases, importable, where)).not.toThrow();
  });

  it('stops a file most of whose columns match nothing, and says how to ignore extra columns', () => {
    const run = () => checkEntityFits(['Case Name', 'Colour', 'Shoe Size', 'Pet'], cases, importable, { file: 'odd.xlsx', sheet: 'Sheet1' });
    expect(run).toThrow(MappingError);
    expect(run).toThrow(
      'odd.xlsx, sheet "Sheet1": only 1 of 4 columns match cases (not matched: "Colour", "Shoe Size", "Pet"): check --entity (cases, contact-details, mpdx-phones); ' +
        'if the file is right and these columns are extra, ignore them with --mapping: {"Colour": null} for one, {"*": null} for every column that matches no field',
    );
  });

  it('lets `"*": null` in --mapping say that the columns matching nothing are extra', () => {
    const headers = ['Case ID', 'Case Name', ...Array.from({ length: 50 }, (_, i) => `Legacy Field ${i}`)];
    expect(() => checkEntityFits(headers, cases, importable, where)).toThrow('only 2 of 52 columns match cases');
    expect(() => checkEntityFits(headers, cases, importable, where, { '*': null })).not.toThrow();
    expect(mapHeaders(headers, cases, where, { '*': null }).unknownHeaders).toEqual([]);
  });

  it('still stops a file that fits another entity clearly better, even with `"*": null`', () => {
    expect(() => checkEntityFits(contactHeaders, cases, importable, where, { '*': null })).toThrow('use --entity contact-details');
  });

  it('accepts "*" in a --mapping file only as null', () => {
    expect(mappingFileSchema.safeParse({ '*': null }).success).toBe(true);
    expect(mappingFileSchema.safeParse({ '*': 'name' }).success).toBe(false);
  });

  it('names no other entity when that one would not read the file either', () => {
    // contact-details reads Name and Mobile (2 of 5), cases only Name (1 of 5): neither fits.
    const run = () => checkEntityFits(['Name', 'Mobile', 'Colour', 'Shoe Size', 'Pet'], cases, importable, where);
    expect(run).toThrow('only 1 of 5 columns match cases (not matched: "Mobile", "Colour", "Shoe Size", "Pet")');
  });

  it('accepts a file with a few extra columns', () => {
    expect(() => checkEntityFits(['Case ID', 'Case Name', 'Clients', 'Notes'], cases, importable, where)).not.toThrow();
  });

  it('counts columns --mapping maps as read, and leaves out columns it maps to null', () => {
    const headers = ['Ref', 'Title', 'Colour', 'Shoe Size'];
    expect(() => checkEntityFits(headers, cases, importable, where)).toThrow(MappingError);
    expect(() => checkEntityFits(headers, cases, importable, where, { Ref: 'uuid', Title: 'name' })).not.toThrow();
    expect(() => checkEntityFits(['Case Name', 'Colour', 'Shoe Size'], cases, importable, where, { Colour: null, 'Shoe Size': null })).not.toThrow();
  });

  it('does not count our own bookkeeping columns (report Error, plan columns, export-only columns)', () => {
    const exportOnly = (cases.exportOnly ?? []).map((c) => c.header);
    const headers = ['UUID', 'Name', ...exportOnly, 'Error', 'Plan Action', 'Plan Changes', 'Plan Row', 'Revert Note'];
    expect(() => checkEntityFits(headers, cases, importable, where)).not.toThrow();
  });

  it('leaves a file with no readable headers to the other checks', () => {
    expect(() => checkEntityFits(['', ''], cases, importable, where)).not.toThrow();
  });
});
