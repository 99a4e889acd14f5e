/**
 * Requests over time for the HTML report, in bounded memory: attempts are counted into
 * fixed-width time buckets; when a run outlasts MAX_BUCKETS buckets, neighbours are merged
 * pairwise and the width doubles, so a 10-hour run keeps at most MAX_BUCKETS buckets too.
 */
import type { RequestSample } from '../api/pool.js';

export const MAX_BUCKETS = 240;

export interface TimelineBucket {
  /** Attempts that ended in this bucket. */
  requests: number;
  /** Answered 429 Too Many Requests. */
  rateLimited: number;
  /** Answered 5xx. */
  serverErrors: number;
  /** No answer (network error, timeout). */
  networkErrors: number;
}

export interface TimelineSnapshot {
  /** Epoch ms of the start of bucket 0. */
  readonly startedAt: number;
  readonly bucketMs: number;
  readonly buckets: readonly Readonly<TimelineBucket>[];
}

export interface Timeline {
  add(sample: RequestSample): void;
  snapshot(): TimelineSnapshot;
}

function emptyBucket(): TimelineBucket {
  return { requests: 0, rateLimited: 0, serverErrors: 0, networkErrors: 0 };
}

function merged(a: TimelineBucket, b: TimelineBucket | undefined): TimelineBucket {
  if (b === undefined) return a;
  return {
    requests: a.requests + b.requests,
    rateLimited: a.rateLimited + b.rateLimited,
    serverErrors: a.serverErrors + b.serverErrors,
    networkErrors: a.networkErrors + b.networkErrors,
  };
}

export function createTimeline(startedAt: number, initialBucketMs = 1000): Timeline {
  let bucketMs = initialBucketMs;
  let buckets: TimelineBucket[] = [];
  return {
    add(sample) {
      const endedAt = sample.startedAt + sample.durationMs;
      let index = Math.max(0, Math.floor((endedAt - startedAt) / bucketMs));
      while (index >= MAX_BUCKETS) {
        const halved: TimelineBucket[] = [];
        for (let i = 0; i < buckets.length; i += 2) halved.push(merged(buckets[i] ?? emptyBucket(), buckets[i + 1]));
        buckets = halved;
        bucketMs *= 2;
        index = Math.floor((endedAt - startedAt) / bucketMs);
      }
      while (buckets.length <= index) buckets.push(emptyBucket());
      const bucket = buckets[index] as TimelineBucket;
      bucket.requests += 1;
      if (sample.status === undefined) bucket.networkErrors += 1;
      else if (sample.status === 429) bucket.rateLimited += 1;
      else if (sample.status >= 500) bucket.serverErrors += 1;
    },
    snapshot: () => ({ startedAt, bucketMs, buckets: buckets.map((b) => ({ ...b })) }),
  };
}
