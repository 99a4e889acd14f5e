/**
 * Every entity declares what the pipeline needs to know about its resource, so src/pipeline/
 * never has to ask which resource it is handling (issue 11; docs/architecture.md lists the
 * members). These checks hold for any entity listed in src/entities/index.ts, a new one included.
 */
import { describe, expect, it } from 'vitest';
import type { Entity, NormalisedRow } from '../../src/entities/entity.js';
import { entities } from '../../src/entities/index.js';
import type { NormaliseOptions } from '../../src/normalise/result.js';
import { cellOf } from '../../src/pipeline/export-cells.js';
import { listRequestOf } from '../../src/pipeline/export.js';
import { bookkeepingFields, identityFields, pathValues } from '../../src/pipeline/round-trip.js';

const options: NormaliseOptions = { defaultCountry: 'GB', timezone: 'Europe/London', dateOrder: 'dmy' };
const all = Object.entries(entities) as Array<[string, Entity]>;
const fieldsOf = (entity: Entity) => new Set(entity.columns.map((c) => c.field));

/** A row of every column's own example, normalised as an import would. */
function exampleRow(entity: Entity): NormalisedRow {
  const row: Record<string, unknown> = {};
  for (const column of entity.columns) {
    const result = column.type.normalise(column.example, options);
    if (result.ok) row[column.field] = result.value;
  }
  return row;
}

/** One value for each scope parameter, e.g. { contact: 'contact-1' }. */
function scopeOf(entity: Entity): Record<string, string> {
  return Object.fromEntries((entity.list.scope ?? []).map((p) => [p.name, `${p.name}-1`]));
}

describe.each(all)('entity %s', (name, entity) => {
  it('is listed under its own name, and names its API system', () => {
    expect(entity.name).toBe(name);
    expect(entity.system.name).not.toBe('');
    if (entity.system.credentialCheck !== undefined) expect(entity.system.credentialCheck.path).toMatch(/^\/api\//);
  });

  it('names its key, path, label and concurrency fields among its own columns', () => {
    const fields = fieldsOf(entity);
    expect(fields.has(entity.keyField)).toBe(true);
    for (const field of entity.pathFields ?? []) expect(fields.has(field)).toBe(true);
    if (entity.labelField !== undefined) expect(fields.has(entity.labelField)).toBe(true);
    if (entity.concurrency !== undefined) {
      expect(fields.has(entity.concurrency.readAtField)).toBe(true);
      expect(fields.has(entity.concurrency.overwriteField)).toBe(true);
    }
  });

  it('identity is the path fields then the key; bookkeeping is only the concurrency fields', () => {
    expect(identityFields(entity)).toEqual([...(entity.pathFields ?? []), entity.keyField]);
    const check = entity.concurrency;
    expect([...bookkeepingFields(entity)]).toEqual(check === undefined ? [] : [check.readAtField, check.overwriteField]);
  });

  it('lists its records under an API path, with every scope value in it and on every row', () => {
    const scope = scopeOf(entity);
    const request = listRequestOf(entity, scope);
    expect(request.path).toMatch(/^\/api\//);
    for (const parameter of entity.list.scope ?? []) {
      expect(request.path).toContain(scope[parameter.name]);
      expect(request.pathValues[parameter.field]).toBe(scope[parameter.name]);
      // A scope value fills a path field: the record listed under it does not carry it.
      expect(entity.pathFields ?? []).toContain(parameter.field);
    }
  });

  it('refuses an export without a scope value, naming the flag', () => {
    const first = entity.list.scope?.[0];
    if (first === undefined) return;
    expect(() => listRequestOf(entity, {})).toThrow(new RegExp(`--${first.name} ID`));
  });

  it('reads a record back with the related data its export lists (the same include)', () => {
    const row = exampleRow(entity);
    const include = entity.recordRequest(row).query?.include;
    if (include !== undefined) expect(include).toBe(entity.list.include);
    const found = entity.findCreated?.(row);
    if (found?.query?.include !== undefined) expect(found.query.include).toBe(entity.list.include);
  });

  it('reads a record by its path values and key', () => {
    const row = exampleRow(entity);
    const request = entity.recordRequest(row);
    const asked = `${request.path}?${new URLSearchParams(request.query ?? {}).toString()}`;
    expect(asked).toContain(String(row[entity.keyField]));
    for (const [field, value] of Object.entries(pathValues(entity, row))) {
      expect(asked, field).toContain(String(value));
    }
  });

  it("says '' for the time of a record that carries none", () => {
    expect(entity.updatedAtOf({})).toBe('');
    expect(entity.updatedAtOf(null)).toBe('');
  });

  it("every column's example, written to an export cell, reads back as the same value (XLSX and CSV)", () => {
    for (const column of entity.columns) {
      if (column.example.trim() === '') continue; // no example: a blank cell, "leave unchanged"
      const normalised = column.type.normalise(column.example, options);
      expect(normalised.ok, `${column.header}: ${column.example}`).toBe(true);
      if (!normalised.ok) continue;
      for (const format of ['xlsx', 'csv'] as const) {
        const cell = cellOf(column, normalised.value, format, options);
        expect(cell, `${column.header} (${format})`).not.toBeNull();
        const back = column.type.normalise(cell as Exclude<typeof cell, null>, options);
        expect(back, `${column.header} (${format}): ${String(cell)}`).toEqual(normalised);
      }
    }
  });
});
