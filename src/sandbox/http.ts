/**
 * Shared HTTP shapes of the emulated Plannr API: Laravel's error bodies, JSON body parsing,
 * Spatie-style list filters/sorts and Laravel's length-aware pagination.
 */
import type { Context, Hono } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import { DateTime } from 'luxon';
import type { SandboxState } from './state.js';
import { londonIso } from './seed.js';

export type SandboxEnv = { Bindings: HttpBindings };
export type SandboxApp = Hono<SandboxEnv>;
export type SandboxContext = Context<SandboxEnv>;

export interface WriteLogEntry {
  seq: number;
  at: string;
  method: string;
  path: string;
  resource: string;
  uuid: string;
  body: unknown;
  status: number;
  /** The injected fault this write was applied under (its answer lost or wrong), if any. */
  fault?: string;
}

/** What every route file gets: the live state (replaced on reset), the write log and the faults its handlers apply. */
export interface RouteDeps {
  state(): SandboxState;
  /** Logs an applied write under the resource's entity name (the route registry's key). */
  recordWrite(entry: Omit<WriteLogEntry, 'seq' | 'at' | 'fault' | 'resource'>): void;
  /** Whether this read of a record the tool writes answers 500 (the read-error fault). */
  readFails(): boolean;
  /** Called just before a stored record is changed in place (a lagging list may still show it so). */
  changing(uuid: string, record: object): void;
  /** Whether lists lag behind writes now (the list-lag fault): only then is `listed` worth asking. */
  listLags(): boolean;
  /** What a list shows for a record (a lagging read replica may not show it yet, or show it as it was). */
  listed<T>(uuid: string, record: T): T | undefined;
  /** Changes whenever a record is added to the state by a request: `recordsInOrder`'s stamp (state.ts). */
  stamp(): number;
}

let lastSecond = -1;
let lastIso = '';

/** Plannr's timestamps have whole seconds; memoised per second (zone maths is the hot spot). */
export function nowIso(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastIso = londonIso(DateTime.fromSeconds(second));
  }
  return lastIso;
}

/** Field → messages, Laravel's `errors` object. */
export type FieldErrors = Record<string, string[]>;

export function addError(errors: FieldErrors, field: string, message: string): void {
  (errors[field] ??= []).push(message);
}

/** Laravel shows attribute names with underscores as spaces: "The status position field...". */
export function attributeName(field: string): string {
  return field.replace(/_/g, ' ');
}

/** "The name field is required. (and 1 more error)" */
export function laravelMessage(errors: FieldErrors): string {
  const all = Object.values(errors).flat();
  const first = all[0] ?? 'The given data was invalid.';
  const more = all.length - 1;
  return more === 0 ? first : `${first} (and ${more} more ${more === 1 ? 'error' : 'errors'})`;
}

export function validationFailed(c: SandboxContext, errors: FieldErrors): Response {
  return c.json({ message: laravelMessage(errors), errors }, 422);
}

export function modelNotFound(c: SandboxContext, model: string, uuid: string): Response {
  return c.json({ message: `No query results for model [App\\Models\\${model}] ${uuid}` }, 404);
}

/**
 * The request's JSON object body, or a 400 Response. An empty body counts as `{}` (then the
 * validator reports required fields, as Laravel does).
 */
export async function readJsonObject(c: SandboxContext): Promise<Record<string, unknown> | Response> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return c.json({ message: 'Malformed JSON in request body.' }, 400);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return c.json({ message: 'The request body must be a JSON object.' }, 400);
  }
  return parsed as Record<string, unknown>;
}

/** `filter[x]=a,b` query parameters as x → values; unknown filters are a 400 (as Spatie's query builder). */
export function readFilters(
  c: SandboxContext,
  allowed: readonly string[],
): Map<string, string[]> | Response {
  const filters = new Map<string, string[]>();
  const unknown: string[] = [];
  for (const [key, values] of Object.entries(c.req.queries())) {
    const match = /^filter\[(.+)\]$/.exec(key);
    if (match?.[1] === undefined) continue;
    const name = match[1];
    if (!allowed.includes(name)) {
      unknown.push(name);
      continue;
    }
    const parts = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
    filters.set(name, parts);
  }
  if (unknown.length > 0) {
    return c.json(
      {
        message: `Requested filter(s) \`${unknown.join(', ')}\` are not allowed. Allowed filter(s) are \`${allowed.join(', ')}\`.`,
      },
      400,
    );
  }
  return filters;
}

