import { appendFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openIdMap } from '../../src/migrate/id-map.js';

const U1 = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const U2 = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const entry = (legacyId: string, uuid: string) => ({ entity: 'clients', legacyId, uuid, file: 'clients.csv', row: 2, at: '2026-01-01T00:00:00.000Z' });

describe('the id map', () => {
  it('is read back by a later run: a mapped legacy id resolves to its uuid', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'plannr-idmap-')), 'id-map.jsonl');
    await (await openIdMap(path)).add([entry('C-1', U1)]);
    const again = await openIdMap(path);
    expect(again.uuidOf('clients', 'C-1')).toBe(U1);
    expect(again.uuidOf('cases', 'C-1')).toBeUndefined();
  });

  it('never replaces a mapping: a second uuid for one legacy id is a conflict, not an overwrite', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'plannr-idmap-')), 'id-map.jsonl');
    const map = await openIdMap(path);
    await map.add([entry('C-1', U1)]);
    expect(await map.add([entry('C-1', U1)])).toEqual({ added: 0, conflicts: [] });
    const { conflicts } = await map.add([entry('C-1', U2)]);
    expect(conflicts.map((c) => c.uuid)).toEqual([U2]);
    expect((await openIdMap(path)).uuidOf('clients', 'C-1')).toBe(U1);
  });

  it('a last line torn by a kill is cut off, and later mappings append cleanly', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'plannr-idmap-')), 'id-map.jsonl');
    await writeFile(path, `${JSON.stringify(entry('C-1', U1))}\n`);
    await appendFile(path, '{"entity":"clients","legacyId":"C-2","uu');
    const map = await openIdMap(path);
    expect(map.uuidOf('clients', 'C-2')).toBeUndefined();
    await map.add([entry('C-2', U2)]);
    const lines = (await readFile(path, 'utf8')).trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { legacyId: string }).legacyId)).toEqual(['C-1', 'C-2']);
  });

  it('damage before the last line stops the run, naming the line', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'plannr-idmap-')), 'id-map.jsonl');
    await writeFile(path, `not json\n${JSON.stringify(entry('C-1', U1))}\n`);
    await expect(openIdMap(path)).rejects.toThrow(/id-map.jsonl is damaged at line 1/);
  });
});
