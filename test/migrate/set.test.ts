import { describe, expect, it } from 'vitest';
import { emptyCounts } from '../../src/pipeline/counts.js';
import { decideRow, fileEquation, inMigrationOrder, legacyIdsIn, type RowContext, type TargetState } from '../../src/migrate/set.js';

const CLIENT = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const OTHER = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

/** A contact details row: Legacy ID, Client ID, Name, Value; the uuids go to a new column 4. */
function contactRow(cells: Array<string | number | null>, options: { mapped?: Record<string, string>; clients?: Record<string, TargetState>; seen?: Map<string, number> } = {}): RowContext {
  return {
    fileName: 'details.csv', row: 7, cells, legacyIdIndex: 0,
    mappedUuid: (id) => options.mapped?.[id], seen: options.seen ?? new Map(),
    reference: {
      index: 1, header: 'Client ID', targetNoun: 'client', outputIndex: 4, placeholder: 'PLACEHOLDER',
      state: (id) => options.clients?.[id] ?? { kind: 'problem', message: 'not in clients.csv' },
    },
  };
}

describe('a migration row', () => {
  it('a legacy id already in the id map is never sent again, whatever the row now says', () => {
    expect(decideRow(contactRow(['D-1', 'C-9', 'Mobile', '07911 123456'], { mapped: { 'D-1': OTHER } }))).toEqual({ kind: 'done', legacyId: 'D-1', uuid: OTHER });
  });

  it('a Client ID becomes the uuid of that client, and the legacy reference itself is not sent', () => {
    const decision = decideRow(contactRow(['D-1', 'C-1', 'Mobile', '07911 123456'], { clients: { 'C-1': { kind: 'mapped', uuid: CLIENT } } }));
    expect(decision).toEqual({ kind: 'send', legacyId: 'D-1', cells: ['D-1', null, 'Mobile', '07911 123456', CLIENT] });
  });

  it('several clients in one cell become several uuids, in order', () => {
    const clients = { 'C-1': { kind: 'mapped', uuid: CLIENT }, 'C-2': { kind: 'mapped', uuid: OTHER } } as const;
    const decision = decideRow(contactRow(['K-1', 'C-1; C-2', 'Review', ''], { clients }));
    expect(decision.kind === 'send' && decision.cells[4]).toBe(`${CLIENT}; ${OTHER}`);
    expect(legacyIdsIn(' C-1 ,C-2;; ')).toEqual(['C-1', 'C-2']);
  });

  it('a client the dry run knows will be created stands in as a placeholder', () => {
    const decision = decideRow(contactRow(['D-1', 'C-1', 'Mobile', ''], { clients: { 'C-1': { kind: 'will-create' } } }));
    expect(decision.kind === 'send' && decision.cells[4]).toBe('PLACEHOLDER');
  });

  it('a reference that cannot be resolved holds the row back, naming the file, row, legacy id and reference', () => {
    expect(decideRow(contactRow(['D-1', 'C-404', 'Mobile', '']))).toEqual({
      kind: 'held', legacyId: 'D-1', message: 'details.csv row 7 (legacy id D-1): Client ID C-404: not in clients.csv',
    });
  });

  it('one unresolvable client among several holds the whole row back (never a case with a client missing)', () => {
    const decision = decideRow(contactRow(['K-1', 'C-1; C-404', 'Review', ''], { clients: { 'C-1': { kind: 'mapped', uuid: CLIENT } } }));
    expect(decision.kind).toBe('held');
  });

  it('a blank legacy id, a repeated one, or a blank Client ID holds the row back', () => {
    expect(decideRow(contactRow(['', 'C-1', 'Mobile', ''])).kind).toBe('held');
    const seen = new Map([['D-1', 3]]);
    const repeated = decideRow(contactRow(['D-1', 'C-1', 'Mobile', ''], { seen }));
    expect(repeated).toMatchObject({ kind: 'held', message: 'details.csv row 7: legacy id D-1 is also on row 3; each record needs its own' });
    expect(decideRow(contactRow(['D-2', '', 'Mobile', ''])).kind).toBe('held');
  });

  it('a legacy id Excel turned into a number is matched as its digits', () => {
    const decision = decideRow({ fileName: 'c.csv', row: 2, cells: [1042, 'Ann'], legacyIdIndex: 0, mappedUuid: (id) => (id === '1042' ? CLIENT : undefined), seen: new Map() });
    expect(decision).toEqual({ kind: 'done', legacyId: '1042', uuid: CLIENT });
  });
});

describe('a migration set', () => {
  it('runs clients before the files that refer to them, whatever order they are given in', () => {
    const ordered = inMigrationOrder([{ entity: 'cases', file: 'k' }, { entity: 'mpdx-phones', file: 'm' }, { entity: 'clients', file: 'c' }, { entity: 'contact-details', file: 'd' }]);
    expect(ordered.map((f) => f.entity)).toEqual(['clients', 'contact-details', 'cases', 'mpdx-phones']);
  });

  it('refuses two files for one entity', () => {
    expect(() => inMigrationOrder([{ entity: 'clients', file: 'a' }, { entity: 'clients', file: 'b' }])).toThrow(/one file per entity/);
  });

  it("a file's rows add up: already in Plannr + held back + imported, and the import's own equation", () => {
    const imported = { ...emptyCounts(), read: 4, sent: 3, invalid: 1 };
    expect(fileEquation({ rows: 8, alreadyInPlannr: 2, heldBack: 2, imported })).toEqual({
      holds: true, text: '8 rows = 2 already in Plannr + 2 held back + 4 imported; 4 read = 3 sent + 1 invalid',
    });
    expect(fileEquation({ rows: 9, alreadyInPlannr: 2, heldBack: 2, imported }).holds).toBe(false);
  });
});
