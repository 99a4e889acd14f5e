/**
 * The id map: legacy id → Plannr uuid, one JSON line per mapping, appended and fsync'd. It is
 * what makes a rerun safe (a mapped legacy id is never sent again) and what resolves later
 * files' references. The journal of each file's run is the first durable record of a create;
 * the map is filled from the journals (reconcile) at the start of every file and after its run,
 * so a kill between the two loses nothing. A torn last line (killed mid-write) is ignored.
 */
import { open, readFile, truncate } from 'node:fs/promises';
import { z } from 'zod';
import { JournalError } from '../errors.js';

export interface IdMapEntry {
  readonly entity: string;
  readonly legacyId: string;
  readonly uuid: string;
  /** The legacy file and row the record came from. */
  readonly file: string;
  readonly row: number;
  readonly at: string;
}

const entrySchema = z.object({
  entity: z.string(), legacyId: z.string(), uuid: z.string(), file: z.string(), row: z.number().int(), at: z.string(),
});

export interface IdMap {
  readonly path: string;
  uuidOf(entity: string, legacyId: string): string | undefined;
  entries(): readonly IdMapEntry[];
  /**
   * Durable once it resolves. A legacy id already mapped to another uuid is not overwritten:
   * it is returned as a conflict (two records in Plannr for one legacy record).
   */
  add(entries: readonly IdMapEntry[]): Promise<{ readonly added: number; readonly conflicts: readonly IdMapEntry[] }>;
}

const keyOf = (entity: string, legacyId: string) => `${entity}\u0000${legacyId}`;

export function parseIdMap(text: string, path: string): IdMapEntry[] {
  const lines = text.split('\n');
  const entries: IdMapEntry[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const isLast = index >= lines.length - 1 || lines.slice(index + 1).every((l) => l.trim() === '');
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      if (isLast && !text.endsWith('\n')) return; // torn by a kill mid-write: that mapping is still in its journal
      throw new JournalError(`the id map ${path} is damaged at line ${index + 1}: not JSON`);
    }
    const entry = entrySchema.safeParse(parsed);
    if (!entry.success) throw new JournalError(`the id map ${path} is damaged at line ${index + 1}: ${entry.error.issues[0]?.message ?? 'bad entry'}`);
    entries.push(entry.data);
  });
  return entries;
}

export async function openIdMap(path: string): Promise<IdMap> {
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const all = parseIdMap(text, path);
  const byKey = new Map<string, IdMapEntry>();
  for (const entry of all) if (!byKey.has(keyOf(entry.entity, entry.legacyId))) byKey.set(keyOf(entry.entity, entry.legacyId), entry);
  // A torn last line (its mapping is still in its journal) is cut off before we append after it.
  if (text !== '' && !text.endsWith('\n')) await truncate(path, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1)));
  return {
    path,
    uuidOf: (entity, legacyId) => byKey.get(keyOf(entity, legacyId))?.uuid,
    entries: () => [...byKey.values()],
    async add(entries) {
      const fresh: IdMapEntry[] = [];
      const conflicts: IdMapEntry[] = [];
      for (const entry of entries) {
        const known = byKey.get(keyOf(entry.entity, entry.legacyId));
        if (known === undefined) {
          byKey.set(keyOf(entry.entity, entry.legacyId), entry);
          fresh.push(entry);
        } else if (known.uuid.toLowerCase() !== entry.uuid.toLowerCase()) {
          conflicts.push(entry);
        }
      }
      if (fresh.length === 0) return { added: 0, conflicts };
      const handle = await open(path, 'a');
      try {
        const body = fresh.map((entry) => JSON.stringify(entry)).join('\n') + '\n';
        await handle.write(body);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return { added: fresh.length, conflicts };
    },
  };
}
