import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createLogger, type Logger } from '../src/log.js';

const TOKEN = '123|abcDEF/+xyz=';
let dir: string | undefined;
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function linesOf(log: (logger: Logger) => void): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'plannr-log-'));
  const path = join(dir, 'run.log');
  const logger = createLogger(path, [TOKEN]);
  log(logger);
  // The file destination opens asynchronously: end it and wait until it has closed.
  const stream = (logger as unknown as Record<symbol, NodeJS.WritableStream>)[pino.symbols.streamSym];
  await new Promise<void>((resolve) => {
    stream?.once('close', () => resolve());
    stream?.end();
  });
  return readFile(path, 'utf8');
}

function expectNoToken(text: string): void {
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain('abcDEF');
}

describe('createLogger', () => {
  it('redacts the token inside nested objects and arrays, not only in messages', async () => {
    const text = await linesOf((logger) => {
      logger.info({ event: { type: 'gave-up', request: 'POST /x', reason: `server said: Bearer ${TOKEN}` } }, 'pool');
      logger.info({ rows: [{ note: ['deep', { deeper: `x${TOKEN}y` }] }] }, 'rows');
    });
    expectNoToken(text);
    const [first, second] = text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(first?.['event']).toEqual({ type: 'gave-up', request: 'POST /x', reason: 'server said: Bearer [redacted]' });
    expect(second?.['rows']).toEqual([{ note: ['deep', { deeper: 'x[redacted]y' }] }]);
  });

  it('redacts the token in the encoded forms a server echoes (JSON escapes, HTML entities)', async () => {
    const text = await linesOf((logger) => {
      logger.warn({ row: 3, message: 'Unauthenticated: token 123\\u007cabcDEF\\/+xyz= rejected' }, 'row failed');
      logger.warn({ row: 4, message: '<pre>123&#124;abcDEF&#x2F;&plus;xyz&#61;</pre>' }, 'row failed');
    });
    expectNoToken(text);
    expect(text).toContain('token [redacted] rejected');
    expect(text).toContain('<pre>[redacted]</pre>');
  });

  it('redacts the token in errors, messages, format arguments and child bindings', async () => {
    const text = await linesOf((logger) => {
      logger.error({ err: new Error(`refused ${TOKEN}`) }, 'failed');
      logger.info(`message ${TOKEN}`);
      logger.info('format %s %o', TOKEN, { t: TOKEN });
      logger.child({ run: `r-${TOKEN}` }).info('child');
    });
    expectNoToken(text);
    const lines = text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]?.['err']).toMatchObject({ message: 'refused [redacted]' });
    expect(lines[1]?.['msg']).toBe('message [redacted]');
    expect(lines[3]?.['run']).toBe('r-[redacted]');
  });

  it('still censors the keys named token and authorization, at any case pino knows', async () => {
    const text = await linesOf((logger) => logger.info({ headers: { Authorization: 'Bearer other' }, token: 'other-secret' }, 'x'));
    expect(text).not.toContain('other');
  });
});
