import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { zipOutput } from '../../src/io/zip-output.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zip-output-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Each entry's CRC-32 as the zip's central directory records it. */
function crcsOf(path: string): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (error, zip) => {
      if (error !== null || zip === undefined) return reject(error ?? new Error('no zip'));
      const crcs = new Map<string, number>();
      zip.on('entry', (entry: yauzl.Entry) => {
        crcs.set(entry.fileName, entry.crc32);
        zip.readEntry();
      });
      zip.on('end', () => resolve(crcs));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

describe('zipOutput', () => {
  it("records CRC-32's check value (0xCBF43926 for the ASCII text 123456789), given whole or streamed in pieces", async () => {
    const path = join(dir, 'check.zip');
    const zip = zipOutput(path);
    const streamed = zip.openEntry('streamed.txt');
    for (const piece of ['1', '2345', '6789']) await streamed.write(Buffer.from(piece));
    streamed.end();
    zip.addText('whole.txt', '123456789');
    zip.addText('bytes.txt', Buffer.from('123456789'));
    zip.addText('empty.txt', '');
    await zip.end();
    const crcs = await crcsOf(path);
    expect(crcs.get('streamed.txt')).toBe(0xcbf43926);
    expect(crcs.get('whole.txt')).toBe(0xcbf43926);
    expect(crcs.get('bytes.txt')).toBe(0xcbf43926);
    expect(crcs.get('empty.txt')).toBe(0);
  });

  it('records the CRC-32 of a megabyte streamed in uneven chunks as of the bytes whole', async () => {
    const bytes = Buffer.alloc(1 << 20);
    for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 7919) % 251;
    const path = join(dir, 'chunks.zip');
    const zip = zipOutput(path);
    const entry = zip.openEntry('data.bin');
    for (let at = 0, size = 1; at < bytes.length; at += size, size = 1 + ((size * 3) % 70_000)) {
      await entry.write(Buffer.from(bytes.subarray(at, at + size)));
    }
    entry.end();
    await zip.end();
    // The reference: CRC-32 computed bit by bit from its definition (reflected polynomial 0xEDB88320).
    let crc = 0xffffffff;
    for (const byte of bytes) {
      crc ^= byte;
      for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
    }
    expect((await crcsOf(path)).get('data.bin')).toBe((crc ^ 0xffffffff) >>> 0);
    if (typeof (zlib as { crc32?: unknown }).crc32 === 'function') expect(zlib.crc32(bytes)).toBe((crc ^ 0xffffffff) >>> 0);
  });

  it('after the output fails, a write is refused at once: nothing waits on a zip that will never drain', async () => {
    const zip = zipOutput(join(dir, 'no-such-folder', 'parts.zip'));
    const failed = new Promise<Error>((resolve) => zip.onError(resolve));
    const entry = zip.openEntry('a.txt');
    expect((await failed).message).toMatch(/ENOENT/);
    await expect(Promise.resolve(entry.write('more text'))).rejects.toThrow(/ENOENT/);
    await zip.abort();
  });
});
