/** Hashing files for the manifest and for verify: streamed, never held whole. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

export interface FileHash {
  readonly size: number;
  readonly sha256: string;
}

/**
 * The file's bytes, hashed as they pass: the first `limit` bytes when given (the journal as it
 * stood at the end of a run; later runs append). `hashed()` is the result once consumed.
 */
export function hashingReader(path: string, limit?: number): { chunks: AsyncGenerator<Buffer>; hashed(): FileHash } {
  const hash = createHash('sha256');
  let size = 0;
  let result: FileHash | undefined;
  async function* chunks(): AsyncGenerator<Buffer> {
    if (limit !== 0) {
      const stream = createReadStream(path, { highWaterMark: 1024 * 1024, ...(limit !== undefined ? { end: limit - 1 } : {}) });
      for await (const chunk of stream) {
        const bytes = chunk as Buffer;
        hash.update(bytes);
        size += bytes.length;
        yield bytes;
      }
    }
    result = { size, sha256: hash.digest('hex') };
  }
  return {
    chunks: chunks(),
    hashed() {
      if (result === undefined) throw new Error(`${path} was not read to the end`);
      return result;
    },
  };
}

/** SHA-256 and size of a whole file (or of its first `limit` bytes). */
export async function hashFile(path: string, limit?: number): Promise<FileHash> {
  if (limit === undefined) await stat(path); // a missing file is reported as such, not as an empty hash
  const reader = hashingReader(path, limit);
  for await (const _ of reader.chunks);
  return reader.hashed();
}
