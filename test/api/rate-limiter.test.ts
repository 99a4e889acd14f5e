import { describe, expect, it, vi } from 'vitest';
import { createRateLimiter, defaultBurst } from '../../src/api/rate-limiter.js';

describe('createRateLimiter', () => {
  it('lets a burst through at once, then spaces takers at the refill rate', async () => {
    // 1200/min with burst 2: refill (1200 − 2)/min ≈ 19.97/s.
    const limiter = createRateLimiter({ perMinute: 1200, burst: 2 });
    const started = performance.now();
    const times: number[] = [];
    await Promise.all(Array.from({ length: 12 }, () => limiter.take().then(() => times.push(performance.now() - started))));
    const refillPerMs = 1198 / 60_000;
    times.forEach((at, k) => {
      // The k-th taker (0-based) cannot go before (k + 1 − burst) refills.
      expect(at).toBeGreaterThanOrEqual(Math.max(0, (k + 1 - 2) / refillPerMs) - 5);
    });
    expect(times[1]).toBeLessThan(20);
    expect(times[11]).toBeLessThan((11 - 1) / refillPerMs + 150);
  });

  it('never lets more than perMinute through in a minute, counting the burst', async () => {
    vi.useFakeTimers();
    try {
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
    } finally {
      vi.useRealTimers();
    }
  });

  it('serves waiters in arrival order', async () => {
    const limiter = createRateLimiter({ perMinute: 6000, burst: 1 });
    const order: number[] = [];
    await Promise.all(Array.from({ length: 8 }, (_, i) => limiter.take().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('is unlimited at perMinute 0, yet still pauses', async () => {
    const limiter = createRateLimiter({ perMinute: 0 });
    const started = performance.now();
    await Promise.all(Array.from({ length: 1000 }, () => limiter.take()));
    expect(performance.now() - started).toBeLessThan(100);
    limiter.pauseFor(120);
    await limiter.take();
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
    expect(limiter.pausedMs()).toBeGreaterThanOrEqual(115);
  });

  it('pauses every taker, and a shorter pause never shortens a longer one', async () => {
    const limiter = createRateLimiter({ perMinute: 60_000, burst: 100 });
    limiter.pauseFor(150);
    limiter.pauseFor(10);
    const started = performance.now();
    const times = await Promise.all(Array.from({ length: 5 }, () => limiter.take().then(() => performance.now() - started)));
    for (const at of times) expect(at).toBeGreaterThanOrEqual(140);
  });

  it('drops an aborted waiter without stalling those behind it', async () => {
    const limiter = createRateLimiter({ perMinute: 600, burst: 1 });
    await limiter.take();
    const controller = new AbortController();
    const abandoned = limiter.take(controller.signal);
    const next = limiter.take();
    controller.abort();
    await expect(abandoned).rejects.toThrow();
    const started = performance.now();
    await next;
    // The abandoned waiter's slot passed to the next one: about one interval (100 ms), not two.
    expect(performance.now() - started).toBeLessThan(180);
    expect(limiter.waiting()).toBe(0);
  });

  it('caps the rate (even when unlimited) and lifts the cap', async () => {
    const limiter = createRateLimiter({ perMinute: 0 });
    limiter.cap(600); // one per 100 ms, no burst
    const started = performance.now();
    await Promise.all(Array.from({ length: 3 }, () => limiter.take()));
    expect(performance.now() - started).toBeGreaterThanOrEqual(180);
    limiter.cap(undefined);
    const free = performance.now();
    await Promise.all(Array.from({ length: 50 }, () => limiter.take()));
    expect(performance.now() - free).toBeLessThan(50);
  });

  it('slows down by a factor and back', async () => {
    const limiter = createRateLimiter({ perMinute: 6000, burst: 1 });
    await limiter.take();
    limiter.slowDown(10); // 600/min: one per ~100 ms
    let started = performance.now();
    await limiter.take();
    expect(performance.now() - started).toBeGreaterThanOrEqual(80);
    limiter.slowDown(1);
    started = performance.now();
    await limiter.take();
    expect(performance.now() - started).toBeLessThan(40);
  });
});
