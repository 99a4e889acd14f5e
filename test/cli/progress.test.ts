import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/cli/progress.js';

function lineStream(): { stream: NodeJS.WriteStream; lines: string[] } {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (text: string) => lines.push(text) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, lines };
}

describe('the progress lines without a terminal', () => {
  it('show rows done of the total, the rate, an ETA and the failures by reason as they happen', () => {
    const { stream, lines } = lineStream();
    const progress = createProgress({ label: 'importing', total: 100, stream, intervalMs: 0 });
    progress.update({ done: 10, problems: 2, failures: 'HTTP 500: Server Error ×2' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^importing: 10\/100 rows, \d+ rows\/s, ETA \d+ s, 2 problems; failed: HTTP 500: Server Error ×2\n$/);
  });

  it('say nothing of failures when there are none', () => {
    const { stream, lines } = lineStream();
    createProgress({ label: 'importing', total: 5, stream, intervalMs: 0 }).update({ done: 1, problems: 0 });
    expect(lines[0]).not.toMatch(/failed/);
  });
});
