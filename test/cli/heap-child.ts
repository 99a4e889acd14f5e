// Runs as the bin does: in the child, reports its heap limit and the signals it got, then exits 3.
import { getHeapStatistics } from 'node:v8';
import { runInBoundedHeap } from '../../src/cli/heap.js';

const code = await runInBoundedHeap();
if (code !== undefined) {
  process.exitCode = code;
} else {
  const signals: string[] = [];
  for (const name of ['SIGINT', 'SIGTERM'] as const) process.on(name, () => signals.push(name));
  process.stdout.write(`limit ${Math.round(getHeapStatistics().heap_size_limit / 1048576)}\n`);
  if (process.argv.includes('--wait')) {
    process.stdout.write('ready\n');
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }
  process.stdout.write(`signals ${signals.join(',')}\n`);
  process.exitCode = 3;
}
