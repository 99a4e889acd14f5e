import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { defaultNormaliseOptions } from '../../../src/normalise/result.js';
import { scanInput } from '../../../src/pipeline/input/scan-input.js';

const root = join(import.meta.dirname, '..', '..', '..');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scan-input-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const scan = (file: string, onRows?: (rows: number) => void) => scanInput({ file, entity: 'cases', normalise: defaultNormaliseOptions }, onRows);

/** The journal's fingerprint, from its definition: the file's size in bytes, a colon, the SHA-256 of its bytes in hex. */
async function expectedFingerprint(file: string): Promise<string> {
  const bytes = await readFile(file);
  return `${bytes.length}:${createHash('sha256').update(bytes).digest('hex')}`;
}

describe('scanInput: the one pass over an import file before anything is sent', () => {
  it('counts the data rows and fingerprints the bytes in the same pass', async () => {
    const file = join(dir, 'cases.csv');
    const rows = Array.from({ length: 9000 }, (_, i) => `Case ${i},£${i}.50`);
    await writeFile(file, `Case Name,Case Value (£)\r\n${rows.join('\r\n')}\r\n`);
    const heard: number[] = [];
    const scanned = await scan(file, (n) => heard.push(n));
    expect(scanned.rows).toBe(9000);
    expect(scanned.fingerprint).toBe(await expectedFingerprint(file));
    // Heard along the way, never more than the file holds, and the whole count at the end.
    expect(heard.at(-1)).toBe(9000);
    expect(heard.every((n, i) => n <= 9000 && (i === 0 || n >= heard[i - 1]!))).toBe(true);
  });

  it('reads a workbook to its end too', async () => {
    const file = join(root, 'samples', 'cases-legacy.xlsx');
    const scanned = await scan(file);
    expect(scanned.rows).toBeGreaterThan(0);
    expect(scanned.fingerprint).toBe(await expectedFingerprint(file));
  });

  it('a file that cannot be read to its end is refused, naming the file', async () => {
    const file = join(dir, 'unclosed.csv');
    const rows = Array.from({ length: 500 }, (_, i) => `Case ${i},£${i}.50`);
    await writeFile(file, `Case Name,Case Value (£)\r\n${rows.join('\r\n')}\r\n"Case with an unclosed quote,£1.00\r\nCase after,£2.00\r\n`);
    await expect(scan(file)).rejects.toThrow(InputError);
    await expect(scan(file)).rejects.toThrow(/unclosed\.csv/);
  });

  it('a header with no data rows is refused', async () => {
    const file = join(dir, 'header-only.csv');
    await writeFile(file, 'Case Name,Case Value (£)\r\n');
    await expect(scan(file)).rejects.toThrow('the file has a header row but no data rows');
  });
});
