/**
 * What yazl 3 has that @types/yazl (written for yazl 2) does not declare: the per-entry
 * `compressionLevel` (yazl 3.0, passed to zlib) and `addReadStreamLazy` (yazl 3.0, opens the
 * stream only when the zip reaches the entry). See node_modules/yazl/README.md.
 */
import 'yazl';

declare module 'yazl' {
  interface Options {
    /** zlib level 0–9; 0 stores the entry uncompressed. Default 6. */
    compressionLevel: number;
  }
  interface ZipFile {
    addReadStreamLazy(
      metadataPath: string,
      options: Partial<ReadStreamOptions>,
      getReadStream: (use: (error: Error | null, stream: NodeJS.ReadableStream) => void) => void,
    ): void;
  }
}
