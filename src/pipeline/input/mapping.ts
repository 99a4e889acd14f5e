/**
 * Headers → fields. A header matches a column's header, field name or any alias, compared
 * case-, space- and punctuation-insensitively ("Case Value (£)" ~ "case value"). `--mapping`
 * overrides win. Unknown headers are reported once; a missing required column stops the run.
 */
import { z } from 'zod';
import { describeLocation, MappingError } from '../../errors.js';
import type { Column, Entity } from '../../entities/entity.js';

export interface FieldSource {
  readonly column: Column;
  /** Input column it is read from; -1 when the value is a constant from --mapping. */
  readonly columnIndex: number;
  /** The input header (or the column's own header for a constant). */
  readonly header: string;
  readonly constant?: string;
}

export interface HeaderMapping {
  /** In the entity's column order. */
  readonly sources: readonly FieldSource[];
  /** Headers that matched nothing (ignored), in file order. */
  readonly unknownHeaders: readonly string[];
}

/** In --mapping, `"*": null` ignores every column that matches no field, without listing them. */
export const IGNORE_OTHER_COLUMNS = '*';

/** `--mapping FILE`: header → field name (or null to ignore it), or field → {constant}. */
export const mappingFileSchema = z
  .record(z.string(), z.union([z.string(), z.null(), z.object({ constant: z.string() }).strict()]))
  .refine((mapping) => mapping[IGNORE_OTHER_COLUMNS] === undefined || mapping[IGNORE_OTHER_COLUMNS] === null, {
    message: `"${IGNORE_OTHER_COLUMNS}" can only be null: it ignores every column that matches no field`,
  });
export type MappingOverrides = z.infer<typeof mappingFileSchema>;

/** Columns our own reports, plans and revert files add; ignored without a warning when re-imported. */
const reportColumns = new Set(['error', 'sourcerow', 'planaction', 'planchanges', 'planrow', 'revertnote']);

