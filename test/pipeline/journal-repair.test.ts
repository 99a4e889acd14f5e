import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { JournalError } from '../../src/errors.js';
import { openJournal, parseJournal, readJournal } from '../../src/pipeline/journal.js';
import { journalChild, journalSetup, nextLine } from './journal-helpers.js';

/** A journal of one run: row 2 updated (with its before-image) and done, row 3 being created. */
async function journalWithRows() {
  const setup = await journalSetup();
  const journal = await openJournal(setup.journalPath, setup.options(false));
  await journal.sending(2, 'PUT', { name: 'Old name' });
  await journal.done({ row: 2, status: 'sent', action: 'update', key: 'A0000000-0000-4000-8000-000000000001', http: 200, msg: '' });
  await journal.sending(3, 'POST');
  await journal.close();
  const bytes = await readFile(setup.journalPath);
  // The last record (row 3's send) starts after the second-to-last newline.
  const lastStart = bytes.lastIndexOf(0x0a, bytes.length - 2) + 1;
  return { ...setup, bytes, lastStart, lines: bytes.toString('utf8').split('\n').length - 1 };
}

describe('a damaged journal is repaired or refused, never ignored', () => {
  it('a last record torn at any byte is cut back to the last whole record, said so, and the next record starts on a clean line', async () => {
    const { journalPath, bytes, lastStart, lines, options } = await journalWithRows();
    // Every cut inside the last record, including the whole record without its newline.
    for (let end = lastStart + 1; end < bytes.length; end += 1) {
      await writeFile(journalPath, bytes.subarray(0, end));
      const notices: string[] = [];
      const journal = await openJournal(journalPath, options(true, notices));
      expect(notices, `torn at byte ${end}`).toEqual([
        `journal ${journalPath}: the last record (line ${lines}) was incomplete, probably from a crash; it was cut off`,
      ]);
      // The torn send never became durable, so nothing was sent on its strength: row 3 is not in flight.
      expect(journal.previous.inFlight.has(3)).toBe(false);
      expect(journal.previous.done.get(2)?.status).toBe('sent');
      await journal.sending(4, 'POST');
      await journal.close();
      const after = await readFile(journalPath);
      expect(after.subarray(0, lastStart).equals(bytes.subarray(0, lastStart))).toBe(true);
      const { state, runs } = await readJournal(journalPath);
      expect(runs).toHaveLength(2);
      expect([...state.inFlight.keys()]).toEqual([4]);
      expect(state.befores.get(2)).toEqual({ name: 'Old name' });
    }
  });

  it('reads the same records and finds the same torn record whatever the chunks the file arrives in', async () => {
    const { journalPath, bytes } = await journalWithRows();
    const torn = Buffer.concat([bytes, Buffer.from('{"t":"done","row":3,"status":"sent","acti')]);
    async function* inChunks(size: number) {
      for (let at = 0; at < torn.length; at += size) yield torn.subarray(at, at + size);
    }
    for (const size of [1, 2, 7, 64, torn.length]) {
      const parsed = await parseJournal(inChunks(size), journalPath);
      expect(parsed.torn, `chunks of ${size}`).toEqual({ line: 5, keepBytes: bytes.length });
      expect(parsed.size).toBe(torn.length);
      expect(parsed.state.done.get(2)?.key).toBe('A0000000-0000-4000-8000-000000000001');
      expect(parsed.state.inFlight.get(3)?.method).toBe('POST');
      expect(parsed.state.befores.get(2)).toEqual({ name: 'Old name' });
    }
  });

  it('a last line that is not JSON, or trailing zero bytes from a crash, is cut off too', async () => {
    const { journalPath, bytes, lines, options } = await journalWithRows();
    for (const tail of ['{"t":"done","row":3,"sta\n', '\0\0\0\0\0\0']) {
      await writeFile(journalPath, Buffer.concat([bytes, Buffer.from(tail)]));
      const notices: string[] = [];
      const journal = await openJournal(journalPath, options(true, notices));
      expect(notices).toEqual([`journal ${journalPath}: the last record (line ${lines + 1}) was incomplete, probably from a crash; it was cut off`]);
      expect(journal.previous.inFlight.get(3)?.method).toBe('POST');
      await journal.close();
      expect((await readFile(journalPath)).subarray(0, bytes.length).equals(bytes)).toBe(true);
    }
  });

  it('torn, then --resume, then --resume again, then a plain run: repaired once, resumed twice, then refused', async () => {
    const { journalPath, bytes, options } = await journalWithRows();
    await writeFile(journalPath, bytes.subarray(0, bytes.length - 7));

    const firstNotices: string[] = [];
    const first = await openJournal(journalPath, options(true, firstNotices));
    expect(firstNotices).toHaveLength(1);
    await first.sending(3, 'POST');
    await first.done({ row: 3, status: 'unknown', action: 'create', key: '', msg: 'the answer was lost' });
    await first.close();

    const secondNotices: string[] = [];
    const second = await openJournal(journalPath, options(true, secondNotices));
    expect(secondNotices).toEqual([]);
    expect(second.previous.done.get(2)?.status).toBe('sent');
    expect(second.previous.inFlight.get(3)?.method).toBe('POST');
    await second.close();

    const plain = openJournal(journalPath, options(false));
    await expect(plain).rejects.toThrow(JournalError);
    await expect(plain).rejects.toThrow(`journal ${journalPath} already records 2 rows of an earlier run: add --resume to continue that run, or choose another --journal`);
  });

  it('a plain run refuses a journal whose only row is a send with no outcome', async () => {
    const { journalPath, options } = await journalSetup();
    const journal = await openJournal(journalPath, options(false));
    await journal.sending(7, 'POST');
    await journal.close();
    await expect(openJournal(journalPath, options(false))).rejects.toThrow('already records 1 row of an earlier run: add --resume');
  });

  it('a plain run refuses a journal whose rows sit before a torn record, and leaves it as it was', async () => {
    const { journalPath, bytes, options } = await journalWithRows();
    const torn = bytes.subarray(0, bytes.length - 3);
    await writeFile(journalPath, torn);
    await expect(openJournal(journalPath, options(false))).rejects.toThrow('add --resume to continue that run');
    expect((await readFile(journalPath)).equals(torn)).toBe(true);
  });

  it('damage before the last record stops a resume and a plain run alike, naming the line', async () => {
    const { journalPath, bytes, options } = await journalWithRows();
    const text = bytes.toString('utf8').split('\n');
    text[1] = '{"t":"send","row":2,"m":"PU'; // line 2 of 4
    await writeFile(journalPath, text.join('\n'));
    for (const resume of [true, false]) {
      const opening = openJournal(journalPath, options(resume));
      await expect(opening).rejects.toThrow(JournalError);
      await expect(opening).rejects.toThrow(`journal ${journalPath}: line 2 is damaged (not valid JSON)`);
    }
    await expect(readJournal(journalPath)).rejects.toThrow('line 2 is damaged');
    expect(await readFile(journalPath, 'utf8')).toBe(text.join('\n'));
  });

  it('a whole last line that is JSON but not a journal record is damage, not a torn write', async () => {
    const { journalPath, bytes, lines, options } = await journalWithRows();
    await writeFile(journalPath, bytes);
    await appendFile(journalPath, '{"t":"sent","row":3}\n');
    await expect(openJournal(journalPath, options(true))).rejects.toThrow(`line ${lines + 1} is damaged (not a journal record`);
  });

  it('a plain run on a journal that records no rows starts it afresh, cutting a torn record and saying so', async () => {
    const { journalPath, options } = await journalSetup();
    const journal = await openJournal(journalPath, options(false));
    await journal.close();
    await appendFile(journalPath, '{"t":"send","row":2');
    const notices: string[] = [];
    const again = await openJournal(journalPath, options(false, notices));
    expect(notices).toEqual([`journal ${journalPath}: the last record (line 2) was incomplete, probably from a crash; it was cut off`]);
    await again.close();
    const { runs, state } = await readJournal(journalPath);
    expect(runs).toHaveLength(1);
    expect(state.inFlight.size).toBe(0);
  });
});

