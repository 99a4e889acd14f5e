import { describe, expect, it } from 'vitest';
import { resolveApiUrl, type ApiClient, type ApiResponse } from '../../src/api/client.js';
import { createDispatchPool } from '../../src/api/pool.js';
import { createRunRecorder, EXAMPLES_PER_REASON, reasonOf } from '../../src/audit/run-record.js';
import { WHOLE_ROW, type RowOutcome } from '../../src/outcome/row-outcome.js';

function outcome(row: number, status: RowOutcome['status'], extra: Partial<RowOutcome> = {}): RowOutcome {
  return { position: { file: 'f.csv', row }, key: '', action: 'update', status, message: '', original: ['x', 'bad phone', 'y'], normalised: {}, problems: [], ...extra };
}

/** Answers from a script per path: each request to a path takes the next status. */
function scriptedClient(script: Record<string, number[]>): ApiClient {
  const baseUrl = 'http://127.0.0.1:9';
  return {
    baseUrl,
    resolveUrl: (path, query) => resolveApiUrl(baseUrl, path, query),
    send: async (request) => {
      await new Promise((r) => setTimeout(r, 1));
      const status = script[request.path]?.shift() ?? 200;
      return { status, body: {}, headers: {} } as unknown as ApiResponse;
    },
  };
}

describe('the run record', () => {
  it('counts errors by column and by reason, keeping the first examples with their source rows and cells', () => {
    const recorder = createRunRecorder(0);
    for (let row = 2; row <= 6; row++) {
      recorder.add(outcome(row, 'invalid', { problems: [{ columnIndex: 1, column: 'Mobile', message: `"0161 ${row}" is too short for a GB number` }] }));
    }
    recorder.add(outcome(7, 'failed', { message: 'the API refused it: name is required', httpStatus: 422 }));
    recorder.add(outcome(8, 'sent'));
    const record = recorder.snapshot();
    expect(record.errorsByColumn).toEqual([{ column: 'Mobile', count: 5 }, { column: WHOLE_ROW, count: 1 }]);
    expect(record.errorsByReason[0]).toEqual({
      reason: '"…" is too short for a GB number',
      count: 5,
      examples: [2, 3, 4].map((row) => ({ row, column: 'Mobile', value: 'bad phone', message: `"0161 ${row}" is too short for a GB number` })),
    });
    expect(record.errorsByReason[0]!.examples).toHaveLength(EXAMPLES_PER_REASON);
    expect(record.errorsByReason[1]).toMatchObject({ reason: 'the API refused it: name is required', count: 1, examples: [{ row: 7, column: WHOLE_ROW }] });
    expect(record.statusCounts).toEqual({ invalid: 5, failed: 1, sent: 1 });
    expect(record.digest.rows).toBe(7);
  });

  it('groups messages that differ only in a quoted value, a long number or row numbers', () => {
    expect(reasonOf('"07700 900123" is not a valid number')).toBe(reasonOf("'0161 496 0000' is not a valid number"));
    expect(reasonOf('the same key as row 12')).toBe(reasonOf('the same key as row 345'));
    expect(reasonOf('HTTP 422: invalid')).toBe('HTTP 422: invalid');
  });

  it("ties each request to the row whose work made it, through the pool's queue, counting its retries and 429s", async () => {
    const recorder = createRunRecorder(Date.now());
    const pool = createDispatchPool(scriptedClient({ '/a/2': [503, 503, 200], '/a/3': [429, 200] }), {
      concurrency: 1, ratePerMinute: 0, backoffBaseMs: 1, backoffMaxMs: 2, onRequest: recorder.onRequest,
    });
    const read = (row: number) => pool.run({ method: 'GET', path: `/a/${row}` }, { idempotent: true });
    // Concurrency 1: rows wait in the pool's queue, and still each request is counted against its own row.
    await Promise.all([2, 3, 4].map((row) => recorder.forRow(row, async () => { await read(row); await read(row); })));
    await pool.run({ method: 'GET', path: '/outside' }, { idempotent: true });
    for (const row of [2, 3, 4]) recorder.add(outcome(row, 'sent'));
    const record = recorder.snapshot();
    const byRow = new Map(record.slowest.map((t) => [t.row, t]));
    expect(byRow.get(2)).toMatchObject({ requests: 4, retries: 2, rateLimited: 0 });
    expect(byRow.get(3)).toMatchObject({ requests: 3, retries: 1, rateLimited: 1 });
    expect(byRow.get(4)).toMatchObject({ requests: 2, retries: 0, rateLimited: 0 });
    expect(record.mostRetried.map((t) => t.row)).toEqual([2, 3]);
    expect(record.timeline.buckets.reduce((n, b) => n + b.requests, 0)).toBe(10);
    expect(record.timeline.buckets.reduce((n, b) => n + b.serverErrors, 0)).toBe(2);
  });
});
