/**
 * What a run leaves for the people who sign it off, gathered as it happens in bounded memory:
 * the outcome digest (outcome-digest.ts), counts by status, errors by column and by reason
 * with their first examples, the slowest and most-retried rows, and requests over time.
 *
 * Requests are tied to rows by the async context: `forRow(row, task)` runs a row's work in an
 * AsyncLocalStorage context, and the pool's onRequest hook (called in the caller's context)
 * finds the row there. A row's figures are dropped once its outcome arrives, so only rows in
 * flight are held.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestSample } from '../api/pool.js';
import { WHOLE_ROW, type RowOutcome } from '../outcome/row-outcome.js';
import type { CellValue } from '../io/rows.js';
import { createOutcomeDigest } from './outcome-digest.js';
import { createTimeline, type TimelineSnapshot } from './timeline.js';

/** Distinct reasons kept; later ones count under OTHER_REASONS. */
export const MAX_REASONS = 100;
export const EXAMPLES_PER_REASON = 3;
/** Rows kept in the slowest and most-retried lists. */
export const TOP_ROWS = 10;
export const OTHER_REASONS = '(other reasons)';
const MAX_VALUE_CHARS = 200;

export interface ErrorExample {
  readonly row: number;
  readonly column: string;
  /** The cell as read (as text, cut to 200 characters); '' when the error is about the whole row. */
  readonly value: string;
  readonly message: string;
}

export interface ReasonCount {
  readonly reason: string;
  readonly count: number;
  readonly examples: readonly ErrorExample[];
}

export interface RowTiming {
  readonly row: number;
  readonly status: string;
  readonly message: string;
  /** HTTP attempts made for the row (reads included). */
  readonly requests: number;
  /** Attempts that were re-sends of an earlier attempt (after a 5xx, a network error or a 429). */
  readonly retries: number;
  readonly rateLimited: number;
  /** From its first attempt leaving to its last answer, waits between retries included. */
  readonly spanMs: number;
}

export interface RunRecord {
  readonly digest: { readonly hex: string; readonly rows: number };
  readonly statusCounts: Readonly<Record<string, number>>;
  /** Most first. */
  readonly errorsByColumn: ReadonlyArray<{ readonly column: string; readonly count: number }>;
  /** Most first. */
  readonly errorsByReason: readonly ReasonCount[];
  readonly slowest: readonly RowTiming[];
  readonly mostRetried: readonly RowTiming[];
  readonly timeline: TimelineSnapshot;
}

export interface RunRecorder {
  /** For the pool's onRequest option. */
  readonly onRequest: (sample: RequestSample) => void;
  /** Runs a row's work so that its requests are counted against it. */
  forRow<T>(row: number, task: () => Promise<T>): Promise<T>;
  /** Every row's outcome, in source-row order (the order the report gets them). */
  add(outcome: RowOutcome): void;
  snapshot(): RunRecord;
}

interface RowRequests {
  requests: number;
  retries: number;
  rateLimited: number;
  firstAt: number;
  lastAt: number;
}

/**
 * Groups messages that differ only in the value quoted or the figures in them:
 * `"07700 9001" is not a valid phone number` and `"0161 1" is not...` are one reason.
 */
export function reasonOf(message: string): string {
  const general = message
    .replace(/"[^"]*"|“[^”]*”|‘[^’]*’|'[^']*'/g, '"…"')
    .replace(/\b(rows?) \d+(?:(?:, | and )\d+)*/g, '$1 n')
    .replace(/\d{4,}/g, 'n');
  return general.length > 160 ? `${general.slice(0, 159)}…` : general;
}

