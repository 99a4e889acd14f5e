#!/usr/bin/env node
import { runInBoundedHeap } from './heap.js';

// A reader that goes away (`plannr-bulk --help | head`) closes our stdout: what is left to print
// has no one to read it. That is not an error of the run: the rest of the output is dropped and
// the command finishes (an import still writes its journal and report) and exits with its own code.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
    process.exitCode = 2;
  });
}

// The command itself runs in a child with a bounded heap (heap.ts), loaded only where it runs.
process.exitCode = (await runInBoundedHeap()) ?? (await (await import('./program.js')).runCli(process.argv));
