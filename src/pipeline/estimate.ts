/**
 * What an import will do and cost, said before its first write: rows to create, update and
 * skip, the requests including the reads (a before-image read for every update, name lookups,
 * the credential check), and how long that takes at the rate limit.
 *
 * `countPlannedRows` goes over the checked rows once (no request); `estimateRun` is pure, from
 * those counts and the pool's rate. Reads of records the API can filter by many uuids at once
 * (`filter[uuid]=a,b,…`, Plannr's lists) are merged by the record reader (lookup.ts) when they
 * arrive together, up to RECORDS_PER_READ a request; how many arrive together depends on timing,
 * so the estimate gives the most (one read per update) and the fewest (fully merged). An entity
 * whose records are read by path (MPDX) reads one record per request: its least equals its most.
 */
import type { Entity } from '../entities/entity.js';
import { isUuidText, type ReferenceKind, type ReferenceType } from '../entities/field-types.js';
import type { SourceRow } from '../io/rows.js';
import type { RowCheck } from './check/check-row.js';
import type { JournalState } from './journal.js';
import { RECORDS_PER_READ } from './lookup.js';

/** What the rows of a file come to before anything is sent. */
export interface PlannedRows {
  readonly rows: number;
  readonly creates: number;
  readonly updates: number;
  /** Invalid rows (never sent). */
  readonly invalid: number;
  /** Rows an earlier run of the journal finished (`--resume` does not send them again). */
  readonly done: number;
  /** Rows a plan found unchanged or in conflict: not written (a conflict's record is read, and counted as a read). */
  readonly heldBack?: number | undefined;
  /** Requests the name lookups take at least (distinct emails, the staff list, the case list's first page). */
  readonly nameLookups: number;
  /** Whether the entity's records are read many to a request (filter[uuid]=a,b,…). */
  readonly readsBatch: boolean;
}

export interface RunEstimate extends PlannedRows {
  /** Writes: one per create and update. */
  readonly writes: number;
  /** Before-image reads at most (one per update) and at least (merged RECORDS_PER_READ to a request). */
  readonly reads: { readonly most: number; readonly least: number };
  /** Every request the run makes at most, and at least (reads merged), including the credential check. */
  readonly requests: { readonly most: number; readonly least: number };
  /** Requests per row to be sent, at most (the ratio the issue asks to be said). */
  readonly ratio: number;
  /** Requests per minute the run is held to; 0 = unlimited. */
  readonly ratePerMinute: number;
  /** Seconds the most requests take at the rate limit (0 when unlimited). */
  readonly seconds: number;
}

/** A run making more writes than this is asked about on a terminal before it starts (the CLI's --yes skips the question). */
export const LARGE_RUN_WRITES = 1000;

/** The credential check import makes before anything else. */
const CREDENTIAL_CHECK = 1;

/** Whether the record reader (lookup.ts) can merge this entity's reads into one list request. */
export function readsBatchFor(entity: Entity, sampleUpdate: Readonly<Record<string, unknown>>): boolean {
  const request = entity.recordRequest(sampleUpdate);
  const uuid = request.query?.['filter[uuid]'];
  return request.pick === 'data.0' && uuid !== undefined && uuid !== '' && !uuid.includes(',');
}

/** Reference values that are names or emails, not uuids: each is looked up once per run. */
function namesOf(entity: Entity, values: Readonly<Record<string, unknown>>, into: Map<ReferenceKind, Set<string>>): void {
  for (const column of entity.columns) {
    const refersTo = (column.type as Partial<ReferenceType<unknown>>).refersTo;
    if (refersTo === undefined) continue;
    const value = values[column.field];
    for (const one of Array.isArray(value) ? value : [value]) {
      if (typeof one !== 'string' || one === '') continue;
      const name = one.trim().toLowerCase();
      if (isUuidText(one)) continue;
      let seen = into.get(refersTo);
      if (seen === undefined) into.set(refersTo, (seen = new Set()));
      seen.add(name);
    }
  }
}

/** Requests the lookups of these names take at least (names.ts: one per email, the staff list once, the case list once). */
export function lookupRequests(names: ReadonlyMap<ReferenceKind, ReadonlySet<string>>): number {
  const emails = names.get('account')?.size ?? 0;
  const staff = emails > 0 || (names.get('employee')?.size ?? 0) > 0 ? 1 : 0;
  const caseList = (names.get('case-status')?.size ?? 0) + (names.get('case-type')?.size ?? 0) > 0 ? 1 : 0;
  return emails + staff + caseList;
}

