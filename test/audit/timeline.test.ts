import { describe, expect, it } from 'vitest';
import { createTimeline, MAX_BUCKETS } from '../../src/audit/timeline.js';

const T0 = 1_000_000;

describe('the request timeline', () => {
  it('counts each attempt in the second it ended, with 429s, 5xx and network errors apart', () => {
    const timeline = createTimeline(T0);
    timeline.add({ startedAt: T0 + 100, durationMs: 50, status: 200, attempt: 1 });
    timeline.add({ startedAt: T0 + 900, durationMs: 200, status: 429, attempt: 1 });
    timeline.add({ startedAt: T0 + 1500, durationMs: 10, status: 503, attempt: 2 });
    timeline.add({ startedAt: T0 + 2500, durationMs: 10, status: undefined, attempt: 1 });
    const { bucketMs, buckets } = timeline.snapshot();
    expect(bucketMs).toBe(1000);
    expect(buckets).toEqual([
      { requests: 1, rateLimited: 0, serverErrors: 0, networkErrors: 0 },
      { requests: 2, rateLimited: 1, serverErrors: 1, networkErrors: 0 },
      { requests: 1, rateLimited: 0, serverErrors: 0, networkErrors: 1 },
    ]);
  });

  it(`keeps at most ${MAX_BUCKETS} buckets however long the run, widening them and keeping every count`, () => {
    const timeline = createTimeline(T0);
    const seconds = 10 * 3600;
    for (let s = 0; s < seconds; s += 7) timeline.add({ startedAt: T0 + s * 1000, durationMs: 0, status: s % 70 === 0 ? 429 : 200, attempt: 1 });
    const { bucketMs, buckets } = timeline.snapshot();
    expect(buckets.length).toBeLessThanOrEqual(MAX_BUCKETS);
    expect(bucketMs * buckets.length).toBeGreaterThanOrEqual(seconds * 1000 - bucketMs);
    expect(buckets.reduce((n, b) => n + b.requests, 0)).toBe(Math.ceil(seconds / 7));
    expect(buckets.reduce((n, b) => n + b.rateLimited, 0)).toBe(Math.ceil(seconds / 70));
  });
});
