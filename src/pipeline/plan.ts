/**
 * Plan before you apply: read each row as import would (same mapping, checks and name
 * resolution), read the record it would change (through the rate-limited pool), and write a
 * plan workbook saying per row what import would do (create, update, no change, conflict,
 * invalid) and, per field, before → after. Nothing is written to the CRM.
 *
 * The plan imports as it is and then applies exactly what it showed:
 * - sheet "Plan" holds the entity's columns with each row's own values (names resolved to
 *   uuids; blank where the row was blank) plus read-only "Plan Action", "Plan Changes" and
 *   "Plan Row" columns that mapping ignores;
 * - `_meta` records, per row, the record as the plan compared it (its `updated_at`, hash and
 *   values), so on import only the fields the plan listed differ, "no change" rows are skipped,
 *   and a record changed after the plan (or a conflict the plan reported) is held back as a
 *   conflict unless --overwrite;
 * - invalid rows keep their cells as read, so they are refused again for the same reason.
 */
import { basename } from 'node:path';
import { createApiClient } from '../api/client.js';
import type { ApiConfig } from '../api/config.js';
import { createDispatchPool, type DispatchPoolOptions, type PoolStats } from '../api/pool.js';
import { CLEAR_TOKEN, type Entity, type NormalisedRow } from '../entities/entity.js';
import { AccountingError, InputError, UsageError } from '../errors.js';
import { timeWithOffset } from '../io/report.js';
import type { RowStyle } from '../io/write-xlsx.js';
import type { SourceRow } from '../io/rows.js';
import type { Logger } from '../log.js';
import type { NormaliseOptions } from '../normalise/result.js';
import type { RowCheck } from './check/check-row.js';
import { cellOf, exportColumnsOf, moneyColumnsOf, type ExportCell, type ExportColumn } from './export-cells.js';
import { formatOf, openExportFile, type MetaEntry } from './export-file.js';
import { checkCredentials } from './import.js';
import type { FieldSource } from './input/mapping.js';
import { apiDirectory, createNameResolver, type NameResolver } from './send/names.js';
import { openInput, type InputConfig, type OpenedInput } from './input/open-input.js';
import { inSequence } from './send/ordered.js';
import { duplicateCheck } from './outcome.js';
import { outcomeOf, PLAN_ACTIONS, type PlanAction } from '../outcome/row-outcome.js';
import { createRecordReader, RECORDS_PER_READ } from './lookup.js';
import { countSideEffects, type SideEffectCounter } from './side-effects.js';
import { bookkeepingFields, currentRecordOf, decideRow, describeValue, identityFields, pathValues, readExportMeta, type ExportMeta, type MetaRow } from './round-trip.js';

export const PLAN_SHEET = 'Plan';
export const PLAN_HEADERS = ['Plan Action', 'Plan Changes', 'Plan Row'] as const;

export interface PlanConfig extends InputConfig {
  /** The plan workbook to write (.xlsx: the plan carries a `_meta` sheet). */
  readonly out: string;
  readonly api: ApiConfig;
  /** Concurrency, rate, retries: see DispatchPoolOptions for each default. */
  readonly pool?: Omit<DispatchPoolOptions, 'signal'> | undefined;
  /** Aborting stops the plan; no file is left behind. */
  readonly signal?: AbortSignal | undefined;
  /** Rows planned so far (at most every 200 ms, and once at the end). */
  readonly onProgress?: ((rows: number) => void) | undefined;
  readonly log?: Logger | undefined;
}

export interface PlanResult {
  readonly path: string;
  readonly rows: number;
  readonly actions: Readonly<Record<PlanAction, number>>;
  /** What the planned creates and updates would make the API do besides storing them, by label (clients: welcome emails). */
  readonly sideEffects: Readonly<Record<string, number>>;
  readonly unknownHeaders: readonly string[];
  readonly pool: PoolStats;
  readonly durationMs: number;
  /** 0 every row can be applied as planned; 1 some rows are invalid or conflicts. */
  readonly exitCode: 0 | 1;
}

/** One row of the plan, as written. */
interface PlannedRow {
  readonly action: PlanAction;
  readonly changes: string;
  readonly cells: readonly ExportCell[];
  readonly meta?: MetaEntry | undefined;
  /** Layout columns whose value the row changes (highlighted). */
  readonly changed: readonly number[];
}

