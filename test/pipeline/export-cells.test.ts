import { describe, expect, it } from 'vitest';
import { entityNames, getEntity } from '../../src/entities/index.js';
import { defaultNormaliseOptions } from '../../src/normalise/result.js';
import { exportColumnsOf, hashValues, readBackOfCells, readBackValues, rowCells } from '../../src/pipeline/export-cells.js';
import { renderCase } from '../../src/sandbox/routes/cases.js';
import { createSeedState } from '../../src/sandbox/seed.js';

const options = { ...defaultNormaliseOptions, timezone: 'Europe/London' };

describe("an exported row's read-back values", () => {
  const state = createSeedState();
  const cases = getEntity('cases');
  const layout = exportColumnsOf(cases);
  // The seed's cases, and ones with what the CRM may hold: nothing set, bad data, the repeated hour.
  const records: unknown[] = [
    ...Object.values(state.cases).map((record) => renderCase(state, record)),
    { uuid: '5d1d0c4e-0000-4000-8000-000000000001', name: '', status: null, type: null, value: null, review_at: null, completed_at: null, assigned_to_uuids: [], group_uuids: [], plans: [], participants: [] },
    { uuid: 'not-a-uuid', name: 'Odd', status: { uuid: 'also not' }, value: { amount: -5 }, review_at: '2025-10-26T00:30:00Z', completed_at: 'last week', status_position: 0 },
  ];

  for (const format of ['xlsx', 'csv'] as const) {
    it(`${format}: read back from the written cells are the values readBackValues gives (so the hash is the same)`, () => {
      for (const record of records) {
        const values = cases.fromRecord(record);
        const fromCells = readBackOfCells(layout, rowCells(layout, values, record, format, options), options);
        const direct = readBackValues(cases, values, format, options);
        expect(fromCells).toEqual(direct);
        // The field order is the entity's: _meta's JSON keeps it.
        expect(Object.keys(fromCells)).toEqual(cases.columns.map((c) => c.field));
        expect(hashValues(cases, fromCells)).toBe(hashValues(cases, direct));
      }
    });
  }

  it('every entity exports each of its columns once, in its own order (what readBackOfCells relies on)', () => {
    for (const name of entityNames) {
      const entity = getEntity(name);
      const fields = exportColumnsOf(entity).flatMap((c) => (c.kind === 'field' ? [c.column.field] : []));
      expect(fields).toEqual(entity.columns.map((c) => c.field));
    }
  });
});

describe('the row hash', () => {
  it('is the first 32 hex digits of SHA-256 over the canonical values in column order', async () => {
    const { createHash } = await import('node:crypto');
    const cases = getEntity('cases');
    const values = Object.fromEntries(cases.columns.map((c) => [c.field, c.field === 'name' ? 'Annual review' : null]));
    const canonical = JSON.stringify(cases.columns.map((c) => [c.field, c.field === 'name' ? 'Annual review' : null]));
    expect(hashValues(cases, values)).toBe(createHash('sha256').update(canonical).digest('hex').slice(0, 32));
  });
});
