/**
 * Export: page through an entity's list endpoint (per_page=500, through the same rate-limited
 * pool as imports) and stream each record to a CSV or XLSX file in the entity's own import
 * columns, so the file imports again unchanged. XLSX files carry `_meta` (export-file.ts) so a
 * re-import sends only what was edited and spots records changed in the CRM meanwhile.
 * `runExport(config)` is what the CLI, the tests and the benchmark call.
 */
import { createApiClient } from '../api/client.js';
import type { ApiConfig } from '../api/config.js';
import { paginate, DEFAULT_PER_PAGE } from '../api/paginate.js';
import { createDispatchPool, DEFAULT_POOL_OPTIONS, type DispatchPoolOptions, type PoolStats } from '../api/pool.js';
import { getEntity } from '../entities/index.js';
import type { Entity } from '../entities/entity.js';
import { UsageError } from '../errors.js';
import type { Logger } from '../log.js';
import type { NormaliseOptions } from '../normalise/result.js';
import { exportColumnsOf, hashValues, moneyColumnsOf, readBackOfCells, rowCells } from './export-cells.js';
import { formatOf, openExportFile } from './export-file.js';

export interface ExportConfig {
  /** One of `entityNames`. */
  readonly entity: string;
  /** .xlsx or .csv */
  readonly out: string;
  /** `filter[key]=value` query parameters (`sort` is passed as is). */
  readonly filters?: Readonly<Record<string, string>> | undefined;
  /** Related data to include; default: what the entity's columns need. */
  readonly include?: readonly string[] | undefined;
  /**
   * Values the entity's list path needs (its `list.scope`, by name), e.g. the MPDX contact and
   * person whose phone numbers to export: `{ contact: '…', person: '…' }`.
   */
  readonly scope?: Readonly<Record<string, string | undefined>> | undefined;
  readonly api: ApiConfig;
  readonly pool?: Omit<DispatchPoolOptions, 'signal'> | undefined;
  /** The time zone date-times are shown in (XLSX) or offset to (CSV). */
  readonly normalise: NormaliseOptions;
  /** Records per page; default and maximum 500. */
  readonly perPage?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((records: number) => void) | undefined;
  readonly log?: Logger | undefined;
}

export interface ExportResult {
  readonly entity: string;
  readonly path: string;
  readonly format: 'xlsx' | 'csv';
  readonly records: number;
  readonly pool: PoolStats;
  readonly durationMs: number;
}

interface ListRequest {
  readonly path: string;
  readonly include: string;
  readonly contentType?: string | undefined;
  /** Values a listed record does not carry itself: its path fields, from the scope. */
  readonly pathValues: Readonly<Record<string, unknown>>;
}

/** The entity's list request for the given scope; refuses (exit 2) when a scope value is missing. */
export function listRequestOf(entity: Entity, given: Readonly<Record<string, string | undefined>>): ListRequest {
  const scope: Record<string, string> = {};
  const pathValues: Record<string, unknown> = {};
  const needed = entity.list.scope ?? [];
  for (const parameter of needed) {
    const value = given[parameter.name]?.trim();
    if (value === undefined || value === '') {
      const flags = needed.map((p) => `--${p.name} ID (${p.help})`).join(' and ');
      throw new UsageError(`exporting ${entity.name} needs ${flags}: ${entity.system.name} lists ${entity.noun}s only under them`);
    }
    scope[parameter.name] = value;
    pathValues[parameter.field] = value;
  }
  return { path: entity.list.path(scope), include: entity.list.include, contentType: entity.list.contentType, pathValues };
}

/** `--filter status=abc` → `filter[status]=abc`; `sort` and keys already in `filter[...]` pass as given. */
export function listQuery(filters: Readonly<Record<string, string>>, include: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of Object.entries(filters)) {
    query[key === 'sort' || key.startsWith('filter[') ? key : `filter[${key}]`] = value;
  }
  if (include !== '') query.include = include;
  return query;
}

/**
 * Pages asked for ahead of the one being written: the next pages' round trips overlap writing
 * this one (each page also waits its turn in the pool's concurrency and rate limit). Four pages
 * of 500 records are a few MB held at most.
 */
export const MAX_PAGES_AHEAD = 4;

export async function runExport(config: ExportConfig): Promise<ExportResult> {
  const started = Date.now();
  const entity = getEntity(config.entity);
  const source = listRequestOf(entity, config.scope ?? {});
  const format = formatOf(config.out);
  const layout = exportColumnsOf(entity);
  const money = moneyColumnsOf(layout);
  const moneyStyle = format === 'xlsx' && money.length > 0 ? { money } : undefined;
  const pool = createDispatchPool(createApiClient(config.api), {
    ...config.pool,
    signal: config.signal,
    onEvent: (event) => config.log?.info({ event }, 'pool'),
  });
  const file = await openExportFile({
    path: config.out,
    format,
    entity,
    layout,
    kind: 'export',
    timezone: config.normalise.timezone,
    notes: [['filters', JSON.stringify(config.filters ?? {})]],
  });
  const include = config.include !== undefined ? config.include.join(',') : source.include;
  const query = listQuery(config.filters ?? {}, include);
  let records = 0;
  try {
    const pages = paginate(
      pool,
      { method: 'GET', path: source.path, query, contentType: source.contentType, perPage: Math.min(config.perPage ?? DEFAULT_PER_PAGE, DEFAULT_PER_PAGE) },
      config.signal,
      { pagesAhead: Math.min(config.pool?.concurrency ?? DEFAULT_POOL_OPTIONS.concurrency, MAX_PAGES_AHEAD) },
    );
    for await (const record of pages) {
      const values = { ...entity.fromRecord(record), ...source.pathValues };
      const cells = rowCells(layout, values, record, format, config.normalise);
      const readBack = readBackOfCells(layout, cells, config.normalise);
      const key = values[entity.keyField];
      await file.addRow(
        cells,
        typeof key === 'string' ? { key, updatedAt: entity.updatedAtOf(record), hash: hashValues(entity, readBack), values: readBack } : undefined,
        moneyStyle,
      );
      records += 1;
      if (records % 500 === 0) config.onProgress?.(records);
    }
    await file.close();
  } catch (error) {
    // Removes the partial file only: a file already at config.out stays as it was.
    await file.discard();
    throw error;
  }
  config.onProgress?.(records);
  const durationMs = Date.now() - started;
  config.log?.info({ entity: entity.name, records, durationMs }, 'export finished');
  return { entity: entity.name, path: config.out, format, records, pool: pool.stats(), durationMs };
}
