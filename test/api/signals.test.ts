import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { linkAbort } from '../../src/api/signals.js';

describe('linkAbort', () => {
  it('aborts when any source aborts, with that reason', () => {
    const run = new AbortController();
    const other = new AbortController();
    const linked = linkAbort([run.signal, undefined, other.signal]);
    other.abort('stop');
    expect(linked.signal.aborted).toBe(true);
    expect(linked.signal.reason).toBe('stop');
    expect(linked.timedOut()).toBe(false);
  });

  it('aborts on its timeout and says so', () => {
    vi.useFakeTimers();
    try {
      const linked = linkAbort([], 20);
      vi.advanceTimersByTime(19);
      expect(linked.signal.aborted).toBe(false);
      vi.advanceTimersByTime(1);
      expect(linked.signal.aborted).toBe(true);
      expect(linked.timedOut()).toBe(true);
      expect((linked.signal.reason as DOMException).name).toBe('TimeoutError');
    } finally {
      vi.useRealTimers();
    }
  });

  it('starts aborted when a source already is', () => {
    expect(linkAbort([AbortSignal.abort()], 1000).signal.aborted).toBe(true);
  });

  it('leaves nothing attached to a long-lived signal once disposed', () => {
    const run = new AbortController();
    for (let i = 0; i < 1000; i++) linkAbort([run.signal], 30_000).dispose();
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });
});
