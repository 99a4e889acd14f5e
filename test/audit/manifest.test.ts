import { describe, expect, it } from 'vitest';
import { commandLineOf, htmlPathFor, isoWithOffset, manifestPathFor, resolvedConfigOf } from '../../src/audit/manifest.js';

const TOKEN = 'pl_live_S3cr3t/Tok+en';

describe('the command line in the manifest', () => {
  it('starts with the tool name in place of node and the script, and keeps ordinary arguments as given', () => {
    expect(commandLineOf(['/usr/bin/node', '/x/dist/cli/main.js', 'import', 'clients.csv', '--entity', 'cases'], [TOKEN])).toEqual([
      'plannr-bulk', 'import', 'clients.csv', '--entity', 'cases',
    ]);
  });

  it('never holds the token, as itself or URL-encoded, nor URL credentials or a secret-named flag or query value', () => {
    const argv = ['node', 'main.js', 'import', `--note=${TOKEN}`, `--base-url`, 'https://me:hunter2@api.example.com/?access_token=abc&page=2',
      '--token', 'xyz', '--password=pw1', `a%2F${encodeURIComponent(TOKEN)}`];
    const line = commandLineOf(argv, [TOKEN]);
    const text = line.join(' ');
    for (const secret of [TOKEN, encodeURIComponent(TOKEN), 'hunter2', 'abc', 'xyz', 'pw1']) expect(text).not.toContain(secret);
    expect(line).toContain('https://[redacted]@api.example.com/?access_token=[redacted]&page=2');
    expect(line).toContain('--password=[redacted]');
    expect(line.slice(line.indexOf('--token'), line.indexOf('--token') + 2)).toEqual(['--token', '[redacted]']);
  });
});

describe('times in the manifest', () => {
  it('are ISO 8601 wall-clock times with their offset from UTC', () => {
    const noonUtc = Date.UTC(2026, 5, 1, 12, 0, 0);
    expect(isoWithOffset(noonUtc, 0)).toBe('2026-06-01T12:00:00.000+00:00');
    expect(isoWithOffset(noonUtc, 60)).toBe('2026-06-01T13:00:00.000+01:00');
    expect(isoWithOffset(noonUtc, -330)).toBe('2026-06-01T06:30:00.000-05:30');
  });
});

describe('the resolved configuration', () => {
  it('has the defaults the run fell back on and the values given, and never the token', () => {
    const config = resolvedConfigOf(
      {
        entity: 'cases',
        normalise: { defaultCountry: 'GB', timezone: 'Europe/London' },
        api: { baseUrl: 'https://api.plannrcrm.com', accountUuid: 'acc', timeoutMs: 30_000, token: TOKEN },
        pool: { concurrency: 4, ratePerMinute: undefined },
        onNotice: () => undefined,
      } as Parameters<typeof resolvedConfigOf>[0],
      { pool: { concurrency: 8, ratePerMinute: 500 }, readBackWindowMs: 60_000 },
    );
    expect(JSON.stringify(config)).not.toContain(TOKEN);
    expect(config.pool).toEqual({ concurrency: 4, ratePerMinute: 500 });
    expect(config.readBackWindowMs).toBe(60_000);
    expect(config.api).toEqual({ baseUrl: 'https://api.plannrcrm.com', accountUuid: 'acc', timeoutMs: 30_000, token: '[redacted]' });
    expect(config).not.toHaveProperty('onNotice');
  });
});

describe('where the manifest and the HTML report go', () => {
  it('beside the workbook, its .xlsx replaced', () => {
    expect(manifestPathFor('out/cases.import.xlsx')).toBe('out/cases.import.manifest.json');
    expect(htmlPathFor('out/cases.import.xlsx')).toBe('out/cases.import.html');
    expect(htmlPathFor('out/report')).toBe('out/report.html');
  });
});