/**
 * `sort=-updated_at,name` applied stably (ties keep database order), or a 400 for unknown
 * sorts. Without a sort the items are returned as given, not copied (a page of a large list).
 */
export function applySort<T extends Record<string, unknown>>(
  c: SandboxContext,
  items: readonly T[],
  allowed: readonly string[],
): readonly T[] | Response {
  const raw = c.req.query('sort');
  if (raw === undefined || raw.trim() === '') return items;
  const keys = raw.split(',').map((k) => k.trim()).filter((k) => k !== '');
  const bad = keys.filter((k) => !allowed.includes(k.replace(/^-/, '')));
  if (bad.length > 0) {
    return c.json(
      { message: `Requested sort(s) \`${bad.join(', ')}\` is not allowed. Allowed sort(s) are \`${allowed.join(', ')}\`.` },
      400,
    );
  }
  const compareOne = (key: string) => (a: T, b: T): number => {
    const descending = key.startsWith('-');
    const field = key.replace(/^-/, '');
    const result = compareValues(a[field], b[field], field.endsWith('_at'));
    return descending ? -result : result;
  };
  const comparators = keys.map(compareOne);
  return [...items].sort((a, b) => {
    for (const compare of comparators) {
      const r = compare(a, b);
      if (r !== 0) return r;
    }
    return 0;
  });
}

function compareValues(a: unknown, b: unknown, asTimestamps: boolean): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (asTimestamps && typeof a === 'string' && typeof b === 'string') {
    return Date.parse(a) - Date.parse(b);
  }
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

export const DEFAULT_PER_PAGE = 15;
export const MAX_PER_PAGE = 500;

/**
 * Laravel's length-aware paginator body: `{data, links, meta}` with absolute URLs that keep
 * the request's other query parameters. per_page above 500 is capped at 500.
 */
export function paginate<T>(
  c: SandboxContext,
  items: readonly T[],
  render: (item: T) => unknown,
): Response {
  const errors: FieldErrors = {};
  const perPage = readPositiveInt(c.req.query('per_page'), DEFAULT_PER_PAGE);
  const page = readPositiveInt(c.req.query('page'), 1);
  if (perPage === undefined) addError(errors, 'per_page', 'The per page field must be an integer at least 1.');
  if (page === undefined) addError(errors, 'page', 'The page field must be an integer at least 1.');
  if (perPage === undefined || page === undefined) return validationFailed(c, errors);
  const size = Math.min(perPage, MAX_PER_PAGE);
  const total = items.length;
  const lastPage = Math.max(1, Math.ceil(total / size));
  const start = (page - 1) * size;
  const slice = items.slice(start, start + size);
  const url = new URL(c.req.url);
  const path = `${url.origin}${url.pathname}`;
  const pageUrl = (n: number): string => {
    const next = new URL(url);
    next.searchParams.set('page', String(n));
    return next.toString();
  };
  return c.json({
    data: slice.map(render),
    links: {
      first: pageUrl(1),
      last: pageUrl(lastPage),
      prev: page > 1 ? pageUrl(Math.min(page - 1, lastPage)) : null,
      next: page < lastPage ? pageUrl(page + 1) : null,
    },
    meta: {
      current_page: page,
      last_page: lastPage,
      per_page: size,
      total,
      from: slice.length > 0 ? start + 1 : null,
      to: slice.length > 0 ? start + slice.length : null,
      path,
    },
  });
}

/** undefined when present but not a positive integer. */
export function readPositiveInt(raw: string | undefined, fallback: number): number | undefined {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= 1 ? n : undefined;
}

/** Records of a map in database (insertion) order. */
export function valuesOf<T>(records: Record<string, T>): T[] {
  return Object.values(records);
}
