import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { JournalError } from '../../src/errors.js';
import { acquireJournalLock } from '../../src/pipeline/journal-lock.js';
import { openJournal, readJournal } from '../../src/pipeline/journal.js';
import { deadPid, journalChild, journalSetup, nextLine } from './journal-helpers.js';

const exists = (path: string) => stat(path).then(() => true, () => false);

describe('one run owns a journal', () => {
  it('a second run on a journal in use is refused, naming the holder, and nothing is appended', async () => {
    const { journalPath, options } = await journalSetup();
    const first = await openJournal(journalPath, options(false));
    const lock = JSON.parse(await readFile(`${journalPath}.lock`, 'utf8')) as { pid: number; host: string; startedAt: string };
    expect(lock).toEqual({ pid: process.pid, host: hostname(), startedAt: expect.any(String) as unknown });
    const before = await readFile(journalPath, 'utf8');
    const second = openJournal(journalPath, options(true));
    await expect(second).rejects.toThrow(JournalError);
    await expect(second).rejects.toThrow(
      `journal ${journalPath} is in use by pid ${process.pid} on host ${hostname()} since ${lock.startedAt} (another import or --resume is running); wait for it to finish`,
    );
    expect(await readFile(journalPath, 'utf8')).toBe(before);
    await first.close();
    expect(await exists(`${journalPath}.lock`)).toBe(false);
  });

  it('a --resume while another process runs the import is refused with that process named', async () => {
    const { journalPath, options } = await journalSetup();
    const { child, lines, exited } = journalChild(`
      const journal = await openJournal(${JSON.stringify(journalPath)}, ${JSON.stringify(options(false))});
      await journal.sending(2, 'POST');
      say('ready');
    `);
    try {
      expect(await nextLine(lines)).toBe('ready');
      await expect(openJournal(journalPath, options(true))).rejects.toThrow(`in use by pid ${child.pid} on host ${hostname()}`);
      await expect(openJournal(journalPath, options(false))).rejects.toThrow(`in use by pid ${child.pid}`);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    // Killed without closing: its lock is stale now, and the next run takes it over and says so.
    const notices: string[] = [];
    const resumed = await openJournal(journalPath, options(true, notices));
    expect(notices).toEqual([`journal ${journalPath}: took over the lock of pid ${child.pid}, which is no longer running`]);
    expect(resumed.previous.inFlight.get(2)?.method).toBe('POST');
    await resumed.close();
  });

  it('a lock left by a process that is no longer running is taken over, and said so', async () => {
    const { journalPath, options } = await journalSetup();
    const pid = await deadPid();
    await writeFile(`${journalPath}.lock`, JSON.stringify({ pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
    const notices: string[] = [];
    const journal = await openJournal(journalPath, options(false, notices));
    expect(notices).toEqual([`journal ${journalPath}: took over the lock of pid ${pid}, which is no longer running`]);
    const lock = JSON.parse(await readFile(`${journalPath}.lock`, 'utf8')) as { pid: number };
    expect(lock.pid).toBe(process.pid);
    await journal.close();
  });

  it('a run whose launcher was killed (kill -9 on the bin) is waited for while it exits, then its lock is taken over', async () => {
    const { journalPath, options } = await journalSetup();
    const launcher = await deadPid();
    // The bounded-heap child still running for a moment after its launcher died.
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600)'], { stdio: 'ignore' });
    const childExit = once(child, 'exit');
    await writeFile(`${journalPath}.lock`, JSON.stringify({ pid: child.pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z', launcher }));
    const notices: string[] = [];
    const journal = await openJournal(journalPath, options(false, notices));
    await childExit;
    expect(notices).toEqual([`journal ${journalPath}: took over the lock of pid ${child.pid}, which is no longer running`]);
    await journal.close();
  });

  it('a run whose launcher is alive is in use, and the message names the launcher the user started', async () => {
    const { journalPath, options } = await journalSetup();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      await writeFile(`${journalPath}.lock`, JSON.stringify({ pid: child.pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z', launcher: process.pid }));
      await expect(openJournal(journalPath, options(false))).rejects.toThrow(`in use by pid ${child.pid} (started by plannr-bulk pid ${process.pid}) on host ${hostname()}`);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a lock held on another host is never taken over, even if that pid is not running here', async () => {
    const { journalPath, options } = await journalSetup();
    const pid = await deadPid();
    await writeFile(`${journalPath}.lock`, JSON.stringify({ pid, host: 'other-machine.example', startedAt: '2026-01-01T00:00:00.000Z' }));
    const opening = openJournal(journalPath, options(false));
    await expect(opening).rejects.toThrow(`journal ${journalPath} is in use by pid ${pid} on host other-machine.example since 2026-01-01T00:00:00.000Z`);
    await expect(opening).rejects.toThrow(`if no import or --resume is running on other-machine.example, delete ${journalPath}.lock and run again`);
    expect(await exists(`${journalPath}.lock`)).toBe(true);
  });

  it('a lock naming this process\'s pid that this process never took (an earlier process with the same pid) is stale', async () => {
    const { journalPath, options } = await journalSetup();
    await writeFile(`${journalPath}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
    const notices: string[] = [];
    const journal = await openJournal(journalPath, options(false, notices));
    expect(notices).toEqual([`journal ${journalPath}: took over the lock of pid ${process.pid}, which is no longer running`]);
    await expect(openJournal(journalPath, options(true))).rejects.toThrow(`in use by pid ${process.pid}`);
    await journal.close();
  });

  it('a lock whose content is not ours is treated as held, and the message names the file to delete', async () => {
    const { journalPath, options } = await journalSetup();
    await writeFile(`${journalPath}.lock`, 'garbage');
    const opening = openJournal(journalPath, options(false));
    await expect(opening).rejects.toThrow(JournalError);
    await expect(opening).rejects.toThrow(`delete that file`);
    await expect(opening).rejects.toThrow(`${journalPath}.lock`);
  });

  it('runs taking over the same stale lock at once: exactly one wins', async () => {
    const { journalPath } = await journalSetup();
    const pid = await deadPid();
    await writeFile(`${journalPath}.lock`, JSON.stringify({ pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
    const attempts = await Promise.allSettled(Array.from({ length: 8 }, () => acquireJournalLock(journalPath)));
    const won = attempts.filter((attempt) => attempt.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const attempt of attempts) {
      if (attempt.status === 'rejected') expect(String(attempt.reason)).toMatch(/is in use by pid/);
    }
    await (won[0] as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
  });

  it('processes taking over the same stale lock at once: exactly one wins', async () => {
    const { journalPath, options } = await journalSetup();
    await (await openJournal(journalPath, options(false))).close(); // a journal to resume: one run record
    const pid = await deadPid();
    await writeFile(`${journalPath}.lock`, JSON.stringify({ pid, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z' }));
    const children = Array.from({ length: 4 }, () =>
      journalChild(`
        try {
          await openJournal(${JSON.stringify(journalPath)}, ${JSON.stringify(options(true))});
          say('won');
        } catch (error) {
          say(error.message.includes('is in use by pid') ? 'refused' : 'error: ' + error.message);
          process.exit(0);
        }
      `),
    );
    try {
      const said = await Promise.all(children.map(({ lines }) => nextLine(lines)));
      expect(said.filter((s) => s === 'won')).toHaveLength(1);
      expect(said.filter((s) => s === 'refused')).toHaveLength(3);
    } finally {
      for (const { child } of children) child.stdin?.end();
      await Promise.all(children.map(({ exited }) => exited));
    }
  });

  it('a process that exits without closing the journal removes its lock', async () => {
    const { journalPath, options } = await journalSetup();
    const { lines, exited } = journalChild(`
      await openJournal(${JSON.stringify(journalPath)}, ${JSON.stringify(options(false))});
      say('opened');
      process.exit(3);
    `);
    expect(await nextLine(lines)).toBe('opened');
    expect(await exited).toBe(3);
    expect(await exists(`${journalPath}.lock`)).toBe(false);
    expect((await readJournal(journalPath)).runs).toHaveLength(1);
  });

  it('a run that is refused (plain run on a journal with rows) leaves no lock behind', async () => {
    const { journalPath, options } = await journalSetup();
    const journal = await openJournal(journalPath, options(false));
    await journal.sending(2, 'PUT', { name: 'old' });
    await journal.close();
    await expect(openJournal(journalPath, options(false))).rejects.toThrow('add --resume to continue that run, or choose another --journal');
    expect(await exists(`${journalPath}.lock`)).toBe(false);
  });
});
