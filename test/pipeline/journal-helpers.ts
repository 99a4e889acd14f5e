/** Shared set-up for the journal tests: a temp folder, an input file, and child processes that use the journal. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fingerprintFile } from '../../src/pipeline/journal.js';

export async function journalSetup() {
  const dir = await mkdtemp(join(tmpdir(), 'journal-'));
  const input = join(dir, 'in.csv');
  await writeFile(input, 'a,b\n1,2\n');
  const fingerprint = await fingerprintFile(input);
  const journalPath = join(dir, 'run.journal');
  return { dir, input, journalPath, fingerprint, options: (resume: boolean, notices: string[] = []) => ({ fingerprint, entity: 'cases', file: 'in.csv', resume, onNotice: (m: string) => notices.push(m) }) };
}

const JOURNAL_MODULE = resolve('src/pipeline/journal.ts');

/**
 * A second process (node with tsx) that runs `body` with `openJournal` in scope and prints
 * what it says on stdout; it keeps running until its stdin closes, unless `body` exits.
 */
export function journalChild(
  body: string,
  limits: { readonly fileSizeKb?: number } = {},
): { child: ChildProcess; lines: AsyncIterator<string>; exited: Promise<number | null> } {
  const script = `
    import { openJournal } from ${JSON.stringify(JOURNAL_MODULE)};
    const say = (text) => process.stdout.write(text + '\\n');
    process.stdin.resume();
    process.stdin.on('end', () => process.exit(0));
    ${body}
  `;
  const node = [process.execPath, '--import', 'tsx', '--input-type=module', '-e', script];
  // A file size limit makes writes past it fail part-way (EFBIG), as a full disk does.
  const child =
    limits.fileSizeKb === undefined
      ? spawn(node[0] as string, node.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] })
      : spawn('bash', ['-c', `ulimit -f ${limits.fileSizeKb}; exec "$0" "$@"`, ...node], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  async function* readLines(): AsyncGenerator<string> {
    let buffered = '';
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      buffered += chunk.toString('utf8');
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        yield buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
      }
    }
  }
  return { child, lines: readLines(), exited };
}

export async function nextLine(lines: AsyncIterator<string>): Promise<string> {
  const next = await lines.next();
  if (next.done === true) throw new Error('the child process ended without saying anything');
  return next.value;
}

/** The pid of a process that has exited (a stale lock's holder). */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  if (child.pid === undefined) throw new Error('no pid');
  return child.pid;
}
