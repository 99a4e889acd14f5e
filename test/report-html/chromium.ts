/**
 * Headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe: the
 * browser reads commands on fd 3 and writes answers on fd 4, each a JSON message ending in a NUL
 * byte). No library and no port: the system's Chromium (Debian's `chromium` package) is enough.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';

/** CHROMIUM_PATH, else chromium / chromium-browser / google-chrome on PATH; undefined when none. */
export function findChromium(): string | undefined {
  const candidates = process.env.CHROMIUM_PATH !== undefined ? [process.env.CHROMIUM_PATH] : [];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser', 'google-chrome']) candidates.push(join(dir, name));
  }
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

type Json = Record<string, unknown>;

export interface PageVisit {
  /** Console errors and warnings, uncaught exceptions and browser log errors (a blocked load, a CSP violation). */
  readonly problems: string[];
  /** The PNG bytes of the whole page. */
  readonly screenshot: Buffer;
  /** Results of the expressions asked for, evaluated in the page after load. */
  readonly evaluated: unknown[];
}

/** Opens `file` from disk in headless Chromium, waits for load, collects problems, evaluates `expressions`, takes a full-page screenshot. */
export async function visitFile(chromium: string, file: string, options: { width?: number; expressions?: readonly string[]; timeoutMs?: number } = {}): Promise<PageVisit> {
  const profile = await mkdtemp(join(tmpdir(), 'plannr-chromium-'));
  const child: ChildProcess = spawn(
    chromium,
    ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--no-default-browser-check', '--disable-extensions',
      '--remote-debugging-pipe', `--user-data-dir=${profile}`, 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const toBrowser = child.stdio[3] as Writable;
  const fromBrowser = child.stdio[4] as Readable;
  const pending = new Map<number, { resolve: (v: Json) => void; reject: (e: Error) => void }>();
  const listeners: Array<(message: Json) => void> = [];
  let nextId = 1;
  let buffered = Buffer.alloc(0);
  fromBrowser.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (let end = buffered.indexOf(0); end >= 0; end = buffered.indexOf(0)) {
      const message = JSON.parse(buffered.subarray(0, end).toString('utf8')) as Json;
      buffered = buffered.subarray(end + 1);
      const waiter = typeof message.id === 'number' ? pending.get(message.id) : undefined;
      if (waiter !== undefined) {
        pending.delete(message.id as number);
        if (message.error !== undefined) waiter.reject(new Error(`CDP: ${JSON.stringify(message.error)}`));
        else waiter.resolve((message.result ?? {}) as Json);
      } else {
        for (const listener of listeners) listener(message);
      }
    }
  });
  const exited = new Promise<never>((_, reject) => child.on('exit', (code) => reject(new Error(`chromium exited (${code}) before the page was done: ${stderr}`))));
  exited.catch(() => undefined);
  const send = (method: string, params: Json = {}, sessionId?: string): Promise<Json> =>
    Promise.race([
      new Promise<Json>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        toBrowser.write(`${JSON.stringify({ id, method, params, ...(sessionId !== undefined ? { sessionId } : {}) })}\0`);
      }),
      exited,
    ]);
  const timeout = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  try {
    const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = (await send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    const problems: string[] = [];
    let loaded: () => void = () => undefined;
    const load = new Promise<void>((resolve) => (loaded = resolve));
    listeners.push((message) => {
      if (message.sessionId !== sessionId) return;
      const params = (message.params ?? {}) as Json;
      if (message.method === 'Page.loadEventFired') loaded();
      if (message.method === 'Runtime.exceptionThrown') problems.push(`exception: ${JSON.stringify(params.exceptionDetails)}`);
      if (message.method === 'Runtime.consoleAPICalled' && ['error', 'warning', 'assert'].includes(params.type as string)) {
        problems.push(`console.${params.type as string}: ${JSON.stringify(params.args)}`);
      }
      if (message.method === 'Log.entryAdded') {
        const entry = params.entry as { level: string; text: string; url?: string };
        if (entry.level === 'error' || entry.level === 'warning') problems.push(`log ${entry.level}: ${entry.text} ${entry.url ?? ''}`);
      }
    });
    await send('Page.enable', {}, sessionId);
    await send('Runtime.enable', {}, sessionId);
    await send('Log.enable', {}, sessionId);
    const width = options.width ?? 1100;
    await send('Emulation.setDeviceMetricsOverride', { width, height: 800, deviceScaleFactor: 1, mobile: false }, sessionId);
    await send('Page.navigate', { url: pathToFileURL(file).href }, sessionId);
    await load;
    // Late problems (a deferred load, a CSP report) arrive within a few frames.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const evaluated: unknown[] = [];
    for (const expression of options.expressions ?? []) {
      const { result } = (await send('Runtime.evaluate', { expression, returnByValue: true }, sessionId)) as { result: { value: unknown } };
      evaluated.push(result.value);
    }
    const metrics = (await send('Page.getLayoutMetrics', {}, sessionId)) as { cssContentSize?: { height: number } };
    const height = Math.ceil(metrics.cssContentSize?.height ?? 800);
    await send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false }, sessionId);
    const { data } = (await send('Page.captureScreenshot', { format: 'png' }, sessionId)) as { data: string };
    await send('Browser.close').catch(() => undefined);
    return { problems, screenshot: Buffer.from(data, 'base64'), evaluated };
  } finally {
    clearTimeout(timeout);
    if (child.exitCode === null) child.kill('SIGKILL');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
    await rm(profile, { recursive: true, force: true });
  }
}