export function headerKey(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

/** Header key → column, for every name a column answers to (field, header, aliases); first wins. */
function columnsByKey(entity: Entity): Map<string, Column> {
  const byKey = new Map<string, Column>();
  for (const column of entity.columns) {
    for (const name of [column.field, column.header, ...column.aliases]) {
      if (!byKey.has(headerKey(name))) byKey.set(headerKey(name), column);
    }
  }
  return byKey;
}

function columnForName(entity: Entity, name: string): Column | undefined {
  const key = headerKey(name);
  return entity.columns.find((c) => headerKey(c.field) === key || headerKey(c.header) === key);
}

export function mapHeaders(
  headers: readonly string[],
  entity: Entity,
  where: { file: string; sheet?: string | undefined },
  overrides: MappingOverrides = {},
): HeaderMapping {
  const byKey = columnsByKey(entity);
  const exportOnlyKeys = new Set((entity.exportOnly ?? []).map((c) => headerKey(c.header)));
  const headerIndexByKey = new Map(headers.map((h, i) => [headerKey(h), i] as const));
  const place = describeLocation(where);

  const chosen = new Map<Column, FieldSource>();
  const overridden = new Set<number>();
  const claim = (source: FieldSource) => {
    const earlier = chosen.get(source.column);
    if (earlier !== undefined) {
      throw new MappingError(
        `${place}: columns "${earlier.header}" and "${source.header}" both map to ${entity.noun} field "${source.column.header}"; ` +
          `keep one, or say which with --mapping (e.g. {"${source.header}": null})`,
      );
    }
    chosen.set(source.column, source);
  };

  for (const [name, target] of Object.entries(overrides)) {
    if (name === IGNORE_OTHER_COLUMNS) continue;
    const index = headerIndexByKey.get(headerKey(name));
    if (target !== null && typeof target === 'object') {
      const column = columnForName(entity, name);
      if (column === undefined) throw new MappingError(`--mapping: "${name}" is not a ${entity.noun} field; fields are ${entity.columns.map((c) => c.field).join(', ')}`);
      claim({ column, columnIndex: -1, header: column.header, constant: target.constant });
      continue;
    }
    if (index === undefined) {
      throw new MappingError(`--mapping: ${place} has no column "${name}"; headers found: ${listHeaders(headers)}`);
    }
    overridden.add(index);
    if (target === null) continue;
    const column = columnForName(entity, target);
    if (column === undefined) throw new MappingError(`--mapping: "${target}" (for column "${name}") is not a ${entity.noun} field; fields are ${entity.columns.map((c) => c.field).join(', ')}`);
    claim({ column, columnIndex: index, header: headers[index] ?? name });
  }

  const unknownHeaders: string[] = [];
  const ignoreOthers = overrides[IGNORE_OTHER_COLUMNS] === null;
  headers.forEach((header, index) => {
    if (overridden.has(index) || header === '') return;
    const column = byKey.get(headerKey(header));
    if (column === undefined) {
      if (!ignoreOthers && !reportColumns.has(headerKey(header)) && !exportOnlyKeys.has(headerKey(header))) unknownHeaders.push(header);
      return;
    }
    claim({ column, columnIndex: index, header });
  });

  const missing = entity.columns.filter((c) => c.required === 'always' && !chosen.has(c));
  if (missing.length > 0) {
    const names = missing.map((c) => `"${c.header}"`).join(', ');
    throw new MappingError(
      `${place}: required column${missing.length > 1 ? 's' : ''} ${names} missing. Headers found: ${listHeaders(headers)}. ` +
        `Rename a column, or map one with --mapping (e.g. {"Your Header": "${missing[0]?.field}"}).`,
    );
  }
  const sources = entity.columns.flatMap((c) => {
    const source = chosen.get(c);
    return source === undefined ? [] : [source];
  });
  return { sources, unknownHeaders };
}

function listHeaders(headers: readonly string[]): string {
  return headers.length === 0 ? '(none)' : headers.map((h) => `"${h}"`).join(', ');
}

/** How many of a file's columns an entity would read. */
export interface EntityFit {
  readonly entity: Entity;
  /** Columns read as one of its fields (each field counted once). */
  readonly matched: number;
}

/** More columns than this are not listed by name in the wrong-entity message. */
const LISTED_HEADERS = 8;

/**
 * Stops a run whose file is not what --entity says: validating a contact-details file as
 * cases would otherwise read its one or two shared columns (UUID, Name), ignore the rest and
 * report every row valid. Refused (MappingError, exit 2) when fewer than half of the columns
 * are read as fields of `entity` (unless --mapping has `"*": null`), or when another
 * importable entity reads at least two more columns and half as many again. Columns
 * --mapping maps count as read, columns it maps to null are left out, and so are our own
 * report and export bookkeeping columns; each entity is scored with the same header matching
 * mapHeaders uses.
 */
export function checkEntityFits(
  headers: readonly string[],
  entity: Entity,
  others: readonly Entity[],
  where: { file: string; sheet?: string | undefined },
  overrides: MappingOverrides = {},
): void {
  const overridden = new Map<number, string | null>();
  const headerIndexByKey = new Map(headers.map((h, i) => [headerKey(h), i] as const));
  for (const [name, target] of Object.entries(overrides)) {
    const index = name === IGNORE_OTHER_COLUMNS ? undefined : headerIndexByKey.get(headerKey(name));
    if (index !== undefined && (target === null || typeof target === 'string')) overridden.set(index, target);
  }
  const exportOnlyKeys = new Set((entity.exportOnly ?? []).map((c) => headerKey(c.header)));
  const considered = headers.flatMap((header, index) => {
    const key = headerKey(header);
    if (key === '' || reportColumns.has(key) || exportOnlyKeys.has(key) || overridden.get(index) === null) return [];
    return [{ header, index, key }];
  });
  if (considered.length === 0) return;

  const fitOf = (candidate: Entity, useOverrides: boolean): EntityFit => {
    const byKey = columnsByKey(candidate);
    const read = new Set<string>();
    for (const { index, key } of considered) {
      const target = useOverrides ? overridden.get(index) : undefined;
      const field = typeof target === 'string' ? columnForName(candidate, target)?.field ?? target : byKey.get(key)?.field;
      if (field !== undefined) read.add(field);
    }
    return { entity: candidate, matched: read.size };
  };
  const chosen = fitOf(entity, true);
  const best = others
    .filter((other) => other.name !== entity.name)
    .map((other) => fitOf(other, false))
    .reduce<EntityFit | undefined>((top, fit) => (top === undefined || fit.matched > top.matched ? fit : top), undefined);

  const total = considered.length;
  // `"*": null` in --mapping: the user has said the columns that match nothing are extra.
  const mostUnread = chosen.matched * 2 < total && overrides[IGNORE_OTHER_COLUMNS] !== null;
  const clearlyBetter = best !== undefined && best.matched >= chosen.matched + 2 && best.matched * 2 >= chosen.matched * 3;
  if (!mostUnread && !clearlyBetter) return;

  const place = describeLocation(where);
  // Name another entity only when it really reads the file: clearly better, or at least half of it.
  if (best !== undefined && best.matched > chosen.matched && (clearlyBetter || best.matched * 2 >= total)) {
    throw new MappingError(
      `${place}: its headers look like ${best.entity.name} (${best.matched} of ${total} columns match ${best.entity.name}, ` +
        `${chosen.matched} of ${total} match ${entity.name}): use --entity ${best.entity.name}`,
    );
  }
  const byKey = columnsByKey(entity);
  const unread = considered.filter(({ index, key }) => !overridden.has(index) && !byKey.has(key)).map((c) => c.header);
  const listed = unread.slice(0, LISTED_HEADERS).map((h) => `"${h}"`).join(', ') + (unread.length > LISTED_HEADERS ? `, and ${unread.length - LISTED_HEADERS} more` : '');
  throw new MappingError(
    `${place}: only ${chosen.matched} of ${total} columns match ${entity.name} (not matched: ${listed}): check --entity ` +
      `(${[entity.name, ...others.filter((o) => o.name !== entity.name).map((o) => o.name)].join(', ')}); ` +
      `if the file is right and these columns are extra, ignore them with --mapping: {"${unread[0] ?? ''}": null} for one, {"${IGNORE_OTHER_COLUMNS}": null} for every column that matches no field`,
  );
}
