/**
 * The zip's thread (zip-output.ts): requests are applied in the order sent to a `zipOutput`
 * on this thread. A chunk is answered with `taken` once the entry's stream has room again,
 * which is the sending thread's backpressure.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { zipOutput, type ZipEntryStream, type ZipReply, type ZipRequest } from './zip-output.js';

const port = parentPort;
if (port === null) throw new Error('zip-output-worker runs as a worker thread');
const reply = (message: ZipReply): void => port.postMessage(message);
const zip = zipOutput((workerData as { path: string }).path);
zip.onError((error) => reply({ kind: 'error', message: error.message }));
let entry: ZipEntryStream | undefined;
let queue = Promise.resolve();

async function apply(request: ZipRequest): Promise<void> {
  switch (request.kind) {
    case 'entry':
      entry = zip.openEntry(request.name);
      break;
    case 'chunk': {
      const written = entry?.write(request.bytes);
      if (written !== undefined) await written;
      reply({ kind: 'taken', bytes: request.bytes.length });
      break;
    }
    case 'end-entry':
      entry?.end();
      entry = undefined;
      break;
    case 'text':
      zip.addText(request.name, request.text);
      break;
    case 'file':
      zip.addFile(request.name, request.path);
      break;
    case 'end':
      await zip.end();
      reply({ kind: 'ended' });
      break;
    case 'abort':
      await zip.abort();
      reply({ kind: 'aborted' });
      break;
  }
}

port.on('message', (request: ZipRequest) => {
  // Errors reach the main thread through onError; a failed request stops nothing else here.
  queue = queue.then(() => apply(request)).catch(() => undefined);
});
