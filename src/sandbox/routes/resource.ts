/**
 * The routes every Plannr resource serves alike, written once: the list (filtered, sorted,
 * paginated), one record, a PUT to it and a POST, with Laravel's 404s and 422s. A resource's
 * route file declares only what is its own (its path, filters, sorts, how a record is shown,
 * how a body is checked) as a `PlannrResource` and registers it with `plannrResourceRoutes`.
 */
import { randomUUID } from 'node:crypto';
import {
  applySort,
  modelNotFound,
  nowIso,
  paginate,
  readFilters,
  readJsonObject,
  validationFailed,
  type FieldErrors,
  type RouteDeps,
  type SandboxApp,
  type SandboxContext,
} from '../http.js';
import { listedRecords, type SandboxState, type SandboxTable } from '../state.js';
import type { ResourceRoutes } from './index.js';

/** Whether a record passes `filter[name]=values` (values never empty: an empty filter is ignored). */
export type Filter<T> = (record: T, values: readonly string[], state: SandboxState) => boolean;

/** A stored record: the generic routes key it by uuid and sort on any of its fields. */
type PlannrRecord = Record<string, unknown> & { readonly uuid: string };

export interface PlannrResource<T extends PlannrRecord> {
  /** The list path, e.g. '/api/v1/cases'; one record is `${base}/{uuid}`. */
  readonly base: string;
  /** Laravel's model name in a 404 message ("No query results for model [App\\Models\\Case]"). */
  readonly model: string;
  /** The `filter[...]` names the list allows, and what each keeps; any other is a 400. */
  readonly filters: Readonly<Record<string, Filter<T>>>;
  readonly sorts: readonly string[];
  /**
   * The stored records, by uuid, in database order: a table in state.ts (`state.cases`), or
   * the route file's own `table` (`tableOf(state, noteTable)`).
   */
  records(state: SandboxState): Record<string, T>;
  /** The table this route file owns, when its records are not in state.ts: seeded and checked by the sandbox. */
  readonly table?: SandboxTable<T>;
  render(state: SandboxState, record: T): Record<string, unknown>;
  /** Its reads (list and one record) take part in the read-error fault: the tool reads them back after writes. */
  readonly faultyReads?: boolean;
  /**
   * PUT `${base}/{uuid}`: the body's problems go into `errors`; otherwise how to change the
   * record, applied only when every field passed (`at`: the write's timestamp). Undefined or
   * any error: a 422 listing them all, nothing changed. Absent: no PUT route.
   */
  update?(errors: FieldErrors, state: SandboxState, record: T, body: Record<string, unknown>): ((at: string) => void) | undefined;
  /**
   * POST `base`: the body's problems go into `errors`; otherwise how to store the new record
   * under its new uuid, returning it. Undefined or any error: a 422. Absent: no POST route.
   */
  create?(errors: FieldErrors, state: SandboxState, body: Record<string, unknown>): ((uuid: string, at: string) => T) | undefined;
}

/** The `filter[uuid]=a,b` every resource allows. */
export const byUuid = <T extends PlannrRecord>(record: T, values: readonly string[]): boolean => values.includes(record.uuid);

/** Any value contained in the text, ignoring case (`filter[name]=smith` matches "Ann Smith"). */
export function containsAny(text: string, values: readonly string[]): boolean {
  const lower = text.toLowerCase();
  return values.some((value) => lower.includes(value.toLowerCase()));
}

/** Whether any of `uuids` is among the filter's values (`filter[account_uuids]=...`). */
export function sharesAny(uuids: readonly string[], values: readonly string[]): boolean {
  return uuids.some((uuid) => values.includes(uuid));
}

function matchesEvery<T>(filters: Readonly<Record<string, Filter<T>>>, wanted: Map<string, string[]>, record: T, state: SandboxState): boolean {
  for (const [name, values] of wanted) {
    const passes = filters[name];
    if (values.length > 0 && passes !== undefined && !passes(record, values, state)) return false;
  }
  return true;
}

const hasErrors = (errors: FieldErrors): boolean => Object.keys(errors).length > 0;

/** The resource's routes on `app`; writes are logged and shown to a lagging list as they happen. */
export function plannrResourceRoutes<T extends PlannrRecord>(resource: PlannrResource<T>): ResourceRoutes {
  const filterNames = Object.keys(resource.filters);
  const routes = (app: SandboxApp, deps: RouteDeps): void => {
    const readFails = (): boolean => resource.faultyReads === true && deps.readFails();

    app.get(resource.base, (c) => {
      if (readFails()) return serverError(c);
      const state = deps.state();
      const filters = readFilters(c, filterNames);
      if (filters instanceof Response) return filters;
      // Work per stored record only when the list lags or filters: a plain page of a large list costs none.
      const filtering = [...filters.values()].some((values) => values.length > 0);
      const matching = listedRecords(
        resource.records(state),
        deps.stamp(),
        deps.listLags() ? (record) => deps.listed(record.uuid, record) : undefined,
        filtering ? (record) => matchesEvery(resource.filters, filters, record, state) : undefined,
      );
      const sorted = applySort(c, matching, resource.sorts);
      if (sorted instanceof Response) return sorted;
      return paginate(c, sorted, (record) => resource.render(state, record));
    });

    app.get(`${resource.base}/:uuid`, (c) => {
      if (readFails()) return serverError(c);
      const state = deps.state();
      const uuid = c.req.param('uuid');
      const record = resource.records(state)[uuid];
      if (!record) return modelNotFound(c, resource.model, uuid);
      return c.json(resource.render(state, record));
    });

    const { update, create } = resource;
    if (update !== undefined) {
      app.put(`${resource.base}/:uuid`, async (c) => {
        const state = deps.state();
        const uuid = c.req.param('uuid');
        const record = resource.records(state)[uuid];
        if (!record) return modelNotFound(c, resource.model, uuid);
        const body = await readJsonObject(c);
        if (body instanceof Response) return body;
        const errors: FieldErrors = {};
        const apply = update(errors, state, record, body);
        if (hasErrors(errors) || apply === undefined) return validationFailed(c, errors);
        deps.changing(uuid, record);
        apply(nowIso());
        deps.recordWrite({ method: 'PUT', path: c.req.path, uuid, body, status: 200 });
        return c.json(resource.render(state, record), 200);
      });
    }
    if (create !== undefined) {
      app.post(resource.base, async (c) => {
        const state = deps.state();
        const body = await readJsonObject(c);
        if (body instanceof Response) return body;
        const errors: FieldErrors = {};
        const store = create(errors, state, body);
        if (hasErrors(errors) || store === undefined) return validationFailed(c, errors);
        const created = store(randomUUID(), nowIso());
        deps.recordWrite({ method: 'POST', path: c.req.path, uuid: created.uuid, body, status: 201 });
        return c.json(resource.render(state, created), 201);
      });
    }
  };
  // The registry finds the route file's own table here (routes/index.ts, `sandboxTables`).
  return resource.table === undefined ? routes : Object.assign(routes, { table: resource.table });
}

function serverError(c: SandboxContext): Response {
  return c.json({ message: 'Server Error' }, 500);
}