/** One pass over the checked rows: no request is made. */
export async function countPlannedRows(
  entity: Entity,
  rows: AsyncIterable<SourceRow>,
  check: (row: SourceRow) => RowCheck,
  previous: Pick<JournalState, 'done'>,
): Promise<PlannedRows> {
  let total = 0;
  let creates = 0;
  let updates = 0;
  let invalid = 0;
  let done = 0;
  let readsBatch: boolean | undefined;
  const names = new Map<ReferenceKind, Set<string>>();
  for await (const row of rows) {
    total++;
    const checked = check(row);
    if (checked.problems.length > 0) {
      invalid++;
      continue;
    }
    const earlier = previous.done.get(row.position.row);
    if (earlier !== undefined && earlier.retry !== true) {
      done++;
      continue;
    }
    namesOf(entity, checked.values, names);
    if (checked.action === 'update') {
      updates++;
      readsBatch ??= readsBatchFor(entity, checked.values);
    } else creates++;
  }
  return { rows: total, creates, updates, invalid, done, nameLookups: lookupRequests(names), readsBatch: readsBatch ?? false };
}

export function estimateRun(planned: PlannedRows, ratePerMinute: number): RunEstimate {
  const writes = planned.creates + planned.updates;
  const most = planned.updates + (planned.heldBack ?? 0);
  const least = planned.readsBatch ? Math.ceil(planned.updates / RECORDS_PER_READ) : planned.updates;
  // (held-back rows: an unchanged row of an export is skipped without a read, a conflict is read: at most one each)
  const fixed = CREDENTIAL_CHECK + planned.nameLookups;
  const requests = { most: fixed + writes + most, least: fixed + writes + least };
  return {
    ...planned,
    writes,
    reads: { most, least },
    requests,
    ratio: writes === 0 ? 0 : Math.round(((writes + most) / writes) * 100) / 100,
    ratePerMinute,
    seconds: ratePerMinute > 0 ? Math.ceil((requests.most / ratePerMinute) * 60) : 0,
  };
}

const number = (n: number): string => n.toLocaleString('en-GB');

/** "3 min 41 s", "45 s", "2 h 5 min". */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** The estimate in a few lines, for the terminal. */
export function estimateLines(estimate: RunEstimate): string[] {
  const { reads, requests } = estimate;
  const skip = estimate.invalid + estimate.done + (estimate.heldBack ?? 0);
  const lines = [
    `estimate: ${number(estimate.creates)} to create, ${number(estimate.updates)} to update, ${number(skip)} to skip` +
      ` (${number(estimate.invalid)} invalid${estimate.done > 0 ? `, ${number(estimate.done)} done in an earlier run` : ''}` +
      `${estimate.heldBack ? `, ${number(estimate.heldBack)} unchanged or in conflict` : ''})`,
  ];
  const merging = requests.least < requests.most;
  const speed = estimate.ratePerMinute > 0 ? `, ${merging ? 'at most ' : ''}about ${duration(estimate.seconds)} at ${number(estimate.ratePerMinute)}/min` : ' (no rate limit)';
  // Reads merge as they arrive together: in practice the count lands near the lower figure.
  lines.push(merging ? `${number(requests.least)} to ${number(requests.most)} requests${speed}` : `${number(requests.most)} requests${speed}`);
  const parts = [`${number(estimate.writes)} writes`];
  if (reads.most > 0) {
    parts.push(
      estimate.readsBatch
        ? `up to ${number(reads.most)} before-image reads (one per update${estimate.heldBack ? ' or conflict' : ''}; read up to ${RECORDS_PER_READ} at a time with filter[uuid]=a,b,… when they arrive together)`
        : `${number(reads.most)} before-image reads (one per update; this API reads a record by its path, one a request)`,
    );
  }
  if (estimate.nameLookups > 0) parts.push(`at least ${number(estimate.nameLookups)} name lookups`);
  parts.push('1 credential check');
  lines.push(`  ${parts.join(', ')}`);
  if (estimate.writes > 0) lines.push(`  ${estimate.ratio} requests per row sent, at most (writes plus their reads)`);
  return lines;
}
