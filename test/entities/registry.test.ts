/**
 * A resource is registered in one place, src/entities/index.ts: `EntityName` is its keys, and
 * the CLI's choices, templates (scripts/make-templates.mjs) and the sandbox's routes (keyed by
 * `EntityName`, so a missing one does not compile) are taken from it. These tests walk the
 * real registry, so they hold for a resource added tomorrow (docs/architecture.md, "Adding a
 * resource").
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entities, entityNames, getEntity } from '../../src/entities/index.js';
import { MIGRATION_ORDER } from '../../src/migrate/set.js';
import { runCliInProcess } from '../e2e/helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * Where a resource's name may be spelt out: its own entity file and the registry, its sandbox
 * route, and a migration's choice of which legacy files it takes (and the demo's samples, the
 * `migrate` flags that name those files). Anywhere else a per-resource fact would be a second
 * list to keep in step.
 */
const MAY_NAME_A_RESOURCE = ['src/entities/', 'src/sandbox/routes/', 'src/migrate/set.ts', 'src/cli/migrate.ts', 'src/cli/demo.ts'];

async function sourceFiles(folder: string): Promise<string[]> {
  const entries = await readdir(join(ROOT, folder), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && /\.(ts|mjs)$/.test(entry.name))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

describe('the entity registry', () => {
  it('holds each entity under its own name, and getEntity refuses any other name by listing them all', () => {
    expect(entityNames).toEqual(Object.keys(entities));
    for (const name of entityNames) expect(getEntity(name).name).toBe(name);
    expect(() => getEntity('no-such-resource')).toThrow(`unknown entity "no-such-resource": use one of ${entityNames.join(', ')}`);
  });

  it('is the only list of resources in the source: no other file spells out a registered name', async () => {
    // A name as a value: quoted, not a property looked up by that name (`Options['notes']`).
    const quoted = new RegExp(`(?<![\\w\\])>]\\[)(['"\`])(${entityNames.join('|')})\\1`, 'g');
    const files = [...(await sourceFiles('src')), ...(await sourceFiles('scripts'))];
    const naming: string[] = [];
    for (const file of files) {
      if (MAY_NAME_A_RESOURCE.some((allowed) => file.startsWith(allowed))) continue;
      const text = await readFile(join(ROOT, file), 'utf8');
      for (const match of text.matchAll(quoted)) naming.push(`${file}: ${match[0]}`);
    }
    expect(naming).toEqual([]);
  });

  it('a migration takes only registered entities', () => {
    for (const name of MIGRATION_ORDER) expect(entityNames).toContain(name);
  });

  it('every command that takes an entity offers every registered one', async () => {
    for (const command of [['template', '--help'], ['export', '--help'], ['validate', '--help']]) {
      const { stdout } = await runCliInProcess(command);
      for (const name of entityNames) expect(stdout, command.join(' ')).toContain(name);
    }
  });
});
