/**
 * A whole migration against the sandbox (its own process) at a high rate limit:
 *   npx tsx bench/migrate.ts [--clients 10000] [--rate 60000]
 * N clients, 2 contact details and 1 case each (4N creates), through the built CLI
 * (`node dist/cli/main.js migrate`, one process: PLANNR_BULK_HEAP=off so its memory is the
 * command's own). Reports elapsed time as a ratio to (requests ÷ rate), and the CLI's peak
 * resident memory (VmHWM from /proc). A figure, not a test.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFileSync, rm } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { SANDBOX_ACCOUNT_UUID, SANDBOX_TOKEN } from '../src/sandbox/seed.js';
import { benchDir } from './generate.js';
import { startSandboxProcess } from './sandbox-process.js';

const { values } = parseArgs({ options: { clients: { type: 'string', default: '10000' }, rate: { type: 'string', default: '60000' } } });
const clients = Number(values.clients);
const rate = Number(values.rate);
const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

async function writeSet(dir: string): Promise<{ clients: string; details: string; cases: string }> {
  const c = ['Legacy ID,Forename,Surname,E-mail'];
  const d = ['Legacy ID,Client ID,Name,Value'];
  const k = ['Legacy ID,Client ID,Case Name'];
  for (let i = 0; i < clients; i++) {
    c.push(`C${i},Client${i},Bench,c${i}@example.com`);
    d.push(`D${2 * i},C${i},Email,d${i}@example.com`, `D${2 * i + 1},C${i},Work email,w${i}@example.com`);
    k.push(`K${i},C${i},Case ${i}`);
  }
  const paths = { clients: join(dir, 'clients.csv'), details: join(dir, 'details.csv'), cases: join(dir, 'cases.csv') };
  await writeFile(paths.clients, c.join('\r\n') + '\r\n');
  await writeFile(paths.details, d.join('\r\n') + '\r\n');
  await writeFile(paths.cases, k.join('\r\n') + '\r\n');
  return paths;
}

function peakKb(pid: number | undefined): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

const dir = join(benchDir, `migrate-${clients}`);
rm(dir, { recursive: true, force: true }, () => undefined);
await new Promise((resolve) => setTimeout(resolve, 100));
await new Promise((resolve, reject) => mkdir(dir, { recursive: true }, (error) => (error ? reject(error) : resolve(undefined))));
const files = await writeSet(dir);
const sandbox = await startSandboxProcess(['--rate', String(rate)]);
try {
  const started = performance.now();
  const child = spawn(process.execPath, [cli, 'migrate', '--clients', files.clients, '--contact-details', files.details, '--cases', files.cases,
    '--state', join(dir, 'state'), '--rate', `${rate}/min`, '--concurrency', '16'], {
    env: { ...process.env, PLANNR_BASE_URL: sandbox.url, PLANNR_TOKEN: SANDBOX_TOKEN, PLANNR_ACCOUNT_UUID: SANDBOX_ACCOUNT_UUID, PLANNR_BULK_HEAP: 'off' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  let peak = 0;
  const poll = setInterval(() => (peak = Math.max(peak, peakKb(child.pid))), 100);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(poll);
  const seconds = (performance.now() - started) / 1000;
  // 4 creates per client, plus one credential check per file.
  const requests = 4 * clients + 3;
  const ideal = requests / (rate / 60);
  console.log(out);
  console.log(JSON.stringify({ clients, creates: 4 * clients, ratePerMinute: rate, exitCode: code, seconds: Number(seconds.toFixed(1)), idealSeconds: Number(ideal.toFixed(1)), ratio: Number((seconds / ideal).toFixed(2)), peakMb: Math.round(peak / 1024) }));
} finally {
  sandbox.stop();
}
