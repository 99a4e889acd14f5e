import { describe, expect, it } from 'vitest';
import { startPhase, type PhaseProgress } from '../../src/pipeline/progress.js';

describe('progress by phase', () => {
  it('a phase is told when it starts and when it ends, with its total', () => {
    const heard: PhaseProgress[] = [];
    const sending = startPhase((p) => heard.push(p), 'sending', 40, 60_000);
    sending.update(10); // within the interval: not told
    sending.finish(40);
    expect(heard.map(({ phase, done, total, finished }) => ({ phase, done, total, finished }))).toEqual([
      { phase: 'sending', done: 0, total: 40, finished: false },
      { phase: 'sending', done: 40, total: 40, finished: true },
    ]);
  });

  it('updates are told once the interval has passed', () => {
    const heard: PhaseProgress[] = [];
    const checking = startPhase((p) => heard.push(p), 'checking', undefined, 0);
    checking.update(5);
    checking.update(9);
    expect(heard.map((p) => p.done)).toEqual([0, 5, 9]);
    expect(heard.every((p) => p.total === undefined && p.phaseMs >= 0)).toBe(true);
  });

  it('without a listener nothing is done', () => {
    const reading = startPhase(undefined, 'reading', undefined);
    expect(() => {
      reading.update(1);
      reading.finish(1);
    }).not.toThrow();
  });
});
