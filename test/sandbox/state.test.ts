import { describe, expect, it } from 'vitest';
import { listedRecords, recordsInOrder } from '../../src/sandbox/state.js';

describe('recordsInOrder', () => {
  it('lists the records in the order they were added', () => {
    const records: Record<string, { uuid: string }> = { b: { uuid: 'b' }, a: { uuid: 'a' } };
    records['c'] = { uuid: 'c' };
    expect(recordsInOrder(records, 0).map((r) => r.uuid)).toEqual(['b', 'a', 'c']);
  });

  it('shows a record added since the last list once the stamp changes', () => {
    const records: Record<string, { uuid: string }> = { a: { uuid: 'a' } };
    expect(recordsInOrder(records, 1).map((r) => r.uuid)).toEqual(['a']);
    records['b'] = { uuid: 'b' };
    expect(recordsInOrder(records, 2).map((r) => r.uuid)).toEqual(['a', 'b']);
  });

  it('shows a record changed in place without a new stamp (the list holds the records themselves)', () => {
    const records: Record<string, { uuid: string; name: string }> = { a: { uuid: 'a', name: 'before' } };
    recordsInOrder(records, 1);
    records['a']!.name = 'after';
    expect(recordsInOrder(records, 1)[0]?.name).toBe('after');
  });

  it('keeps each map apart: a second map with the same stamp is read for itself', () => {
    const first: Record<string, { uuid: string }> = { a: { uuid: 'a' } };
    const second: Record<string, { uuid: string }> = { x: { uuid: 'x' }, y: { uuid: 'y' } };
    expect(recordsInOrder(first, 5).map((r) => r.uuid)).toEqual(['a']);
    expect(recordsInOrder(second, 5).map((r) => r.uuid)).toEqual(['x', 'y']);
  });
});

describe('listedRecords', () => {
  type Row = { uuid: string; name: string };
  const records = (): Record<string, Row> => ({ a: { uuid: 'a', name: 'Ann' }, b: { uuid: 'b', name: 'Bob' }, c: { uuid: 'c', name: 'Cat' } });

  it('with no lag and no filter, every record in database order', () => {
    expect(listedRecords(records(), 0).map((r) => r.uuid)).toEqual(['a', 'b', 'c']);
  });

  it('keeps only the records the filter passes', () => {
    expect(listedRecords(records(), 0, undefined, (r) => r.name !== 'Bob').map((r) => r.uuid)).toEqual(['a', 'c']);
  });

  it('shows what a lagging replica shows: a record not yet there is left out, a changed one as it was', () => {
    const was: Row = { uuid: 'b', name: 'Robert' };
    const show = (r: Row): Row | undefined => (r.uuid === 'c' ? undefined : r.uuid === 'b' ? was : r);
    expect(listedRecords(records(), 0, show)).toEqual([{ uuid: 'a', name: 'Ann' }, was]);
  });

  it('filters what the replica shows, not what is stored', () => {
    const show = (r: Row): Row | undefined => (r.uuid === 'b' ? { uuid: 'b', name: 'Robert' } : r);
    expect(listedRecords(records(), 0, show, (r) => r.name === 'Bob')).toEqual([]);
  });
});