describe('a write that fails part-way (disk full)', () => {
  it('is refused to its caller and cut back, so the next record starts on a clean line and the journal stays whole', async () => {
    const { journalPath, options } = await journalSetup();
    const { child, lines, exited } = journalChild(
      `
      process.on('SIGXFSZ', () => {}); // past the limit, writes fail with EFBIG instead of killing the process
      const journal = await openJournal(${JSON.stringify(journalPath)}, ${JSON.stringify(options(false))});
      await journal.sending(2, 'PUT', { name: 'small' });
      try {
        await journal.sending(3, 'PUT', { note: 'x'.repeat(300000) });
        say('accepted');
      } catch (error) {
        say('refused: ' + error.message);
      }
      await journal.sending(4, 'POST');
      await journal.close();
      say('closed');
    `,
      { fileSizeKb: 256 },
    );
    expect(await nextLine(lines)).toMatch(new RegExp(`^refused: cannot write the journal ${journalPath}: .*EFBIG`));
    expect(await nextLine(lines)).toBe('closed');
    child.stdin?.end();
    await exited;
    const text = await readFile(journalPath, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const { state } = await readJournal(journalPath);
    expect([...state.inFlight.keys()].sort()).toEqual([2, 4]);
    expect([...state.befores.keys()]).toEqual([2]);
    const notices: string[] = [];
    const resumed = await openJournal(journalPath, options(true, notices));
    expect(notices).toEqual([]);
    await resumed.close();
  });
});

describe('what the journal tells the next run', () => {
  it('before-images of every run, claimed keys, and unknown outcomes in flight with their key', async () => {
    const { journalPath, options } = await journalSetup();
    const first = await openJournal(journalPath, options(false));
    await first.sending(2, 'PUT', { email: 'old@example.com' });
    await first.done({ row: 2, status: 'sent', action: 'update', key: 'AAAAAAAA-0000-4000-8000-000000000002', http: 200, msg: '', after: { updated_in_db_at: '2026-01-01T00:00:00Z' } });
    await first.sending(3, 'PUT', { email: 'three@example.com' });
    await first.done({ row: 3, status: 'unknown', action: 'update', key: 'bbbbbbbb-0000-4000-8000-000000000003', msg: 'gateway timeout' });
    await first.sending(4, 'POST');
    await first.done({ row: 4, status: 'failed', action: 'create', key: '', http: 503, msg: 'busy', retry: true });
    await first.close();

    const second = await openJournal(journalPath, options(true));
    expect(second.previous.inFlight.get(3)).toEqual({ method: 'PUT', at: expect.any(String) as unknown, key: 'bbbbbbbb-0000-4000-8000-000000000003' });
    expect(second.previous.done.has(3)).toBe(false);
    expect(second.previous.done.get(4)?.retry).toBe(true);
    // Resumed: row 3 read back and settled, row 4 sent again and created.
    await second.done({ row: 3, status: 'sent', action: 'update', key: 'bbbbbbbb-0000-4000-8000-000000000003', msg: 'read back' });
    await second.sending(4, 'POST');
    await second.done({ row: 4, status: 'sent', action: 'create', key: 'CCCCCCCC-0000-4000-8000-000000000004', http: 201, msg: '' });
    await second.close();

    const { state } = await readJournal(journalPath);
    expect(Object.fromEntries(state.befores)).toEqual({ 2: { email: 'old@example.com' }, 3: { email: 'three@example.com' } });
    expect(state.done.get(2)?.after).toEqual({ updated_in_db_at: '2026-01-01T00:00:00Z' });
    expect(Object.fromEntries(state.claimed)).toEqual({
      'aaaaaaaa-0000-4000-8000-000000000002': 2,
      'bbbbbbbb-0000-4000-8000-000000000003': 3,
      'cccccccc-0000-4000-8000-000000000004': 4,
    });
    expect(state.inFlight.size).toBe(0);
  });

  it('a row sent again after a retryable failure is in flight, not done, until its new outcome', async () => {
    const { journalPath, options } = await journalSetup();
    const journal = await openJournal(journalPath, options(false));
    await journal.sending(5, 'POST');
    await journal.done({ row: 5, status: 'failed', action: 'create', key: '', http: 503, msg: 'busy', retry: true });
    await journal.sending(5, 'POST');
    await journal.close();
    const { state } = await readJournal(journalPath);
    expect(state.done.has(5)).toBe(false);
    expect(state.inFlight.get(5)?.method).toBe('POST');
  });
});
