/**
 * Checking stays linear on structured keys (issue 14: 100,000 rows at most 5.5× the time of
 * 25,000). The keys are the ones that piled into one slot of the duplicate-key set before its
 * hash mixed every word: the first word equal to the last times the golden-ratio constant.
 *   npx tsx bench/structured-keys.ts [--rows 25000,100000]
 * Each size is validated (no report, one thread) five times in this process after a warm-up;
 * prints the median seconds per size and the ratio of the largest to the smallest against the ratio of rows.
 * A benchmark, not a test: the probe counts are tested in test/pipeline/check/key-set.test.ts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultNormaliseOptions } from '../src/normalise/result.js';
import { runValidate } from '../src/pipeline/validate.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '25000,100000' } } });
const sizes = values.rows.split(',').map(Number);
const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
const uuidOf = (w0: number, w1: number, w2: number, w3: number): string => {
  const [a, b, c, d] = [hex8(w0), hex8(w1), hex8(w2), hex8(w3)];
  return `${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${d}`;
};

const dir = await mkdtemp(join(tmpdir(), 'bench-structured-keys-'));
try {
  async function fileOf(rows: number): Promise<string> {
    const lines = ['uuid,name,Email,account ids'];
    for (let i = 0; i < rows; i += 1) lines.push(`${uuidOf(Math.imul(i, 0x9e3779b1), 0, 0, i)},Work,client${i}@example.co.uk,8f9c64d9-1e41-4aac-9404-9f5f57272261`);
    const path = join(dir, `keys-${rows}.csv`);
    await writeFile(path, `${lines.join('\n')}\n`);
    return path;
  }
  const seconds = async (file: string): Promise<number> => {
    const started = performance.now();
    await runValidate({ file, entity: 'contact-details', normalise: defaultNormaliseOptions, threads: 0 });
    return (performance.now() - started) / 1000;
  };
  await seconds(await fileOf(sizes[0]!)); // warm-up: compiled code for the timed runs
  const figures: { rows: number; seconds: number }[] = [];
  for (const rows of sizes) {
    const file = await fileOf(rows);
    const runs: number[] = [];
    for (let run = 0; run < 5; run += 1) runs.push(await seconds(file));
    runs.sort((a, b) => a - b);
    figures.push({ rows, seconds: Math.round(runs[2]! * 100) / 100 });
  }
  const first = figures[0]!;
  const last = figures.at(-1)!;
  console.log(JSON.stringify({ keys: 'first word = last word × 0x9e3779b1', figures, timeRatio: Math.round((last.seconds / first.seconds) * 100) / 100, rowsRatio: last.rows / first.rows, goal: 'time ratio ≤ 5.5 for 4× the rows' }));
} finally {
  await rm(dir, { recursive: true, force: true });
}