export async function runPlan(config: PlanConfig): Promise<PlanResult> {
  const started = Date.now();
  if (formatOf(config.out) !== 'xlsx') throw new UsageError(`the plan is a workbook (it carries a _meta sheet): give a .xlsx path, not "${config.out}"`);
  const input = await openInput(config);
  const { entity } = input;
  if (!entity.canImport) throw new UsageError(`${entity.name} cannot be imported (export only), so there is nothing to plan`);
  // The entity too: a CSV's snapshot written for another entity is refused here as on import.
  const meta = await readExportMeta(config.file, { entity: entity.name, read: { encoding: config.encoding, delimiter: config.delimiter } });
  const pool = createDispatchPool(createApiClient(config.api), {
    ...config.pool,
    signal: config.signal,
    onEvent: (event) => config.log?.info({ event }, 'pool'),
  });
  await checkCredentials(entity, pool);
  const names = createNameResolver(entity, apiDirectory(pool, config.signal), input.mapping.sources);
  const layout = exportColumnsOf(entity).filter((c) => c.kind === 'field');
  const money = moneyColumnsOf(layout);
  const file = await openExportFile({
    path: config.out,
    format: 'xlsx',
    entity,
    layout,
    extraHeaders: PLAN_HEADERS,
    kind: 'plan',
    timezone: config.normalise.timezone,
    sheetName: PLAN_SHEET,
    notes: [['plan_of', basename(config.file)]],
    laterSheets: ['Summary'],
  });
  const actions = Object.fromEntries(PLAN_ACTIONS.map((action) => [action, 0])) as Record<PlanAction, number>;
  let read = 0;
  let lastProgress = 0;
  const ordered = inSequence<{ row: SourceRow; planned: PlannedRow }>(async ({ row, planned }) => {
    actions[planned.action] += 1;
    const style: RowStyle = { money, highlight: planned.changed, ...(planned.action === 'invalid' || planned.action === 'conflict' ? { problem: [layout.length] } : {}) };
    await file.addRow([...planned.cells, planned.action, planned.changes, row.position.row], planned.meta, style);
    if (config.onProgress !== undefined && Date.now() - lastProgress > 200) {
      lastProgress = Date.now();
      config.onProgress(read);
    }
  });
  const planner = rowPlanner({ entity, input, meta, names, layout, pool, normalise: config.normalise });
  const markDuplicates = duplicateCheck();
  const effects = countSideEffects(entity);
  // Enough rows in flight that their record reads fill a list request (see createRecordReader).
  const maxPending = Math.max(RECORDS_PER_READ, (config.pool?.concurrency ?? 8) * 4);
  const pending = new Set<Promise<void>>();
  try {
    for await (const row of input.sheet.rows) {
      if (config.signal?.aborted) throw new UsageError('interrupted: no plan was written');
      const seq = read++;
      const check = markDuplicates(row, input.check(row));
      while (pending.size >= maxPending) await Promise.race(pending);
      const task = planner(row, check)
        .then((planned) => {
          if (planned.action === 'create' || planned.action === 'update') effects.note(check.values);
          return ordered.put(seq, { row, planned });
        })
        .finally(() => pending.delete(task));
      pending.add(task);
    }
    await Promise.all(pending);
    if (config.signal?.aborted) throw new UsageError('interrupted: no plan was written');
    if (read === 0) throw new InputError({ file: input.sheet.file, sheet: input.sheet.sheet }, 'the file has a header row but no data rows');
    const planned = PLAN_ACTIONS.reduce((sum, action) => sum + actions[action], 0);
    if (planned !== read) throw new AccountingError(`plan accounting does not add up (${read} read, ${planned} planned): this is a bug in plannr-bulk, please report it`);
  } catch (error) {
    await Promise.allSettled(pending);
    // Removes the partial file only: a file already at config.out stays as it was.
    await file.discard();
    throw error;
  }
  const stats = pool.stats();
  const durationMs = Date.now() - started;
  await file.close([{ name: 'Summary', rows: summaryRows(config, input, read, actions, effects, stats, durationMs) }]);
  config.onProgress?.(read);
  config.log?.info({ actions, durationMs }, 'plan written');
  return {
    path: config.out,
    rows: read,
    actions,
    sideEffects: effects.counts(),
    unknownHeaders: input.mapping.unknownHeaders,
    pool: stats,
    durationMs,
    exitCode: actions.invalid + actions.conflict > 0 ? 1 : 0,
  };
}

interface PlannerDeps {
  readonly entity: Entity;
  readonly input: OpenedInput;
  readonly meta: ExportMeta | undefined;
  readonly names: NameResolver;
  readonly layout: readonly ExportColumn[];
  readonly pool: ReturnType<typeof createDispatchPool>;
  readonly normalise: NormaliseOptions;
}

