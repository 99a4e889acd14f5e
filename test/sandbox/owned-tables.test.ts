/**
 * A resource's sandbox route file may own its records (schema, type, seed) as a `SandboxTable`
 * instead of a key in state.ts: such tables live under `state.tables`, are seeded after every
 * built-in record, and a loaded state's records are checked against their owner's schema.
 * The tables here are the test's own (registered by no route), so nothing names a resource.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UsageError } from '../../src/errors.js';
import { routesByEntity, sandboxTables } from '../../src/sandbox/routes/index.js';
import { createSeedState, seededUuid } from '../../src/sandbox/seed.js';
import { startSandbox } from '../../src/sandbox/server.js';
import { checkTables, dumpState, loadState, tableOf, type SandboxTable } from '../../src/sandbox/state.js';

const memoSchema = z.object({ uuid: z.string(), text: z.string().min(1), account_uuid: z.string() });
type Memo = z.infer<typeof memoSchema>;

const memos: SandboxTable<Memo> = {
  name: 'memos',
  schema: memoSchema,
  seed(random, state) {
    const account = Object.keys(state.accounts)[0] ?? '';
    const uuid = seededUuid(random);
    return { [uuid]: { uuid, text: 'Seeded memo', account_uuid: account } };
  },
};

describe('tables owned by a route file', () => {
  it('are seeded after every built-in record, so no seeded uuid moves', () => {
    const without = createSeedState();
    const { tables, ...builtIn } = createSeedState({ tables: [memos] });
    expect(JSON.stringify({ ...builtIn, tables: {} })).toBe(JSON.stringify(without));
    const seeded = Object.values(tables['memos'] ?? {});
    expect(seeded).toHaveLength(1);
    // The seed sees the built-in records, so it can refer to them.
    expect(seeded[0]).toMatchObject({ text: 'Seeded memo', account_uuid: Object.keys(without.accounts)[0] });
  });

  it('are created empty on first use, and what is stored there stays', () => {
    const state = createSeedState();
    expect(state.tables).toEqual({});
    const stored = tableOf(state, memos);
    expect(stored).toEqual({});
    stored['m1'] = { uuid: 'm1', text: 'Called', account_uuid: 'a1' };
    expect(tableOf(state, memos)['m1']?.text).toBe('Called');
    expect(dumpState(state)).toMatchObject({ tables: { memos: { m1: { text: 'Called' } } } });
  });

  it('round-trip through a dump, and a state file saved before tables existed still loads', () => {
    const state = createSeedState({ tables: [memos] });
    expect(loadState(JSON.parse(JSON.stringify(dumpState(state))))).toEqual(state);
    const { tables: _tables, ...older } = dumpState(createSeedState()) as Record<string, unknown>;
    expect(loadState(older).tables).toEqual({});
  });

  it("refuses a loaded record that breaks its table's schema, naming the table, record and field", () => {
    const state = createSeedState();
    state.tables['memos'] = { m1: { uuid: 'm1', text: '', account_uuid: 'a1' }, m2: { uuid: 'm2', account_uuid: 'a1' } };
    expect(() => checkTables(state, [memos])).toThrow(/tables\.memos\.m1\.text: [^;]+; tables\.memos\.m2\.text: /);
  });

  it('refuses a table that no route owns (a misspelt name would otherwise be ignored)', () => {
    const state = createSeedState();
    state.tables['memo'] = {};
    expect(() => checkTables(state, [memos])).toThrow(/tables\.memo: no sandbox route owns a table of this name \(tables: memos\)/);
    expect(() => checkTables(createSeedState({ tables: [memos] }), [memos])).not.toThrow();
  });

  it('every table a route registers is named after its entity (so its writes and its records share a name)', () => {
    for (const [entity, routes] of Object.entries(routesByEntity)) {
      if (routes.table !== undefined) expect(routes.table.name).toBe(entity);
    }
    expect(sandboxTables).toEqual(Object.values(routesByEntity).flatMap((routes) => (routes.table ? [routes.table] : [])));
  });

  it('the sandbox refuses to start on, or load, a state whose tables no route owns', async () => {
    const state = createSeedState();
    state.tables['no-such-resource'] = {};
    await expect(startSandbox({ state })).rejects.toThrow(UsageError);
    await expect(startSandbox({ state })).rejects.toThrow(/tables\.no-such-resource: no sandbox route owns/);

    const sandbox = await startSandbox();
    try {
      const response = await fetch(`${sandbox.url}/__sandbox/state`, { method: 'POST', body: JSON.stringify(dumpState(state)) });
      expect(response.status).toBe(422);
      expect(((await response.json()) as { message: string }).message).toMatch(/tables\.no-such-resource/);
      // The refused load left the state as it was.
      const kept = (await (await fetch(`${sandbox.url}/__sandbox/state`)).json()) as { tables: Record<string, unknown> };
      expect(Object.keys(kept.tables)).not.toContain('no-such-resource');
    } finally {
      await sandbox.close();
    }
  });
});
