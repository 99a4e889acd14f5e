import { describe, expect, it } from 'vitest';
import type { DispatchPool } from '../../../src/api/pool.js';
import type { SourceRow } from '../../../src/io/rows.js';
import type { RowOutcome } from '../../../src/outcome/row-outcome.js';
import type { RowCheck } from '../../../src/pipeline/check/check-row.js';
import type { InFlightRow, JournalDone, JournalState } from '../../../src/pipeline/journal.js';
import type { NameResolver } from '../../../src/pipeline/send/names.js';
import type { Prepared, RoundTrip } from '../../../src/pipeline/round-trip-import.js';
import type { SendContext } from '../../../src/pipeline/send-row.js';
import { sendRows, type SendRowsConfig } from '../../../src/pipeline/send/send-rows.js';

const FILE = 'cases.csv';
/** Data rows start on line 2, below the header. */
const rowOf = (line: number, name = `Case ${line}`): SourceRow => ({ position: { file: FILE, row: line }, cells: [name] });
const checkOf = (row: SourceRow): RowCheck => {
  const name = String(row.cells[0] ?? '');
  const problems = name === '' ? [{ columnIndex: 0, column: 'Case Name', message: 'is required' }] : [];
  return { key: '', action: 'create', values: { name }, display: { name }, problems };
};
async function* rowsOf(lines: readonly number[], nameOf: (line: number) => string = (line) => `Case ${line}`): AsyncGenerator<SourceRow> {
  for (const line of lines) yield rowOf(line, nameOf(line));
}
const emptyJournal = (overrides: Partial<JournalState> = {}): JournalState => ({ done: new Map(), inFlight: new Map(), befores: new Map(), claimed: new Map(), ...overrides });

interface Harness {
  /** Lines whose row reached the round-trip step (so would have been sent), in the order they got there. */
  readonly prepared: number[];
  readonly outcomes: RowOutcome[];
  /** Most row tasks in flight at once. */
  readonly mostInFlight: () => number;
}

/**
 * sendRows with the API side faked: names resolve as they are, and the round-trip step ends
 * every row it is given as sent after `delayOf(line)` ms, so no request leaves the test.
 */
function harness(options: { stopped?: () => ReturnType<DispatchPool['stopped']>; delayOf?: (line: number) => number; beforePrepare?: (line: number) => void } = {}) {
  const prepared: number[] = [];
  const outcomes: RowOutcome[] = [];
  let inFlight = 0;
  let most = 0;
  const pool = { stopped: options.stopped ?? (() => undefined) } as unknown as DispatchPool;
  const names: NameResolver = { resolveNames: async (check) => check, labelOf: () => undefined };
  const roundTrip: RoundTrip = {
    meta: undefined,
    unchanged: 0,
    async prepare(row, check): Promise<Prepared> {
      inFlight++;
      most = Math.max(most, inFlight);
      prepared.push(row.position.row);
      options.beforePrepare?.(row.position.row);
      await new Promise((resolve) => setTimeout(resolve, options.delayOf?.(row.position.row) ?? 0));
      inFlight--;
      return { kind: 'done', outcome: { position: row.position, key: check.key, action: check.action, status: 'sent', message: '', original: row.cells, normalised: check.display, problems: [] } };
    },
  };
  const config = (rows: AsyncIterable<SourceRow>, previous: JournalState, extra: Partial<SendRowsConfig> = {}): SendRowsConfig => ({
    rows,
    check: checkOf,
    previous,
    pool,
    task: { send: { pool } as unknown as SendContext, names, roundTrip },
    maxPending: 4,
    onOutcome: async (outcome) => {
      outcomes.push(outcome);
    },
    ...extra,
  });
  const h: Harness = { prepared, outcomes, mostInFlight: () => most };
  return { h, config };
}

describe('sendRows: every row of the file settled once, in file order', () => {
  it('outcomes come in file order though rows finish out of order, with no more rows in flight than allowed', async () => {
    const lines = Array.from({ length: 12 }, (_, i) => i + 2);
    const { h, config } = harness({ delayOf: (line) => (line % 3) * 15 });
    const result = await sendRows(config(rowsOf(lines), emptyJournal()));
    expect(result).toEqual({ read: 12, interrupted: false });
    expect(h.outcomes.map((o) => o.position.row)).toEqual(lines);
    expect(h.outcomes.every((o) => o.status === 'sent')).toBe(true);
    expect(h.mostInFlight()).toBeLessThanOrEqual(4);
  });

  it('an invalid row and a second row for the same record are not sent', async () => {
    const { h, config } = harness();
    const keyed = (row: SourceRow): RowCheck => ({ ...checkOf(row), key: row.position.row === 3 ? '' : 'same-uuid', action: 'update' });
    await sendRows({ ...config(rowsOf([2, 3, 4], (line) => (line === 3 ? '' : `Case ${line}`)), emptyJournal()), check: keyed });
    expect(h.prepared).toEqual([2]);
    expect(h.outcomes.map((o) => [o.position.row, o.status])).toEqual([[2, 'sent'], [3, 'invalid'], [4, 'invalid']]);
    expect(h.outcomes[2]!.message).toContain('also on row 2');
  });

  it('a row an earlier run finished is not sent again; one it may have to retry is', async () => {
    const done = new Map<number, JournalDone>([
      [2, { t: 'done', row: 2, status: 'sent', action: 'create', key: 'uuid-2', msg: '', http: 201 }],
      [3, { t: 'done', row: 3, status: 'failed', action: 'create', key: '', msg: 'HTTP 503', retry: true }],
    ]);
    const { h, config } = harness();
    await sendRows(config(rowsOf([2, 3, 4]), emptyJournal({ done })));
    expect(h.prepared).toEqual([3, 4]);
    expect(h.outcomes[0]).toMatchObject({ status: 'sent', key: 'uuid-2', httpStatus: 201 });
    expect(h.outcomes[0]!.message).toContain('in an earlier run');
  });

  it('once the API refuses the token nothing more is sent; a row whose earlier attempt is unconfirmed stays unknown', async () => {
    let refused = false;
    const inFlight = new Map<number, InFlightRow>([[4, { method: 'POST', at: '2026-01-01T00:00:00Z' }]]);
    const { h, config } = harness({ stopped: () => (refused ? { status: 401, message: 'Unauthenticated.' } : undefined), beforePrepare: () => (refused = true) });
    await sendRows({ ...config(rowsOf([2, 3, 4]), emptyJournal({ inFlight })), maxPending: 1 });
    expect(h.prepared).toEqual([2]);
    expect(h.outcomes.map((o) => [o.position.row, o.status, o.retry])).toEqual([[2, 'sent', undefined], [3, 'failed', true], [4, 'unknown', undefined]]);
  });

  it('an interrupted run sends no more rows and marks the rest for --resume', async () => {
    const stop = new AbortController();
    const { h, config } = harness({ beforePrepare: () => stop.abort() });
    const result = await sendRows({ ...config(rowsOf([2, 3, 4]), emptyJournal()), signal: stop.signal, maxPending: 1 });
    expect(result.interrupted).toBe(true);
    expect(h.prepared).toEqual([2]);
    expect(h.outcomes.slice(1).map((o) => [o.status, o.retry])).toEqual([['skipped', true], ['skipped', true]]);
  });
});