/** Decides one row: resolve names, read the current record, compare. */
function rowPlanner(deps: PlannerDeps): (row: SourceRow, check: RowCheck) => Promise<PlannedRow> {
  const { entity, input, meta, names, layout, pool, normalise } = deps;
  const readRecord = createRecordReader(pool);
  const identity = new Set(identityFields(entity));
  const header = (field: string) => entity.columns.find((c) => c.field === field)?.header ?? field;
  // A cleared field (null) is written as (clear): a blank cell would import as "leave unchanged".
  const valueCells = (values: NormalisedRow) =>
    layout.map((c) => (c.kind !== 'field' ? null : values[c.column.field] === null ? CLEAR_TOKEN : cellOf(c.column, values[c.column.field], 'xlsx', normalise)));
  const indexesOf = (fields: readonly string[]) => layout.flatMap((c, i) => (c.kind === 'field' && fields.includes(c.column.field) ? [i] : []));
  const extraOf = (values: NormalisedRow) => pathValues(entity, values);
  const bookkeeping = bookkeepingFields(entity);
  /** A value for a person, with the name or email it was given by (or the record's own label). */
  const shown = (field: string, value: unknown, record?: unknown): string => {
    if (value === null && record === undefined) return CLEAR_TOKEN; // the row clears the field
    const text = describeValue(entity, field, value, normalise);
    const label = typeof value === 'string' ? (record !== undefined ? recordLabel(entity, field, record) : names.labelOf(value)) : undefined;
    return label !== undefined && label !== text ? `${text} (${label})` : text;
  };
  const invalid = (row: SourceRow, check: RowCheck, message?: string): PlannedRow => ({
    action: 'invalid',
    changes: message ?? outcomeOf(row, check, 'invalid').message,
    cells: originalCells(layout, input.mapping.sources, row),
    changed: [],
  });

  return async (row, unresolved) => {
    if (unresolved.problems.length > 0) return invalid(row, unresolved);
    const check = await names.resolveNames(unresolved);
    if (check.problems.length > 0) return invalid(row, check);
    const values = check.values;
    const fields = entity.columns.map((c) => c.field).filter((f) => !identity.has(f) && values[f] !== undefined && !bookkeeping.has(f));
    if (check.action === 'create') {
      return {
        action: 'create',
        changes: fields.map((f) => `${header(f)}: (new) → ${shown(f, values[f])}`).join('; '),
        cells: valueCells(values),
        changed: indexesOf(fields),
      };
    }
    const record = (await readRecord(entity.recordRequest(values)))[0];
    if (record === undefined) return invalid(row, check, `the ${entity.noun} ${check.key} could not be read (not found, or the API failed): nothing to update`);
    const current = currentRecordOf(entity, record, extraOf(values), normalise);
    const exported = meta?.rows.get(check.key);
    // Without an export's _meta the row is compared with the record as it is now.
    const base: MetaRow = exported ?? { row: 0, updatedAt: current.updatedAt, hash: current.hash, values: current.values };
    const decision = decideRow(entity, values, base, current, { overwrite: false, normalise });
    // What import of this plan compares with: the record as the plan saw it, so it applies only
    // the changes listed here and holds back anything changed since (or already in conflict).
    const metaEntry: MetaEntry = { key: check.key, updatedAt: base.updatedAt, hash: base.hash, values: base.values ?? current.values };
    const cells = valueCells(values);
    if (decision.kind === 'unchanged') return { action: 'no change', changes: '', cells, meta: metaEntry, changed: [] };
    if (decision.kind === 'conflict') return { action: 'conflict', changes: decision.message, cells, meta: metaEntry, changed: indexesOf(decision.fields) };
    return {
      action: 'update',
      changes: decision.fields.map((f) => `${header(f)}: ${shown(f, current.values[f], record)} → ${shown(f, values[f])}`).join('; '),
      cells,
      meta: metaEntry,
      changed: indexesOf(decision.fields),
    };
  };
}

/** The name an API record gives a referenced field (a case's status name), from the entity's display columns. */
function recordLabel(entity: Entity, field: string, record: unknown): string | undefined {
  return entity.exportOnly?.find((c) => c.after === field)?.value(record);
}

/** An invalid row's cells as read, under the plan's columns: import refuses it again, for the same reason. */
function originalCells(layout: readonly ExportColumn[], sources: readonly FieldSource[], row: SourceRow): ExportCell[] {
  return layout.map((c) => {
    if (c.kind !== 'field') return null;
    const source = sources.find((s) => s.column.field === c.column.field);
    if (source === undefined) return null;
    return source.constant ?? row.cells[source.columnIndex] ?? null;
  });
}

function summaryRows(
  config: PlanConfig,
  input: OpenedInput,
  read: number,
  actions: Readonly<Record<PlanAction, number>>,
  effects: SideEffectCounter,
  stats: PoolStats,
  durationMs: number,
): ExportCell[][] {
  const equation = `${read} read = ${PLAN_ACTIONS.map((a) => `${actions[a]} ${a}`).join(' + ')}`;
  return [
    [`Plan: ${input.sheet.file} as ${input.entity.name}`, ''],
    ['File', input.sheet.file],
    ...(input.sheet.sheet !== undefined ? [['Sheet', input.sheet.sheet]] : []),
    ['Entity', input.entity.name],
    ['API', config.api.baseUrl],
    ['Mode', 'plan: records were read, nothing was written'],
    ['Written at', timeWithOffset(new Date(), config.normalise.timezone)],
    ['Duration (s)', Math.round(durationMs / 100) / 10],
    ['Rows read', read],
    ...PLAN_ACTIONS.map((a) => [`Rows: ${a}`, actions[a]]),
    ...effects.lines(),
    ['Rows add up', `${equation} ✓`],
    ['Requests', stats.requests],
    ['Columns ignored (unknown)', input.mapping.unknownHeaders.join('; ') || '(none)'],
    ['To apply this plan', `plannr-bulk import ${basename(config.out)} --entity ${input.entity.name}`],
    ['When applied', 'only the changes listed are sent; "no change" rows are skipped; conflicts, and records changed after this plan, are held back unless --overwrite; invalid rows are refused again'],
  ];
}