function cellText(value: CellValue | undefined): string {
  if (value === undefined || value === null) return '';
  const text = value instanceof Date ? value.toISOString() : String(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

/** The errors a row's outcome stands for: one per problem cell, or one for the whole row. */
function errorsOf(outcome: RowOutcome): ErrorExample[] {
  if (outcome.status !== 'invalid' && outcome.status !== 'failed' && outcome.status !== 'unknown') return [];
  const row = outcome.position.row;
  if (outcome.problems.length > 0) {
    return outcome.problems.map((p) => ({ row, column: p.column, value: p.columnIndex >= 0 ? cellText(outcome.original[p.columnIndex]) : '', message: p.message }));
  }
  const message = outcome.message || (outcome.httpStatus !== undefined ? `HTTP ${outcome.httpStatus}` : outcome.status);
  return [{ row, column: WHOLE_ROW, value: '', message }];
}

/** Keeps the `size` greatest by `score`, greatest first. */
function topList<T>(size: number, score: (item: T) => number): { offer(item: T): void; readonly items: T[] } {
  const items: T[] = [];
  return {
    items,
    offer(item) {
      const s = score(item);
      if (items.length === size && s <= score(items[size - 1] as T)) return;
      let at = items.findIndex((other) => score(other) < s);
      if (at < 0) at = items.length;
      items.splice(at, 0, item);
      if (items.length > size) items.pop();
    },
  };
}

export function createRunRecorder(startedAt: number): RunRecorder {
  const context = new AsyncLocalStorage<RowRequests>();
  const perRow = new Map<number, RowRequests>();
  const digest = createOutcomeDigest();
  const timeline = createTimeline(startedAt);
  const statusCounts: Record<string, number> = {};
  const byColumn = new Map<string, number>();
  const byReason = new Map<string, { count: number; examples: ErrorExample[] }>();
  const slowest = topList<RowTiming>(TOP_ROWS, (t) => t.spanMs);
  const mostRetried = topList<RowTiming>(TOP_ROWS, (t) => t.retries * 1e6 + t.rateLimited * 1e3 + Math.min(t.spanMs / 1e3, 999));

  function countError(error: ErrorExample): void {
    byColumn.set(error.column, (byColumn.get(error.column) ?? 0) + 1);
    let reason = reasonOf(error.message);
    if (!byReason.has(reason) && byReason.size >= MAX_REASONS) reason = OTHER_REASONS;
    const entry = byReason.get(reason) ?? { count: 0, examples: [] };
    entry.count += 1;
    if (entry.examples.length < EXAMPLES_PER_REASON) entry.examples.push(error);
    byReason.set(reason, entry);
  }

  return {
    onRequest(sample) {
      timeline.add(sample);
      const row = context.getStore();
      if (row === undefined) return;
      const endedAt = sample.startedAt + sample.durationMs;
      row.requests += 1;
      if (sample.attempt > 1) row.retries += 1;
      if (sample.status === 429) row.rateLimited += 1;
      row.firstAt = Math.min(row.firstAt, sample.startedAt);
      row.lastAt = Math.max(row.lastAt, endedAt);
    },
    forRow(row, task) {
      const figures: RowRequests = { requests: 0, retries: 0, rateLimited: 0, firstAt: Infinity, lastAt: -Infinity };
      perRow.set(row, figures);
      return context.run(figures, task);
    },
    add(outcome) {
      const row = outcome.position.row;
      digest.add({ row, status: outcome.status, action: outcome.action, key: outcome.key });
      statusCounts[outcome.status] = (statusCounts[outcome.status] ?? 0) + 1;
      for (const error of errorsOf(outcome)) countError(error);
      const figures = perRow.get(row);
      perRow.delete(row);
      if (figures === undefined || figures.requests === 0) return;
      const timing: RowTiming = {
        row,
        status: outcome.status,
        message: outcome.message,
        requests: figures.requests,
        retries: figures.retries,
        rateLimited: figures.rateLimited,
        spanMs: figures.lastAt - figures.firstAt,
      };
      slowest.offer(timing);
      if (timing.retries > 0 || timing.rateLimited > 0) mostRetried.offer(timing);
    },
    snapshot: () => ({
      digest: { hex: digest.hex(), rows: digest.rows },
      statusCounts: { ...statusCounts },
      errorsByColumn: [...byColumn].map(([column, count]) => ({ column, count })).sort((a, b) => b.count - a.count),
      errorsByReason: [...byReason]
        .map(([reason, { count, examples }]) => ({ reason, count, examples: [...examples] }))
        .sort((a, b) => b.count - a.count),
      slowest: [...slowest.items],
      mostRetried: [...mostRetried.items],
      timeline: timeline.snapshot(),
    }),
  };
}
