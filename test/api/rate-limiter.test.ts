/**
 * The limiter's decisions, on a fake clock: when each taker is let through. No wall-clock
 * durations (they flake on a loaded machine); fake time is exact.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRateLimiter, defaultBurst } from '../../src/api/rate-limiter.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Starts `n` takers at once and returns the fake time at which each was let through. */
function grantTimes(take: () => Promise<void>, n: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < n; i++) void take().then(() => times.push(Date.now()));
  return times;
}

describe('createRateLimiter', () => {
  it('lets a burst through at once, then spaces takers at the refill rate', async () => {
    // 1200/min with burst 2: refill (1200 − 2)/min, one token per 60000/1198 ≈ 50.08 ms.
    const limiter = createRateLimiter({ perMinute: 1200, burst: 2 });
    const times = grantTimes(() => limiter.take(), 12);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(times).toHaveLength(12);
    const interval = 60_000 / 1198;
    times.forEach((at, k) => {
      // The k-th taker (0-based) goes after (k + 1 − burst) refills, within the timer's 1 ms.
      const due = Math.max(0, (k + 1 - 2) * interval);
      expect(at).toBeGreaterThanOrEqual(Math.floor(due) - 1);
      expect(at).toBeLessThanOrEqual(Math.ceil(due) + 1);
    });
  });

  it('never lets more than perMinute through in a minute, counting the burst', async () => {
    const limiter = createRateLimiter({ perMinute: 500 });
    expect(defaultBurst(500)).toBe(8);
    let granted = 0;
    for (let i = 0; i < 1200; i++) void limiter.take().then(() => (granted += 1));
    await vi.advanceTimersByTimeAsync(59_999);
    expect(granted).toBeLessThanOrEqual(500);
    expect(granted).toBeGreaterThanOrEqual(495);
    // The second minute: refill only, so again at most 500 in any 60 s.
    const afterFirstMinute = granted;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(granted - afterFirstMinute).toBeLessThanOrEqual(500);
  });

  it('serves waiters in arrival order', async () => {
    const limiter = createRateLimiter({ perMinute: 6000, burst: 1 });
    const order: number[] = [];
    for (let i = 0; i < 8; i++) void limiter.take().then(() => order.push(i));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('is unlimited at perMinute 0, yet still pauses', async () => {
    const limiter = createRateLimiter({ perMinute: 0 });
    const times = grantTimes(() => limiter.take(), 1000);
    await vi.advanceTimersByTimeAsync(0);
    expect(times).toHaveLength(1000);
    expect(new Set(times)).toEqual(new Set([0]));
    limiter.pauseFor(120);
    const after = grantTimes(() => limiter.take(), 1);
    await vi.advanceTimersByTimeAsync(119);
    expect(after).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(after).toEqual([120]);
    expect(limiter.pausedMs()).toBe(120);
  });

  it('pauses every taker, and a shorter pause never shortens a longer one', async () => {
    const limiter = createRateLimiter({ perMinute: 60_000, burst: 100 });
    limiter.pauseFor(150);
    limiter.pauseFor(10);
    const times = grantTimes(() => limiter.take(), 5);
    await vi.advanceTimersByTimeAsync(500);
    expect(times).toEqual([150, 150, 150, 150, 150]);
    expect(limiter.pausedMs()).toBe(150);
  });

  it('drops an aborted waiter without stalling those behind it', async () => {
    // 600/min, burst 1: refill 599/min, one token per 60000/599 ≈ 100.2 ms.
    const limiter = createRateLimiter({ perMinute: 600, burst: 1 });
    await limiter.take();
    const controller = new AbortController();
    const abandoned = limiter.take(controller.signal);
    const next = grantTimes(() => limiter.take(), 1);
    controller.abort();
    await expect(abandoned).rejects.toThrow();
    await vi.advanceTimersByTimeAsync(300);
    // The abandoned waiter's slot passed to the next one: one interval, not two.
    expect(next).toEqual([Math.ceil(60_000 / 599)]);
    expect(limiter.waiting()).toBe(0);
  });

  it('caps the rate (even when unlimited) and lifts the cap', async () => {
    const limiter = createRateLimiter({ perMinute: 0 });
    limiter.cap(600); // one per 100 ms, no burst
    const capped = grantTimes(() => limiter.take(), 3);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(capped).toEqual([0, 100, 200]);
    limiter.cap(undefined);
    const free = grantTimes(() => limiter.take(), 50);
    await vi.advanceTimersByTimeAsync(0);
    expect(free).toHaveLength(50);
    expect(new Set(free)).toEqual(new Set([Date.now()]));
  });

  it('slows down by a factor and back', async () => {
    const limiter = createRateLimiter({ perMinute: 6000, burst: 1 }); // one per 10 ms
    await limiter.take();
    limiter.slowDown(10); // 600/min: one per 100 ms
    const slow = grantTimes(() => limiter.take(), 1);
    await vi.advanceTimersByTimeAsync(500);
    expect(slow).toEqual([100]);
    limiter.slowDown(1);
    const start = Date.now();
    const fast = grantTimes(() => limiter.take(), 1);
    await vi.advanceTimersByTimeAsync(500);
    expect((fast[0] ?? Infinity) - start).toBeLessThanOrEqual(10);
  });
});
